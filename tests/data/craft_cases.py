#!/usr/bin/python3
"""Crafted captures for the P0fSharp differential conformance tests.

Every frame is assembled byte by byte below (link, IPv4/IPv6, TCP, TCP options), so
malformed fields are as easy to produce as valid ones; scapy is used only for its
pcap / pcapng writers. The output is deterministic: running the script twice gives
byte-identical files, and tests/P0fSharp.Conformance.Tests checks that the committed
files equal a fresh run whenever python3-scapy is installed.

Usage:  /usr/bin/python3 tests/data/craft_cases.py [OUTDIR]     (default: tests/data)

Writes  OUTDIR/cases.json        one entry per capture (see CASE FIELDS below)
        OUTDIR/pcaps/<case>.*    the captures
        OUTDIR/fp/*.fp           the custom signature databases used by some cases

CASE FIELDS (cases.json): name, desc, file (relative to OUTDIR), fp (relative to OUTDIR
or null = the repository's data/p0f.fp), args (extra command-line words), filter (BPF
rule or null), expect_lines (true when syn / syn+ack / mtu log lines must appear),
expect_exit (exit status both tools must return).

The cases for p0f's stateful modules (uptime, host change, ip sharing, HTTP, cache limits and
bad input; c42 onwards) live in craft_modules.py; the byte builders both use are in craftlib.py.

The stock-signature cases (c40/c41) read the signatures from data/p0f.fp of this
repository, so a change to those signature lines changes those two captures.
"""
import json
import os
import sys

import craft_modules
from craftlib import *  # noqa: F401,F403 (byte builders, Capture, Hosts, T0, REPO, ...)

# ----------------------------------------------------------------------------------
# the cases
# ----------------------------------------------------------------------------------

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


@case
def c01_ip_quirks():
    cap = Capture('c01_ip_quirks', 'IPv4-level quirks: df, id+, id-, ecn (TOS ECT/CE bits, ECE, CWR, NS), '
                  '0+, DSCP in params, IP options (olen 4/8/40)')
    h = Hosts(1)
    for kw in (dict(df=True, ident=0x1234), dict(df=True, ident=0), dict(df=False, ident=0x4321),
               dict(df=False, ident=0), dict(tos=0x01), dict(tos=0x02), dict(tos=0x03), dict(tos=0xB8),
               dict(tos=0xBB), dict(tos=0x10), dict(rsv=True), dict(rsv=True, df=False, ident=0),
               dict(rsv=True, df=False, ident=7, tos=0x04)):
        cap.add(ether(syn4(h, **kw)))
    for flags in (SYN | ECE, SYN | CWR, SYN | ECE | CWR):
        cap.add(ether(syn4(h, flags=flags)))
    cap.add(ether(syn4(h, ns=True)))
    cap.add(ether(syn4(h, ns=True, flags=SYN | ECE | CWR, tos=0x03)))
    for ipopts in (b'\x01\x01\x01\x00', b'\x94\x04\x00\x00' + b'\x01\x01\x01\x00', b'\x01' * 39 + b'\x00'):
        cap.add(ether(ipv4_opts(h, ipopts)))
    # Windows 7 layout with DF / IP ID variations
    for kw in (dict(df=True, ident=0x100), dict(df=True, ident=0), dict(df=False, ident=0)):
        cap.add(ether(syn4(h, opts=WIN7, win=8192, ttl=128, **kw)))
    return cap


def ipv4_opts(h, ipopts, win=29200, **kw):
    """A Linux SYN whose IPv4 header carries the given options."""
    src, sport = h.next4()
    seg = tcp(src, SRV4, sport, 80, 0x12345678, 0, SYN, win, LINUX)
    return ipv4(src, SRV4, seg, opts=ipopts, **kw)


@case
def c02_tcp_quirks():
    cap = Capture('c02_tcp_quirks', 'TCP-level quirks: seq-, ack+ (first ack byte odd only), ack bytes without '
                  'the quirk, uptr+, urgf+, pushf+, payload on SYN, all together')
    h = Hosts(2)
    cap.add(ether(syn4(h, seq=0)))
    for ack in (0x01000000, 0xFF000000, 0x7F123456, 0x00000001, 0x02000000, 0xFFFFFFFE):
        cap.add(ether(syn4(h, ack=ack)))
    cap.add(ether(syn4(h, urp=5)))
    cap.add(ether(syn4(h, flags=SYN | URG, urp=9)))
    cap.add(ether(syn4(h, flags=SYN | URG, urp=0)))
    cap.add(ether(syn4(h, flags=SYN | PSH)))
    cap.add(ether(syn4(h, payload=b'GET / HTTP/1.0\r\n\r\n')))
    cap.add(ether(syn4(h, seq=0, ack=0x01000001, urp=3, flags=SYN | PSH | ECE | CWR, payload=b'x',
                       df=False, ident=0, rsv=True, tos=0x03)))
    cap.add(ether(syn4(h, opts=WIN7, win=8192, ttl=128, flags=SYN | URG | PSH, urp=1)))
    return cap


