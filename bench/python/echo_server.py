"""Echo servers of the echo workloads (WORKLOADS.md) on asyncio or uvloop:
protocol, streams, sock (loop.sock_recv / sock_sendall).

    python3.11 bench/python/echo_server.py protocol|streams|sock [--uvloop] [port]

Prints "PORT <n>" once listening on 127.0.0.1, then serves until killed.
"""
import asyncio
import socket
import sys

variant = sys.argv[1]
use_uvloop = "--uvloop" in sys.argv
rest = [a for a in sys.argv[2:] if a != "--uvloop"]
port = int(rest[0]) if rest else 0


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def handle(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def sock_client(loop, conn):
    try:
        while True:
            data = await loop.sock_recv(conn, 65536)
            if not data:
                break
            await loop.sock_sendall(conn, data)
    except ConnectionError:
        pass
    finally:
        conn.close()


async def main():
    loop = asyncio.get_running_loop()
    if variant == "protocol":
        server = await loop.create_server(Echo, "127.0.0.1", port)
        print("PORT", server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()
    elif variant == "streams":
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        print("PORT", server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()
    elif variant == "sock":
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(1000)
        sock.setblocking(False)
        print("PORT", sock.getsockname()[1], flush=True)
        while True:
            conn, _ = await loop.sock_accept(sock)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.setblocking(False)
            loop.create_task(sock_client(loop, conn))
    else:
        raise SystemExit(f"unknown variant {variant}")


if use_uvloop:
    import uvloop
    uvloop.install()
asyncio.run(main())
