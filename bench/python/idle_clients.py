"""Open N idle TCP connections to 127.0.0.1:PORT and hold them, for the
echo benchmark's idle-memory workload (bench/echo.ts --idle N).

    python3.11 bench/python/idle_clients.py PORT N

Prints "ready" once every connection is established, then holds them until
stdin closes or the process is killed.
"""
import socket
import sys

port, n = int(sys.argv[1]), int(sys.argv[2])
held = []
for _ in range(n):
    s = socket.socket()
    s.connect(("127.0.0.1", port))
    held.append(s)
print("ready", flush=True)
sys.stdin.read()
