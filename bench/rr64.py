#!/usr/bin/env python3
"""64-byte request/response latency on one TCP connection (helper of bench/emulated-quick.sh).

  rr64.py server PORT              echo server on every address (one thread per connection)
  rr64.py client HOST PORT [N]     N sequential 64-byte round trips (default 500), prints p50/p99/max ms
"""
import socket
import sys
import threading
import time


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def serve(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            conn.sendall(recv_exact(conn, 64))
    except (ConnectionError, OSError):
        pass
    finally:
        conn.close()


def server(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(16)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def client(host, port, n):
    s = socket.create_connection((host, port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    msg = b"x" * 64
    for _ in range(5):  # connection set-up through the tunnel, not measured
        s.sendall(msg)
        recv_exact(s, 64)
    rtts = []
    for _ in range(n):
        t = time.perf_counter()
        s.sendall(msg)
        recv_exact(s, 64)
        rtts.append((time.perf_counter() - t) * 1000)
    s.close()
    rtts.sort()
    pct = lambda p: rtts[min(len(rtts) - 1, int(p * len(rtts)))]
    print("n=%d p50=%.1f p99=%.1f max=%.1f mean=%.1f ms" % (n, pct(0.5), pct(0.99), rtts[-1], sum(rtts) / n))


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]))
    else:
        client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 500)
