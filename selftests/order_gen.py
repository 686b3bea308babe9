#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""order_gen.py - simulate hosts exchanging TCP and UDP messages and write
one causal log (Documentation/log.rst, v1) per host, plus the truth.

H hosts with T threads each take random steps: UDP sends to any thread's
port, UDP receives of one datagram, TCP connects and accepts, TCP sends on
connections any thread of the host may use, TCP receives that take all the
bytes queued (one or several sends), probes.  Receives followed by sends
make relays.  The true happened-before relation is kept as vector clocks
over threads, merged along program, socket, message and connection order.

  order_gen.py --hosts H --threads T --events N --seed S --out DIR [options]

writes DIR/hK.log for each host K and, unless --no-truth, DIR/truth.json:
{"threads": [[host, tid], ...], "nodes": {NODE: host}, "events": {"hK:ID": [vc...]}}
and "thread_of": {"hK:ID": i}, where vc[i] is
how many events of thread i happened before the event or are it.

Faults, for tests: --drop-host K (no log of K), --filter-host K (K's log
keeps one process), --cut-host K (no trailer, last tenth gone), --lost-host K,
--dup (an event twice), --cycle (a receive names a later send of its own
thread: inconsistent), --ambiguous (a second send with the same id32),
--shuffle (neighbouring lines of a log swapped, ids out of order).
--stream writes the logs as events come (with --no-truth, for benchmarks).
--by-bytes: TCP events carry their stream and sequence numbers (which start
near 2^32, so that they wrap) and receives take any number of the bytes
queued and name no sends: causalctl joins them by bytes.
"""

import argparse
import json
import os
import random

BASE_TIME = 1764180000000000000


class Host:
    def __init__(self, k, threads):
        self.k = k
        self.name = "h%d" % k
        self.node = "%016x" % (0xa000 + k)
        self.addr = "10.%d.%d.1" % (k >> 8, k & 255)
        self.next_id = 1
        self.skew = random.randint(-5000000, 5000000)  # wall clocks lie
        self.lines = []
        self.out = None  # the log, when written as events come (--stream)
        self.tcp = []  # sockets: dicts
        self.pending_accepts = []
        self.udp = {}  # port -> pending datagrams
        for t in range(threads):
            self.udp[5000 + t] = []


class Sim:
    def __init__(self, a):
        self.a = a
        self.truth = not a.no_truth
        self.hosts = [Host(k, a.threads) for k in range(a.hosts)]
        self.nthreads = a.hosts * a.threads
        self.tvc = [[0] * self.nthreads if self.truth else None
                    for _ in range(self.nthreads)]
        self.vcs = {}
        self.time = BASE_TIME
        self.cookie = 4096
        self.port = 30000
        self.count = 0
        self.thread_of = {}

    def tindex(self, h, t):
        return h.k * self.a.threads + t

    def merge(self, vc, other):
        if self.truth and other is not None:
            for i, x in enumerate(other):
                if x > vc[i]:
                    vc[i] = x

    def event(self, h, t, typ, sock=None, merge=(), extra=None):
        """One event of thread t of host h: its clock, its line."""
        ti = self.tindex(h, t)
        vc = None
        if self.truth:
            vc = list(self.tvc[ti])
            if sock is not None and sock.get("proto") == "tcp":
                self.merge(vc, sock.get("vc"))
            for m in merge:
                self.merge(vc, m)
            vc[ti] += 1
            self.tvc[ti] = vc
            if sock is not None and sock.get("proto") == "tcp":
                sock["vc"] = vc
        eid = h.next_id
        h.next_id += 1
        self.count += 1
        self.time += random.randint(1000, 50000)
        tid = 1000 + t
        ev = {"node": h.node, "id": eid, "type": typ, "time": self.time + h.skew,
              "pid": 100 + t // 2, "tid": tid, "comm": "app%d" % (t % 3)}
        if sock is not None:
            ev["proto"] = sock["proto"]
            ev["src"] = sock["src"]
            ev["dst"] = sock["dst"]
            ev["cookie"] = sock["cookie"]
        if extra:
            ev.update(extra)
        ev["clock"] = eid
        if h.out:
            h.out.write(line(ev) + "\n")
        else:
            h.lines.append(ev)
        if self.truth:
            self.vcs["%s:%d" % (h.name, eid)] = vc
            self.thread_of["%s:%d" % (h.name, eid)] = ti
        return ev, vc

    def new_cookie(self):
        self.cookie += 1
        return self.cookie

    def step(self):
        h = random.choice(self.hosts)
        t = random.randrange(self.a.threads)
        r = random.random()
        if h.pending_accepts and r < 0.3:
            self.accept(h, t)
        elif r < 0.06 and len(self.hosts) > 1 and len(h.tcp) < 16:
            self.connect(h, t)
        elif r < 0.30 and h.tcp:
            self.tcp_send(h, t, random.choice(h.tcp))
        elif r < 0.50 and any(s["queue"] for s in h.tcp):
            self.tcp_recv(h, t, random.choice([s for s in h.tcp if s["queue"]]))
        elif r < 0.72:
            self.udp_send(h, t)
        elif r < 0.95 and h.udp[5000 + t]:
            self.udp_recv(h, t)
        else:
            self.event(h, t, "probe", extra={"probe": "uprobe:/usr/bin/app:handle"})

    def connect(self, h, t):
        peer = random.choice([x for x in self.hosts if x is not h])
        self.port += 1
        sock = {"proto": "tcp", "src": "%s:%d" % (h.addr, self.port),
                "dst": "%s:80" % peer.addr, "cookie": self.new_cookie(),
                "queue": [], "host": h}
        ev, vc = self.event(h, t, "connect", sock)
        h.tcp.append(sock)
        peer.pending_accepts.append((sock, vc))

    def accept(self, h, t):
        csock, vc = h.pending_accepts.pop(0)
        sock = {"proto": "tcp", "src": csock["dst"], "dst": csock["src"],
                "cookie": self.new_cookie(), "queue": [], "host": h}
        sock["peer"] = csock
        csock["peer"] = sock
        # where each direction's bytes start: near the top, to wrap
        for x in (sock, csock) if self.a.by_bytes else ():
            x["base"] = x["next"] = (1 << 32) - random.randint(1, 20000)
            x["read"] = 0
        self.event(h, t, "accept", sock, merge=[vc])
        h.tcp.append(sock)

    def tcp_send(self, h, t, sock):
        if "peer" not in sock:
            return
        n = random.randint(1, 2000)
        extra = {"bytes": n, "seq": 1000}
        if self.a.by_bytes:
            extra = {"bytes": n, "seq": sock["next"] % (1 << 32),
                     "stream": stream_of(sock, sock["peer"])}
            sock["next"] += n
        ev, vc = self.event(h, t, "send", sock, extra=extra)
        sock["peer"]["queue"].append([h, ev["id"], vc, n])

    def tcp_recv(self, h, t, sock):
        q = sock["queue"]
        if self.a.by_bytes:
            self.tcp_recv_bytes(h, t, sock)
            return
        take = q[:]
        del q[:]
        stamps = [{"node": s[0].node, "id32": s[1] & 0xffffffff} for s in take[-12:]]
        self.event(h, t, "recv", sock, merge=[s[2] for s in take],
                   extra={"bytes": sum(s[3] for s in take), "seq": 1000, "from": stamps})

    def tcp_recv_bytes(self, h, t, sock):
        """A receive of any number of the queued bytes, cutting sends."""
        q, peer = sock["queue"], sock["peer"]
        want = random.randint(1, sum(s[3] for s in q))
        seq = (peer["base"] + sock["read"]) % (1 << 32)
        merge, left = [], want
        while left:
            s = q[0]
            merge.append(s[2])
            k = min(left, s[3])
            s[3] -= k
            left -= k
            if not s[3]:
                q.pop(0)
        sock["read"] += want
        self.event(h, t, "recv", sock, merge=merge,
                   extra={"bytes": want, "seq": seq, "stream": stream_of(peer, sock)})

    def udp_send(self, h, t):
        peer = random.choice(self.hosts)
        pt = random.randrange(self.a.threads)
        sock = {"proto": "udp", "src": "%s:%d" % (h.addr, 5000 + t),
                "dst": "%s:%d" % (peer.addr, 5000 + pt), "cookie": 100 + t}
        n = random.randint(1, 1400)
        ev, vc = self.event(h, t, "send", sock, extra={"bytes": n})
        peer.udp[5000 + pt].append((h, ev["id"], vc, n, sock["src"]))

    def udp_recv(self, h, t):
        s = h.udp[5000 + t].pop(0)
        sock = {"proto": "udp", "src": "%s:%d" % (h.addr, 5000 + t), "dst": s[4],
                "cookie": 100 + t}
        self.event(h, t, "recv", sock, merge=[s[2]],
                   extra={"bytes": s[3], "from": [{"node": s[0].node, "id32": s[1]}]})


ORDER = ["node", "id", "type", "time", "pid", "tid", "comm", "cgroup", "proto", "src", "dst",
         "cookie", "bytes", "seq", "stream", "clock", "from", "probe"]


def stream_of(sender, receiver):
    """The stream of the sender's bytes, as both ends name it."""
    return "%08x%08x" % (sender["base"] % (1 << 32), receiver["base"] % (1 << 32))


