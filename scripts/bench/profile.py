#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""profile.py DIR - make profile's report for one guest's results.

DIR holds what scripts/bench/insnprof.c and scripts/bench/profile-guest.sh
left: counts.N (the plugin's snapshots, two per window), windows ("MODE
DATAGRAMS" per window, in order) and kallsyms.  Prints, per datagram, the
instructions of each mode (kernel and user space), the ratio to off, and
the kernel functions whose instructions differ between each mode and off
by at least CAUSAL_PROFILE_MIN (default 8) per datagram,
largest first, grouped as causal's module, BPF (programs and trampolines)
and the rest of the kernel.  Exits non-zero if a snapshot is missing.
"""

import bisect
import os
import sys


def symbols(path):
    """Sorted (address, name) of the text symbols of a kallsyms dump."""
    syms = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 3 and p[1] in "tTwW":
                name = p[2] + (" " + p[3] if len(p) > 3 else "")
                syms.append((int(p[0], 16), name))
    return sorted(set(syms))


def snapshot(path):
    """{address: instructions} of a snapshot, and its user-space sum."""
    counts, user = {}, 0
    with open(path) as f:
        for line in f:
            a, n = line.split()
            if a == "user":
                user = int(n)
            else:
                counts[int(a, 16)] = counts.get(int(a, 16), 0) + int(n)
    return counts, user


def window(d, i, syms, addrs):
    """{symbol: instructions} between snapshots 2i and 2i+1, with "[user]"."""
    (a, ua), (b, ub) = snapshot(f"{d}/counts.{2 * i}"), snapshot(f"{d}/counts.{2 * i + 1}")
    out = {"[user]": ub - ua}
    for addr, n in b.items():
        dn = n - a.get(addr, 0)
        if dn:
            j = bisect.bisect_right(addrs, addr) - 1
            name = syms[j][1] if j >= 0 else "?"
            out[name] = out.get(name, 0) + dn
    return out


def group(name):
    if name.endswith("[causal]"):
        return "causal"
    if name.endswith("[bpf]"):
        return "bpf"
    return "kernel"


def main():
    d = sys.argv[1]
    least = float(os.environ.get("CAUSAL_PROFILE_MIN", "8"))
    try:
        with open(f"{d}/windows") as f:
            wins = [(m, int(n)) for m, n in (line.split() for line in f)]
        syms = symbols(f"{d}/kallsyms")
        addrs = [a for a, _ in syms]
        per = {}
        for i, (mode, n) in enumerate(wins):
            w = window(d, i, syms, addrs)
            per[mode] = {k: v / n for k, v in w.items()}
            per[mode]["#datagrams"] = n
    except (OSError, ValueError, ZeroDivisionError) as e:
        print(f"# {d}: no profile: {e}")
        return 1
    rel = os.path.basename(os.path.normpath(d))
    total = {m: sum(v for k, v in p.items() if not k.startswith("#")) for m, p in per.items()}
    off = total["off"]
    print(f"# {rel}: instructions per datagram (kernel and user space)")
    for m, p in per.items():
        print(f"  {m:6} {total[m]:9.0f}  {p['#datagrams']:6d} datagrams  off/{m} {off / total[m]:.3f}")
    for m in [m for m in per if m != "off"]:
        diff = {}
        for k in set(per[m]) | set(per["off"]):
            if not k.startswith("#"):
                diff[k] = per[m].get(k, 0) - per["off"].get(k, 0)
        print(f"# {rel}: {m} - off, {total[m] - off:.0f} per datagram, by function")
        for g in ("causal", "bpf", "kernel"):
            rows = sorted(((v, k) for k, v in diff.items() if group(k) == g), reverse=True)
            s = sum(v for v, _ in rows)
            print(f"  {g:8} {s:7.0f}")
            for v, k in rows:
                if abs(v) >= least:
                    print(f"    {v:7.0f}  {k.replace(' [causal]', '').replace(' [bpf]', '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
