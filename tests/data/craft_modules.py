"""Crafted captures for p0f's stateful modules: uptime, host change, ip sharing, HTTP request and
response, the -t / -m cache limits and bad input. craft_cases.py writes them (cases c42 onwards)
together with its own; the byte builders are in craftlib.py.

Each case drives whole conversations (SYN, SYN+ACK, in-sequence data, FIN/RST) through
`Conversation`, so sequence numbers, TCP timestamps and packet times are explicit and the
behaviour under test is spelled out next to the bytes that provoke it.
"""
import os

from craftlib import *  # noqa: F401,F403

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


# ----------------------------------------------------------------------------------
# stacks: SYN layouts with a TCP timestamp slot
# ----------------------------------------------------------------------------------

def linux_opts(ts, mss=1460, tsecr=0):
    return o_mss(mss) + o_sok() + o_ts(ts, tsecr) + o_nop() + o_ws(7)


def mac_opts(ts, mss=1460, tsecr=0):
    return o_mss(mss) + o_nop() + o_ws(6) + o_nop(2) + o_ts(ts, tsecr) + o_sok() + o_eol(1)


def freebsd_opts(ts, mss=1460, tsecr=0):
    return o_mss(mss) + o_nop() + o_ws(6) + o_sok() + o_ts(ts, tsecr)


def win7_opts(ts=None, mss=1460, tsecr=0):
    return o_mss(mss) + o_nop() + o_ws(8) + o_nop(2) + o_sok()


def win10_ts_opts(ts, mss=1460, tsecr=0):
    return o_mss(mss) + o_nop() + o_ws(8) + o_sok() + o_ts(ts, tsecr)


def xp_opts(ts=None, mss=1460, tsecr=0):
    return o_mss(mss) + o_nop(2) + o_sok()


class Stack:
    """A client or server TCP/IP stack: option layout, window rule, initial TTL, IP ID habit."""

    def __init__(self, name, opts, win, ttl, df=True, ident='rand'):
        self.name, self.opts, self.win, self.ttl, self.df, self.ident = name, opts, win, ttl, df, ident

    def window(self, mss):
        return self.win(mss) if callable(self.win) else self.win


LINUX = Stack('linux', linux_opts, lambda mss: mss * 20, 64)
LINUX26 = Stack('linux2.6', linux_opts, 5840, 64, ident='zero')
MACOS = Stack('mac', mac_opts, 65535, 64)
FREEBSD = Stack('freebsd', freebsd_opts, 65535, 64)
WIN7 = Stack('win7', win7_opts, 8192, 128, ident='inc')
WIN10TS = Stack('win10ts', win10_ts_opts, 64240, 128, ident='inc')
WINXP = Stack('xp', xp_opts, 65535, 128, ident='inc')
UNKNOWN = Stack('unknown', lambda ts, mss=1460, tsecr=0: o_mss(mss) + o_nop() + o_ts(ts, tsecr) + o_nop(),
                1234, 64)
LINUX_SRV = Stack('linux-srv', linux_opts, lambda mss: 28960, 64, ident='zero')
WIN_SRV = Stack('win-srv', win7_opts, 8192, 128, ident='inc')


class Conversation:
    """One TCP connection on a capture; the caller sets cap.usec (packet time) between calls."""

    def __init__(self, cap, cli, cport, srv, sport, v6=False, link=ether):
        self.cap, self.cli, self.cport, self.srv, self.sport = cap, cli, cport, srv, sport
        self.v6, self.link = v6, link
        self.cseq = 0x10000000 + (cport * 7919) % 0x0FFFFFFF
        self.sseq = 0x60000000 + (cport * 104729) % 0x0FFFFFFF
        self.cli_ident = (cport * 31) & 0xFFFF
        self.srv_ident = (cport * 17) & 0xFFFF

    def _ip(self, src, dst, seg, ttl, df, ident, tos=0):
        if self.v6:
            return ipv6(src, dst, seg, hlim=ttl, tc=tos)
        return ipv4(src, dst, seg, ttl=ttl, df=df, ident=ident, tos=tos)

    def _ident(self, stack, to_server):
        if stack.ident == 'zero':
            return 0
        if to_server:
            self.cli_ident = (self.cli_ident + 1) & 0xFFFF
            return self.cli_ident
        self.srv_ident = (self.srv_ident + 1) & 0xFFFF
        return self.srv_ident

    def _emit(self, to_server, flags, seq, ack, win, opts=b'', payload=b'', ttl=64, df=True, ident=0,
              step_ms=0):
        src, dst, sp, dp = (self.cli, self.srv, self.cport, self.sport) if to_server else \
            (self.srv, self.cli, self.sport, self.cport)
        seg = tcp(src, dst, sp, dp, seq, ack, flags, win, opts, 0, payload, v6=self.v6)
        self.cap.add(self.link(self._ip(src, dst, seg, ttl, df, ident)), step_ms=step_ms)

    def syn(self, stack=LINUX, ts=1, mss=1460, ttl=None, step_ms=0, win=None):
        mss = mss if not self.v6 or mss != 1460 else 1440
        self._emit(True, SYN, self.cseq, 0, stack.window(mss) if win is None else win, stack.opts(ts, mss),
                   ttl=stack.ttl if ttl is None else ttl, df=stack.df, ident=self._ident(stack, True),
                   step_ms=step_ms)
        self.cseq = (self.cseq + 1) & 0xFFFFFFFF

    def synack(self, stack=LINUX_SRV, ts=1, tsecr=1, mss=1460, ttl=None, step_ms=0):
        mss = mss if not self.v6 or mss != 1460 else 1440
        self._emit(False, SYN | ACK, self.sseq, self.cseq, stack.window(mss), stack.opts(ts, mss, tsecr),
                   ttl=stack.ttl if ttl is None else ttl, df=stack.df, ident=self._ident(stack, False),
                   step_ms=step_ms)
        self.sseq = (self.sseq + 1) & 0xFFFFFFFF

    def data(self, to_server, payload=b'', ts=None, tsecr=0, ttl=64, flags=ACK, seq_delta=0, step_ms=0,
             advance=True):
        """An in-sequence segment (seq_delta != 0 makes it out of sequence)."""
        opts = (o_nop(2) + o_ts(ts, tsecr)) if ts is not None else b''
        if to_server:
            seq, ack = self.cseq, self.sseq
        else:
            seq, ack = self.sseq, self.cseq
        self._emit(to_server, flags, (seq + seq_delta) & 0xFFFFFFFF, ack, 502, opts, payload, ttl=ttl,
                   ident=0, step_ms=step_ms)
        if advance and seq_delta == 0:
            n = len(payload) + (1 if flags & FIN else 0)
            if to_server:
                self.cseq = (self.cseq + n) & 0xFFFFFFFF
            else:
                self.sseq = (self.sseq + n) & 0xFFFFFFFF

    def fin(self, to_server, ts=None, step_ms=0):
        self.data(to_server, b'', ts=ts, flags=FIN | ACK, step_ms=step_ms)

    def rst(self, to_server, ts=None, step_ms=0):
        self.data(to_server, b'', ts=ts, flags=RST | ACK, step_ms=step_ms)


