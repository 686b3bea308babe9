#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""wireshark_check.py - compare what tshark decoded with causal's dissector
(scripts/wireshark/causal.lua) with what causal says it sent.

FIELDS is tshark's output: -T fields -E header=y -E occurrence=a, the
columns of selftests/wireshark.sh.  EVENTS are causalctl -j monitor logs.

  wireshark_check.py decoded FIELDS
      No packet made the dissector fail (a Lua error).

  wireshark_check.py stamps FIELDS PROTO PORT CLOCK NODE,ADDR,EVENTS...
      For each node: the stamps on the PROTO packets of PORT that its
      address ADDR sent are those of its send events on PORT: the clock,
      event number and node id of each (UDP, CLOCK lamport or hlc), the
      largest clock of the sends so far (TCP, lamport or hlc), or its
      participant, count and vector entries (vector).
  wireshark_check.py udp-cases FIELDS PORT CASES
      The datagrams of udp_tool.py inject (CASES: its output, in order
      from source port 40000): the verdict of each as causal's receivers
      count it, the bad checksums flagged.
  wireshark_check.py tcp-forms FIELDS ADDR EXPECT...
      The data segments from ADDR, in sequence order, decode as EXPECT
      says, one word each: VERDICT/FORM/CLOCK/EVENT/NODE/PARTICIPANT/EXPERTS,
      clock and event in decimal, ids in hex, "-" for absent.