def line(ev):
    return json.dumps({k: ev[k] for k in ORDER if k in ev}, separators=(",", ":"))


def faults(sim, a):
    hosts = sim.hosts
    if a.cycle:
        # a receive that names the next send of its own thread: a cycle
        for h in hosts:
            for i, ev in enumerate(h.lines):
                if ev["type"] != "recv":
                    continue
                later = [e for e in h.lines[i + 1:] if e["type"] == "send" and
                         e["tid"] == ev["tid"]]
                if later:
                    ev["from"] = ev["from"] + [{"node": h.node, "id32": later[0]["id"]}]
                    return
    if a.ambiguous:
        h = hosts[0]
        sends = [e for e in h.lines if e["type"] == "send"]
        e = dict(random.choice(sends))
        e["id"] += 1 << 32
        e["tid"] = 9999
        h.lines.append(e)
    if a.dup:
        h = hosts[-1]
        e = random.choice(h.lines)
        h.lines.insert(h.lines.index(e) + 1, dict(e))


def header(h, a):
    d = {"causal_log": 1, "host": h.name, "node": h.node, "clock": "lamport",
         "scope": "thread", "kernel": "6.1.0", "start": BASE_TIME + h.skew}
    if h.k == a.filter_host:
        d["filter"] = {"pid": 100}
    return json.dumps(d, separators=(",", ":")) + "\n"


