#!/usr/bin/python3
"""Bad-input captures too large to commit, generated at test time by the differential harness
(tests/P0fSharp.Conformance.Tests, group "generated", cases stress_*). Deterministic.

Usage:  /usr/bin/python3 tests/data/gen_stress.py KIND OUT.pcap

KIND
  million-headers  a request with 1,000,000 header lines (about 9 MB in 1448-byte segments),
                   a response with 200,000 header lines, then ordinary exchanges: p0f stops
                   reading at the 33rd header and must carry on normally afterwards
  flood            100,000 distinct IPv4 and IPv6 sources, one SYN each (every fourth one
                   answered), then early sources return with another OS: far past the host cap
  conn-flood       30,000 connections from 3,000 hosts left open, then their SYN+ACKs and
                   requests arrive: far past the connection cap
"""
import struct
import sys

from craftlib import (ACK, PSH, SYN, T0, be32, ether, ip4addr, ip6addr, ipv4, ipv6, o_mss, o_nop, o_sok, o_ts,
                      o_ws, tcp)

LINUX = lambda ts: o_mss(1460) + o_sok() + o_ts(ts, 0) + o_nop() + o_ws(7)   # noqa: E731
WIN = o_mss(1460) + o_nop() + o_ws(8) + o_nop(2) + o_sok()
SERVER = ip4addr('192.0.2.99')


class Writer:
    """Classic little-endian pcap, Ethernet, microsecond stamps; 1 ms between frames by default."""

    def __init__(self, path):
        self.f = open(path, 'wb')
        self.f.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.usec = T0 * 1000000

    def add(self, l3, step_us=1000):
        frame = ether(l3)
        self.f.write(struct.pack('<IIII', self.usec // 1000000, self.usec % 1000000, len(frame), len(frame)) + frame)
        self.usec += step_us

    def close(self):
        self.f.close()


def v4(n):
    return bytes([198, 18 + (n >> 16 & 1), n >> 8 & 0xFF, n & 0xFF])


def v6(n):
    return ip6addr('2001:db8:%x::%x' % (n >> 16, n & 0xFFFF))


def packet(src, dst, sport, dport, seq, ack, flags, win, opts=b'', payload=b'', ttl=64):
    if len(src) == 16:
        return ipv6(src, dst, tcp(src, dst, sport, dport, seq, ack, flags, win, opts, payload=payload, v6=True),
                    hlim=ttl)
    return ipv4(src, dst, tcp(src, dst, sport, dport, seq, ack, flags, win, opts, payload=payload), ttl=ttl)


def exchange(w, cli, port, request, response, srv=SERVER, segment=1448):
    """SYN, SYN+ACK, ACK, the request and the response in segments of `segment` bytes."""
    cseq, sseq = 0x1000 + port * 3, 0x9000 + port * 5
    w.add(packet(cli, srv, port, 80, cseq, 0, SYN, 29200, LINUX(port)))
    w.add(packet(srv, cli, 80, port, sseq, cseq + 1, SYN | ACK, 28960, LINUX(port * 2)))
    cseq, sseq = cseq + 1, sseq + 1
    w.add(packet(cli, srv, port, 80, cseq, sseq, ACK, 229))
    for blob, to_server in ((request, True), (response, False)):
        for off in range(0, len(blob), segment):
            chunk = blob[off:off + segment]
            if to_server:
                w.add(packet(cli, srv, port, 80, cseq, sseq, ACK | PSH, 229, payload=chunk), step_us=50)
                cseq += len(chunk)
            else:
                w.add(packet(srv, cli, 80, port, sseq, cseq, ACK | PSH, 227, payload=chunk), step_us=50)
                sseq += len(chunk)


CURL = b'GET / HTTP/1.1\r\nHost: 192.0.2.99\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n'
NGINX = (b'HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\n'
         b'Content-Type: text/html\r\nConnection: close\r\n\r\n')


def million_headers(w):
    cli = ip4addr('203.0.113.10')
    headers = b''.join(b'X-%d: %d\r\n' % (i, i) for i in range(1000000))
    exchange(w, cli, 40000, b'GET / HTTP/1.1\r\nHost: a\r\n' + headers + b'\r\n', NGINX)
    exchange(w, cli, 40001, CURL, b'HTTP/1.1 200 OK\r\n' + headers[:1500000] + b'\r\n')
    for k in range(50):
        exchange(w, ip4addr('203.0.113.%d' % (20 + k % 5)), 41000 + k, CURL, NGINX)


def flood(w):
    for n in range(100000):
        src = v6(n) if n % 10 == 9 else v4(n)
        dst = ip6addr('2001:db8:ffff::99') if len(src) == 16 else SERVER
        opts = WIN if n % 3 else LINUX(n)
        w.add(packet(src, dst, 1024 + n % 60000, 80, n * 7, 0, SYN, 8192 if n % 3 else 29200, opts,
                     ttl=128 if n % 3 else 64), step_us=20)
        if n % 4 == 0:
            w.add(packet(dst, src, 80, 1024 + n % 60000, n * 11, n * 7 + 1, SYN | ACK, 28960, LINUX(n)), step_us=20)
    # The first sources come back with the other OS: only those still tracked report a change.
    for n in list(range(0, 200)) + list(range(99800, 100000)):
        src = v6(n) if n % 10 == 9 else v4(n)
        dst = ip6addr('2001:db8:ffff::99') if len(src) == 16 else SERVER
        opts = LINUX(n + 5000) if n % 3 else WIN
        w.add(packet(src, dst, 2000 + n % 60000, 80, n * 13, 0, SYN, 29200 if n % 3 else 8192, opts,
                     ttl=64 if n % 3 else 128), step_us=500)


def conn_flood(w):
    flows = []
    for k in range(30000):
        cli = v4(k % 3000)
        port = 10000 + k // 3000 * 100 + k % 100
        seq = k * 1000 + 1
        w.add(packet(cli, SERVER, port, 80, seq, 0, SYN, 29200, LINUX(k)), step_us=100)
        flows.append((cli, port, seq))
    for k, (cli, port, seq) in enumerate(flows):
        w.add(packet(SERVER, cli, 80, port, 0x5000 + k, seq + 1, SYN | ACK, 28960, LINUX(k)), step_us=100)
        if k % 10 == 0:
            w.add(packet(cli, SERVER, port, 80, seq + 1, 0x5001 + k, ACK | PSH, 229, payload=CURL), step_us=100)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    builders = {'million-headers': million_headers, 'flood': flood, 'conn-flood': conn_flood}
    if kind not in builders:
        sys.exit('unknown kind %r (one of %s)' % (kind, ', '.join(builders)))
    w = Writer(out)
    builders[kind](w)
    w.close()


if __name__ == '__main__':
    main()
