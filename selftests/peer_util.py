# SPDX-License-Identifier: GPL-2.0
"""Socket helpers of the tests' Python peers (ask_peer.py, debt_sink.py):
every wait is for an event, up to WAIT seconds."""

import fcntl
import os
import select
import socket
import struct
import sys
import termios
import time

WAIT = 60.0


def die(msg):
    print("%s: %s" % (os.path.basename(sys.argv[0]), msg), file=sys.stderr, flush=True)
    sys.exit(1)


def until(what, cond, step=0.02):
    """Wait until cond() holds; die naming what did not come."""
    end = time.monotonic() + WAIT
    while not cond():
        if time.monotonic() > end:
            die("no " + what)
        select.select([], [], [], step)


def ioctl_int(s, req):
    return struct.unpack("i", fcntl.ioctl(s.fileno(), req, b"\0" * 4))[0]


def queued(s):
    """Bytes waiting in s's receive queue (FIONREAD), without reading."""
    return ioctl_int(s, termios.FIONREAD)


def unacked(s):
    """Bytes s sent that its peer has not acknowledged (SIOCOUTQ)."""
    return ioctl_int(s, termios.TIOCOUTQ)


def recv_exact(s, n):
    buf = b""
    s.settimeout(WAIT)
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            die("peer closed")
        buf += chunk
    return buf


def listener(port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    ls.settimeout(WAIT)
    return ls
