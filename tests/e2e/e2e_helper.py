#!/usr/bin/env python3
"""Helpers for tests/e2e/rspamd-e2e.sh (standard library only).

  e2e_helper.py query SOCK IP [--wait S] [--timeout S]
        Ask a p0f v3 API daemon about IP; print the decoded answer as one JSON object.
        --wait S repeats the query (every 0.1 s, at most S seconds) until the status is OK.
        Exit: 0 ok, 1 no match, 2 bad query, 3 transport or protocol error.
  e2e_helper.py decode FILE
        Decode a saved raw answer (e.g. a redis cache value) to JSON; exit as above.
  e2e_helper.py fake --sock PATH --mode-file FILE [--lifetime S] [--ready-file F]
        A misbehaving API server. The mode is read from FILE at every connection, so one
        process plays every role in turn; each query is logged to PATH.log.
  e2e_helper.py sink --listen ADDR [--listen ADDR] --outdir DIR [--port 25] [--lifetime S]
                     [--ready-file F]
        A minimal SMTP server that stores each message (with a Received header naming the
        peer) as DIR/msg-N.eml.

Wire format (host byte order): query = u32 magic 0x50304601, u8 address type 4|6, 16 address
bytes; answer = 232 bytes: u32 magic 0x50304602, u32 status (0x00 bad query, 0x10 ok, 0x20
no match), 7 x u32 (first_seen, last_seen, total_conn, uptime_min, up_mod_days, last_nat,
last_chg), s16 distance, u8 bad_sw, u8 os_match_q, six 32-byte strings (os_name, os_flavor,
http_name, http_flavor, link_type, language).
"""

import argparse
import ipaddress
import json
import os
import selectors
import socket
import struct
import sys
import threading
import time

Q_MAGIC, A_MAGIC = 0x50304601, 0x50304602
A_FORMAT = "=9IhBB32s32s32s32s32s32s"
A_LEN = struct.calcsize(A_FORMAT)
assert A_LEN == 232
NAMES = ("magic", "status", "first_seen", "last_seen", "total_conn", "uptime_min",
         "up_mod_days", "last_nat", "last_chg", "distance", "bad_sw", "os_match_q",
         "os_name", "os_flavor", "http_name", "http_flavor", "link_type", "language")
STATUS = {0x00: "BADQUERY", 0x10: "OK", 0x20: "NOMATCH"}
EXIT = {0x10: 0, 0x20: 1, 0x00: 2}


class ProtocolError(Exception):
    pass


def make_query(ip):
    addr = ipaddress.ip_address(ip)
    return struct.pack("=IB", Q_MAGIC, addr.version) + addr.packed.ljust(16, b"\0")


def decode(raw):
    if len(raw) != A_LEN:
        raise ProtocolError("answer of %d bytes, expected %d" % (len(raw), A_LEN))
    d = dict(zip(NAMES, struct.unpack(A_FORMAT, raw)))
    if d["magic"] != A_MAGIC:
        raise ProtocolError("bad magic 0x%08x" % d["magic"])
    for k in NAMES[12:]:
        d[k] = d[k].split(b"\0", 1)[0].decode("latin-1")
    d["status_name"] = STATUS.get(d["status"], "0x%x" % d["status"])
    # what rspamd's stock p0f module (3.4) inserts for an OK answer: P0F[os, link=, distance=]
    keep = lambda s: "".join(c for c in s if (c.isascii() and c.isalnum()) or c in " -_\\.()")
    name, flavor, link = keep(d["os_name"]), keep(d["os_flavor"]), keep(d["link_type"])
    d["stock_os"] = (name + " " + flavor) if name else "unknown"
    d["stock_options"] = [d["stock_os"], "link=" + (link or "unknown"), "distance=%d" % d["distance"]]
    d["os_string"] = (d["os_name"] + (" " + d["os_flavor"] if d["os_flavor"] else "")) if d["os_name"] else "unknown"
    return d


def ask(sock_path, ip, timeout):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
        s.sendall(make_query(ip))
        buf = b""
        while len(buf) < A_LEN:
            chunk = s.recv(A_LEN - len(buf))
            if not chunk:
                break
            buf += chunk
    except OSError as e:
        raise ProtocolError("%s: %s" % (sock_path, e))
    finally:
        s.close()
    return decode(buf)


