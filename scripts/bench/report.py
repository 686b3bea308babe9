#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report.py - the tables and the picture of make bench's overhead runs.

  report.py BENCH.json SVG

Reads the runs scripts/bench/overhead.sh wrote (one JSON object each,
"kind": "run"; warm-up runs, round 0, are not counted) and prints, per
kernel and workload: the median of each mode, the ratio of full to off
(the primary figure: instruction-counted, so a ratio of work per
instruction), the spread of the off runs ((max - min) / median), the ratio
of each part alone (option, hooks) and what is left for their interplay,
the wall-clock ratio (the host's time per unit of work: what the old
method measured, TCG's costs included), and the extras (segments per
write...) off and full.  Writes SVG: every workload's ratio on each kernel
against its goal.  Exit status 1 if an off spread is over 1%.
"""

import json
import statistics
import sys

# The goals of Documentation/performance.rst, by the start of a name.
GOALS = [("tcp_bulk", 0.97), ("tcp_stream", 0.97), ("rr_", 0.95), ("udp_", 0.95),
         ("gro", 0.95), ("http_", 0.98)]
SPREAD_GOAL = 1.0
P99_GOAL = 1.05


def goal_of(bench):
    for prefix, goal in GOALS:
        if bench.startswith(prefix):
            return goal
    return None


def load(path):
    runs, costs, memory = {}, [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            o = json.loads(line)
            kind = o.get("kind")
            if kind == "run" and o.get("round", 0) > 0:
                runs.setdefault((o["kernel"], o["bench"]), []).append(o)
            elif kind == "bpf_cost":
                costs.append(o)
            elif kind == "memory":
                memory.append(o)
    return runs, costs, memory


def med(runs, mode, key="value"):
    v = [r[key] for r in runs if r["mode"] == mode and key in r]
    return statistics.median(v) if v else None


def summarize(runs):
    """One row per (kernel, bench)."""
    rows = []
    for (kernel, bench), rs in sorted(runs.items()):
        off = [r["value"] for r in rs if r["mode"] == "off"]
        m = {mode: med(rs, mode) for mode in ("off", "option", "hooks", "empty", "wire", "full")}
        if not off or not m["off"] or m["full"] is None:
            continue
        ratio = {k: (v / m["off"] if v is not None else None) for k, v in m.items()}
        spread = (max(off) - min(off)) / m["off"] * 100
        # wall clock: work per host millisecond, full against off
        wall = None
        w_off, w_full = med(rs, "off", "wall_ms"), med(rs, "full", "wall_ms")
        if w_off and w_full and not rs[0]["unit"].endswith("/cpu_s"):
            wall = (m["full"] / w_full) / (m["off"] / w_off)
        extras = sorted({k for r in rs for k in r} -
                        {"kind", "kernel", "bench", "mode", "round", "unit", "value", "wall_ms"})
        rows.append({
            "kernel": kernel, "bench": bench, "unit": rs[0]["unit"], "median": m,
            "ratio": ratio, "spread": spread, "wall_ratio": wall, "runs": len(off),
            "extras": {k: (med(rs, "off", k), med(rs, "full", k)) for k in extras},
            "goal": goal_of(bench),
        })
    return rows


def fmt(v, digits=3):
    return "-" if v is None else f"{v:.{digits}f}"


def print_tables(rows, costs, memory):
    for kernel in sorted({r["kernel"] for r in rows}):
        print(f"# {kernel}: instruction-counted ratios (full / off), medians of "
              f"{max(r['runs'] for r in rows if r['kernel'] == kernel)} runs")
        print("# cost: 1 - ratio, in %, of all of causal and of each part alone (rest:")
        print("# what the parts cost only together; empty: UDP's programs doing nothing,")
        print("# the floor of its hooks; wire: UDP's programs carrying a constant stamp,")
        print("# no clock: the floor of its stamps); wall: the wall-clock ratio")
        print(f"{'bench':<18} {'off':>10} {'full':>10} {'ratio':>6} {'goal':>5} "
              f"{'spread':>7} {'cost':>6} {'option':>6} {'hooks':>6} {'rest':>6} {'empty':>6} "
              f"{'wire':>6} {'wall':>6}  unit")
        for r in rows:
            if r["kernel"] != kernel:
                continue
            q = r["ratio"]
            cost = {k: (None if v is None else (1 - v) * 100) for k, v in q.items()}
            rest = None
            if None not in (cost["option"], cost["hooks"]):
                rest = cost["full"] - cost["option"] - cost["hooks"]
            print(f"{r['bench']:<18} {r['median']['off']:>10.4g} {r['median']['full']:>10.4g} "
                  f"{fmt(q['full']):>6} {fmt(r['goal'], 2):>5} {r['spread']:>6.2f}% "
                  f"{fmt(cost['full'], 1):>6} {fmt(cost['option'], 1):>6} "
                  f"{fmt(cost['hooks'], 1):>6} {fmt(rest, 1):>6} {fmt(cost['empty'], 1):>6} "
                  f"{fmt(cost['wire'], 1):>6} {fmt(r['wall_ratio']):>6}  {r['unit']}")
        for r in rows:
            if r["kernel"] != kernel or not r["extras"]:
                continue
            print(f"#   {r['bench']}: " + ", ".join(
                f"{k} {fmt(a, 2)} -> {fmt(b, 2)}" for k, (a, b) in r["extras"].items()))
            a, b = r["extras"].get("p99_us", (None, None))
            if a and b is not None:
                print(f"#   {r['bench']}: p99 latency full / off {b / a:.3f} "
                      f"(goal <= {P99_GOAL})")
        # a goal full misses, against the floor the wire ablation measures
        for r in rows:
            q, goal = r["ratio"], r["goal"]
            if r["kernel"] != kernel or q.get("wire") is None or goal is None:
                continue
            if q["full"] < goal:
                print(f"#   {r['bench']}: full {q['full']:.3f} under its goal {goal:.2f}; "
                      f"the floor (wire) {q['wire']:.3f}" +
                      (", under the goal too (Documentation/performance.rst, "
                       "\"UDP: the floor of carrying a stamp\")" if q["wire"] < goal else ""))
        # the statistics run: each program's runs per unit of work and the
        # time of a run
        for bench in sorted({c["bench"] for c in costs if c["kernel"] == kernel}):
            cs = [c for c in costs if c["kernel"] == kernel and c["bench"] == bench]
            per = cs[0].get("per") or "unit"
            parts = [f"{c['program'][7:]} {c['calls_per_unit']:.3g} x {c['ns_per_call']} ns"
                     for c in cs
                     if c.get("calls_per_unit") is not None and c["calls_per_unit"] >= 0.01]
            print(f"#   {bench}, runs per {per} x time per run: " + ", ".join(parts))
        for m in memory:
            if m["kernel"] == kernel:
                top = ", ".join(f"{c} {v['bytes_per_socket']}"
                                for c, v in list(m.get("caches", {}).items())[:4])
                print(f"#   memory, {m['clock']}, {m['connections']} connections: "
                      f"{m.get('own_bytes_per_socket', m['bytes_per_socket'])} B per tracked "
                      f"socket in causal's caches, {m['bytes_per_socket']} by the slab total"
                      + (f": {top}" if top else ""))


def svg(rows, path):
    kernels = sorted({r["kernel"] for r in rows})
    benches = sorted({r["bench"] for r in rows})
    colours = ["#4477aa", "#ee6677", "#228833", "#ccbb44"]
    bar, gap, left, width, top = 9, 8, 150, 520, 40
    lo, hi = 0.0, 1.1
    height = top + len(benches) * (bar * len(kernels) + gap) + 50

    def x(v):
        return left + (min(max(v, lo), hi) - lo) / (hi - lo) * width

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 30}" '
           f'height="{height}" font-family="sans-serif" font-size="11">',
           f'<text x="{left}" y="16" font-size="13">causal: throughput with causal '
           f'on / off (instruction-counted)</text>']
    for i, k in enumerate(kernels):
        out.append(f'<rect x="{left + i * 160}" y="24" width="10" height="10" '
                   f'fill="{colours[i % 4]}"/><text x="{left + i * 160 + 14}" y="33">{k}</text>')
    y = top
    for b in benches:
        goal = goal_of(b)
        out.append(f'<text x="{left - 6}" y="{y + bar * len(kernels) / 2 + 4}" '
                   f'text-anchor="end">{b}</text>')
        for i, k in enumerate(kernels):
            r = next((r for r in rows if r["kernel"] == k and r["bench"] == b), None)
            if r is not None:
                v = r["ratio"]["full"]
                out.append(f'<rect x="{left}" y="{y}" width="{x(v) - left:.1f}" '
                           f'height="{bar - 1}" fill="{colours[i % 4]}"/>')
                out.append(f'<text x="{x(v) + 3:.1f}" y="{y + bar - 1}" '
                           f'font-size="9">{v:.2f}</text>')
            y += bar
        if goal:
            gx = x(goal)
            out.append(f'<line x1="{gx:.1f}" x2="{gx:.1f}" y1="{y - bar * len(kernels) - 2}" '
                       f'y2="{y + 2}" stroke="black" stroke-width="2"/>')
        y += gap
    for t in (0, 0.25, 0.5, 0.75, 0.9, 1.0):
        out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top - 4}" y2="{y}" '
                   f'stroke="#bbb" stroke-dasharray="2,2"/>')
        out.append(f'<text x="{x(t):.1f}" y="{y + 14}" text-anchor="middle">{t}</text>')
    out.append(f'<text x="{left}" y="{y + 32}">black mark: the goal; ratio 1.0: '
               f'no cost</text>')
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    runs, costs, memory = load(sys.argv[1])
    rows = summarize(runs)
    if not rows:
        print("report.py: no overhead runs in " + sys.argv[1], file=sys.stderr)
        return 1
    print_tables(rows, costs, memory)
    svg(rows, sys.argv[2])
    print(f"# picture: {sys.argv[2]}")
    wide = [r for r in rows if r["spread"] > SPREAD_GOAL]
    for r in wide:
        print(f"# {r['kernel']} {r['bench']}: off runs spread {r['spread']:.2f}% "
              f"(goal {SPREAD_GOAL}%)")
    return 1 if wide else 0


if __name__ == "__main__":
    sys.exit(main())