@case
def c03_option_quirks():
    cap = Capture('c03_option_quirks', 'Option-derived quirks: ts1-, ts2+, opt+ (and the last-byte blind spot), '
                  'exws, bad')
    h = Hosts(3)
    base = o_mss(1460) + o_sok()
    cap.add(ether(syn4(h, opts=base + o_ts(0, 0) + o_nop() + o_ws(7))))           # ts1-
    cap.add(ether(syn4(h, opts=base + o_ts(5, 777) + o_nop() + o_ws(7))))         # ts2+
    cap.add(ether(syn4(h, opts=base + o_ts(0, 1) + o_nop() + o_ws(7))))           # ts1- ts2+
    # opt+: non-zero byte after EOL, first / middle / last position of the padding
    mac_head = o_mss(1460) + o_nop() + o_ws(4) + o_nop(2) + o_ts(987654, 0) + o_sok()   # 22 bytes
    for pad in (b'\x05\x00\x00\x00\x00', b'\x00\x05\x00\x00\x00', b'\x00\x00\x00\x05\x00',
                b'\x00\x00\x00\x00\x05', b'\x00\x00\x00\x00\x00', b'\xff\xff\xff\xff\xff'):
        cap.add(ether(syn4(h, opts=mac_head + o_eol(pad_bytes=pad), win=65535)))
    cap.add(ether(syn4(h, opts=mac_head + o_nop() + o_eol(pad_bytes=b''), win=65535)))  # eol+0
    for shift in (14, 15, 255):
        cap.add(ether(syn4(h, opts=base + o_ts(99, 0) + o_nop() + o_ws(shift))))
    cap.add(ether(syn4(h, opts=o_mss(1460, 5) + o_sok() + o_ts(99, 0) + o_nop() + o_ws(7))))  # bad (mss len)
    cap.add(ether(syn4(h, opts=o_mss(1460) + o_sok(3) + o_ts(99, 0) + o_nop() + o_ws(7))))
    cap.add(ether(syn4(h, opts=o_mss(1460) + o_sok() + o_ts(99, 0) + o_nop() + o_ws(7, 4))))
    cap.add(ether(syn4(h, opts=o_mss(1460) + o_sok() + o_ts(99, 0, 12)[:10] + o_nop() + o_ws(7))))
    # everything at once
    cap.add(ether(syn4(h, opts=o_mss(1460, 3) + o_sok() + o_ts(0, 4) + o_ws(15) + o_eol(pad_bytes=b'\x01\x00\x00\x00'))))
    return cap


@case
def c04_option_kinds():
    cap = Capture('c04_option_kinds', 'Every option kind and malformed lengths: mss ws sok sack ts eol+N nop, '
                  'unknown ?N, lengths 0/1/over-long, truncated options, 24-option limit, duplicates')
    h = Hosts(4)
    layouts = [
        b'',                                                       # no options at all
        o_mss(1460),
        o_ws(7) + o_nop(),
        o_nop(2) + o_sok(),
        o_mss(1460) + o_nop(2) + o_sack(10),
        o_mss(1460) + o_nop(2) + o_sack(18),
        o_mss(1460) + o_nop(2) + o_sack(34)[:32],           # sack claims 34, 32 present -> does not fit
        o_mss(1460) + o_sack(34) + o_nop(2),                      # sack 34 filling the area
        o_mss(1460) + o_nop(2) + o_sack(9) + o_nop(3),            # sack length below 10
        o_mss(1460) + o_nop() + o_sack(35)[:35],                  # sack length above 34
        o_nop(2) + o_ts(1, 0),
        o_eol(3),                                                  # eol+3
        o_mss(1460) + o_nop(2) + o_eol(0),                        # EOL, then one pad byte -> eol+1
        o_eol(0) + b'\x00' * 3,
        o_nop(4),
        o_nop(24),                                                 # 24 options, ends exactly -> fine
        o_nop(28),                                                 # more than 24 -> bad
        o_nop(40),
        o_mss(1460) + o_kind(30, 4) + o_kind(254, 2) + o_nop(2),
        o_kind(76, 40),                                            # one unknown option filling the area
        o_mss(1460) + o_kind(99, 41)[:36],                         # length 41 -> abort
        o_mss(1460) + o_kind(99, 0) + o_nop(2),                    # length 0
        o_mss(1460) + o_kind(99, 1) + o_nop(2),                    # length 1
        o_mss(1460) + o_kind(6, 6) + o_nop(2),                     # echo (kind 6)
        o_mss(1460) + o_kind(19, 18) + o_nop(2),                   # md5 signature
        o_mss(1460) + o_kind(34, 10) + o_nop(2),                   # fast open cookie
        o_mss(1460) + o_kind(253, 4),                              # experimental
        o_mss(1460) + o_kind(30, 12)[:8],                          # unknown kind that does not fit
        o_mss(1460, 0) + o_nop(4),
        o_mss(1460, 1) + o_nop(4),
        o_mss(1460, 3) + o_nop(4),
        o_mss(1460, 10) + b'\x00' * 4,                             # over-long mss, walk continues in its data
        o_nop(2) + bytes([2, 4]),                                  # mss cut by the end of the area
        o_nop(3) + bytes([2]),
        o_mss(1460) + o_ws(7, 2) + o_nop(),
        o_mss(1460) + o_ws(7, 0) + o_nop(),
        o_mss(1460) + o_nop(3) + bytes([3]),                       # ws truncated
        o_mss(1460) + o_nop(2) + bytes([3, 3]),
        o_mss(1460) + o_sok(0) + o_nop(2),
        o_mss(1460) + o_nop(3) + bytes([4]),                       # sok truncated
        o_mss(1460) + o_ts(5, 0, 8) + o_nop(2),
        o_mss(1460) + o_ts(5, 0, 12) + o_nop(2),
        o_mss(1460) + o_nop(2) + o_ts(5, 0)[:8],                   # ts truncated
        o_mss(1460) + o_mss(1400),                                 # duplicate: the later one counts
        o_ws(3) + o_ws(9) + o_nop(2),
        o_ts(7, 0) + o_ts(0, 3) + o_nop(4),
        o_mss(0) + o_nop(4),
        o_mss(1) + o_nop(4),
        o_mss(99) + o_nop(4),
        o_mss(100) + o_nop(4),
        o_mss(65535) + o_sok() + o_ts(1, 0) + o_nop() + o_ws(14),
        o_mss(1460) + o_sok() + o_ts(1, 0) + o_nop() + o_ws(7) + o_sack(18) + o_nop(2),  # 40 bytes
    ]
    for opts in layouts:
        if len(opts) % 4:
            opts += b'\x00' * (4 - len(opts) % 4)      # EOL padding, as on the wire
        cap.add(ether(syn4(h, opts=opts, win=29200)))
    return cap


