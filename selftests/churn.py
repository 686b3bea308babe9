#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""churn.py - traffic for causal's probe torture test: threads come and go.

  churn.py PORT [SECONDS]

A TCP echo server on 127.0.0.1:PORT and a UDP echo server on PORT+1, then,
until SECONDS pass (or forever) or SIGTERM: short-lived threads, each a few
TCP request/response exchanges on a connection of its own and a few UDP
ones, four of them at a time, and a process that forks and exits now and
then.  SIGTERM lets the threads under way finish (the servers serve them).  Prints "listening" once both servers are up, and at the end how many
exchanges were made and the errors met.
"""

import os
import signal
import socket
import sys
import threading
import time

stop = threading.Event()
done = [0]
errors = {}
lock = threading.Lock()


def tcp_server(ls):
    while True:
        try:
            c, _ = ls.accept()
        except OSError:
            return
        threading.Thread(target=tcp_echo, args=(c,), daemon=True).start()


def tcp_echo(c):
    with c:
        while True:
            d = c.recv(256)
            if not d:
                return
            c.sendall(d)


def udp_server(us):
    while True:
        try:
            d, a = us.recvfrom(256)
            us.sendto(d, a)
        except OSError:
            return


def count_error(what):
    with lock:
        errors[what] = errors.get(what, 0) + 1


def udp_exchange(u, port):
    """A datagram and its echo; UDP may lose either: sent again (counted)."""
    for _ in range(12):
        u.sendto(b"y" * 32, ("127.0.0.1", port + 1))
        try:
            u.recvfrom(256)
            return
        except socket.timeout:
            count_error("udp: no echo in 5 s, sent again")
    raise OSError("udp: no echo after 12 tries")


def client(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=120) as c:
            for _ in range(3):
                c.sendall(b"x" * 32)
                got = 0
                while got < 32:
                    d = c.recv(32 - got)
                    if not d:
                        return
                    got += len(d)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.settimeout(5)
            for _ in range(3):
                udp_exchange(u, port)
        with lock:
            done[0] += 1
    except OSError as e:
        count_error(str(e) if str(e).startswith("udp") else "tcp: " + str(e))


def main():
    port = int(sys.argv[1])
    until = time.monotonic() + float(sys.argv[2]) if len(sys.argv) > 2 else None
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(64)
    us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    us.bind(("127.0.0.1", port + 1))
    threading.Thread(target=tcp_server, args=(ls,), daemon=True).start()
    threading.Thread(target=udp_server, args=(us,), daemon=True).start()
    print("listening", flush=True)
    n = 0
    while not stop.is_set() and (until is None or time.monotonic() < until):
        ts = [threading.Thread(target=client, args=(port,)) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        n += 1
        if os.environ.get("CHURN_TRACE"):
            print("t %.3f n %d done %d" % (time.time(), n, done[0]), flush=True)
        if n % 2 == 0:
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)
    print("exchanges", done[0], flush=True)
    for e, n in errors.items():
        print("error", n, e, flush=True)


if __name__ == "__main__":
    main()
