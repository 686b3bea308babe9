#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""order_check.py - check what causalctl order and why say against the truth
order_gen.py wrote, and check their exports as their consumers read them.

  order_check.py linear TRUTH ORDER        ORDER: output of causalctl -j order
  order_check.py why TRUTH CAUSALCTL N SEED [--unknown-ok] LOG...
  order_check.py shiviz TRUTH FILE
  order_check.py perfetto FILE EVENTS
  order_check.py otlp FILE SCHEMA EVENTS

Exits 1 with what is wrong on stdout.
"""

import json
import random
import re
import subprocess
import sys


def die(msg):
    print(msg)
    sys.exit(1)


class Truth:
    """The generator's truth: vector clocks over threads, the thread of each event."""

    def __init__(self, path):
        with open(path) as f:
            d = json.load(f)
        self.threads = {"%s/%d" % (h, tid): i for i, (h, tid) in enumerate(d["threads"])}
        self.nodes = d["nodes"]
        self.vc = d["events"]
        self.thread_of = d["thread_of"]
        self.by_thread = {}
        for name, i in self.thread_of.items():
            self.by_thread.setdefault(i, {})[self.vc[name][i]] = name

    def before(self, a, b):
        ta = self.thread_of[a]
        return a != b and self.vc[a][ta] <= self.vc[b][ta]


def order_events(path):
    pos = {}
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            if "report" in o:
                continue
            pos[o["node"], o["id"]] = o["pos"]
    return pos


def linear(truth_path, order_path):
    t = Truth(truth_path)
    raw = order_events(order_path)
    pos = {"%s:%d" % (t.nodes[n], i): p for (n, i), p in raw.items()}
    if sorted(pos.values()) != list(range(1, len(pos) + 1)):
        die("positions are not 1..%d" % len(pos))
    bad = 0
    for f, vc in t.vc.items():
        if f not in pos:
            continue
        for i, n in enumerate(vc):
            if i == t.thread_of[f]:
                n -= 1
            e = t.by_thread.get(i, {}).get(n)
            if n and e in pos and pos[e] >= pos[f]:
                bad += 1
                if bad < 5:
                    print("# %s happened before %s but comes at %d >= %d" %
                          (e, f, pos[e], pos[f]))
    if bad:
        die("%d orderings break happened-before" % bad)
    print("# %d events in an order that extends happened-before" % len(pos))


def why(truth_path, causalctl, n, seed, unknown_ok, logs):
    t = Truth(truth_path)
    present = []
    for path in logs:
        with open(path) as f:
            for line in f:
                o = json.loads(line)
                if "id" in o and "type" in o and o.get("tid") != 9999:
                    present.append("%s:%d" % (t.nodes[o["node"]], o["id"]))
    random.seed(seed)
    counts = {}
    for _ in range(n):
        a, b = random.choice(present), random.choice(present)
        r = subprocess.run([causalctl, "-j", "why", a, b] + logs, capture_output=True,
                           text=True)
        got = json.loads(r.stdout)["answer"] if r.stdout else "error: " + r.stderr
        want = ("same" if a == b else "before" if t.before(a, b) else
                "after" if t.before(b, a) else "concurrent")
        counts[got] = counts.get(got, 0) + 1
        if got == want:
            continue
        if got == "unknown" and unknown_ok and want != "same":
            continue
        die("why %s %s: %s, the truth is %s" % (a, b, got, want))
    print("# answers: %s" % counts)


SHIVIZ = re.compile(r"(?P<event>.*)\n(?P<host>\S*) (?P<clock>{.*})")


def shiviz(truth_path, path):
    t = Truth(truth_path)
    text = open(path).read().strip()
    last = {}
    n = 0
    for m in SHIVIZ.finditer(text):
        n += 1
        host, clock = m.group("host"), json.loads(m.group("clock"))
        if clock.get(host) != last.get(host, 0) + 1:
            die("event %d: %s's own clock %s does not follow %s" %
                (n, host, clock.get(host), last.get(host, 0)))
        last[host] = clock[host]
        for h, v in clock.items():
            if v > last.get(h, 0):
                die("event %d: clock names event %d of %s before it came" % (n, v, h))
        name = t.by_thread[t.threads[host]][clock[host]]
        want = {k: t.vc[name][i] for k, i in t.threads.items() if t.vc[name][i]}
        if want != clock:
            die("event %d (%s): clock %s, the truth is %s" % (n, name, clock, want))
    if n != len(text.split("\n")) // 2:
        die("%d events match the regex, the file has %d lines" % (n, len(text.split("\n"))))
    print("# %d ShiViz events, clocks exact" % n)


def perfetto(path, events):
    d = json.load(open(path))
    ev = d["traceEvents"]
    procs = {e["pid"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
    threads = {(e["pid"], e["tid"]) for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
    starts = {e["id"]: e for e in ev if e["ph"] == "s"}
    ends = {e["id"]: e for e in ev if e["ph"] == "f"}
    slices = [e for e in ev if e["ph"] == "X"]
    if len(slices) != int(events):
        die("%d slices for %s events" % (len(slices), events))
    for e in ev:
        if e["ph"] == "M":
            continue
        if e["pid"] not in procs or (e["pid"], e["tid"]) not in threads:
            die("unnamed process or thread: %s" % e)
        if not isinstance(e["ts"], (int, float)):
            die("ts is not a number: %s" % e)
    if set(starts) != set(ends) or not starts:
        die("flows: %d starts, %d ends, not paired" % (len(starts), len(ends)))
    for i, f in ends.items():
        if f.get("bp") != "e" or f["cat"] != starts[i]["cat"] or f["name"] != starts[i]["name"]:
            die("flow end %s does not match its start" % f)
    print("# %d slices, %d flows" % (len(slices), len(starts)))


def otlp(path, schema_path, events):
    import jsonschema
    d = json.load(open(path))
    jsonschema.validate(d, json.load(open(schema_path)))
    spans = [s for r in d["resourceSpans"] for ss in r["scopeSpans"] for s in ss["spans"]]
    ids = {s["spanId"] for s in spans}
    if len(spans) != int(events) or len(ids) != len(spans):
        die("%d spans, %d ids, %s events" % (len(spans), len(ids), events))
    for s in spans:
        for ln in s["links"] + ([{"spanId": s["parentSpanId"]}] if "parentSpanId" in s else []):
            if ln["spanId"] not in ids:
                die("span %s refers to no span: %s" % (s["spanId"], ln))
    print("# %d spans valid, links resolve" % len(spans))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "linear":
        linear(*args)
    elif cmd == "why":
        ok = "--unknown-ok" in args
        args = [x for x in args if x != "--unknown-ok"]
        why(args[0], args[1], int(args[2]), int(args[3]), ok, args[4:])
    elif cmd == "shiviz":
        shiviz(*args)
    elif cmd == "perfetto":
        perfetto(*args)
    elif cmd == "otlp":
        otlp(*args)
    else:
        die("unknown check: " + cmd)


if __name__ == "__main__":
    main()