@case
def c05_window_multipliers():
    cap = Capture('c05_window_multipliers', 'Window encodings: mss*N, (mss-12)*N with timestamps, fixed '
                  '1460/1448 (IPv6 1440/1428) divisors, mtu*N via mss+40, mss+headers, IPv6 mss+60, 1500, '
                  'win 0, mss < 100, plain values')
    h = Hosts(5)
    ts = o_mss(1400) + o_sok() + o_ts(1000, 0) + o_nop() + o_ws(7)
    nots = o_mss(1400) + o_nop() + o_ws(7)
    for win in (1400 * 10, 1388 * 10, 1460 * 3, 1448 * 3, 1440 * 3, 1500 * 2, 1440 * 2, 3000, 1400, 65535,
                0, 1, 12345, 7000):
        cap.add(ether(syn4(h, opts=ts, win=win)))
    cap.add(ether(syn4(h, opts=o_mss(1400) + o_sok() + o_ts(0, 0) + o_nop() + o_ws(7), win=1388 * 10)))
    for win in (1400 * 4, 1440 * 4, 1464 * 2, 1460 * 2):
        cap.add(ether(syn4(h, opts=nots, win=win)))
    cap.add(ether(ipv4_opts(h, b'\x01\x01\x01\x00')))
    # mss + H (H = IP header + options + TCP header + options)
    src, sport = h.next4()
    seg = tcp(src, SRV4, sport, 80, 5, 0, SYN, (1400 + 28 + 28) * 2, o_mss(1400) + o_nop() + o_ws(2) + o_nop(4))
    cap.add(ether(ipv4(src, SRV4, seg, opts=b'\x01' * 8)))
    for win in (99 * 4, 99, 0):
        cap.add(ether(syn4(h, opts=o_mss(99) + o_nop() + o_ws(1), win=win)))
    v6 = o_mss(1200) + o_nop() + o_ws(3)
    for win in (1200 * 5, 1440 * 2, 1428 * 2, 1260 * 2, 1288 * 2, 1280 * 3, 1500 * 4, 1188 * 10):
        cap.add(ether(syn6(h, opts=v6, win=win)))
    cap.add(ether(syn6(h, opts=o_mss(1200) + o_sok() + o_ts(77, 0) + o_nop() + o_ws(3), win=1188 * 10)))
    return cap


@case
def c06_ttl_distance():
    cap = Capture('c06_ttl_distance', 'TTL and distance: every TTL class boundary with a Linux, a Windows and '
                  'an unknown layout; hop limits on IPv6; bad-TTL (64-) application signature')
    h = Hosts(6)
    for ttl in (0, 1, 2, 31, 32, 33, 40, 50, 63, 64, 65, 70, 100, 127, 128, 129, 150, 200, 220, 254, 255):
        cap.add(ether(syn4(h, ttl=ttl)))
        cap.add(ether(syn4(h, opts=WIN7, win=8192, ttl=ttl)))
        cap.add(ether(syn4(h, opts=o_mss(1460) + o_nop(2) + o_sok(), win=4321, ttl=ttl)))
    for ttl in (1, 30, 64, 200, 255):
        cap.add(ether(syn4(h, opts=o_mss(1460), win=1024, ttl=ttl, df=False)))       # NMap SYN scan (64-)
        cap.add(ether(syn4(h, opts=o_mss(1460), win=3072, ttl=ttl, df=False)))
    for hlim in (1, 30, 64, 100, 128, 255):
        cap.add(ether(syn6(h, hlim=hlim)))
    return cap


@case
def c07_fuzzy_generic():
    cap = Capture('c07_fuzzy_generic', 'Fuzzy and generic matches: quirk mismatch, TTL above the signature, '
                  'generic-only layouts, fuzzy application candidates, no match at all')
    h = Hosts(7)
    cap.add(ether(syn4(h, opts=XP, win=65535, ttl=128, df=False, ident=0)))        # XP without DF: fuzzy
    cap.add(ether(syn4(h, opts=XP, win=65535, ttl=128, df=False, ident=99)))
    cap.add(ether(syn4(h, opts=o_mss(1460) + o_sok() + o_ts(1, 0) + o_nop() + o_ws(9), win=14600)))  # generic
    cap.add(ether(syn4(h, opts=o_mss(1460) + o_sok() + o_ts(1, 0) + o_nop() + o_ws(9), win=14600,
                       df=False)))                                               # generic + fuzzy
    cap.add(ether(syn4(h, ttl=100)))                                             # Linux seen above 64
    cap.add(ether(syn4(h, ttl=64, df=False)))
    cap.add(ether(syn4(h, opts=WIN7, win=8192, ttl=128, tos=0x01)))
    cap.add(ether(syn4(h, opts=WIN7, win=8000, ttl=128)))                        # generic Windows
    cap.add(ether(syn4(h, opts=MAC, win=65535, ttl=64)))
    cap.add(ether(syn4(h, opts=MAC, win=65535, ttl=64, df=False)))
    cap.add(ether(syn4(h, opts=o_mss(1460), win=1024, ttl=50, df=False, tos=0x02)))  # fuzzy app
    cap.add(ether(syn4(h, opts=o_mss(1460), win=1024, ttl=50, df=True, ident=0)))
    cap.add(ether(syn4(h, opts=o_kind(77, 4) + o_nop(4), win=777, ttl=64)))      # no signature at all
    cap.add(ether(syn4(h, opts=o_mss(1331) + o_nop() + o_eol(18), win=1337, ttl=192, df=False)))  # sendsyn
    return cap