def cmd_query(a):
    deadline = time.monotonic() + max(0.0, a.wait)
    for _ in range(100000):
        try:
            d = ask(a.sock, a.ip, a.timeout)
            err = None
        except ProtocolError as e:
            d, err = None, str(e)
        if (d and d["status"] == 0x10) or time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    if d is None:
        print(json.dumps({"error": err}))
        return 3
    print(json.dumps(d))
    return EXIT.get(d["status"], 3)


def cmd_decode(a):
    with open(a.file, "rb") as f:
        raw = f.read()
    try:
        d = decode(raw)
    except ProtocolError as e:
        print(json.dumps({"error": str(e)}))
        return 3
    print(json.dumps(d))
    return EXIT.get(d["status"], 3)


# ---------------------------------------------------------------- misbehaving daemon

def answer(status, os_name=b"", flavor=b"", link=b"", dist=0, magic=A_MAGIC, up=(0, 0)):
    now = int(time.time())
    return struct.pack(A_FORMAT, magic, status, now, now, 1, up[0], up[1], 0, 0, dist, 0, 0,
                       os_name, flavor, b"", b"", link, b"")


FAKE_OK = answer(0x10, b"FakeOS", b"1.0", b"Fake link", 7, up=(4321, 49))

MODES = {
    # mode: what the fake daemon does after the 21-byte query arrived
    "silent": "never answer (client must time out)",
    "close": "close without answering",
    "short": "100 bytes of an OK answer, then close",
    "partialhang": "100 bytes of an OK answer, then silence",
    "split": "an OK answer in two writes 150 ms apart",
    "trickle": "an OK answer one byte every 50 ms",
    "slow": "an OK answer after 3 s",
    "slowok": "an OK answer after 0.3 s",
    "garbage": "232 bytes of noise",
    "long": "an OK answer followed by 68 more bytes",
    "badmagic": "an OK answer with magic 0xdeadbeef",
    "badquery": "status 0x00 (bad query)",
    "badstatus": "status 0x55",
    "nomatch": "status 0x20 (no match)",
    "ok": "OK: FakeOS 1.0, link 'Fake link', distance 7, uptime 4321 min",
}


def serve_fake(conn, mode_file, log_path, hold):
    try:
        with open(mode_file) as mf:
            mode = mf.read().strip()
        conn.settimeout(hold)
        q = b""
        while len(q) < 21:
            c = conn.recv(21 - len(q))
            if not c:
                return
            q += c
        with open(log_path, "a") as lg:
            lg.write("%.3f %s %s\n" % (time.time(), mode, q.hex()))
        if mode == "silent":
            time.sleep(hold)
        elif mode == "close":
            pass
        elif mode == "short":
            conn.sendall(FAKE_OK[:100])
        elif mode == "partialhang":
            conn.sendall(FAKE_OK[:100])
            time.sleep(hold)
        elif mode == "split":
            conn.sendall(FAKE_OK[:116])
            time.sleep(0.15)
            conn.sendall(FAKE_OK[116:])
        elif mode == "trickle":
            for i in range(A_LEN):
                conn.sendall(FAKE_OK[i:i + 1])
                time.sleep(0.05)
        elif mode == "slow":
            time.sleep(3.0)
            conn.sendall(FAKE_OK)
        elif mode == "slowok":
            time.sleep(0.3)
            conn.sendall(FAKE_OK)
        elif mode == "garbage":
            conn.sendall(os.urandom(A_LEN))
        elif mode == "long":
            conn.sendall(FAKE_OK + os.urandom(68))
        elif mode == "badmagic":
            conn.sendall(answer(0x10, b"FakeOS", b"1.0", b"Fake link", 7, magic=0xDEADBEEF))
        elif mode == "badquery":
            conn.sendall(answer(0x00))
        elif mode == "badstatus":
            conn.sendall(answer(0x55, b"FakeOS", b"1.0", b"Fake link", 7))
        elif mode == "nomatch":
            conn.sendall(answer(0x20))
        elif mode == "ok":
            conn.sendall(FAKE_OK)
        else:
            print("fake: unknown mode %r, closing" % mode, file=sys.stderr)
        time.sleep(0.2)
    except OSError:
        pass
    finally:
        conn.close()


