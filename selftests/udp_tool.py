#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""udp_tool.py - UDP traffic for causal's tests.

  udp_tool.py echo PORT COUNT [--hold S]          answer COUNT datagrams
  udp_tool.py ping ADDR PORT COUNT [--hold S]     send, await the echo; COUNT times
  udp_tool.py send ADDR PORT COUNT SEED [--broadcast] [--more] [--gso MSS]
                 [--hold S]                       COUNT datagrams of random sizes
                                                  and bytes (--more: each in two
                                                  sends, the first with MSG_MORE;
                                                  --gso: COUNT sends of three
                                                  datagrams each, UDP_SEGMENT);
                                                  prints each datagram in hex
  udp_tool.py recv PORT COUNT [--hold S] [--reuse] [--broadcast] [--gro]
                  [--group GROUP --on ADDR|IFNAME]
                                                  prints each datagram in hex (IPv4
                                                  only with --broadcast or an IPv4
                                                  GROUP, joined on the interface
                                                  of ADDR, or IFNAME for IPv6;
                                                  --gro: takes GRO'd datagrams,
                                                  UDP_GRO)
  udp_tool.py capture IFACE PORT COUNT            the UDP packets to PORT on the
                                                  wire: checks their UDP checksum and
                                                  the OCS of their surplus area; a
                                                  checksum left to the device is
                                                  finished as a device would
  udp_tool.py inject SRC DST PORT                 hostile surplus areas (IPv4), one
                                                  datagram per case; prints the cases
  udp_tool.py badsum SRC DST PORT                 one datagram (IPv4) with a wrong
                                                  UDP checksum
  udp_tool.py forge SRC DST PORT STAMP            one datagram (IPv4) with a well-formed
                                                  stamp: N (Lamport), hlc+S (HLC, S
                                                  seconds after now) or vector:ID:N

ADDR may be IPv4 or IPv6.  Exit status 1 on any check that fails.  Waits
for a datagram give up after WAIT seconds: generous, since test guests
share the host's cores and a peer may take many seconds to start.
"""

import os
import random
import socket
import struct
import sys
import time

WAIT = 120
EXID = 0xCA5A
EXP = 127
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_CSUMNOTREADY = 1 << 3
SOL_UDP = 17
UDP_SEGMENT = 103
UDP_GRO = 104


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def hold(args):
    if "--hold" in args:
        time.sleep(float(args[args.index("--hold") + 1]))


def csum16(data, start=0):
    """Ones' complement sum of 16-bit words, folded (not inverted)."""
    if len(data) % 2:
        data += b"\0"
    s = start
    for i in range(0, len(data), 2):
        s += data[i] << 8 | data[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def ocs_area(payload, odd, ocs=None, pad=0):
    """A surplus area carrying options @payload (after the OCS)."""
    head = bytes([pad]) if odd else b""
    area = head + b"\0\0" + payload
    if ocs is None:
        ocs = ~csum16(area[len(head):], len(area)) & 0xFFFF or 0xFFFF
    return head + struct.pack("!H", ocs) + payload


def exp_option(exid, body):
    return bytes([EXP, 4 + len(body)]) + struct.pack("!H", exid) + body


def scalar_payload(stamp, node, event=1):
    """flags, stamp, the low 32 bits of the send's event number, node id"""
    return bytes([0]) + struct.pack("!QIQ", stamp, event, node)


def echo(args):
    port, count = int(args[0]), int(args[1])
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    print("listening", flush=True)
    for _ in range(count):
        data, peer = s.recvfrom(65535)
        s.sendto(data, peer)
    hold(args)


def ping(args):
    addr, port, count = args[0], int(args[1]), int(args[2])
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(WAIT)
    s.connect((addr, port))
    for i in range(count):
        msg = b"ping %d" % i
        s.send(msg)
        if s.recv(65535) != msg:
            sys.exit("ping: echo differs")
    print("done", flush=True)
    hold(args)


def opt(args, name):
    """The value after option @name in @args, or None."""
    return args[args.index(name) + 1] if name in args else None


def send(args):
    addr, port, count, seed = args[0], int(args[1]), int(args[2]), int(args[3])
    rnd = random.Random(seed)
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    if "--broadcast" in args:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    gso = int(opt(args, "--gso") or 0)
    if gso:
        s.setsockopt(SOL_UDP, UDP_SEGMENT, gso)
    for _ in range(count):
        if gso:
            # three datagrams, the last shorter: one line each
            data = bytes(rnd.getrandbits(8) for _ in range(3 * gso - rnd.randint(1, gso - 1)))
            s.sendto(data, (addr, port))
            for i in range(0, len(data), gso):
                print(data[i:i + gso].hex(), flush=True)
            time.sleep(0.005)
            continue
        data = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 1200)))
        if "--more" in args:
            # corked: the second part goes into page fragments
            half = len(data) // 2
            s.sendto(data[:half], socket.MSG_MORE, (addr, port))
            s.sendto(data[half:], (addr, port))
        else:
            s.sendto(data, (addr, port))
        print(data.hex(), flush=True)
        time.sleep(0.005)
    print("done", file=sys.stderr, flush=True)
    hold(args)