Exit status 1 when anything differs; what differs is printed.
"""

import csv
import json
import sys

errors = []


def fail(msg):
    errors.append(msg)
    print("FAIL: " + msg)


def rows_of(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def num(s):
    return int(s, 0) if s else None


def nums(s):
    return [int(x, 0) for x in s.split(",")] if s else []


def src_of(row):
    return row["ip.src"] or row["ipv6.src"]


def port_of(ev):
    return ev["src"].rsplit(":", 1)[1], ev["dst"].rsplit(":", 1)[1]


def events_of(path):
    out = []
    with open(path) as f:
        for line in f:
            ev = json.loads(line)
            if "type" in ev:
                out.append(ev)
    return out


def stamps(args):
    path, proto, port, clock = args[0], args[1], args[2], args[3]
    rows = [r for r in rows_of(path)
            if port in (r[proto + ".srcport"], r[proto + ".dstport"])]
    for spec in args[4:]:
        node, addr, evpath = spec.split(",", 2)
        node = int(node, 16)
        sends = [e for e in events_of(evpath)
                 if e["type"] == "send" and e["proto"] == proto and port in port_of(e)]
        wire = [r for r in rows if src_of(r) == addr]
        if not sends:
            fail("%s: no send events on port %s" % (addr, port))
            continue
        if not wire:
            fail("%s: no stamped %s packets on port %s" % (addr, proto, port))
            continue
        for r in wire:
            if r["causal.verdict"] != "stamp":
                fail("%s: frame %s: verdict %r" % (addr, r["frame.number"],
                                                  r["causal.verdict"]))
        if clock == "vector":
            check_vectors(addr, sends, wire, proto)
        elif proto == "tcp":
            check_clocks(addr, node, sends, wire, clock)
        else:
            check_scalars(addr, node, sends, wire, clock)
        print("%s %s port %s from %s: %d sends, %d stamped packets, %d stamps" %
              (clock, proto, port, addr, len(sends), len(wire),
               len({(r["causal.clock"], r["causal.participant"]) for r in wire})))


def check_scalars(addr, node, sends, wire, clock):
    want = {(e["clock"], e["id"] % 2**32, int(e["node"], 16)) for e in sends}
    got = set()
    for r in wire:
        got.add((num(r["causal.clock"]), num(r["causal.event"]), num(r["causal.node"])))
        if r["causal.form"] != "full":
            fail("%s: frame %s: form %r" % (addr, r["frame.number"], r["causal.form"]))
        if num(r["causal.node"]) != node:
            fail("%s: frame %s: node %s, the node is %016x" %
                 (addr, r["frame.number"], r["causal.node"], node))
        c = num(r["causal.clock"]) or 0
        hlc = num(r["causal.hlc.counter"])
        if clock == "hlc" and hlc != c & 0xffff:
            fail("%s: frame %s: HLC counter %r of stamp %d" %
                 (addr, r["frame.number"], hlc, c))
        info = "causal stamp %s from node %016x event %s" % (
            r["causal.clock"], node, r["causal.event"])
        if info not in r["_ws.col.Info"]:
            fail("%s: frame %s: info %r lacks %r" % (addr, r["frame.number"],
                                                     r["_ws.col.Info"], info))
        if clock == "lamport" and hlc is not None:
            fail("%s: frame %s: a Lamport stamp read as an HLC" % (addr, r["frame.number"]))
    if got != want:
        fail("%s: stamps (clock, event, node) on the wire %s, sent %s" %
             (addr, sorted(got), sorted(want)))


def check_clocks(addr, node, sends, wire, clock):
    """TCP, Lamport or HLC: every segment carries the sender's clock as of
    one of its sends, the largest so far (never less than an earlier
    segment's), its low 56 bits; the last send's reaches the wire.  The
    first segments may carry the full send form instead, with the node id
    and that send's event number (until the peer has the node id)."""
    mask = 2**56 - 1
    sent = {e["clock"] & mask: e["id"] % 2**32 for e in sends}
    last, full = None, 0
    for r in wire:
        c = num(r["causal.clock"])
        where = "%s: frame %s" % (addr, r["frame.number"])
        if r["causal.form"] == "full":
            full += 1
            if num(r["causal.node"]) != node:
                fail("%s: node %s, the node is %016x" % (where, r["causal.node"], node))
            if c is not None and sent.get(c & mask) != num(r["causal.event"]):
                fail("%s: event %s is not the send of clock %s" %
                     (where, r["causal.event"], c))
            info = "causal stamp %s from node %016x event %s" % (
                r["causal.clock"], node, r["causal.event"])
        elif r["causal.form"] == "clock":
            info = "causal clock %s" % c
        else:
            fail("%s: form %r" % (where, r["causal.form"]))
            continue
        c = c & mask if c is not None else None
        if c not in sent:
            fail("%s: clock %s is no send's" % (where, c))
        if last is not None and c is not None and c < last:
            fail("%s: clock %s after %s" % (where, c, last))
        last = c if last is None or (c is not None and c > last) else last
        hlc = num(r["causal.hlc.counter"])
        if clock == "hlc" and hlc != (c or 0) & 0xffff:
            fail("%s: HLC counter %r of clock %s" % (where, hlc, c))
        if clock == "lamport" and hlc is not None:
            fail("%s: a Lamport clock read as an HLC" % where)
        if info not in r["_ws.col.Info"]:
            fail("%s: info %r lacks %r" % (where, r["_ws.col.Info"], info))
    if full == len(wire) and len(wire) > 2:
        fail("%s: every segment carried the node id" % addr)
    if last != max(sent):
        fail("%s: the last clock on the wire %s, the last send's %s" %
             (addr, last, max(sent)))


def check_vectors(addr, sends, wire, proto):
    by_key = {(int(e["participant"], 16), e["clock"]): e for e in sends}
    got = set()
    for r in wire:
        ids, counts = nums(r["causal.entry.participant"]), nums(r["causal.entry.count"])
        key = (num(r["causal.participant"]), num(r["causal.clock"]))
        got.add(key)
        if r["causal.form"] != "vector" or not ids or key != (ids[0], counts[0]):
            fail("%s: frame %s: form %r, participant %r, first entry %r" %
                 (addr, r["frame.number"], r["causal.form"], key, ids[:1] + counts[:1]))
            continue
        ev = by_key.get(key)
        if not ev:
            continue
        vec = {int(p, 16): c for p, c in ev["vector"].items()}
        entries = dict(zip(ids, counts))
        # TCP carries what the receiver lacks, or with W the whole vector;
        # UDP the whole vector
        if (proto == "udp" or r["causal.flags.whole"] in ("1", "True")) and entries != vec:
            fail("%s: frame %s: entries %s, the send's vector %s" %
                 (addr, r["frame.number"], entries, vec))
        for p, c in entries.items():
            if vec.get(p) != c:
                fail("%s: frame %s: entry %014x:%d, the send's vector has %s" %
                     (addr, r["frame.number"], p, c, vec.get(p)))
    if got != set(by_key):
        fail("%s: vector stamps (participant, count) on the wire %s, sent %s" %
             (addr, sorted(got), sorted(by_key)))


def udp_cases(args):
    path, port, cases = args
    rows = {r["udp.srcport"]: r for r in rows_of(path) if r["udp.dstport"] == port}
    verdict = {"ours": "stamp", "foreign": "foreign", "malformed": "malformed"}
    with open(cases) as f:
        for i, line in enumerate(f):
            kind, data = line.split()
            name = bytes.fromhex(data).decode().split("-")[0]
            r = rows.get(str(40000 + i))
            if not r:
                fail("case %s (%s): not decoded" % (name, kind))
                continue
            if r["causal.verdict"] != verdict[kind]:
                fail("case %s: verdict %r, causal counts it %s" %
                     (name, r["causal.verdict"], kind))
            bad = name in ("ocs", "ocs0")
            if bool(r["causal.ocs.bad"]) != bad or r["causal.udpopt.ocs.status"] != str(int(not bad)):
                fail("case %s: checksum flagged %r, status %r" %
                     (name, r["causal.ocs.bad"], r["causal.udpopt.ocs.status"]))
            if name == "version" and not r["causal.version.unknown"]:
                fail("case version: no unknown-version expert info")
            if name == "twice" and not r["causal.duplicate"]:
                fail("case twice: no duplicate expert info")
            print("case %-8s %-9s -> %-9s %s" % (name, kind, r["causal.verdict"],
                                               r["_ws.col.Info"].split("[")[-1].rstrip("]")))


def tcp_forms(args):
    path, addr, expect = args[0], args[1], args[2:]
    segs = {}
    for r in rows_of(path):
        if src_of(r) == addr and int(r["tcp.len"] or 0) > 0:
            segs.setdefault(int(r["tcp.seq"]), r)
    got = [segs[s] for s in sorted(segs)]
    if len(got) != len(expect):
        fail("%d segments from %s decoded, %d expected" % (len(got), addr, len(expect)))
    dec = lambda v: ",".join(str(int(x, 0)) for x in v.split(","))
    hexa = lambda v: ",".join("%x" % int(x, 0) for x in v.split(","))
    cols = [("causal.verdict", str), ("causal.form", str), ("causal.clock", dec),
            ("causal.event", dec), ("causal.node", hexa), ("causal.participant", hexa)]
    experts = ["causal.malformed", "causal.version.unknown", "causal.duplicate",
               "causal.inexact", "causal.incomplete"]
    for r, want in zip(got, expect):
        vals = [f(r[c]) if r[c] else "-" for c, f in cols]
        ex = [e.split(".", 1)[1] for e in experts if r[e]]
        line = "/".join(vals + [",".join(ex) or "-"])
        print("seq %-4s %s" % (r["tcp.seq"], line))
        if line != want:
            fail("segment %s: decoded %s, expected %s" % (r["tcp.seq"], line, want))


def decoded(args):
    rows = rows_of(args[0])
    for r in rows:
        if r["_ws.lua.error"]:
            fail("frame %s: the dissector failed: %s" % (r["frame.number"], r["_ws.col.Info"]))
    print("%d packets decoded, %d with a stamp" %
          (len(rows), sum("stamp" in r["causal.verdict"].split(",") for r in rows)))


def main():
    cmds = {"decoded": decoded, "stamps": stamps, "udp-cases": udp_cases,
            "tcp-forms": tcp_forms}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](sys.argv[2:])
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
