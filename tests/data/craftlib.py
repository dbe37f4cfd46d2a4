"""Byte builders and the capture model shared by the crafted-capture scripts.

craft_cases.py (quirks, options, link types, file formats) and craft_modules.py (uptime, host
change, ip sharing, HTTP, cache limits, bad input) assemble every frame with these helpers:
link headers, IPv4/IPv6, TCP with its options, all with valid checksums unless asked
otherwise. scapy is used only for its pcap / pcapng writers.
"""
import os
import struct

from scapy.utils import RawPcapNgWriter, RawPcapWriter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
T0 = 1700000000  # 2023/11/14 22:13:20 UTC, first packet of every capture

# ----------------------------------------------------------------------------------
# byte builders
# ----------------------------------------------------------------------------------

FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80


def be16(v):
    return struct.pack('!H', v & 0xFFFF)


def be32(v):
    return struct.pack('!I', v & 0xFFFFFFFF)


def ones_complement(data):
    if len(data) % 2:
        data += b'\x00'
    total = 0
    for i in range(0, len(data), 2):
        total += (data[i] << 8) | data[i + 1]
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def ip4addr(text):
    return bytes(int(part) for part in text.split('.'))


def ip6addr(text):
    """Parse an IPv6 address written with at most one '::'."""
    head, _, tail = text.partition('::')
    left = [int(g, 16) for g in head.split(':') if g] if head else []
    right = [int(g, 16) for g in tail.split(':') if g] if tail else []
    if '::' in text:
        groups = left + [0] * (8 - len(left) - len(right)) + right
    else:
        groups = left
    assert len(groups) == 8, text
    return b''.join(be16(g) for g in groups)


# TCP options: each helper returns the raw bytes of one option.
def o_eol(pad=0, pad_bytes=None):
    return b'\x00' + (pad_bytes if pad_bytes is not None else b'\x00' * pad)


def o_nop(count=1):
    return b'\x01' * count


def o_mss(value, length=4):
    return bytes([2, length]) + be16(value)


def o_ws(shift, length=3):
    return bytes([3, length, shift])


def o_sok(length=2):
    return bytes([4, length])


def o_sack(length=10):
    return bytes([5, length]) + bytes((i * 7 + 1) & 0xFF for i in range(length - 2))


def o_ts(tsval, tsecr=0, length=10):
    return bytes([8, length]) + be32(tsval) + be32(tsecr)


def o_kind(kind, length, fill=0x11):
    return bytes([kind, length]) + bytes([fill]) * max(0, length - 2)


LINUX = o_mss(1460) + o_sok() + o_ts(123456, 0) + o_nop() + o_ws(7)        # 20 bytes
WIN7 = o_mss(1460) + o_nop() + o_ws(8) + o_nop(2) + o_sok()              # 12 bytes
XP = o_mss(1460) + o_nop(2) + o_sok()                                    # 8 bytes
MAC = o_mss(1460) + o_nop() + o_ws(4) + o_nop(2) + o_ts(987654, 0) + o_sok() + o_eol(1)  # 24


def tcp(src, dst, sport, dport, seq, ack, flags, win, opts=b'', urp=0, payload=b'',
        doff=None, ns=False, pseudo_proto=6, v6=False):
    """A TCP header (with a valid checksum over the given pseudo header)."""
    if doff is None:
        assert len(opts) % 4 == 0, 'TCP options must be padded by the caller: %r' % opts
        doff = 5 + len(opts) // 4
    off_byte = ((doff & 0x0F) << 4) | (1 if ns else 0)
    header = be16(sport) + be16(dport) + be32(seq) + be32(ack) + bytes([off_byte, flags & 0xFF]) \
        + be16(win) + b'\x00\x00' + be16(urp) + opts
    seg_len = len(header) + len(payload)
    if v6:
        pseudo = src + dst + be32(seg_len) + b'\x00\x00\x00' + bytes([pseudo_proto])
    else:
        pseudo = src + dst + b'\x00' + bytes([pseudo_proto]) + be16(seg_len)
    csum = ones_complement(pseudo + header + payload)
    return header[:16] + be16(csum) + header[18:] + payload