def recv(args):
    port, count = int(args[0]), int(args[1])
    group = opt(args, "--group")
    if "--broadcast" in args or (group and ":" not in group):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if "--reuse" in args:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", port))
        if group:
            mreq = socket.inet_aton(group) + socket.inet_aton(opt(args, "--on"))
            s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    else:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        if "--reuse" in args:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::", port))
        if group:
            mreq = socket.inet_pton(socket.AF_INET6, group) + \
                struct.pack("@I", socket.if_nametoindex(opt(args, "--on")))
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    if "--gro" in args:
        s.setsockopt(SOL_UDP, UDP_GRO, 1)
    s.settimeout(WAIT)
    print("listening", file=sys.stderr, flush=True)
    for _ in range(count):
        data = s.recv(65535)
        print(data.hex(), flush=True)
    hold(args)


def capture(args):
    """Checks every UDP packet to PORT: UDP checksum over the UDP length,
    OCS over the surplus area; prints one summary line per packet."""
    iface, port, count = args[0], int(args[1]), int(args[2])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((iface, 0))
    s.settimeout(WAIT)
    print("capturing", file=sys.stderr, flush=True)
    bad = seen = 0
    while seen < count:
        frame, anc, _, _ = s.recvmsg(65535, socket.CMSG_SPACE(64))
        status = 0
        for level, kind, data in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA:
                status = struct.unpack("@I", data[:4])[0]
        etype = struct.unpack("!H", frame[12:14])[0]
        ip = frame[14:]
        if etype == 0x0800 and ip[9] == 17:
            ihl = (ip[0] & 15) * 4
            tot = struct.unpack("!H", ip[2:4])[0]
            pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, 0)
            udp, plen = ip[ihl:tot], tot - ihl
        elif etype == 0x86DD and ip[6] == 17:
            plen = struct.unpack("!H", ip[4:6])[0]
            udp = ip[40:40 + plen]
            pseudo = ip[8:40] + struct.pack("!IxxxB", 0, 17)
        else:
            continue
        sport, dport, ulen, check = struct.unpack("!HHHH", udp[:8])
        if dport != port:
            continue
        seen += 1
        if status & TP_STATUS_CSUMNOTREADY:
            # what a device finishing the offloaded checksum sends: the
            # sum from the UDP header to the end of the packet, surplus
            # area included, started from the seed in the checksum field
            check = ~csum16(udp[:plen]) & 0xFFFF or 0xFFFF
            udp = udp[:6] + struct.pack("!H", check) + udp[8:]
        if etype == 0x0800:
            pseudo = pseudo[:10] + struct.pack("!H", ulen)
        else:
            pseudo = pseudo[:32] + struct.pack("!I", ulen) + pseudo[36:]
        udp_ok = check == 0 or csum16(pseudo + udp[:ulen]) == 0xFFFF
        area = udp[ulen:plen]
        odd = ulen % 2
        ocs_ok = len(area) >= 2 + odd and csum16(area[odd:], len(area)) == 0xFFFF
        print("udp %d surplus %d udp-checksum %s%s ocs %s" %
              (ulen - 8, len(area), "ok" if udp_ok else "BAD",
               " (offloaded)" if status & TP_STATUS_CSUMNOTREADY else "",
               ("ok" if ocs_ok else "BAD") if area else "none"), flush=True)
        bad += not udp_ok or (area and not ocs_ok)
    sys.exit(1 if bad else 0)