@case
def c08_synack():
    cap = Capture('c08_synack', 'SYN+ACK fingerprints: match, ack-, peer-MSS window (syn_mss, syn_mss-12, '
                  'tiny syn_mss), mss 1331 shown as *, SYN+ACK without a SYN, duplicate, ECN, ts2 on SYN+ACK')
    h = Hosts(8)
    handshake4(cap, h)
    handshake4(cap, h, sa_opts=o_mss(1460), sa_win=14600)
    handshake4(cap, h, sa_ack=0)                                             # ack-
    handshake4(cap, h, syn_opts=o_mss(1400) + o_nop(2) + o_sok(), sa_opts=o_mss(1460), sa_win=5600)
    handshake4(cap, h, syn_opts=o_mss(1400) + o_nop(2) + o_sok(), sa_opts=o_mss(1460), sa_win=1388 * 3)
    handshake4(cap, h, syn_opts=o_mss(5) + o_nop(2) + o_sok(), sa_opts=o_mss(1460), sa_win=7 * 1000)
    handshake4(cap, h, syn_opts=o_mss(11) + o_nop(2) + o_sok(), sa_opts=o_mss(1460), sa_win=1001)
    handshake4(cap, h, sa_opts=o_mss(1331) + o_nop(4), sa_win=5000)
    handshake4(cap, h, sa_opts=o_mss(1460) + o_nop(2) + o_sok(), sa_win=65535, sa_ttl=128, sa_ident=0x55)
    handshake4(cap, h, sa_opts=o_mss(1460) + o_nop(2) + o_sok(), sa_win=65535, sa_ttl=128, sa_tos=0x03,
               sa_flags=SYN | ACK | ECE)
    handshake4(cap, h, sa_flags=SYN | ACK | PSH | URG, sa_urp=4, sa_payload=b'hi')
    handshake4(cap, h, sa_df=False, sa_ident=0, sa_ttl=255, sa_opts=o_mss(536), sa_win=4128)
    # SYN+ACK with no SYN before it
    src, sport = h.next4()
    cap.add(ether(ipv4(SRV4, src, tcp(SRV4, src, 80, sport, 9, 10, SYN | ACK, 28960,
                                      o_mss(1460) + o_sok() + o_ts(1, 2) + o_nop() + o_ws(7)))))
    # SYN, SYN+ACK, repeated SYN+ACK
    src, sport = h.next4()
    cap.add(ether(ipv4(src, SRV4, tcp(src, SRV4, sport, 80, 1000, 0, SYN, 29200, LINUX))))
    for _ in range(2):
        cap.add(ether(ipv4(SRV4, src, tcp(SRV4, src, 80, sport, 5000, 1001, SYN | ACK, 28960,
                                          o_mss(1460) + o_sok() + o_ts(1, 2) + o_nop() + o_ws(7)))))
    # IPv6 handshake
    src, sport = h.next6()
    cap.add(ether(ipv6(src, SRV6, tcp(src, SRV6, sport, 80, 77, 0, SYN, 28800, o_mss(1440) + o_nop() + o_ws(7),
                                      v6=True))))
    cap.add(ether(ipv6(SRV6, src, tcp(SRV6, src, 80, sport, 99, 78, SYN | ACK, 28800,
                                      o_mss(1440) + o_nop() + o_ws(7), v6=True))))
    return cap


@case
def c09_ipv6():
    cap = Capture('c09_ipv6', 'IPv6: match, flow label, traffic class (ecn + DSCP), extension headers '
                  '(hop-by-hop, routing, fragment, destination options: ignored), payload-length lies, '
                  'non-TCP next header, MTU from mss+60')
    h = Hosts(9)
    cap.add(ether(syn6(h)))
    cap.add(ether(syn6(h, flow=0x12345)))
    cap.add(ether(syn6(h, flow=1)))
    cap.add(ether(syn6(h, tc=0x01)))
    cap.add(ether(syn6(h, tc=0xB8)))
    cap.add(ether(syn6(h, tc=0xFF, flow=0xFFFFF)))
    hbh = bytes([6, 0]) + b'\x01\x04\x00\x00\x00\x00'          # next=TCP, len 0, PadN
    for nh in (0, 43, 60):
        cap.add(ether(syn6(h, nh=nh, ext=hbh)))
    cap.add(ether(syn6(h, nh=44, ext=bytes([6, 0, 0, 0, 0, 0, 0, 1]))))
    full = syn6(h)
    cap.add(ether(full[:4] + be16(len(full) - 40 + 8) + full[6:]))           # plen beyond the frame
    full = syn6(h)
    cap.add(ether(full[:4] + be16(len(full) - 40 - 4) + full[6:]))           # plen cuts into options
    full = syn6(h, payload=b'abcdef')
    cap.add(ether(full[:4] + be16(len(full) - 40 - 6) + full[6:]))           # plen drops the payload
    cap.add(ether(syn6(h) + b'\x00' * 10))                                     # trailer after plen
    cap.add(ether(syn6(h, opts=b'', win=5000)))                                # 60 bytes exactly
    cap.add(ether(syn6(h, opts=b'', win=5000)[:59]))                           # 59 bytes
    cap.add(ether(syn6(h, nh=17)))
    cap.add(ether(syn6(h, opts=o_mss(1220) + o_nop() + o_ws(2), win=1220 * 4)))  # GIF
    cap.add(ether(syn6(h, opts=o_mss(1440) + o_nop() + o_ws(2), win=1440 * 4)))
    cap.add(ether(syn6(h, opts=o_mss(8940) + o_nop() + o_ws(2), win=65535)))
    cap.add(ether(syn6(h, opts=WIN7, win=8192, hlim=128)))
    cap.add(ether(syn6(h, opts=XP, win=65535, hlim=128)))
    return cap