def cmd_fake(a):
    try:
        os.unlink(a.sock)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(a.sock)
    os.chmod(a.sock, 0o666)
    s.listen(32)
    s.settimeout(0.25)
    if a.ready_file:
        with open(a.ready_file, "w") as r:
            r.write("%d\n" % os.getpid())
    deadline = time.monotonic() + a.lifetime
    while time.monotonic() < deadline:
        try:
            conn, _ = s.accept()
        except socket.timeout:
            continue
        hold = max(0.5, min(20.0, deadline - time.monotonic()))
        threading.Thread(target=serve_fake, args=(conn, a.mode_file, a.sock + ".log", hold),
                         daemon=True).start()
    s.close()
    try:
        os.unlink(a.sock)
    except OSError:
        pass
    return 0


# ---------------------------------------------------------------- SMTP sink

def smtp_session(conn, peer, outdir, seq):
    f = conn.makefile("rb")

    def reply(text):
        conn.sendall(text.encode() + b"\r\n")

    reply("220 sink.e2e.test ESMTP")
    helo, body, in_data = "unknown", [], False
    for _ in range(100000):
        line = f.readline(65536)
        if not line:
            break
        if in_data:
            if line in (b".\r\n", b".\n"):
                in_data = False
                seq += 1
                stamp = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
                hdr = "Received: from %s ([%s]) by sink.e2e.test with ESMTP; %s\r\n" % (helo, peer, stamp)
                path = os.path.join(outdir, "msg-%d.eml" % seq)
                with open(path + ".part", "wb") as out:
                    out.write(hdr.encode() + b"".join(body))
                os.rename(path + ".part", path)
                body = []
                reply("250 2.0.0 queued as %d" % seq)
            else:
                body.append(line[1:] if line.startswith(b"..") else line)
            continue
        cmd = line.decode("latin-1").strip()
        verb = cmd.split(" ", 1)[0].upper()
        if verb in ("EHLO", "HELO"):
            helo = cmd.split(" ", 1)[1] if " " in cmd else "unknown"
            reply("250 sink.e2e.test")
        elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
            reply("250 2.0.0 ok")
        elif verb == "DATA":
            in_data = True
            reply("354 go ahead")
        elif verb == "QUIT":
            reply("221 2.0.0 bye")
            break
        else:
            reply("502 5.5.2 not implemented")
    return seq


def cmd_sink(a):
    os.makedirs(a.outdir, exist_ok=True)
    sel = selectors.DefaultSelector()
    for addr in a.listen:
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, a.port))
        s.listen(8)
        sel.register(s, selectors.EVENT_READ)
    if a.ready_file:
        with open(a.ready_file, "w") as r:
            r.write("%d\n" % os.getpid())
    deadline = time.monotonic() + a.lifetime
    seq = 0
    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.25):
            conn, peer = key.fileobj.accept()
            conn.settimeout(10)
            try:
                seq = smtp_session(conn, peer[0], a.outdir, seq)
            except OSError as e:
                print("sink: %s: %s" % (peer[0], e), file=sys.stderr)
            finally:
                conn.close()
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("query")
    q.add_argument("sock")
    q.add_argument("ip")
    q.add_argument("--wait", type=float, default=0.0)
    q.add_argument("--timeout", type=float, default=2.0)
    d = sub.add_parser("decode")
    d.add_argument("file")
    f = sub.add_parser("fake", formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="modes (first line of --mode-file, re-read per connection):\n" +
                       "\n".join("  %-12s %s" % kv for kv in MODES.items()))
    f.add_argument("--sock", required=True)
    f.add_argument("--mode-file", required=True)
    f.add_argument("--lifetime", type=float, default=120.0)
    f.add_argument("--ready-file")
    s = sub.add_parser("sink")
    s.add_argument("--listen", action="append", required=True)
    s.add_argument("--port", type=int, default=25)
    s.add_argument("--outdir", required=True)
    s.add_argument("--lifetime", type=float, default=600.0)
    s.add_argument("--ready-file")
    a = ap.parse_args()
    return {"query": cmd_query, "decode": cmd_decode, "fake": cmd_fake, "sink": cmd_sink}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