def addr4(net, n):
    """10.<net>.x.y, a fresh address for every n."""
    return ip4addr('10.%d.%d.%d' % (net, n // 250, n % 250 + 1))


def addr6(net, n):
    return ip6addr('2001:db8:%x:1::%x' % (net, n + 1))


def ms(cap, delta):
    """Advance the packet clock of `cap` by `delta` milliseconds (may be negative)."""
    cap.usec += int(delta * 1000)


# ----------------------------------------------------------------------------------
# uptime (TCP timestamps)
# ----------------------------------------------------------------------------------

# Clock rates around every rounding band edge and both sanity limits (0.7 Hz, 1500 Hz).
UPTIME_RATES = [0.5, 0.69, 0.7, 0.71, 1, 1.5, 2, 3, 7, 9.99, 10, 10.5, 11, 12, 13, 22, 47, 48, 50, 50.9, 51,
                55, 57, 64, 93, 99, 100, 100.5, 101, 117, 128, 133, 250, 300, 466, 499, 500, 500.5, 501, 567,
                999, 1000, 1024, 1433, 1499, 1500, 1500.5, 1501, 2000, 10000]

# First timestamp of a host: small, large (days of uptime), near and past the 2^31 sign boundary
# of p0f's "backwards" test, and just below 2^32 so the clock wraps during the conversation.
UPTIME_BASES = [1, 1000, 123456, 86400000, 0x7FFFFF00, 0x80000010, 3000000000, 0xFFFFFF00, 0xFFFFFFF0]


def _ticks(rate, elapsed_ms):
    return int(round(rate * elapsed_ms / 1000.0))


def _uptime_host(cap, n, srv, rate, base, gaps, v6=False, srv_rate=1000, srv_base=5000, sport=80,
                 with_ack=True):
    """Connections from one client: a SYN after each gap (ms), its SYN+ACK 1 ms later from a
    server ticking at srv_rate, then (with_ack) an ACK and a FIN from the client 150 ms on."""
    cli = addr6(42, n) if v6 else addr4(42, n)
    start = cap.usec
    srv_start = getattr(cap, 'srv_start', start)
    port = 1024 + (n * 37) % 30000
    for k, gap in enumerate(gaps):
        ms(cap, gap)
        port += 1 + k
        conv = Conversation(cap, cli, port, srv, sport, v6=v6)
        elapsed = (cap.usec - start) / 1000.0
        ts = (base + _ticks(rate, elapsed)) & 0xFFFFFFFF
        conv.syn(LINUX, ts=ts, step_ms=1)
        srv_ts = (srv_base + _ticks(srv_rate, (cap.usec - srv_start) / 1000.0)) & 0xFFFFFFFF
        conv.synack(LINUX_SRV, ts=srv_ts, tsecr=ts, step_ms=0)
        if with_ack:
            ms(cap, 150)
            elapsed = (cap.usec - start) / 1000.0
            conv.data(True, ts=(base + _ticks(rate, elapsed)) & 0xFFFFFFFF, step_ms=40)
            elapsed = (cap.usec - start) / 1000.0
            conv.fin(True, ts=(base + _ticks(rate, elapsed)) & 0xFFFFFFFF, step_ms=1)


@case
def c42_uptime_rates():
    cap = Capture('c42_uptime_rates', 'Uptime: for every clock rate around the rounding bands and the 0.7 / '
                  '1500 Hz limits and every base timestamp (small, days, 2^31 boundary, wrapping past 2^32), '
                  'repeated connections of one client (SYN-to-SYN estimate) plus in-flow ACK / FIN estimates; '
                  'server SYN+ACK clocks at several rates')
    cap.srv_start = cap.usec
    n = 0
    for i, rate in enumerate(UPTIME_RATES):
        base = UPTIME_BASES[i % len(UPTIME_BASES)]
        gap = 1000 if rate >= 5 else int(7000 / rate)
        srv = ip4addr('192.0.2.%d' % (10 + i % 4))
        srv_rate = [1000, 250, 100, 10][i % 4]
        _uptime_host(cap, n, srv, rate, base, [gap, gap, gap * 3, gap * 2], srv_rate=srv_rate)
        n += 1
        # the same rate over IPv6, starting from another base
        _uptime_host(cap, n, ip6addr('2001:db8:ffff::%x' % (1 + i % 3)), rate,
                     UPTIME_BASES[(i + 4) % len(UPTIME_BASES)], [gap, gap * 2], v6=True, srv_rate=srv_rate)
        n += 1
    return cap


@case
def c43_uptime_edges():
    cap = Capture('c43_uptime_edges', 'Uptime edge cases: SYN gaps of 24/25/26 ms, 99/100/101 ms and '
                  '600000/600001 ms, fewer than 5 ticks, small and large backwards steps (shortly after and '
                  'later), ts1 = 0 on either side, a bad clock on an ACK disabling the flow side, a RST '
                  'estimate, clocks that wrap, a server seen by many clients')
    srv = ip4addr('192.0.2.20')
    n = 0

    def host(gaps_and_ticks, base=500000, ack_ticks=None, ack_gap=150, end=FIN, first_ts=None):
        """One client: SYNs after (gap_ms, tick_delta) steps; optional in-flow ACK/FIN ticks."""
        nonlocal n
        n += 1
        cli = addr4(43, n)
        port = 2000 + n * 10
        ts = base if first_ts is None else first_ts
        conv = None
        for gap, dticks in gaps_and_ticks:
            ms(cap, gap)
            ts = (ts + dticks) & 0xFFFFFFFF
            port += 1
            conv = Conversation(cap, cli, port, srv, 80)
            conv.syn(LINUX, ts=ts, step_ms=1)
            conv.synack(LINUX_SRV, ts=777000 + n * 1000 + port, tsecr=ts)
        if ack_ticks is not None:
            for dticks in ack_ticks:
                ms(cap, ack_gap)
                ts = (ts + dticks) & 0xFFFFFFFF
                conv.data(True, ts=ts)
            ms(cap, ack_gap)
            if end == FIN:
                conv.fin(True, ts=(ts + 100) & 0xFFFFFFFF)
            else:
                conv.rst(True, ts=(ts + 100) & 0xFFFFFFFF)

    for gap in (24, 25, 26, 99, 100, 101, 600000, 600001):
        host([(0, 0), (gap, max(5, gap))])                  # 1000 Hz, 1 Hz for the long gaps
        host([(0, 0), (gap, 4)])                            # fewer than 5 ticks
        host([(0, 0), (gap, -3)])                           # a small step back
        host([(0, 0), (gap, -20000)])                       # a big step back
        host([(0, 0), (gap, 1500 * gap // 1000 + 1)])       # just over 1500 Hz
    host([(0, 0), (1000, 1000)], first_ts=0)                # first SYN without a timestamp value
    host([(0, 0), (1000, 0)], base=0)                       # ts1 = 0 on both
    host([(0, 0)], ack_ticks=[150, 400])                    # estimate from the ACK (1000 Hz), not redone
    host([(0, 0)], ack_ticks=[-5000, 400])                  # ACK steps back: side marked bad, FIN ignored
    host([(0, 0)], ack_ticks=[3, 150])                      # ACK with < 5 ticks: no mark, next ACK counts
    host([(0, 0)], ack_ticks=[1000000], end=RST)            # ACK too fast (bad), RST ignored
    host([(0, 0)], ack_ticks=[], end=RST, ack_gap=300)      # RST carries the first estimate
    host([(0, 0)], ack_ticks=[50], ack_gap=20)              # ACK only 20 ms after the SYN
    host([(0, 0), (500, 500), (500, 500), (500, 500)], base=0xFFFFFE00)   # wraps past 2^32
    host([(0, 0), (2000, 2000)], base=0x7FFFFC00)           # crosses 2^31
    # One server, many clients: its SYN+ACK clock (250 Hz) is estimated on every new connection;
    # then it jumps back and then forward too fast.
    busy = ip4addr('192.0.2.21')
    sts = 900000
    for k in range(40):
        n += 1
        conv = Conversation(cap, addr4(43, n), 3000 + k, busy, 443)
        ms(cap, 400)
        sts += 100
        conv.syn(WIN7, step_ms=1)
        conv.synack(LINUX_SRV, ts=sts if k not in (30, 31) else (sts - 50000 if k == 30 else sts + 900000))
        conv.data(False, ts=sts + 25, step_ms=100)
        conv.data(True, step_ms=1)
    return cap


# ----------------------------------------------------------------------------------
# host change and ip sharing (NAT / load balancer scoring)
# ----------------------------------------------------------------------------------

def _set_ts(opts, tsval):
    """Replace the value of the timestamp option in an option block (if there is one)."""
    at = opts.find(b'\x08\x0a')
    if at < 0 or tsval is None:
        return opts
    return opts[:at + 2] + be32(tsval) + opts[at + 6:]


class Actor:
    """One address that opens connections: its own port counter and a 1000 Hz timestamp clock."""

    def __init__(self, cap, addr, port=30000, ts_base=100000, v6=False):
        self.cap, self.addr, self.port, self.ts_base, self.v6 = cap, addr, port, ts_base, v6
        self.t0 = cap.usec

    def clock(self, rate=1000):
        return (self.ts_base + int(rate * (self.cap.usec - self.t0) / 1000000)) & 0xFFFFFFFF

    def next_port(self, step=1):
        self.port = (self.port + step) & 0xFFFF
        return self.port


def sig_syn(cap, actor, spec, srv, dport=80, ttl=None, tsval=None, mss=None, sport=None, synack=None):
    """A SYN shaped by a packet_for_signature() spec, sent by `actor` (IPv4 only); optionally the
    server's SYN+ACK from another spec."""
    opts = _set_ts(spec['opts'], tsval)
    if mss is not None:
        at = opts.find(b'\x02\x04')
        if at >= 0:
            opts = opts[:at + 2] + be16(mss) + opts[at + 4:]
    port = actor.next_port() if sport is None else sport
    conv = Conversation(cap, actor.addr, port, srv, dport)
    ip_opts = b'\x01' * (spec['olen'] - 1) + b'\x00' if spec['olen'] else b''
    seg = tcp(actor.addr, srv, port, dport, spec['seq'] or conv.cseq, 0x01020304 if spec['ack_plus'] else 0,
              spec['flags'], spec['win'], opts, spec['urp'], spec['payload'])
    cap.add(ether(ipv4(actor.addr, srv, seg, ttl=spec['ttl'] if ttl is None else ttl, df=spec['df'],
                       ident=spec['ident'], tos=1 if spec['ecn'] else 0, rsv=spec['rsv'], opts=ip_opts)), step_ms=1)
    if synack is not None:
        sa_opts = _set_ts(synack['opts'], None)
        seg = tcp(srv, actor.addr, dport, port, synack['seq'] or 0x7000 + port,
                  0 if synack['ack_minus'] else ((spec['seq'] or conv.cseq) + 1) & 0xFFFFFFFF,
                  synack['flags'], synack['win'], sa_opts, synack['urp'], synack['payload'])
        cap.add(ether(ipv4(srv, actor.addr, seg, ttl=synack['ttl'], df=synack['df'], ident=synack['ident'],
                           tos=1 if synack['ecn'] else 0, rsv=synack['rsv'])), step_ms=1)


def ipv4_specs(section, response=False):
    """One IPv4 packet spec per stock signature of `section` (signatures that need IPv6 skipped)."""
    specs = []
    for index, sig in enumerate(stock_signatures(section)):
        # packet_for_signature sends every third wildcard-version signature over IPv6
        spec = packet_for_signature(sig, index * 3, None, response=response)
        if not spec['v6']:
            spec['sig'] = sig
            specs.append(spec)
    return specs


@case
def c44_host_change_pairs():
    cap = Capture('c44_host_change_pairs', 'Host change: one address sends a SYN built from one stock '
                  '[tcp:request] signature and, 2 s later, one from another (every signature against five '
                  'others; OS, label, signature line, fuzziness, generic/specific, known/unknown, tool '
                  'signatures on hosts of every class), with consistent, missing and jumping timestamps; '
                  'then servers whose SYN+ACK changes between connections')
    specs = ipv4_specs('[tcp:request]')
    srv = ip4addr('192.0.2.30')
    n = 0
    for i, first in enumerate(specs):
        for d in (1, 2, 5, 17, 41):
            second = specs[(i + d) % len(specs)]
            n += 1
            actor = Actor(cap, addr4(44, n), port=20000 + (n * 13) % 20000)
            mode = n % 3
            sig_syn(cap, actor, first, srv, tsval=actor.clock() if mode else None)
            ms(cap, 2000)
            tsval = {0: None, 1: actor.clock(), 2: (actor.clock() + 50000000) & 0xFFFFFFFF}[mode]
            sig_syn(cap, actor, second, srv, tsval=tsval)
            if n % 4 == 0:
                ms(cap, 1500)                                # and back again
                sig_syn(cap, actor, first, srv, tsval=actor.clock() if mode else None)
            ms(cap, 10)
    # Server role: a Linux client talks to servers whose SYN+ACK comes from stock [tcp:response]
    # signatures, changing between connections (server ring, no port rule, SYN-only rules skipped).
    responses = ipv4_specs('[tcp:response]', response=True)
    client = ipv4_specs('[tcp:request]')[0]
    for i, first in enumerate(responses):
        for d in (1, 3, 7):
            second = responses[(i + d) % len(responses)]
            n += 1
            server = addr4(144, n)
            for k, sa in enumerate((first, second, first)):
                actor = Actor(cap, addr4(244, n * 3 + k), port=40000 + k)
                sig_syn(cap, actor, client, server, tsval=actor.clock(), synack=sa)
                ms(cap, 1000)
    return cap


@case
def c45_host_change_details():
    cap = Capture('c45_host_change_details', 'Host change details on one signature: TTL steps up and down near '
                  'and far (distance <= 5 / > 5 / > 9, +-1, +-2, bigger), source port drops of 63 / 64 / more, '
                  'MSS changes, timestamps consistent / too fast / backwards / absent, each alone and combined; '
                  'an OS learned as a server then seen as a client')
    srv = ip4addr('192.0.2.40')
    specs = ipv4_specs('[tcp:request]')
    linux = specs[0]
    windows = next(s for s in specs if ':mss,nop,ws,nop,nop,sok:' in s['sig'] and s['win'] == 8192)
    n = 0
    ttl_steps = [0, 1, -1, 2, -2, 3, -3, 10, -10]
    port_steps = [1, -63, -64, -200]
    mss_values = [None, 1400]
    ts_modes = ['ok', 'fast', 'back', 'none']
    for base_ttl in (64, 60, 57, 50):                        # distance 0, 4, 7, 14
        for dttl in ttl_steps:
            for dport in port_steps:
                for mss in mss_values:
                    for mode in ts_modes:
                        n += 1
                        actor = Actor(cap, addr4(45, n), port=30000)
                        sig_syn(cap, actor, linux, srv, ttl=base_ttl, tsval=actor.clock() if mode != 'none' else None)
                        ms(cap, 3000)
                        tsval = {'ok': actor.clock(), 'fast': actor.clock() + 9000000,
                                 'back': actor.clock() - 9000000, 'none': None}[mode]
                        sig_syn(cap, actor, linux, srv, ttl=base_ttl + dttl, tsval=tsval & 0xFFFFFFFF if tsval else 0,
                                mss=mss, sport=actor.next_port(dport))
                        ms(cap, 5)
    # OS first learned from SYN+ACKs (server role), then the same address opens a connection.
    for k in range(12):
        n += 1
        addr = addr4(45, n)
        peer = Actor(cap, addr4(145, k), port=50000)
        sa = ipv4_specs('[tcp:response]', response=True)[k * 3 % 10]
        sig_syn(cap, peer, linux, addr, synack=sa)
        ms(cap, 700)
        me = Actor(cap, addr, port=1500)
        sig_syn(cap, me, windows if k % 2 else linux, srv)
        ms(cap, 700)
    return cap


@case
def c46_ip_sharing():
    cap = Capture('c46_ip_sharing', 'ip sharing: addresses behind which several stacks alternate (2 to 5 '
                  'stacks, 6 to 24 connections each, TTL and port patterns of NAT and load balancers), so the '
                  '32-slot score ring crosses each threshold (o5 > 2, o2 > 4, o1 > 6, o0 > 8) with the '
                  'reasons accumulated, the ring cleared and refilled; servers behind a load balancer')
    srv = ip4addr('192.0.2.50')
    specs = ipv4_specs('[tcp:request]')
    responses = ipv4_specs('[tcp:response]', response=True)
    n = 0
    seed = 12345

    def rnd(k):
        nonlocal seed
        seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
        return (seed >> 8) % k

    for stacks in (2, 3, 4, 5):
        for hosts in range(30):
            n += 1
            members = [specs[rnd(len(specs))] for _ in range(stacks)]
            actors = [Actor(cap, addr4(46, n), port=1024 + 5000 * m, ts_base=rnd(1 << 30)) for m in range(stacks)]
            ttls = [m['ttl'] - rnd(3) for m in members]
            for c in range(6 + rnd(19)):
                m = rnd(stacks) if hosts % 2 else c % stacks
                sig_syn(cap, actors[m], members[m], srv, ttl=ttls[m], tsval=actors[m].clock(100 * (m + 1)))
                ms(cap, 100 + rnd(3000))
    # Load-balanced servers: one address, SYN+ACKs from 2-3 different server stacks.
    for k in range(40):
        n += 1
        server = addr4(146, k)
        members = [responses[rnd(len(responses))] for _ in range(2 + k % 2)]
        for c in range(10 + rnd(10)):
            client = Actor(cap, addr4(246, n * 30 + c), port=40000)
            sig_syn(cap, client, specs[0], server, tsval=client.clock(), synack=members[rnd(len(members))])
            ms(cap, 200 + rnd(800))
    return cap


# ----------------------------------------------------------------------------------
# HTTP
# ----------------------------------------------------------------------------------

def _split_top(text, sep):
    """Split on `sep` outside [...] brackets."""
    parts, depth, cur = [], 0, ''
    for ch in text:
        if ch == '[':
            depth += 1
        elif ch == ']':
            depth = max(0, depth - 1)
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ''
        else:
            cur += ch
    parts.append(cur)
    return parts


def http_signatures(section):
    """(label, sys, ver, [(name, value or None, optional)], [absent], sw) per stock HTTP signature."""
    path = os.path.join(REPO, 'data', 'p0f.fp')
    current, label, sys_, sigs = None, None, None, []
    with open(path, encoding='latin-1') as f:
        for line in f:
            line = line.strip()
            if line.startswith('['):
                current = line
                continue
            if current != section or '=' not in line or line.startswith(';'):
                continue
            key, value = [x.strip() for x in line.split('=', 1)]
            if key == 'label':
                label, sys_ = value, None
            elif key == 'sys':
                sys_ = value
            elif key == 'sig':
                ver, rest = value.split(':', 1)
                fields = _split_top(rest, ':')
                headers = []
                for item in _split_top(fields[0], ','):
                    if not item:
                        continue
                    optional = item.startswith('?')
                    item = item.lstrip('?')
                    name, _, val = item.partition('=')
                    headers.append((name, val[1:-1] if val else None, optional))
                absent = [a for a in fields[1].split(',') if a]
                sw = ':'.join(fields[2:])
                sigs.append((label, sys_, ver, headers, absent, sw))
    return sigs


UA_SYSTEMS = ['Windows NT 6.1; WOW64', 'X11; Linux x86_64', 'Macintosh; Intel Mac OS X 10_9_2', 'iPhone; CPU iPhone OS 7_0',
              'X11; FreeBSD amd64', 'compatible', 'X11; SunOS i86pc', 'iPad; CPU OS 7_0']


def http_value(name, value, sw, k, request=True):
    """A header value that satisfies the signature's `value` (a substring) or a plausible default."""
    if value is not None:
        head = 'text/html,application/xhtml+xml' if value[:1] in ',;' else ''
        tail = '0.8' if value[-1:] in '=;,' else ''
        return head + value + tail
    if name == 'Host':
        return 'www%d.example.com' % (k % 7)
    if name in ('User-Agent', 'Server'):
        return 'Mozilla/5.0 (%s) %s1.%d' % (UA_SYSTEMS[k % len(UA_SYSTEMS)], sw, k % 10) if request \
            else '%s1.%d.%d' % (sw or 'httpd/', k % 4, k % 9)
    if name == 'Date':
        return 'Tue, 14 Nov 2023 22:%02d:%02d GMT' % (k // 60 % 60, k % 60)
    if name == 'Accept-Language':
        return ['en-US,en;q=0.5', 'de-DE,de;q=0.8', 'pl', 'zh-TW', 'EN', '*'][k % 6]
    return 'v%d' % k


def http_message(first, headers, sw, k, request=True, drop_optional=False, fake_sw=None):
    lines = [first]
    for name, value, optional in headers:
        if optional and (drop_optional or k % 2):
            continue
        text = http_value(name, value, sw, k, request)
        if fake_sw is not None and name in ('User-Agent', 'Server'):
            text = fake_sw
        lines.append('%s: %s' % (name, text))
    return ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')


def http_exchange(cap, cli, cport, srv, sport, request=None, response=None, cli_stack=LINUX,
                  srv_stack=LINUX_SRV, segments=None, resp_segments=None, gap_ms=5, close=True, v6=False):
    """Handshake, the request (optionally cut into `segments` pieces at the given offsets), the
    response (likewise), FIN from the client."""
    conv = Conversation(cap, cli, cport, srv, sport, v6=v6)
    conv.syn(cli_stack, ts=cport * 10, step_ms=gap_ms)
    conv.synack(srv_stack, ts=sport * 10 + cport, tsecr=cport * 10, step_ms=gap_ms)
    conv.data(True, step_ms=gap_ms)
    for blob, cuts in ((request, segments), (response, resp_segments)):
        if blob is None:
            continue
        to_server = blob is request
        bounds = [0] + sorted(cuts or []) + [len(blob)]
        for a, b in zip(bounds, bounds[1:]):
            if b > a:
                conv.data(to_server, blob[a:b], flags=ACK | PSH, step_ms=gap_ms)
    if close:
        conv.fin(True, step_ms=gap_ms)
    return conv


@case
def c47_http_stock_requests():
    cap = Capture('c47_http_stock_requests', 'HTTP requests built from every [http:request] signature of '
                  'data/p0f.fp: header order and values as listed, optional headers present and left out, '
                  'absent headers absent, honest and dishonest User-Agents naming different systems, sent '
                  'by client stacks of several systems (app_vs_os, ua_vs_os), then a plain response')
    srv = ip4addr('192.0.2.60')
    stacks = [LINUX, WIN7, MACOS, FREEBSD, WINXP, UNKNOWN]
    n = 0
    for index, (label, sys_, ver, headers, absent, sw) in enumerate(http_signatures('[http:request]')):
        for variant in range(4):
            n += 1
            k = index * 4 + variant
            version = {'0': '1.0', '1': '1.1'}.get(ver, '1.1' if variant % 2 else '1.0')
            fake = 'Mozilla/5.0 (%s) Dishonest/1.0' % UA_SYSTEMS[k % len(UA_SYSTEMS)] if variant == 3 else None
            req = http_message('GET /item/%d HTTP/%s' % (k, version), headers, sw, k, drop_optional=variant == 2,
                               fake_sw=fake)
            resp = ('HTTP/1.1 200 OK\r\nServer: nginx/1.4.%d\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\n'
                    'Content-Type: text/html\r\nConnection: keep-alive\r\n\r\n' % (k % 10)).encode()
            http_exchange(cap, addr4(47, n % 300), 10000 + n, srv, 80, req, resp, cli_stack=stacks[k % len(stacks)])
    return cap


@case
def c48_http_stock_responses():
    cap = Capture('c48_http_stock_responses', 'HTTP responses built from every [http:response] signature, '
                  'several servers answering with a sequence of different server signatures on one port '
                  '(srv_sig_lb), Date headers that agree, lag and run ahead (date), optional headers present '
                  'and absent, dishonest Server strings')
    sigs = http_signatures('[http:response]')
    n = 0
    for s in range(24):
        server = addr4(48, s)
        srv_stack = [LINUX_SRV, WIN_SRV][s % 2]
        for j in range(len(sigs)):
            index = (s * 5 + j * (1 + s % 3)) % len(sigs)
            label, sys_, ver, headers, absent, sw = sigs[index]
            n += 1
            k = n
            version = {'0': '1.0', '1': '1.1'}.get(ver, '1.1')
            skew = [0, 0, -30, 20, 3600, -3600, 5][(s + j) % 7]
            when = T0 + (cap.usec // 1000000 - T0) + skew
            date = 'Tue, 14 Nov 2023 %02d:%02d:%02d GMT' % (when // 3600 % 24, when // 60 % 60, when % 60)
            hdrs = [(name, date if name == 'Date' else value, optional) for name, value, optional in headers]
            fake = 'Fakeserver/%d' % k if (s + j) % 9 == 4 else None
            resp = http_message('HTTP/%s 200 OK' % version, hdrs, sw, k, request=False,
                                drop_optional=(s + j) % 3 == 0, fake_sw=fake)
            req = b'GET / HTTP/1.1\r\nUser-Agent: curl/7.88.1\r\nHost: example.org\r\nAccept: */*\r\n\r\n'
            http_exchange(cap, addr4(148, n % 200), 20000 + n, server, 80 if s % 4 else 8080, req, resp,
                          srv_stack=srv_stack, gap_ms=300)
    return cap


CURL = b'GET / HTTP/1.1\r\nHost: 192.0.2.70\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n'
NGINX = (b'HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\n'
         b'Content-Type: text/html\r\nContent-Length: 5\r\nLast-Modified: Tue, 14 Nov 2023 20:00:00 GMT\r\n'
         b'Connection: keep-alive\r\nETag: "6553d0c0-5"\r\nAccept-Ranges: bytes\r\n\r\nhello')


def _req(*extra, first=b'GET / HTTP/1.1', end=b'\r\n'):
    return first + b'\r\n' + b''.join(extra) + end


@case
def c49_http_variants():
    cap = Capture('c49_http_variants', 'HTTP parsing variants: every two-letter Accept-Language code aa..zz and '
                  'odd language values; values of 199-201 and 1024-1025 bytes, with ] | and non-printable '
                  'bytes; 32/33 headers and 32/33-character names; bad header syntax; request lines (methods, '
                  'versions, lengths, bare LF); requests and responses split at every offset; out-of-order, '
                  'duplicate and overlapping segments; Via / X-Forwarded-For; Date formats; IPv6')
    srv = ip4addr('192.0.2.70')
    n = 0

    def ex(req, resp=NGINX, **kw):
        nonlocal n
        n += 1
        return http_exchange(cap, addr4(49, n % 500), 1024 + n, kw.pop('server', srv), kw.pop('sport', 80),
                             req, resp, **kw)

    letters = 'abcdefghijklmnopqrstuvwxyz'
    for a in letters:
        for b in letters:
            ex(CURL + b'Accept-Language: ' + (a + b).encode() + b'-XX,en;q=0.5\r\n\r\n', resp=None)
    for lang in [b'EN', b'e1', b'eng', b'*', b'en_US', b'pt_BR', b'zh-TW', b'de', b'', b' en', b'\ten', b'q',
                 b'en;q=1', b'1e', b'\xe9n', b'en\x7f']:
        ex(CURL + b'Accept-Language: ' + lang + b'\r\n\r\n')
        ex(CURL + b'Accept-Language:' + lang + b'\r\n\r\n')
    for size in (198, 199, 200, 201, 1022, 1023, 1024, 1025):
        for fill in (b'a', b']', b'|', b'\x01', b'\xff'):
            value = b'x' * (size - 1) + fill
            ex(CURL + b'X-Long: ' + value + b'\r\n\r\n')
            ex(CURL + b'Accept: ' + value + b'\r\n\r\n')
            ex(_req(b'Host: h\r\nUser-Agent: ' + value + b'\r\n', b'\r\n'))
            ex(CURL + b'\r\n', resp=b'HTTP/1.1 200 OK\r\nServer: ' + value + b'\r\nX-Pipe: ' + value + b'\r\n\r\n')
    for count in (31, 32, 33, 40):
        hdrs = b''.join(b'X-H%d: %d\r\n' % (i, i) for i in range(count - 3))
        ex(CURL + hdrs + b'\r\n')
        ex(CURL + b'\r\n', resp=b'HTTP/1.1 200 OK\r\n' + hdrs + b'Server: x\r\nDate: y\r\nA: b\r\n\r\n')
    for name in (b'X' * 31, b'X' * 32, b'X' * 33, b'X_Under-score9', b'X.Dot', b'X Space', b'', b'User-agent',
                 b'user-agent', b'USER-AGENT', b'Accept-language', b'via', b'X-Forwarded-For', b'Via'):
        ex(CURL + name + b': v|a]l\r\n\r\n')
        ex(CURL + b'\r\n', resp=b'HTTP/1.1 200 OK\r\nServer: s\r\n' + name + b': v\r\n\r\n')
    for line in [b'Host : x', b' folded continuation', b'\tTabbed: x', b'NoColon', b'Colon:NoSpace',
                 b'Two:  spaces', b'Tab:\tvalue', b'Empty:', b'Empty: ', b'CR: a\rb', b'Via:', b'Via: 1.1 proxy',
                 b'X-Forwarded-For: 198.51.100.7', b'X-Forwarded-For:', b'User-Agent:', b'User-Agent: ']:
        ex(CURL + line + b'\r\n\r\n')
    for first in [b'GET / HTTP/1.1', b'GET / HTTP/1.0', b'GET / HTTP/1.5', b'GET / HTTP/2.0', b'GET / HTTP/1.',
                  b'HEAD / HTTP/1.1', b'HEAD /x HTTP/1.0', b'POST / HTTP/1.1', b'OPTIONS * HTTP/1.1',
                  b'get / HTTP/1.1', b'GET  / HTTP/1.1', b'GET http://x/ HTTP/1.1', b'GET /', b'GET / HTTP/1.1 ',
                  b'GET /a HTTP/1', b'GET /' + b'a' * 1000 + b' HTTP/1.1', b'GET /' + b'a' * 1020 + b' HTTP/1.1',
                  b'GET /\x80 HTTP/1.1', b'GET /\x7f HTTP/1.1', b'GET /\x00 HTTP/1.1']:
        ex(first + b'\r\nHost: x\r\nUser-Agent: curl/8\r\nAccept: */*\r\n\r\n')
    for status in [b'HTTP/1.1 200 OK', b'HTTP/1.0 404 Not Found', b'HTTP/1.5 200 OK', b'HTTP/2 200',
                   b'http/1.1 200 OK', b'HTTP/1.1 200', b'HTTP/1.1 301 Moved Permanently' + b' ' * 1000,
                   b'ICY 200 OK']:
        ex(CURL + b'\r\n', resp=status + b'\r\nServer: Apache/2.4.57\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\n'
           b'Content-Type: text/html\r\n\r\n')
    ex(b'GET / HTTP/1.1\nHost: x\nUser-Agent: curl/8\nAccept: */*\n\n', resp=NGINX.replace(b'\r\n', b'\n'))
    ex(b'GET / HTTP/1.1\r\r\nHost: x\r\n\r\n')
    # splits at every offset (the response split loses a line: p0f re-reads the status line)
    whole = CURL + b'Accept-Language: fr-CA\r\n\r\n'
    for cut in range(1, len(whole)):
        ex(whole, segments=[cut])
    for cut in range(1, len(NGINX), 3):
        ex(CURL + b'\r\n', resp_segments=[cut])
    ex(whole, segments=list(range(1, len(whole))))                 # one byte per segment
    ex(CURL + b'\r\n', resp_segments=list(range(1, 200, 7)))
    # out of order, duplicate and overlapping segments
    for pattern in range(6):
        n += 1
        conv = Conversation(cap, addr4(49, 600 + pattern), 5000 + pattern, srv, 80)
        conv.syn(LINUX, ts=9, step_ms=1)
        conv.synack(LINUX_SRV, ts=9, tsecr=9, step_ms=1)
        a, b = whole[:40], whole[40:]
        if pattern == 0:       # second half first, then the first, then the second again
            conv.data(True, b, seq_delta=len(a), step_ms=1)
            conv.data(True, a, step_ms=1)
            conv.data(True, b, step_ms=1)
        elif pattern == 1:     # first half twice
            conv.data(True, a, step_ms=1)
            conv.data(True, a, seq_delta=-len(a), step_ms=1)
            conv.data(True, b, step_ms=1)
        elif pattern == 2:     # overlapping: 0..40 then 20..end (not in sequence: stalls)
            conv.data(True, a, step_ms=1)
            conv.data(True, whole[20:], seq_delta=-20, step_ms=1)
        elif pattern == 3:     # only the second half ever arrives
            conv.data(True, b, seq_delta=len(a), step_ms=1)
        elif pattern == 4:     # server data before the request is complete
            conv.data(True, a, step_ms=1)
            conv.data(False, NGINX, step_ms=1)
            conv.data(True, b, step_ms=1)
        else:                  # pipelined second request in the same segment, then a reply
            conv.data(True, whole + whole, step_ms=1)
            conv.data(False, NGINX, step_ms=1)
        conv.fin(True, step_ms=1)
    # Via and X-Forwarded-For on requests and responses (via reason); Date formats on one server
    for k in range(6):
        ex(CURL + b'Via: 1.1 squid\r\n\r\n', resp=NGINX.replace(b'Server:', b'Via: 1.1 cache\r\nServer:'))
        ex(CURL + b'X-Forwarded-For: 203.0.113.%d\r\n\r\n' % k)
    dated = ip4addr('192.0.2.71')
    for k, date in enumerate([b'Tue, 14 Nov 2023 22:13:20 GMT', b'Tue, 14 Nov 2023 22:13:50 GMT',
                              b'Tue, 14 Nov 2023 22:13:00 GMT', b'Tue, 14 Nov 2023 23:13:20 GMT',
                              b'Tuesday, 14-Nov-23 22:13:20 GMT', b'Tue Nov 14 22:13:20 2023', b'garbage',
                              b'Tue, 14 Nov 2023 22:13:20 GMT', b'Tue, 14 nov 2023 22:13:20 GMT',
                              b'Tue, 14 Nov 2023 22:13:20', b'Mon, 01 Jan 2024 00:00:00 GMT',
                              b'Sun, 31 Dec 1899 23:59:59 GMT', b'Tue, 14 Nov 2023 25:61:61 GMT',
                              b'Fri, 13 Nov 2023 22:13:20 GMT', b'Tue, 14 Nov 2023 22:14:20 +0100']):
        ex(CURL + b'\r\n', resp=b'HTTP/1.1 200 OK\r\nServer: Apache/2.4\r\nDate: ' + date +
           b'\r\nContent-Type: text/html\r\n\r\n', server=dated, gap_ms=2000)
    # IPv6 clients and servers
    for k in range(20):
        n += 1
        http_exchange(cap, addr6(49, k), 7000 + k, ip6addr('2001:db8:ffff::70'), 80,
                      CURL + b'Accept-Language: ja\r\n\r\n', NGINX, v6=True)
    return cap


@case
def c50_http_bad_input():
    cap = Capture('c50_http_bad_input', 'HTTP bad input: headers that never end (the 8192-byte buffer fills, '
                  'both directions), thousands of headers over many segments, binary garbage in requests, '
                  'headers and responses, NUL bytes, a server that speaks first, data on untracked flows, '
                  'a FIN carrying the request')
    srv = ip4addr('192.0.2.80')
    n = 0
    seed = 99

    def noise(k):
        nonlocal seed
        out = bytearray()
        for _ in range(k):
            seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
            out.append((seed >> 16) & 0xFF)
        return bytes(out)

    def conv_for():
        nonlocal n
        n += 1
        c = Conversation(cap, addr4(50, n), 3000 + n, srv, 80)
        c.syn(LINUX, ts=n, step_ms=1)
        c.synack(LINUX_SRV, ts=n, tsecr=n, step_ms=1)
        return c

    # no end of headers: 9000+ bytes of header lines, 1400-byte segments
    endless = CURL + b''.join(b'X-Filler-%05d: %s\r\n' % (i, b'y' * 40) for i in range(200))
    for direction in ('request', 'response', 'both'):
        c = conv_for()
        if direction == 'response':
            c.data(True, CURL + b'\r\n', step_ms=1)
        for off in range(0, len(endless), 1400):
            if direction in ('request', 'both'):
                c.data(True, endless[off:off + 1400], step_ms=1)
            if direction in ('response', 'both'):
                c.data(False, b'HTTP/1.1 200 OK\r\n' + endless[off:off + 1400] if off == 0 else
                       endless[off:off + 1400], step_ms=1)
        c.fin(True, step_ms=1)
    # thousands of tiny headers (aborts at the 33rd; the rest arrive on a dead flow)
    many = CURL + b''.join(b'A%d: b\r\n' % i for i in range(5000)) + b'\r\n'
    c = conv_for()
    for off in range(0, len(many), 1000):
        c.data(True, many[off:off + 1000], step_ms=1)
    c = conv_for()
    c.data(True, CURL + b'\r\n', step_ms=1)
    resp_many = b'HTTP/1.1 200 OK\r\n' + many[len(CURL):]
    for off in range(0, len(resp_many), 1000):
        c.data(False, resp_many[off:off + 1000], step_ms=1)
    # binary garbage: whole requests, after a good request line, inside a header value, in the response
    for k in range(30):
        c = conv_for()
        kind = k % 6
        if kind == 0:
            c.data(True, noise(300), step_ms=1)
        elif kind == 1:
            c.data(True, b'GET / HTTP/1.1\r\n' + noise(200), step_ms=1)
        elif kind == 2:
            c.data(True, CURL + b'X-Bin: ' + noise(50).replace(b'\n', b'.') + b'\r\n\r\n', step_ms=1)
            c.data(False, NGINX, step_ms=1)
        elif kind == 3:
            c.data(True, CURL + b'\r\n', step_ms=1)
            c.data(False, noise(400), step_ms=1)
        elif kind == 4:
            c.data(True, CURL + b'\r\n', step_ms=1)
            c.data(False, b'HTTP/1.1 200 OK\r\n' + noise(100), step_ms=1)
        else:
            c.data(True, b'GET / HTTP/1.1\x00\r\nHost: x\x00y\r\n\r\n', step_ms=1)
            c.data(False, b'HTTP/1.1 200 OK\r\nServer: a\x00b\r\n\r\n', step_ms=1)
        c.fin(True, step_ms=1)
    # the server speaks first (SMTP-like banner), then the client sends a request
    c = conv_for()
    c.data(False, b'220 mail.example ESMTP\r\n', step_ms=1)
    c.data(True, CURL + b'\r\n', step_ms=1)
    # data for a flow p0f never saw the SYN of, and for a flow without SYN+ACK
    stray = Conversation(cap, addr4(50, 900), 4444, srv, 80)
    stray.data(True, CURL + b'\r\n', step_ms=1)
    c = Conversation(cap, addr4(50, 901), 4445, srv, 80)
    c.syn(LINUX, ts=5, step_ms=1)
    c.data(True, CURL + b'\r\n', step_ms=1)
    # the request arrives on a FIN (p0f ends the flow without reading it) and on a RST
    for flags in (FIN | ACK | PSH, RST | ACK):
        c = conv_for()
        c.data(True, CURL + b'\r\n', flags=flags, step_ms=1)
    return cap


# ----------------------------------------------------------------------------------
# cache limits and clocks that jump (-t conn,host and -m conns,hosts)
# ----------------------------------------------------------------------------------

def _cache_traffic(cap, net, hosts, rounds, jumps):
    """Clients that come back round after round (HTTP, open flows, OS changes), with the packet
    clock moved by `jumps[round]` seconds (negative: backwards) before each round."""
    srv = ip4addr('192.0.2.90')
    stacks = [LINUX, WIN7, MACOS]
    for r in range(rounds):
        ms(cap, jumps[r % len(jumps)] * 1000)
        for h in range(hosts):
            cli = addr4(net, h)
            port = 10000 + r * 100 + h
            stack = stacks[(h + (r if h % 4 == 0 else 0)) % len(stacks)]
            conv = Conversation(cap, cli, port, srv, 80)
            conv.syn(stack, ts=1000 + r * 5000 + h, step_ms=7)
            conv.synack(LINUX_SRV, ts=50000 + r * 700, tsecr=1, step_ms=7)
            if h % 3 == 0:
                conv.data(True, CURL + b'\r\n', flags=ACK | PSH, step_ms=7)
                conv.data(False, NGINX, flags=ACK | PSH, step_ms=7)
            elif h % 3 == 1:
                conv.data(True, b'GET / HTTP/1.1\r\nHost: x\r\n', flags=ACK | PSH, step_ms=7)   # left open
            conv.fin(True, step_ms=3) if h % 5 == 0 else None
        # late SYN+ACKs / data for flows that the caps or ages may have removed meanwhile
        for h in range(0, hosts, 4):
            late = Conversation(cap, addr4(net, h), 10000 + r * 100 + h, srv, 80)
            late.cseq += 1
            late.synack(LINUX_SRV, ts=1, tsecr=1, step_ms=5)
            late.data(True, b'Accept: */*\r\n\r\n', seq_delta=0, flags=ACK | PSH, step_ms=5)


def _limits_case(name, desc, net, args, hosts, rounds, jumps):
    cap = Capture(name, desc, args=args)
    _cache_traffic(cap, net, hosts, rounds, jumps)
    return cap


@case
def c51_limits_small():
    return _limits_case('c51_limits_small', 'Cache limits -m 3,8 -t 2,1: twelve clients in rounds (HTTP, open '
                        'flows, OS changes): flows evicted at the cap (1 + 10 %), hosts evicted one at a time, '
                        'late SYN+ACKs and data for removed flows; rounds 1 s, 3 s and 70 s apart',
                        51, ['-m', '3,8', '-t', '2,1'], 12, 9, [1, 3, 70])


@case
def c52_limits_clock_backwards():
    return _limits_case('c52_limits_clock_backwards', 'Cache limits -m 10,40 -t 5,2 with the packet clock jumping '
                        'back (-40 s, -1 s, -3600 s) and forward (+200 s): p0f\'s unsigned ages make a backwards '
                        'jump expire everything older; uptime and host-change state reset accordingly',
                        52, ['-m', '10,40', '-t', '5,2'], 30, 8, [2, -40, 1, -1, 200, -3600, 4, 2])


@case
def c53_limits_defaults_flood():
    cap = Capture('c53_limits_defaults_flood', 'Default limits, flooded: 12,000 sources (more than the 10,000 '
                  'hosts) and 1,200 simultaneous connections (more than the 1,000 flows), then the first '
                  'sources again with another OS (no host change once evicted)')
    srv = ip4addr('192.0.2.91')
    for n in range(12000):
        cli = ip4addr('10.%d.%d.%d' % (53 + n // 62500, n // 250 % 250, n % 250 + 1))
        conv = Conversation(cap, cli, 1024 + n % 50000, srv, 25)
        conv.syn(LINUX if n % 2 else WIN7, ts=n + 1, step_ms=0)
        cap.usec += 300
        if n % 10 == 0:
            conv.synack(LINUX_SRV, ts=n + 7, tsecr=n + 1, step_ms=0)
            cap.usec += 300
    for n in list(range(0, 30)) + list(range(11970, 12000)):
        cli = ip4addr('10.%d.%d.%d' % (53 + n // 62500, n // 250 % 250, n % 250 + 1))
        conv = Conversation(cap, cli, 2000 + n % 50000, srv, 25)
        conv.syn(WIN7 if n % 2 else LINUX, ts=n + 9, step_ms=50)
    return cap