def ipv4(src, dst, l4, ttl=64, ident=0x1234, df=True, tos=0, rsv=False, mf=False, frag=0,
         proto=6, opts=b'', ihl=None, tot_len=None, version=4):
    if ihl is None:
        assert len(opts) % 4 == 0
        ihl = 5 + len(opts) // 4
    if tot_len is None:
        tot_len = 20 + len(opts) + len(l4)
    flags = (0x8000 if rsv else 0) | (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag & 0x1FFF)
    header = bytes([(version << 4) | (ihl & 0x0F), tos]) + be16(tot_len) + be16(ident) + be16(flags) \
        + bytes([ttl, proto]) + b'\x00\x00' + src + dst + opts
    csum = ones_complement(header)
    return header[:10] + be16(csum) + header[12:] + l4


def ipv6(src, dst, l4, hlim=64, tc=0, flow=0, nh=6, plen=None, ext=b''):
    if plen is None:
        plen = len(ext) + len(l4)
    first = (6 << 28) | ((tc & 0xFF) << 20) | (flow & 0xFFFFF)
    return be32(first) + be16(plen) + bytes([nh, hlim]) + src + dst + ext + l4


MAC_SRV = bytes.fromhex('020000000001')
MAC_CLI = bytes.fromhex('020000000002')


def ether(l3, etype=None, vlans=(), dst=MAC_SRV, src=MAC_CLI, trailer=b''):
    if etype is None:
        etype = 0x86DD if l3[0] >> 4 == 6 else 0x0800
    tags = b''
    for tpid, vid in vlans:
        tags += be16(tpid) + be16(vid)
    return dst + src + tags + be16(etype) + l3 + trailer


def sll(l3, proto=None, pkttype=0):
    if proto is None:
        proto = 0x86DD if l3[0] >> 4 == 6 else 0x0800
    return be16(pkttype) + be16(1) + be16(6) + MAC_CLI + b'\x00\x00' + be16(proto) + l3


def sll2(l3, proto=None, pkttype=0):
    if proto is None:
        proto = 0x86DD if l3[0] >> 4 == 6 else 0x0800
    return be16(proto) + b'\x00\x00' + be32(2) + be16(1) + bytes([pkttype, 6]) + MAC_CLI + b'\x00\x00' + l3


def null_hdr(l3, family):
    return struct.pack('<I', family) + l3          # DLT_NULL: host (little-endian) order


def loop_hdr(l3, family):
    return struct.pack('!I', family) + l3          # DLT_LOOP: network order


def ppp_hdr(l3):
    return b'\xff\x03' + (b'\x00\x57' if l3[0] >> 4 == 6 else b'\x00\x21') + l3


def wifi_hdr(l3):
    """802.11 data frame (no QoS, no WEP) + LLC/SNAP: 24 + 8 = 32 bytes."""
    hdr = b'\x08\x00' + b'\x00\x00' + MAC_SRV + MAC_CLI + bytes.fromhex('020000000003') + b'\x00\x00'
    snap = b'\xaa\xaa\x03\x00\x00\x00' + (b'\x86\xdd' if l3[0] >> 4 == 6 else b'\x08\x00')
    return hdr + snap + l3


# ----------------------------------------------------------------------------------
# capture model
# ----------------------------------------------------------------------------------

LINK_ETHER, LINK_NULL, LINK_PPP, LINK_RAW_BSD, LINK_RAW_OBSD = 1, 0, 9, 12, 14
LINK_RAW, LINK_WIFI, LINK_LOOP, LINK_SLL, LINK_PFLOG, LINK_IPV4, LINK_IPV6, LINK_SLL2 = \
    101, 105, 108, 113, 117, 228, 229, 276


