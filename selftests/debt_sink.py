#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One thread reading two connections in a set order (tcp.sh).

  debt_sink.py PORT1 PORT2 DIR

Accepts a connection on each port, waits until each has two 32-byte
segments queued (the test injects them: a lossy stamp, then a whole one),
then reads the first segment of PORT2's connection, then both of PORT1's,
and prints "1"; once DIR/go exists, reads the second segment of PORT2's
and prints "2"; then stays until killed, so that its sockets can be
listed.  Every step waits for what it needs, up to a minute.
"""

import os
import sys
import time

from peer_util import die, listener, queued, recv_exact, until

SEG = 32


def main():
    if len(sys.argv) != 4:
        die("usage: debt_sink.py PORT1 PORT2 DIR")
    l1, l2 = listener(int(sys.argv[1])), listener(int(sys.argv[2]))
    go = os.path.join(sys.argv[3], "go")
    c1, _ = l1.accept()
    c2, _ = l2.accept()
    until("segments", lambda: queued(c1) >= 2 * SEG and queued(c2) >= 2 * SEG)
    recv_exact(c2, SEG)
    recv_exact(c1, 2 * SEG)
    print("1", flush=True)
    until("go", lambda: os.path.exists(go))
    recv_exact(c2, SEG)
    print("2", flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main()