def _link_case(name, desc, link, wrap, h_no, extra=(), expect_lines=True, expect_exit=0, v6=True):
    cap = Capture(name, desc, link=link, expect_lines=expect_lines, expect_exit=expect_exit)
    h = Hosts(h_no)
    cap.add(wrap(syn4(h)))
    cap.add(wrap(syn4(h, opts=WIN7, win=8192, ttl=128)))
    if v6:
        cap.add(wrap(syn6(h)))
    for frame in extra:
        cap.add(frame(h) if callable(frame) else frame)
    return cap


@case
def c10_link_ether():
    return _link_case('c10_link_ether', 'Ethernet (DLT 1): IPv4, IPv6, ARP, an IPv4 frame with an IPv6 '
                      'ethertype, minimum-size frame with padding, version nibble 5 (warning)', LINK_ETHER,
                      ether, 10, extra=[
                          lambda h: ether(b'\x00\x01\x08\x00\x06\x04\x00\x01' + b'\x00' * 20, etype=0x0806),
                          lambda h: ether(syn4(h), etype=0x86DD),
                          lambda h: ether(syn4(h, opts=b'', win=512), trailer=b'\x00' * 6),
                          lambda h: ether(syn4(h, version=5)),
                          lambda h: ether(syn4(h, version=5)),
                          lambda h: ether(syn4(h)),
                      ])


@case
def c11_link_sll():
    return _link_case('c11_link_sll', 'Linux cooked capture (DLT 113), IPv4 and IPv6, outgoing packet type',
                      LINK_SLL, sll, 11, extra=[lambda h: sll(syn4(h), pkttype=4)])


@case
def c12_link_sll2():
    return _link_case('c12_link_sll2', 'Linux cooked capture v2 (DLT 276): not in p0f\'s table, so the '
                      'offset is auto-detected', LINK_SLL2, sll2, 12)


@case
def c13_link_raw101():
    return _link_case('c13_link_raw101', 'Raw IP, LINKTYPE_RAW 101', LINK_RAW, lambda l3: l3, 13)


@case
def c14_link_raw12():
    return _link_case('c14_link_raw12', 'Raw IP written with DLT_RAW 12 in the file header', LINK_RAW_BSD,
                      lambda l3: l3, 14)


@case
def c15_link_raw14():
    return _link_case('c15_link_raw14', 'Raw IP with DLT 14 (OpenBSD DLT_RAW): libpcap on Linux cannot '
                      'compile a filter for it, so both tools must fail the same way', LINK_RAW_OBSD,
                      lambda l3: l3, 15, expect_lines=False, expect_exit=1)


@case
def c16_link_null():
    return _link_case('c16_link_null', 'BSD loopback DLT_NULL (0): 4-byte host-order family, AF_INET6 as '
                      '10, 24, 28 and 30', LINK_NULL, lambda l3: null_hdr(l3, 2 if l3[0] >> 4 == 4 else 24), 16,
                      extra=[lambda h, af=af: null_hdr(syn6(h), af) for af in (10, 28, 30)])


@case
def c17_link_loop():
    return _link_case('c17_link_loop', 'OpenBSD loopback DLT_LOOP (108): network-order 4-byte family; p0f\'s '
                      'fixed offset for DLT_LOOP is 8, so nothing is decoded (one warning)',
                      LINK_LOOP, lambda l3: loop_hdr(l3, 2 if l3[0] >> 4 == 4 else 24), 17, expect_lines=False)


@case
def c18_link_ppp():
    return _link_case('c18_link_ppp', 'PPP (DLT 9): 4-byte header', LINK_PPP, ppp_hdr, 18)


@case
def c19_link_wifi():
    return _link_case('c19_link_wifi', 'IEEE 802.11 data frames with LLC/SNAP (DLT 105, 32-byte offset)',
                      LINK_WIFI, wifi_hdr, 19)


@case
def c20_link_ipv4():
    return _link_case('c20_link_ipv4', 'DLT_IPV4 (228): offset auto-detected; IPv6 frame included',
                      LINK_IPV4, lambda l3: l3, 20)


@case
def c21_link_vlan():
    cap = Capture('c21_link_vlan', 'Ethernet + 802.1Q, QinQ (88a8 + 8100) and double 8100 tags: p0f lets them '
                  'through the filter but never decodes them; one untagged control frame')
    h = Hosts(21)
    cap.add(ether(syn4(h), vlans=[(0x8100, 42)]))
    cap.add(ether(syn6(h), vlans=[(0x8100, 42)]))
    cap.add(ether(syn4(h), vlans=[(0x88A8, 100), (0x8100, 42)]))
    cap.add(ether(syn4(h), vlans=[(0x8100, 100), (0x8100, 42)]))
    cap.add(ether(syn4(h)))
    return cap


@case
def c22_link_vlan_only():
    cap = Capture('c22_link_vlan_only', '802.1Q and QinQ frames only: zero observations', expect_lines=False)
    h = Hosts(22)
    cap.add(ether(syn4(h), vlans=[(0x8100, 7)]))
    cap.add(ether(syn4(h, opts=WIN7, win=8192, ttl=128), vlans=[(0x88A8, 1), (0x8100, 7)]))
    cap.add(ether(syn6(h), vlans=[(0x88A8, 1), (0x8100, 7)]))
    return cap


