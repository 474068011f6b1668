#!/usr/bin/env python3
"""64-byte request/response latency and time to first byte (helper of bench/scenarios.sh, bench/emulated-quick.sh).

  rr64.py server PORT [--cc ALGO]                 echo server on every address (one thread per connection): reads
                                                  64 bytes, writes them back, until the peer closes
  rr64.py client HOST PORT [N] [--cc ALGO] [--samples FILE]
                                                  one connection; 5 unmeasured round trips, then N sequential 64-byte
                                                  round trips (default 500), each timed from just before the send to
                                                  the last byte of the echo
  rr64.py ttfb HOST PORT [N] [--cc ALGO] [--samples FILE]
                                                  N fresh connections (default 20), one after another: each timed
                                                  from just before connect() to the first byte of the echo of one
                                                  64-byte request (connect + request + response), then closed

client and ttfb print one line: "n=N p50=… p99=… max=… mean=… ms", ttfb adds "fails=F" (connections that failed
or got no answer within 30 s; they are not among the N samples). Percentiles are nearest-rank: the
ceil(p*n)-th smallest sample. --cc sets TCP_CONGESTION on the socket (on the server: on the listening socket,
which accepted sockets inherit); --samples writes every sample in ms, one a line.
"""
import math
import socket
import sys
import threading
import time

MSG = b"x" * 64
TIMEOUT = 30.0


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def new_socket(cc):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if cc:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())
    return s


def serve(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            conn.sendall(recv_exact(conn, 64))
    except (ConnectionError, OSError):
        pass
    finally:
        conn.close()


def server(port, cc):
    s = new_socket(cc)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(64)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def nearest_rank(sorted_ms, p):
    return sorted_ms[max(0, math.ceil(p * len(sorted_ms)) - 1)]


def report(samples, samples_file, extra=""):
    if samples_file:
        with open(samples_file, "w") as f:
            f.writelines("%.3f\n" % v for v in samples)
    if not samples:
        print("n=0 p50=nan p99=nan max=nan mean=nan ms" + extra)
        return
    s = sorted(samples)
    print("n=%d p50=%.1f p99=%.1f max=%.1f mean=%.1f ms%s"
          % (len(s), nearest_rank(s, 0.5), nearest_rank(s, 0.99), s[-1], sum(s) / len(s), extra))


def client(host, port, n, cc, samples_file):
    s = new_socket(cc)
    s.settimeout(TIMEOUT)
    s.connect((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for _ in range(5):  # connection set-up through the tunnel, not measured
        s.sendall(MSG)
        recv_exact(s, 64)
    rtts = []
    for _ in range(n):
        t = time.perf_counter()
        s.sendall(MSG)
        recv_exact(s, 64)
        rtts.append((time.perf_counter() - t) * 1000)
    s.close()
    report(rtts, samples_file)


def ttfb(host, port, n, cc, samples_file):
    times, fails = [], 0
    for _ in range(n):
        s = new_socket(cc)
        s.settimeout(TIMEOUT)
        try:
            t = time.perf_counter()
            s.connect((host, port))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.sendall(MSG)
            if not s.recv(1):
                raise ConnectionError("closed before the first byte")
            times.append((time.perf_counter() - t) * 1000)
        except (ConnectionError, OSError) as e:
            fails += 1
            print("ttfb: connection failed: %s" % e, file=sys.stderr)
        finally:
            s.close()
    report(times, samples_file, " fails=%d" % fails)


def main(argv):
    opts, pos, i = {}, [], 0
    while i < len(argv):
        if argv[i] in ("--cc", "--samples"):
            opts[argv[i][2:]] = argv[i + 1]
            i += 2
        else:
            pos.append(argv[i])
            i += 1
    cc, samples = opts.get("cc"), opts.get("samples")
    if pos and pos[0] == "server" and len(pos) == 2:
        server(int(pos[1]), cc)
    elif pos and pos[0] in ("client", "ttfb") and len(pos) in (3, 4):
        default_n = 500 if pos[0] == "client" else 20
        n = int(pos[3]) if len(pos) > 3 else default_n
        (client if pos[0] == "client" else ttfb)(pos[1], int(pos[2]), n, cc, samples)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