def inject(args):
    """One datagram per hostile case, IPv4, the surplus area crafted; the
    UDP data is padded so that the area starts at the parity it was built
    for."""
    src, dst, port = args[0], args[1], int(args[2])
    good = exp_option(EXID, scalar_payload(1000, 0x1234))
    cases = [
        ("ours", "even", 0, ocs_area(good, 0)),
        ("ours", "odd", 1, ocs_area(good, 1)),
        ("foreign", "exid", 0, ocs_area(exp_option(0x1234, b"abcd"), 0)),
        ("foreign", "kind", 0, ocs_area(bytes([9, 6, 1, 2, 3, 4]), 0)),
        ("malformed", "ocs", 0, ocs_area(good, 0, ocs=0x1234)),
        ("malformed", "ocs0", 0, ocs_area(good, 0, ocs=0)),
        ("malformed", "pad", 1, ocs_area(good, 1, pad=7)),
        ("malformed", "past", 0, ocs_area(bytes([EXP, 40]) + good[2:], 0)),
        ("malformed", "short", 0, ocs_area(exp_option(EXID, b"\0\1\2\3\4"), 0)),
        ("malformed", "twice", 0, ocs_area(good + good, 0)),
        ("malformed", "version", 0, ocs_area(exp_option(EXID, bytes([0x40]) + good[5:]), 0)),
    ]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for i, (kind, name, odd, area) in enumerate(cases):
        data = b"%s-%d" % (name.encode(), i)
        if (8 + len(data)) % 2 != odd:
            data += b"."
        raw_send(s, src, dst, 40000 + i, port, data, area)
        print(kind, data.hex(), flush=True)
        time.sleep(0.01)


def raw_send(s, src, dst, sport, port, data, area, check_xor=0):
    """An IPv4 UDP datagram of @data with surplus area @area, through raw
    socket @s (the UDP checksum covers the UDP length only; @check_xor
    spoils it)."""
    sa, da = socket.inet_aton(src), socket.inet_aton(dst)
    ulen = 8 + len(data)
    udp = struct.pack("!HHHH", sport, port, ulen, 0) + data
    check = ~csum16(sa + da + struct.pack("!BBH", 0, 17, ulen) + udp) & 0xFFFF
    udp = udp[:6] + struct.pack("!H", (check or 0xFFFF) ^ check_xor) + udp[8:]
    # IP_HDRINCL: the kernel fills in the total length and checksum
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0, 0, 64, 17, 0, sa, da)
    s.sendto(ip + udp + area, (dst, 0))


def badsum(args):
    """One datagram (IPv4) whose UDP checksum is wrong."""
    src, dst, port = args[0], args[1], int(args[2])
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw_send(s, src, dst, 40998, port, b"bad checksum", b"", check_xor=0x5555)


def forge(args):
    """One datagram whose stamp is well formed and says what it is told:
    a forger's, as far ahead as it likes."""
    src, dst, port, what = args[0], args[1], int(args[2]), args[3]
    if what.startswith("hlc+"):
        sec = int(time.time()) + int(what[4:])
        pay = scalar_payload(sec << 32, 0x4242)
    elif what.startswith("vector:"):
        _, ident, count = what.split(":")
        pay = bytes([0x02]) + int(ident, 16).to_bytes(7, "big") + struct.pack("!I", int(count))
    else:
        pay = scalar_payload(int(what), 0x4242)
    data = b"forged"
    area = ocs_area(exp_option(EXID, pay), (8 + len(data)) % 2)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw_send(s, src, dst, 40999, port, data, area)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {"echo": echo, "ping": ping, "send": send, "recv": recv,
          "capture": capture, "inject": inject, "forge": forge,
          "badsum": badsum}.get(cmd)
    if not fn:
        sys.exit(__doc__)
    fn(args)


if __name__ == "__main__":
    main()
