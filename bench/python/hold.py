"""Hold the peer ends of idle TCP connections for bench/idle_scale.ts.

Listens on 127.0.0.1 (a free port, printed first), accepts and keeps every
connection open, and exits when its stdin closes.
"""
import socket
import sys
import threading

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4096)
print(srv.getsockname()[1], flush=True)
held = []


def accept_forever():
    while True:
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        held.append(conn)


threading.Thread(target=accept_forever, daemon=True).start()
sys.stdin.read()
