"""HTTP "hello" server of the HTTP hello workload (WORKLOADS.md): an
asyncio Protocol parsing with httptools, keep-alive, a fixed 13-byte body.
Prints "PORT <n>", serves until killed.

    python3.11 bench/python/http_server.py [--uvloop] [port]
"""
import asyncio
import sys

import httptools

BODY = b"Hello, World!"
KEEP = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
        + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)
CLOSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
         + str(len(BODY)).encode() + b"\r\nConnection: close\r\n\r\n" + BODY)


class Hello(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.parser = httptools.HttpRequestParser(self)

    def data_received(self, data):
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.transport.write(b"HTTP/1.1 400 Bad Request\r\n"
                                 b"Content-Length: 0\r\nConnection: close\r\n\r\n")
            self.transport.close()

    def on_message_complete(self):
        if self.parser.should_keep_alive():
            self.transport.write(KEEP)
        else:
            self.transport.write(CLOSE)
            self.transport.close()


async def main(port):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Hello, "127.0.0.1", port)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--uvloop" in sys.argv:
        import uvloop
        uvloop.install()
    asyncio.run(main(int(args[0]) if args else 0))
