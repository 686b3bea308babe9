#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""clockcheck - check clocks that causal_peer logged against causality.

Each file is the log of one single-threaded causal_peer process: its lines are
in program order.  A receive pairs with the send of the same tag, direction
and message number.  Happened-before edges are then:

  message:  a send -> its receive
  program:  an event -> the next one of the same process; with --scope
            socket only when both are on the same connection (tag), as the
            socket scope keeps no clock across sockets

The Lamport condition must hold on every edge: C(a) < C(b).  With --clock hlc
every event is also checked against the hybrid logical clock's rules, given
the wall time bracketing it: the physical part lies between the wall clock
and the largest physical part heard of, and the logical part is 0 whenever
the wall clock alone sets the physical part.

Usage: clockcheck.py [--scope thread|socket] [--clock lamport|hlc] FILE...
Prints what it checked; exits 1 on any violation.
"""

import argparse
import json
import sys

NSEC = 1000000000
LOGICAL = 0xffff


def hlc_wall(ns):
    """include/causal/clock.h: causal_hlc_wall()."""
    sec, rem = divmod(ns, NSEC)
    return ((sec << 32) | ((rem << 32) // NSEC)) & ~LOGICAL


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.startswith('{')]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--scope', default='thread', choices=['thread', 'socket'])
    ap.add_argument('--clock', default='lamport', choices=['lamport', 'hlc'])
    ap.add_argument('files', nargs='+')
    args = ap.parse_args()

    procs = [load(p) for p in args.files]
    sends = {}
    for evs in procs:
        for e in evs:
            if e['op'] == 'send':
                sends[(e['tag'], e['dir'], e['msg'])] = e

    edges, bad, unmatched = [], [], 0
    for evs in procs:
        for a, b in zip(evs, evs[1:]):
            if args.scope == 'thread' or a['tag'] == b['tag']:
                edges.append(('program', a, b))
        for e in evs:
            if e['op'] != 'recv':
                continue
            s = sends.get((e['tag'], e['dir'], e['msg']))
            if s is None:
                unmatched += 1
            else:
                edges.append(('message', s, e))
    for kind, a, b in edges:
        if not a['clock'] < b['clock']:
            bad.append('%s edge %s %s %s #%d (%d) -> %s %s #%d (%d)' % (
                kind, a['tag'], a['dir'], a['op'], a['msg'], a['clock'],
                b['dir'], b['op'], b['msg'], b['clock']))

    hlc_checked = 0
    if args.clock == 'hlc':
        for evs in procs:
            prev = {}
            for e in evs:
                # The clock the event started from: the thread's (the last
                # event of the process) or, in socket scope, the socket's.
                key = e['tag'] if args.scope == 'socket' else None
                base = prev.get(key, 0)
                heard = base
                if e['op'] == 'recv':
                    s = sends.get((e['tag'], e['dir'], e['msg']))
                    if s is None:
                        continue
                    heard = max(base, s['clock'])
                c = e['clock']
                lo, hi = hlc_wall(e['wall_before']), hlc_wall(e['wall_after'])
                phys, heard_phys = c & ~LOGICAL, heard & ~LOGICAL
                what = '%s %s %s #%d' % (e['tag'], e['dir'], e['op'], e['msg'])
                if phys < lo or phys > max(hi, heard_phys):
                    bad.append('hlc %s: physical part %x outside [wall %x, max(wall %x, heard %x)]'
                               % (what, phys, lo, hi, heard_phys))
                elif phys > heard_phys and c & LOGICAL:
                    bad.append('hlc %s: wall time set the physical part but the counter is %d'
                               % (what, c & LOGICAL))
                elif phys == heard_phys and c != heard + 1:
                    bad.append('hlc %s: %x after %x: the counter should step by one'
                               % (what, c, heard))
                hlc_checked += 1
                prev[key] = c

    events = sum(len(evs) for evs in procs)
    print('%d events, %d edges (%d message), %d HLC events checked, %d unmatched receives'
          % (events, len(edges), sum(1 for k, _, _ in edges if k == 'message'),
             hlc_checked, unmatched))
    for line in bad[:20]:
        print('VIOLATION: ' + line)
    if bad or unmatched or not edges:
        sys.exit(1)


if __name__ == '__main__':
    main()