def stream(sim, a):
    """Logs written as events come: for benchmarks, no faults, no truth."""
    os.makedirs(a.out, exist_ok=True)
    for h in sim.hosts:
        h.out = open(os.path.join(a.out, h.name + ".log"), "w", buffering=1 << 20)
        h.out.write(header(h, a))
    while sim.count < a.events:
        sim.step()
    for h in sim.hosts:
        h.out.write('{"end":%d,"events":%d,"lost":0}\n' % (sim.time + h.skew, h.next_id - 1))
        h.out.close()


def write(sim, a):
    os.makedirs(a.out, exist_ok=True)
    for h in sim.hosts:
        if h.k == a.drop_host:
            continue
        lines = h.lines
        if h.k == a.filter_host:
            lines = [e for e in lines if e["pid"] == 100]
        trailer = True
        if h.k == a.cut_host:
            lines = lines[:len(lines) - len(lines) // 10 - 1]
            trailer = False
        with open(os.path.join(a.out, h.name + ".log"), "w") as f:
            f.write(header(h, a))
            text = [line(e) for e in lines]
            if a.shuffle:
                for i in range(1, len(text)):
                    if random.random() < 0.2:
                        text[i - 1], text[i] = text[i], text[i - 1]
            if h.k == a.lost_host and text:
                text.insert(len(text) // 2, '{"lost":3,"time":%d}' % (BASE_TIME + h.skew))
            f.write("\n".join(text) + ("\n" if text else ""))
            if trailer:
                lost = 3 if h.k == a.lost_host else 0
                f.write('{"end":%d,"events":%d,"lost":%d}\n' %
                        (sim.time + h.skew, len(text), lost))
    if sim.truth:
        threads = [["h%d" % (i // a.threads), 1000 + i % a.threads]
                   for i in range(sim.nthreads)]
        with open(os.path.join(a.out, "truth.json"), "w") as f:
            nodes = {h.node: h.name for h in sim.hosts}
            json.dump({"threads": threads, "nodes": nodes, "events": sim.vcs,
                       "thread_of": sim.thread_of}, f)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--hosts", type=int, default=4)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--events", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True)
    p.add_argument("--no-truth", action="store_true")
    for opt in ("drop-host", "filter-host", "cut-host", "lost-host"):
        p.add_argument("--" + opt, type=int, default=-1)
    for opt in ("dup", "cycle", "ambiguous", "shuffle", "stream", "by-bytes"):
        p.add_argument("--" + opt, action="store_true")
    a = p.parse_args()
    random.seed(a.seed)
    sim = Sim(a)
    if a.stream:
        stream(sim, a)
        return
    while sim.count < a.events:
        sim.step()
    faults(sim, a)
    write(sim, a)


if __name__ == "__main__":
    main()
