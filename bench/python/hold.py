"""Hold the peer ends of idle TCP connections for bench/idle_scale.ts.

Listens on 127.0.0.1 (a free port, printed as the only line on stdout, which
is then closed), accepts and keeps every connection open, and exits on
SIGTERM or when its parent process is gone. It holds no pipe to the bench
after the port, so the bench spends no fd on it (select() at N = 1000 needs
every fd below 1024).
"""
import os
import socket
import sys
import threading
import time

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4096)
# One write, then close: the bench closes its end as soon as it has the port.
sys.stdout.write(f"{srv.getsockname()[1]}\n")
sys.stdout.flush()
sys.stdout.close()
held = []


def accept_forever():
    while True:
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        held.append(conn)


parent = os.getppid()
threading.Thread(target=accept_forever, daemon=True).start()
while os.getppid() == parent:
    time.sleep(0.2)