@case
def c23_link_pflog():
    return _link_case('c23_link_pflog', 'PFLOG (DLT 117) with a 48-byte header: p0f uses a fixed 28-byte '
                      'offset', LINK_PFLOG,
                      lambda l3: bytes([48, 2 if l3[0] >> 4 == 4 else 24, 0, 0]) + b'\x00' * 44 + l3, 23,
                      expect_lines=False)


@case
def c24_link_ipv6_autodetect():
    cap = Capture('c24_link_ipv6_autodetect', 'DLT_IPV6 (229) with IPv6 frames: offset auto-detection on '
                  'IPv6', link=LINK_IPV6)
    h = Hosts(24)
    cap.add(syn6(h))
    cap.add(syn6(h, opts=WIN7, win=8192, hlim=128))
    return cap


@case
def c25_autodetect_warning():
    cap = Capture('c25_autodetect_warning', 'SLL2 (offset auto-detected): the first frame passes the tcp filter '
                  'but its "IPv4" header has version 5, so no offset is found (warning) and detection is retried '
                  'on the next frame', link=LINK_SLL2)
    h = Hosts(25)
    cap.add(sll2(syn4(h, version=5)))
    cap.add(sll2(syn4(h)))
    cap.add(sll2(syn6(h)))
    return cap


@case
def c26_pcapng():
    cap = Capture('c26_pcapng', 'pcapng (section header, interface description, enhanced packet blocks)',
                  fmt='pcapng')
    h = Hosts(26)
    cap.add(ether(syn4(h)))
    cap.add(ether(syn6(h)))
    handshake4(cap, h)
    cap.add(ether(syn4(h, opts=WIN7, win=8192, ttl=128)))
    return cap


@case
def c27_pcapng_spb():
    cap = Capture('c27_pcapng_spb', 'pcapng with a simple packet block (no timestamp) after enhanced ones',
                  fmt='pcapng')
    h = Hosts(27)
    cap.add(ether(syn4(h)))
    cap.add(ether(syn4(h, opts=WIN7, win=8192, ttl=128)), kind='spb')
    return cap


@case
def c28_pcap_bigendian():
    cap = Capture('c28_pcap_bigendian', 'Classic pcap written big-endian', fmt='pcap-be')
    h = Hosts(28)
    cap.add(ether(syn4(h)))
    handshake4(cap, h)
    return cap


@case
def c29_pcap_nanosec():
    cap = Capture('c29_pcap_nanosec', 'Nanosecond-resolution pcap (magic a1b23c4d)', fmt='pcap-nano')
    h = Hosts(29)
    cap.add(ether(syn4(h)), step_ms=1500)
    cap.add(ether(syn4(h, opts=WIN7, win=8192, ttl=128)), step_ms=1500)
    cap.add(ether(syn4(h, opts=MAC, win=65535)))
    return cap


@case
def c30_snap_truncated():
    cap = Capture('c30_snap_truncated', 'Frames shorter on disk than on the wire (caplen < wirelen): cut in the '
                  'options, right after the TCP header, in the IP header; records of 0, 10, 14 and 33 bytes; '
                  'file snaplen 96', snaplen=96)
    h = Hosts(30)
    for caplen in (60, 54, 40, 33, 14, 10, 0):
        full = ether(syn4(h))
        cap.add(full, caplen=caplen, wirelen=len(full))
        cap.add(ether(syn4(h)))
    full = ether(syn4(h, payload=b'z' * 200))
    cap.add(full, caplen=96, wirelen=len(full))
    return cap


@case
def c31_malformed():
    cap = Capture('c31_malformed', 'Malformed headers, each followed by a valid control SYN: IHL < 5, IHL past '
                  'the end, tot_len larger / smaller than the frame, tot_len cutting the TCP options, '
                  'doff < 5, doff past the end, fragments, non-TCP protocol, ignored flag combinations')
    h = Hosts(31)
    bad = [
        lambda: syn4(h, ihl=4),
        lambda: syn4(h, ihl=15),
        lambda: syn4(h, opts=b'', ihl=7),
        lambda: syn4(h, tot_len=200),
        lambda: syn4(h, tot_len=39),
        lambda: syn4(h, tot_len=40),
        lambda: syn4(h, tot_len=52),
        lambda: syn4(h, tot_len=0),
        lambda: syn4(h, doff=4),
        lambda: syn4(h, doff=0),
        lambda: syn4(h, doff=15),
        lambda: syn4(h, opts=b'', doff=6),
        lambda: syn4(h, mf=True),
        lambda: syn4(h, frag=1),
        lambda: syn4(h, df=False, frag=8, mf=True),
        lambda: syn4(h, proto=17),
        lambda: syn4(h, flags=SYN | FIN),
        lambda: syn4(h, flags=SYN | RST),
        lambda: syn4(h, flags=FIN | RST),
        lambda: syn4(h, flags=0),
        lambda: syn4(h, flags=URG | PSH, urp=1),
        lambda: syn4(h, flags=ECE | CWR),
    ]
    for make in bad:
        cap.add(ether(make()))
        cap.add(ether(syn4(h)))
    # a 40-byte datagram with a 15-word TCP header: doff beyond the datagram
    cap.add(ether(syn4(h, opts=b'', doff=15)))
    # tot_len smaller than the frame: trailing bytes (with TCP options in them) are cut off
    full = syn4(h, opts=b'', win=1000)
    cap.add(ether(full + o_mss(1460)))
    full = syn4(h)
    cap.add(ether(full[:2] + be16(len(full) - 4) + full[4:]))
    return cap


@case
def c32_cut_mid_record():
    cap = Capture('c32_cut_mid_record', 'Classic pcap cut in the middle of the last record\'s data')
    h = Hosts(32)
    for _ in range(4):
        cap.add(ether(syn4(h)))
    cap.add(ether(syn4(h, opts=WIN7, win=8192, ttl=128)))
    cap.cut_from_end = 20
    return cap


