#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Three peers that make a receiver lose an index naming (vector.sh).

  ask_peer.py c PORT              answers each line it reads with one
  ask_peer.py b PORT DIR          the receiver: lets its receive history
                                  fill before reading, then answers once
  ask_peer.py a B_ADDR B_PORT C_ADDR C_PORT DIR
                                  the sender, one thread talking to both

a fills b's receive history with more sends than it has ranges for, then
learns c's entry and sends b a stamp that names c's index: b's history
folds that stamp away, so b never learns the index.  After a second
exchange with c, a's next stamp carries c's entry by its index alone: b
meets an index it was never given, and its answer asks a to tell all
again; a's next send names c again.  Every step waits for the bytes it
needs (no timing; b says it has read the filled history by a file in
DIR); each peer prints "done" and stays until killed, so that its sockets
can be listed.
"""

import os
import socket
import sys
import time

from peer_util import WAIT, die, listener, queued, recv_exact, unacked, until

FILL = 11          # more sends than a receive history's ranges (10)


def nodelay(s):
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def send_acked(s, data):
    """Send, then wait until the peer acknowledged every byte: the
    sender's history keeps no send whose bytes are acknowledged, so it
    never fills (which would make it tell all again by itself)."""
    s.sendall(data)
    until("acknowledgement", lambda: not unacked(s), 0.005)


def listen(port):
    ls = listener(port)
    conn, _ = ls.accept()
    ls.close()
    return nodelay(conn)


def connect(addr, port):
    end = time.monotonic() + WAIT
    while True:
        s = nodelay(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        try:
            s.connect((addr, port))
            return s
        except OSError:
            s.close()
            if time.monotonic() > end:
                die("cannot connect to %s:%d" % (addr, port))
            time.sleep(0.05)


def hold():
    print("done", flush=True)
    time.sleep(600)


def role_c(port):
    s = listen(port)
    s.settimeout(None)
    while True:
        line = s.recv(2)
        if not line:
            return
        s.sendall(b"c\n")


def role_b(port, sig):
    s = listen(port)
    # every stamp of a's first sends parsed before any is read
    want = 2 * (FILL + 1)
    until("%d bytes" % want, lambda: queued(s) >= want)
    recv_exact(s, want)
    open(sig, "w").close()
    # the stamp with c's entry by its index alone: then ask
    if recv_exact(s, 2) != b"z\n":
        die("unexpected bytes")
    s.sendall(b"r\n")
    # the send that names c again
    if recv_exact(s, 2) != b"w\n":
        die("unexpected bytes")
    hold()


def role_a(b_addr, b_port, c_addr, c_port, sig):
    b = connect(b_addr, b_port)
    c = connect(c_addr, c_port)
    for _ in range(FILL):
        send_acked(b, b"m\n")
    c.sendall(b"p\n")
    recv_exact(c, 2)
    send_acked(b, b"x\n")      # names c's index: folded away at b
    c.sendall(b"p\n")
    recv_exact(c, 2)
    # b read all that: the next stamp goes into an empty history
    until("read by b", lambda: os.path.exists(sig), 0.01)
    send_acked(b, b"z\n")      # c's entry by its index
    if recv_exact(b, 2) != b"r\n":
        die("unexpected bytes")
    send_acked(b, b"w\n")      # told all again
    hold()


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "c":
        role_c(int(a[1]))
    elif len(a) == 3 and a[0] == "b":
        role_b(int(a[1]), os.path.join(a[2], "read"))
    elif len(a) == 6 and a[0] == "a":
        role_a(a[1], int(a[2]), a[3], int(a[4]), os.path.join(a[5], "read"))
    else:
        die("usage: ask_peer.py c PORT | b PORT DIR | a B_ADDR B_PORT C_ADDR C_PORT DIR")


if __name__ == "__main__":
    main()
