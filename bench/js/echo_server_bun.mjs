// Bun's native echo server for the echo workloads (WORKLOADS.md): Bun.listen
// with data -> write; what write() could not take is kept and written on
// drain, in order. Prints "PORT <n>", serves until killed.
//   npx bun bench/js/echo_server_bun.mjs [port]
const port = Number(process.argv[2] ?? 0);

const server = Bun.listen({
  hostname: "127.0.0.1",
  port,
  socket: {
    open(s) {
      s.data = { pending: null };
      s.setNoDelay?.(true);
    },
    data(s, chunk) {
      if (s.data.pending !== null) {
        s.data.pending = Buffer.concat([s.data.pending, chunk]);
        return;
      }
      const n = s.write(chunk);
      if (n < chunk.length) s.data.pending = chunk.subarray(n);
    },
    drain(s) {
      const rest = s.data.pending;
      if (rest === null) return;
      const n = s.write(rest);
      s.data.pending = n < rest.length ? rest.subarray(n) : null;
    },
    error() {},
  },
});
console.log(`PORT ${server.port}`);