@case
def c33_cut_mid_header():
    cap = Capture('c33_cut_mid_header', 'Classic pcap cut in the middle of a record header')
    h = Hosts(33)
    for _ in range(3):
        cap.add(ether(syn4(h)))
    cap.add(ether(syn4(h, opts=WIN7, win=8192, ttl=128)))
    last = len(cap.records[-1][0]) + 16
    cap.cut_from_end = last - 7
    return cap


@case
def c34_pcapng_cut():
    cap = Capture('c34_pcapng_cut', 'pcapng cut in the middle of the last enhanced packet block', fmt='pcapng')
    h = Hosts(34)
    for _ in range(3):
        cap.add(ether(syn4(h)))
    cap.cut_from_end = 30
    return cap


@case
def c35_filter():
    cap = Capture('c35_filter', 'User BPF rule (combined with p0f\'s tcp/vlan rule)',
                  filt='src net 10.35.0.0/24 or dst port 8080')
    h = Hosts(35)
    for i in range(6):
        cap.add(ether(syn4(h)))
    cap.add(ether(syn4(h, dport=8080)))
    cap.add(ether(syn4(h, dport=8080), vlans=[(0x8100, 5)]))
    return cap


@case
def c36_filter_nothing():
    cap = Capture('c36_filter_nothing', 'User BPF rule that matches nothing', filt='port 81',
                  expect_lines=False)
    h = Hosts(36)
    cap.add(ether(syn4(h)))
    return cap


@case
def c37_custom_db():
    cap = Capture('c37_custom_db', 'Own signature database (fp/crafted.fp): %N windows, wildcards, '
                  'olen/pclass/quirk sigs, generic after specific, bad-TTL app, custom MTUs',
                  fp='fp/crafted.fp')
    h = Hosts(37)
    cap.add(ether(syn4(h)))                                                      # exact
    cap.add(ether(syn4(h, opts=o_mss(1400) + o_sok() + o_ts(5, 0) + o_nop() + o_ws(3), win=5555)))  # generic
    cap.add(ether(syn4(h, opts=WIN7, win=16384, ttl=128)))                       # %8192
    cap.add(ether(syn4(h, opts=WIN7, win=12288, ttl=128)))                       # not %8192
    cap.add(ether(syn4(h, opts=o_mss(1400), win=1024, ttl=250, df=False)))       # 255- app
    cap.add(ether(ipv4_opts(h, b'\x01\x01\x01\x00', ttl=64)))                    # olen 4
    cap.add(ether(syn4(h, opts=o_mss(1234) + o_nop(2) + o_sok(), win=100, payload=b'data')))  # pclass +
    cap.add(ether(syn4(h, opts=o_mss(1234) + o_nop(2) + o_sok(), win=100, seq=0, flags=SYN | PSH | ECE)))
    cap.add(ether(syn6(h, opts=o_mss(1194) + o_nop(2) + o_sok(), win=100)))      # v6 via a '4:' sig
    handshake4(cap, h, sa_opts=o_mss(1460) + o_sok() + o_ts(9, 1) + o_nop() + o_ws(7), sa_win=14600)
    handshake4(cap, h, sa_opts=o_mss(1194), sa_win=2000, sa_ttl=60)
    return cap


