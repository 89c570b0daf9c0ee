"""TLS echo server of the TLS echo workload (WORKLOADS.md) on asyncio or
uvloop: a protocol server (data_received -> transport.write) over ssl, with
the test certificate of tests/tls/fixtures.

    python3.11 bench/python/tls_echo_server.py [--uvloop] [port]

Prints "PORT <n>" once listening on 127.0.0.1, then serves until killed.
"""
import asyncio
import pathlib
import ssl
import sys

use_uvloop = "--uvloop" in sys.argv
rest = [a for a in sys.argv[1:] if a != "--uvloop"]
port = int(rest[0]) if rest else 0
fixtures = pathlib.Path(__file__).resolve().parents[2] / "tests" / "tls" / "fixtures"


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(fixtures / "server.pem", fixtures / "server.key")
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, "127.0.0.1", port, ssl=ctx)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if use_uvloop:
    import uvloop
    uvloop.install()
asyncio.run(main())