class Capture:
    """Packets of one case; add() takes the full frame (link header included)."""

    def __init__(self, name, desc, link=LINK_ETHER, fmt='pcap', fp=None, args=(), filt=None,
                 expect_lines=True, expect_exit=0, snaplen=65535):
        self.name, self.desc, self.link, self.fmt = name, desc, link, fmt
        self.fp, self.args, self.filter = fp, list(args), filt
        self.expect_lines, self.expect_exit, self.snaplen = expect_lines, expect_exit, snaplen
        self.records = []   # (frame, caplen, wirelen, time in microseconds, kind)
        self.usec = T0 * 1000000
        self.cut_at = None  # truncate the written file to this many bytes
        self.cut_from_end = None

    def add(self, frame, wirelen=None, caplen=None, step_ms=1000, kind='epb'):
        data = frame if caplen is None else frame[:caplen]
        self.records.append((data, len(data), wirelen if wirelen is not None else len(frame), self.usec, kind))
        self.usec += step_ms * 1000

    def write(self, outdir):
        ext = 'pcapng' if self.fmt.startswith('pcapng') else 'pcap'
        rel = 'pcaps/%s.%s' % (self.name, ext)
        path = os.path.join(outdir, rel)
        if self.fmt.startswith('pcapng'):
            writer = RawPcapNgWriter(path)
            writer.linktype = self.link
            writer._write_header(None)
            for data, caplen, wirelen, usec, kind in self.records:
                if kind == 'spb':
                    writer._write_block_spb(data)
                else:
                    writer._write_packet(data, sec=usec / 1e6, caplen=caplen, wirelen=wirelen)
            writer.close()
        else:
            endian = '>' if self.fmt == 'pcap-be' else '<'
            nano = self.fmt == 'pcap-nano'
            writer = RawPcapWriter(path, linktype=self.link, endianness=endian, nano=nano,
                                   snaplen=self.snaplen)
            writer._write_header(None)
            for data, caplen, wirelen, usec, _ in self.records:
                frac = (usec % 1000000) * (1000 if nano else 1)
                writer._write_packet(data, sec=usec // 1000000, usec=frac, caplen=caplen, wirelen=wirelen)
            writer.close()
        if self.cut_at is not None or self.cut_from_end is not None:
            with open(path, 'rb') as f:
                blob = f.read()
            keep = self.cut_at if self.cut_at is not None else len(blob) - self.cut_from_end
            with open(path, 'wb') as f:
                f.write(blob[:keep])
        return rel

    def meta(self, rel):
        return {
            'name': self.name, 'desc': self.desc, 'file': rel, 'fp': self.fp,
            'args': self.args, 'filter': self.filter,
            'expect_lines': self.expect_lines, 'expect_exit': self.expect_exit,
        }


SRV4 = ip4addr('192.0.2.1')
SRV6 = ip6addr('2001:db8:ffff::1')


class Hosts:
    """Hands out a fresh client address (and port) per packet so flows never collide."""

    def __init__(self, case_no):
        self.case_no, self.n = case_no, 0

    def next4(self):
        self.n += 1
        return ip4addr('10.%d.%d.%d' % (self.case_no, self.n // 250, self.n % 250 + 1)), 40000 + self.n

    def next6(self):
        self.n += 1
        return ip6addr('2001:db8:%x::%x' % (self.case_no, self.n)), 40000 + self.n


def syn4(h, opts=LINUX, win=29200, ttl=64, flags=SYN, seq=0x11111111, ack=0, urp=0, payload=b'',
         ns=False, doff=None, dport=80, dst=SRV4, **ip):
    src, sport = h.next4()
    seg = tcp(src, dst, sport, dport, seq, ack, flags, win, opts, urp, payload, doff, ns)
    return ipv4(src, dst, seg, ttl=ttl, **ip)


def syn6(h, opts=None, win=28800, hlim=64, flags=SYN, seq=0x22222222, ack=0, payload=b'', dst=SRV6, **ip):
    if opts is None:
        opts = o_mss(1440) + o_sok() + o_ts(123456, 0) + o_nop() + o_ws(7)
    src, sport = h.next6()
    seg = tcp(src, dst, sport, 80, seq, ack, flags, win, opts, 0, payload, v6=True)
    return ipv6(src, dst, seg, hlim=hlim, **ip)


def handshake4(cap, h, syn_opts=LINUX, syn_win=29200, sa_opts=None, sa_win=28960, sa_ttl=64, sa_flags=SYN | ACK,
               sa_ack=None, srv=SRV4, sa_df=True, sa_ident=0, syn_ttl=64, sa_tos=0, sa_payload=b'', sa_urp=0,
               link=ether):
    """Client SYN then server SYN+ACK on a fresh 4-tuple."""
    src, sport = h.next4()
    seq = 0x30000000 + h.n
    syn = ipv4(src, srv, tcp(src, srv, sport, 80, seq, 0, SYN, syn_win, syn_opts), ttl=syn_ttl)
    cap.add(link(syn))
    if sa_opts is None:
        sa_opts = o_mss(1460) + o_sok() + o_ts(555555, 123456) + o_nop() + o_ws(7)
    ack = seq + 1 if sa_ack is None else sa_ack
    sa = ipv4(srv, src, tcp(srv, src, 80, sport, 0x70000000 + h.n, ack, sa_flags, sa_win, sa_opts, sa_urp,
                            sa_payload), ttl=sa_ttl, df=sa_df, ident=sa_ident, tos=sa_tos)
    cap.add(link(sa))


# ----------------------------------------------------------------------------------
# packets built from the signatures of data/p0f.fp
# ----------------------------------------------------------------------------------

def stock_signatures(section):
    path = os.path.join(REPO, 'data', 'p0f.fp')
    current, sigs = None, []
    with open(path, encoding='latin-1') as f:
        for line in f:
            line = line.strip()
            if line.startswith('['):
                current = line
            elif current == section and line.startswith('sig') and '=' in line:
                sigs.append(line.split('=', 1)[1].strip())
    return sigs


def packet_for_signature(sig, index, h, response=False):
    """Build (ip_packet, v6) meant to match `sig`; returns the IP datagram bytes."""
    ver, ittl, olen, mss, wsc, layout, quirks, pclass = sig.split(':')
    wsize, scale = wsc.split(',')
    quirks = [q for q in quirks.split(',') if q]
    v6 = ver == '6' or (ver == '*' and index % 3 == 2) or 'flow' in quirks
    bad_ttl = ittl.endswith('-')
    base_ttl = int(ittl.rstrip('-').split('+')[0])
    ttl = max(1, base_ttl - (index % 7))
    mss_v = (1440 if v6 else 1460) if mss == '*' else int(mss)
    scale_v = 7 if scale == '*' else int(scale)
    if 'exws' in quirks and scale_v <= 14:
        scale_v = 15
    if wsize.startswith('mss*'):
        mult = int(wsize[4:])
        while mss_v * mult > 65535 and mss == '*':
            mss_v -= 100
        win = mss_v * mult
    elif wsize.startswith('mtu*'):
        mult = int(wsize[4:])
        win = (mss_v + (60 if v6 else 40)) * mult
    elif wsize.startswith('%'):
        div = int(wsize[1:])
        win = div * max(1, (65535 // div) // 2)
    elif wsize == '*':
        win = 16000 + index
    else:
        win = int(wsize)
    win &= 0xFFFF
    tsval = 0 if 'ts1-' in quirks else 1000 + index
    tsecr = 4242 if 'ts2+' in quirks else 0
    opts = b''
    items = [x for x in layout.split(',') if x]
    for pos, item in enumerate(items):
        if item == 'mss':
            opts += o_mss(mss_v, 5 if 'bad' in quirks else 4)
        elif item == 'ws':
            opts += o_ws(scale_v)
        elif item == 'sok':
            opts += o_sok()
        elif item == 'sack':
            opts += o_sack(10)
        elif item == 'ts':
            opts += o_ts(tsval, tsecr)
        elif item == 'nop':
            opts += o_nop()
        elif item.startswith('eol+'):
            pad = int(item[4:])
            pad_bytes = bytearray(pad)
            if 'opt+' in quirks and pad >= 2:
                pad_bytes[0] = 0x33
            opts += o_eol(pad_bytes=bytes(pad_bytes))
        elif item.startswith('?'):
            opts += o_kind(int(item[1:]), 2)
    if len(opts) % 4:
        opts += b'\x00' * (4 - len(opts) % 4)
    payload = b'P0F!' if pclass == '+' else b''
    flags = (SYN | ACK) if response else SYN
    if 'urgf+' in quirks:
        flags |= URG
    if 'pushf+' in quirks:
        flags |= PSH
    if 'ecn' in quirks and index % 2:
        flags |= ECE | CWR
    urp = 3 if 'uptr+' in quirks else 0
    seq = 0 if 'seq-' in quirks else 0x40000000 + index
    return dict(opts=opts, win=win, ttl=ttl, flags=flags, urp=urp, seq=seq, payload=payload, v6=v6,
                df='df' in quirks, ident=(0 if 'id-' in quirks or ('df' in quirks and 'id+' not in quirks)
                                          else 0x2000 + index),
                ecn='ecn' in quirks and not index % 2, rsv='0+' in quirks, flow='flow' in quirks,
                ack_plus='ack+' in quirks, ack_minus='ack-' in quirks, bad_ttl=bad_ttl,
                olen=int(olen) if olen.isdigit() else 0)