@case
def c38_many_packets():
    cap = Capture('c38_many_packets', 'Several hundred handshakes of mixed stacks on a few hosts (host change, '
                  'ip sharing and uptime material for the wider module set)')
    stacks = [(LINUX, 29200, 64, True), (WIN7, 8192, 128, True), (XP, 65535, 128, True), (MAC, 65535, 64, True),
              (o_mss(1460), 4128, 255, False)]
    for i in range(400):
        client = ip4addr('10.38.0.%d' % (i % 23 + 1))
        stack_opts, win, ttl, df = stacks[(i * 7 + i // 23) % len(stacks)]
        sport = 20000 + i
        seq = 0x1000 * i + 1
        if stack_opts is LINUX or stack_opts is MAC:
            head = stack_opts[:stack_opts.index(b'\x08\x0a')]
            tail = stack_opts[stack_opts.index(b'\x08\x0a') + 10:]
            stack_opts = head + o_ts(100000 + i * 250, 0) + tail
        syn = ipv4(client, SRV4, tcp(client, SRV4, sport, 25, seq, 0, SYN, win, stack_opts), ttl=ttl - (i % 3),
                   df=df, ident=i + 1)
        cap.add(ether(syn), step_ms=250)
        sa = ipv4(SRV4, client, tcp(SRV4, client, 25, sport, 0x5000 * i, seq + 1, SYN | ACK, 28960,
                                    o_mss(1460) + o_sok() + o_ts(7000 + i * 100, 100000) + o_nop() + o_ws(7)),
                  ident=0)
        cap.add(ether(sa), step_ms=250)
    return cap


@case
def c39_autodetect_vlan_quirk():
    cap = Capture('c39_autodetect_vlan_quirk', 'SLL2 whose address padding holds 81 00 four bytes before the IP '
                  'header: p0f\'s auto-detection then moves the offset back by 4 for the rest of the run',
                  link=LINK_SLL2, expect_lines=False)
    h = Hosts(39)
    for make in (lambda: syn4(h), lambda: syn6(h), lambda: syn4(h)):
        frame = sll2(make())
        cap.add(frame[:16] + b'\x81\x00' + frame[18:])
    return cap


# ----------------------------------------------------------------------------------
# one SYN (or SYN+ACK) per stock signature
# ----------------------------------------------------------------------------------

def _emit_sig(cap, h, spec, response, index):
    v6 = spec['v6']
    if v6:
        cli, cport = h.next6()
        srv = ip6addr('2001:db8:5e::%x' % (index + 1))
    else:
        cli, cport = h.next4()
        srv = ip4addr('198.51.%d.%d' % (100 + index // 250, index % 250 + 1))
    def datagram(src, dst, seg, **kw):
        if v6:
            return ipv6(src, dst, seg, hlim=spec['ttl'], tc=1 if spec['ecn'] else 0,
                        flow=0x1ABCD if spec['flow'] else 0)
        ip_opts = b'\x01' * (spec['olen'] - 1) + b'\x00' if spec['olen'] else b''
        return ipv4(src, dst, seg, ttl=spec['ttl'], df=spec['df'], ident=spec['ident'],
                    tos=1 if spec['ecn'] else 0, rsv=spec['rsv'], opts=ip_opts)
    if not response:
        ack = 0x01020304 if spec['ack_plus'] else 0
        seg = tcp(cli, srv, cport, 80, spec['seq'], ack, spec['flags'], spec['win'], spec['opts'], spec['urp'],
                  spec['payload'], v6=v6)
        cap.add(ether(datagram(cli, srv, seg)))
        return
    syn_seq = 0x50000000 + index
    syn = tcp(cli, srv, cport, 80, syn_seq, 0, SYN, 29200, LINUX, v6=v6)
    cap.add(ether(ipv6(cli, srv, syn) if v6 else ipv4(cli, srv, syn)))
    ack = 0 if spec['ack_minus'] else syn_seq + 1
    seg = tcp(srv, cli, 80, cport, spec['seq'], ack, spec['flags'], spec['win'], spec['opts'], spec['urp'],
              spec['payload'], v6=v6)
    cap.add(ether(datagram(srv, cli, seg)))


@case
def c40_stock_request_sigs():
    cap = Capture('c40_stock_request_sigs', 'One SYN built from every [tcp:request] signature of data/p0f.fp '
                  '(wildcards filled in, distance 0..6, every third * signature sent over IPv6)')
    h = Hosts(40)
    for index, sig in enumerate(stock_signatures('[tcp:request]')):
        _emit_sig(cap, h, packet_for_signature(sig, index, h), False, index)
    return cap


@case
def c41_stock_response_sigs():
    cap = Capture('c41_stock_response_sigs', 'A Linux SYN and then a SYN+ACK built from every [tcp:response] '
                  'signature of data/p0f.fp')
    h = Hosts(41)
    for index, sig in enumerate(stock_signatures('[tcp:response]')):
        _emit_sig(cap, h, packet_for_signature(sig, index, h, response=True), True, index)
    return cap


# ----------------------------------------------------------------------------------
# databases
# ----------------------------------------------------------------------------------

CRAFTED_FP = """\
; Signature database for the crafted case c37_custom_db (written for P0fSharp's tests).
; Exercises %N windows, wildcards, olen, pclass, quirk lists, generic-after-specific,
; a bad-TTL application signature, an IPv4 signature seen over IPv6 and custom MTUs.

classes = win,unix,other

[mtu]

label = Plain Ethernet
sig   = 1500

label = Test tunnel
sig   = 1274
sig   = 1234

label = Jumbo
sig   = 9000

[tcp:request]

label = s:unix:Alpha:exact
sig   = 4:64:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0

label = g:unix:Alpha:any window
sig   = *:64:0:*:*,*:mss,sok,ts,nop,ws:df,id+:0

label = s:win:Beta:modulo
sig   = *:128:0:*:%8192,*:mss,nop,ws,nop,nop,sok:df,id+:0

label = s:!:Scanner:random ttl
sys   = @unix,@win
sig   = *:255-:0:1400:1024,0:mss::0

label = s:other:Gamma:ip options
sig   = 4:64:4:*:*,*:mss,sok,ts,nop,ws:df,id+:0

label = s:other:Delta:payload
sig   = 4:64:0:1234:100,0:mss,nop,nop,sok:df,id+:+

label = s:other:Epsilon:quirks
sig   = 4:64:0:1234:100,0:mss,nop,nop,sok:df,id+,ecn,seq-,pushf+:0

label = s:other:Zeta:v4 sig
sig   = 4:64:0:1194:100,0:mss,nop,nop,sok::0

[tcp:response]

label = s:unix:Alpha:response
sig   = *:64:0:*:mss*10,7:mss,sok,ts,nop,ws:df:0

label = g:other:Omega:tiny
sig   = *:64:0:1194:*,0:mss::0
"""

BROKEN_FP = """\
; Deliberately broken database for the error-path test: a TCP signature with too few fields.
classes = win,unix

[tcp:request]

label = s:unix:Broken:sig
sig   = 4:64:0:1460:mss*20,7:mss,sok
"""


def main():
    outdir = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else HERE
    os.makedirs(os.path.join(outdir, 'pcaps'), exist_ok=True)
    os.makedirs(os.path.join(outdir, 'fp'), exist_ok=True)
    with open(os.path.join(outdir, 'fp', 'crafted.fp'), 'w') as f:
        f.write(CRAFTED_FP)
    with open(os.path.join(outdir, 'fp', 'broken.fp'), 'w') as f:
        f.write(BROKEN_FP)
    with open(os.path.join(outdir, 'pcaps', 'not-a-capture.pcap'), 'wb') as f:
        f.write(b'This is not a packet capture.\n' * 4)
    meta = []
    for build in CASES + craft_modules.CASES:
        cap = build()
        meta.append(cap.meta(cap.write(outdir)))
    with open(os.path.join(outdir, 'cases.json'), 'w') as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write('\n')
    print('%d cases written to %s' % (len(meta), outdir))


if __name__ == '__main__':
    main()
