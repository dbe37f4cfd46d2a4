#!/usr/bin/python3
"""HTTP edge-case captures for the real p0f 3.09b (P0fSharp engine tests, Data/x*.log).

Usage:  /usr/bin/python3 http_probes.py OUTDIR      (needs ../shared/p0f/vectors and scapy)
        ./run_probes.sh OUTDIR                        (runs p0f -r on each, TZ=UTC)
HttpProbeTests.cs rebuilds the same segments; keep both in step.
"""
import sys, os, json
sys.path.insert(0, "/work/shared/p0f/vectors")
from craft import Pcap, tcp, ip4, ip6, opts, o_mss, o_ws, o_sok, o_ts, o_nop, o_eol, linux_opts, win7_opts, SYN, ACK, FIN, RST, PSH
from make_vectors import linux_syn, synack, http_flow, CURL_REQ, NGINX_RESP

OUT = sys.argv[1] if len(sys.argv) > 1 else "probes"
CASES = []
def case(name, fp=None):
    def deco(fn):
        CASES.append((name, fp, fn)); return fn
    return deco

SRV = "192.0.2.1"
XDB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Data", "http_probe.fp")

def req(*hdrs, first=b"GET / HTTP/1.1", end=b"\r\n"):
    return first + end + b"".join(h + end for h in hdrs) + end

def resp(*hdrs, first=b"HTTP/1.1 200 OK", end=b"\r\n"):
    return first + end + b"".join(h + end for h in hdrs) + end

def tsflow(p, cli, req_segs, fin_ts=None, resp_segs=(), srv=SRV, cport=40000, sport=80, cseq=1000, sseq=50000):
    """Handshake; data segments without TCP options; optional FIN carrying TS (uptime if the flow survives)."""
    p.add(linux_syn(cli, sport=cport, dst=srv, dport=sport, seq=cseq, ts1=100000), dt=0.01)
    p.add(synack(cli, srv, cport, sport, cseq, sseq, 14600, linux_opts(1460, 7, 99, 100000)), dt=0.01)
    cs = cseq + 1
    for s in req_segs:
        p.add(ip4(cli, srv, tcp(cport, sport, seq=cs, ack=sseq + 1, flags=ACK | PSH, win=229, payload=s)), dt=0.01)
        cs += len(s)
    ss = sseq + 1
    for s in resp_segs:
        p.add(ip4(srv, cli, tcp(sport, cport, seq=ss, ack=cs, flags=ACK | PSH, win=227, payload=s), ipid=0), dt=0.01)
        ss += len(s)
    if fin_ts is not None:
        p.add(ip4(cli, srv, tcp(cport, sport, seq=cs, ack=ss, flags=FIN | ACK, win=229,
                                options=opts(o_nop(), o_nop(), o_ts(100000 + 1000, 99)))), dt=1.0)

UA = b"User-Agent: curl/7.29.0"
HOST = b"Host: example.com"
ACC = b"Accept: */*"

@case("x01_value_too_long")
def _(p):
    # control: normal request, flow kept -> FIN gives uptime
    tsflow(p, "10.60.0.1", [CURL_REQ], fin_ts=True)
    # non-HTTP (POST): flow destroyed -> no uptime
    tsflow(p, "10.60.0.2", [CURL_REQ.replace(b"GET", b"POST")], fin_ts=True)
    # value of 1025 bytes (raw incl. CR) -> in_http=-1 but flow kept?
    tsflow(p, "10.60.0.3", [req(UA, HOST, b"X-Long: " + b"a" * 1024, ACC)], fin_ts=True)
    # value of exactly 1024 raw bytes incl CR -> ok
    tsflow(p, "10.60.0.4", [req(UA, HOST, b"X-Long: " + b"a" * 1023, ACC)], fin_ts=True)
    # value 1024 without CR (bare LF) -> ok; 1025 without CR -> too long
    tsflow(p, "10.60.0.5", [req(UA, HOST, b"X-Long: " + b"a" * 1024, ACC, end=b"\n")], fin_ts=True)
    tsflow(p, "10.60.0.6", [req(UA, HOST, b"X-Long: " + b"a" * 1025, ACC, end=b"\n")], fin_ts=True)
    # too-long value, then more data in a later segment -> flow dropped at that point
    r = req(UA, HOST, b"X-Long: " + b"a" * 1100, ACC)
    tsflow(p, "10.60.0.7", [r[:1200], r[1200:]], fin_ts=True)

@case("x02_resp_beyond_1024")
def _(p):
    pad = b"".join(b"X-Pad-%02d: %s" % (i, b"p" * 40) + b"\r\n" for i in range(22))
    body = (b"HTTP/1.1 200 OK\r\nServer: nginx/1.4.6 (Ubuntu)\r\n" + pad +
            b"Date: Tue, 14 Nov 2023 22:13:20 GMT\r\nContent-Type: text/html\r\n"
            b"Connection: keep-alive\r\n\r\n")
    i = body.index(b"Date:")
    # split at the Date line start (offset > 1024)
    http_flow(p, "10.61.0.1", SRV, 40000, [CURL_REQ], [body[:i], body[i:]])
    # split inside the Date line
    http_flow(p, "10.61.0.2", SRV, 40000, [CURL_REQ], [body[:i + 3], body[i + 3:]])
    # split so that the resume position is exactly 1024
    http_flow(p, "10.61.0.3", SRV, 40000, [CURL_REQ], [body[:1024], body[1024:]])
    # one segment, header block passes 1024 -> fine
    http_flow(p, "10.61.0.4", SRV, 40000, [CURL_REQ], [body])
    # three segments, splits before 1024 at line boundary
    k = body.index(b"X-Pad-05")
    http_flow(p, "10.61.0.5", SRV, 40000, [CURL_REQ], [body[:k], body[k:i], body[i:]])
    # split right before the blank line
    http_flow(p, "10.61.0.6", SRV, 40000, [CURL_REQ], [NGINX_RESP[:NGINX_RESP.index(b"\r\n\r\n") + 2], NGINX_RESP[NGINX_RESP.index(b"\r\n\r\n") + 2:]])
    # status line split (first segment < 13 bytes, then rest)
    http_flow(p, "10.61.0.7", SRV, 40000, [CURL_REQ], [NGINX_RESP[:10], NGINX_RESP[10:]])
    # status line split after 13 bytes without newline
    http_flow(p, "10.61.0.8", SRV, 40000, [CURL_REQ], [NGINX_RESP[:14], NGINX_RESP[14:]])
    # status line newline too close (<13): "HTTP/1.1 200\r\n"
    http_flow(p, "10.61.0.9", SRV, 40000, [CURL_REQ], [b"HTTP/1.1 20\r\nServer: nginx/1\r\n\r\n"])
    # response 1.0 / no Server -> anonymous
    http_flow(p, "10.61.0.10", SRV, 40000, [CURL_REQ], [resp(b"Content-Type: text/html", b"Date: Tue, 14 Nov 2023 22:13:20 GMT", first=b"HTTP/1.0 200 OK")])
    # response before request complete
    http_flow(p, "10.61.0.11", SRV, 40000, [CURL_REQ[:20]], [NGINX_RESP])
    # response that is not HTTP/1.
    http_flow(p, "10.61.0.12", SRV, 40000, [CURL_REQ], [b"HTTP/2.0 200 OK\r\nServer: x\r\n\r\n"])
    # 33 headers in a response
    many = b"".join(b"X-R%02d: v\r\n" % i for i in range(31))
    http_flow(p, "10.61.0.13", SRV, 40000, [CURL_REQ], [b"HTTP/1.1 200 OK\r\nServer: a\r\n" + many + b"X-Last: v\r\n\r\n"])
    http_flow(p, "10.61.0.14", SRV, 40000, [CURL_REQ], [b"HTTP/1.1 200 OK\r\nServer: a\r\n" + many + b"\r\n"])
    # response status line with binary byte
    http_flow(p, "10.61.0.15", SRV, 40000, [CURL_REQ], [b"HTTP/1.1 200 \x01K\r\nServer: a\r\n\r\n"])

@case("x03_request_lines")
def _(p):
    cl = iter(range(1, 200))
    def f(segs, resp_segs=()):
        http_flow(p, "10.62.0.%d" % next(cl), SRV, 40000, segs, list(resp_segs))
    f([req(UA, HOST, ACC, first=b"GET /" + b"a" * 1000 + b" HTTP/1.1")])  # newline at ~1015
    f([req(UA, HOST, ACC, first=b"GET /" + b"a" * 1010 + b" HTTP/1.1")])  # newline beyond 1024
    f([req(UA, HOST, ACC, first=b"GET /" + b"a" * 1009 + b" HTTP/1.1")])  # CR at 1023, LF at 1024
    f([req(UA, HOST, ACC, first=b"GET /" + b"a" * 1008 + b" HTTP/1.1")])  # LF at 1023
    f([req(UA, HOST, ACC, first=b"GET / HTTP/1.5")])
    f([req(UA, HOST, ACC, first=b"GET / HTTP/1.0")])
    f([req(UA, HOST, ACC, first=b"GET / HTTP/2.0")])
    f([req(UA, HOST, ACC, first=b"GET /HTTP/1.1")])        # 13 chars -> too close
    f([req(UA, HOST, ACC, first=b"GET / HTTP/1.1\r")])     # \r\r\n
    f([req(UA, HOST, ACC, first=b"GET / \x80 HTTP/1.1")])
    f([req(UA, HOST, ACC, first=b"GET / \x7f HTTP/1.1")])
    f([req(UA, HOST, ACC, first=b"get / HTTP/1.1")])
    f([req(UA, HOST, ACC, first=b"HEAD /x HTTP/1.1")])
    f([req(UA, HOST, ACC, first=b"GET  / HTTP/1.1")])
    f([req(UA, HOST, ACC, first=b"GET http://x/ HTTP/1.1")])
    r = req(UA, HOST, ACC)
    f([r[:14], r[14:]])                                    # < 15 then rest
    f([r[:5], r[5:10], r[10:]])
    f([r[:15], r[15:]])
    f([b"GET / HTTP/1.1\r\n" + b"\r\n"])                  # no headers at all
    f([req(UA, HOST, ACC)[:-2] + b"\n"])                   # blank line as bare LF
    f([req(b" continuation", UA, HOST)])
    f([req(UA, b"Host : x", ACC)])
    f([req(UA, b"Ho st: x", ACC)])
    f([req(UA, b"X_Under-score9: v", HOST, ACC)])
    f([req(UA, b"X-Tab:\tvalue", b"X-Two:  two", b"X-Empty:", b"X-Sp: ", b"X-CR:\r", HOST, ACC)])
    f([req(UA, HOST, ACC, end=b"\n")])
    f([req(UA, HOST, ACC) + req(b"User-Agent: second", HOST)])   # pipelined
    f([req(b"User-Agent: first", b"User-Agent: curl/7.29.0", HOST, ACC)])
    f([req(b"User-Agent: curl/7.29.0", b"User-Agent:", HOST, ACC)])
    f([req(b"User-Agent: curl/7.29.0", b"User-Agent: \x01bin", HOST, ACC)])
    f([req(UA, HOST, ACC, b"Accept-Language: de", b"Accept-Language: fr-FR")])
    f([req(UA, HOST, ACC, b"Accept-Language: de", b"Accept-Language:")])
    f([req(UA, HOST, ACC, b"Accept-Language: EN-us")])
    f([req(UA, HOST, ACC, b"Accept-Language: x")])
    f([req(UA, HOST, ACC, b"Accept-Language: zz")])
    f([req(UA, HOST, ACC, b"Accept-Language: e\x00n")])
    f([req(UA, HOST, ACC, b"X-Forwarded-For: 1.2.3.4")])
    f([req(UA, HOST, ACC, b"X-Forwarded-For:", b"Via:")])
    f([req(b"User-Agent: " + b"u" * 300, HOST, ACC)])
    f([req(b"User-Agent: a|b]c", HOST, b"Accept: a|b", b"X-U: a|b]c", b"Referer: http://x", b"Cookie: a=b", b"Set-Cookie: x=y")])
    f([req(b"User-Agent: caf\xe9", HOST, b"Accept: a\xe9b", b"X-U: \xe9", b"X-N: a\x00b")])
    f([req(UA, HOST, b"Accept: " + b"v" * 250, b"X-Big: " + b"w" * 250)])
    f([req(b"User-Agent: \x00curl/7.29.0", HOST, ACC)])
    f([req(b"user-agent: curl", b"HOST: x", b"Accept-language: de")])
    f([req(UA, HOST, ACC, b"Cache-Control: no", b"Cache-control: no", b"x-forwarded-for: 1")])
    f([b"GET / HTTP/1.1\r\nHost: a\r\n" + b"X" * 9000])      # no end, exceeds 8192
    f([b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"y" * 8300])    # value never ends
    f([req(UA, HOST, ACC)], [b"SSH-2.0-x\r\n"])
    f([b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40])
    f([b"GET / HTTP/1.1\r\nHost: a\r\nX-A: " + b"b" * 10, b"c\r\nUser-Agent: curl/7.29.0\r\nAccept: */*\r\n\r\n"])
    f([b"GET / HTTP/1.1\r\nHost: a\r\nX-Abc", b"def: 1\r\nUser-Agent: curl/7.29.0\r\n\r\n"])
    f([b"GET / HTTP/1.1\r\nHost: a\r\nX-Abc:", b" 1\r\nUser-Agent: curl/7.29.0\r\n\r\n"])
    f([b"GET / HTTP/1.1\r\nHost: a\r\nX-Abc: 1\r", b"\nUser-Agent: curl/7.29.0\r\n", b"\r\n"])
    f([b"GET / HTTP/1.1\r\nHost: a\r\n" + b"".join(b"X-%02d: v\r\n" % i for i in range(31)) + b"\r\n"])  # 32 headers ok
    f([b"GET / HTTP/1.1\r\nHost: a\r\n" + b"".join(b"X-%02d: v\r\n" % i for i in range(31)) + b"\n"])

@case("x04_scoring", XDB)
def _(p):
    cl = "10.63.0.1"
    def f(port, segs, cli=cl, resp_segs=()):
        http_flow(p, cli, SRV, port, segs, list(resp_segs))
    f(40000, [req(b"User-Agent: a", HOST, b"X-Os: one")])
    f(40001, [req(b"User-Agent: a", HOST, b"X-Os: two")])
    f(40002, [req(b"User-Agent: a", HOST, b"X-Os: one")])
    f(40003, [CURL_REQ])                                       # app after OS ref
    f(40004, [req(b"User-Agent: nothing (Windows)", HOST)])    # no match after OS ref, UA says Windows
    f(40005, [req(b"User-Agent: a", HOST, b"X-Os: win")])
    f(40006, [req(b"User-Agent: a", HOST, b"X-Os: gen")])
    f(40007, [req(b"User-Agent: x Tool2 (Windows)", HOST, b"X-Tool: 2")])
    f(40008, [req(HOST, b"X-Gen: 1")])
    # host with unknown TCP OS
    cli, cseq, sseq = "10.63.0.2", 1000, 50000
    p.add(ip4(cli, SRV, tcp(40000, 80, seq=cseq, win=29200, options=linux_opts()), ipopts=b"\x01\x01\x01\x00"), dt=0.01)
    p.add(synack(cli, SRV, 40000, 80, cseq, sseq, 14600, linux_opts(1460, 7, 99, 123456)), dt=0.01)
    p.add(ip4(cli, SRV, tcp(40000, 80, seq=cseq + 1, ack=sseq + 1, flags=ACK | PSH, win=229,
                            payload=req(b"User-Agent: a", HOST, b"X-Os: one"))), dt=0.01)
    # unmatched request with OS in UA, host Linux
    f(40000, [req(b"User-Agent: nothing (Windows)", HOST)], cli="10.63.0.3")
    f(40001, [req(b"User-Agent: curl/7.29.0 HOSTY", HOST, ACC)], cli="10.63.0.3")
    f(40002, [req(b"User-Agent: curl/7.29.0 Linux", HOST, ACC)], cli="10.63.0.3")
    f(40003, [req(b"User-Agent: curl/7.29.0 Linux", HOST, ACC)], cli="10.63.0.3")
    f(40004, [req(b"User-Agent: dishonest Linux", HOST, ACC)], cli="10.63.0.3")
    f(40005, [req(b"User-Agent: curl/7.29.0 Windows Linux", HOST, ACC)], cli="10.63.0.3")
    f(40000, [req(UA, HOST, ACC, b"X-Forwarded-For: 1.1.1.1")], cli="10.63.0.4")
    f(40000, [req(HOST, b"X-Gen: 1", b"Via: x")], cli="10.63.0.5")
    f(40000, [req(b"User-Agent: x", HOST, b"X-Tool: 2")], cli="10.63.0.6")   # dishonest Tool2 on linux

@case("x05_server_scoring", XDB)
def _(p):
    s = "192.0.2.70"
    n = iter(range(1, 100))
    def f(rsp, port=80, cli=None):
        http_flow(p, cli or ("10.64.0.%d" % next(n)), s, 40000, [CURL_REQ], [rsp], sport=port)
    D = b"Date: Tue, 14 Nov 2023 22:13:20 GMT"
    f(resp(b"Server: nginx/1.4", D, b"Content-Type: text/html"))
    f(resp(b"Server: nginx/1.4", b"X-Nginx-Other: 1"))
    f(resp(b"Server: nginx/1.4", D, b"Content-Type: text/html"))
    f(resp(b"Server: Apache/2", b"X-Apache: 1"))
    f(resp(b"Server: weird", b"X-Nothing: 1"))
    f(resp(b"Server: weird", b"X-SrvOs: a"))
    f(resp(b"Server: weird", b"X-SrvOs: b"))
    f(resp(b"Server: weird", b"X-SrvOs: w"))
    f(resp(b"Server: weird", b"X-Nothing: 1"))
    f(resp(b"Server: nginx/1.4", D, b"Content-Type: text/html"), port=8080)
    f(resp(b"Server: Apache/2", b"X-Apache: 1"), port=8080)
    f(resp(b"Server: Apache/2", b"X-Apache: 1", b"Via: 1.1 x"))
    f(resp(b"Server: lie", D, b"Content-Type: text/html"))       # dishonest nginx
    # date checks on a fresh server
    s = "192.0.2.71"
    f(resp(b"Server: nginx/1.4", b"Date: Tue, 14 Nov 2023 22:13:20 GMT", b"Content-Type: a"))
    f(resp(b"Server: nginx/1.4", b"Date: Tue, 14 Nov 2023 22:13:31 GMT", b"Content-Type: a"))
    f(resp(b"Server: nginx/1.4", b"Date: Tue, 14 Nov 2023 22:14:31 GMT", b"Content-Type: a"))
    f(resp(b"Server: nginx/1.4", b"Date: garbage", b"Content-Type: a"))
    f(resp(b"Server: nginx/1.4", b"Date: Tue, 14 Nov 2023 22:13:20 GMT", b"Content-Type: a"))
    f(resp(b"Server: nginx/1.4", b"Date: Tue, 14 Nov 2023 22:13:20 GMT", b"Date: bad", b"Content-Type: a"))
    f(resp(b"Server: nginx/1.4", b"Date: Tue, 14 Nov 2023 22:13:09 GMT", b"Content-Type: a"))
    f(resp(b"Server: nginx/1.4", b"Date: Tue, 14 Nov 2023 22:13:08 GMT", b"Content-Type: a"))
    f(resp(b"Server: nginx/1.4", b"Date: Thu, 01 Jan 1970 00:00:00 GMT", b"Content-Type: a"))
    f(resp(b"Server: nginx/1.4", b"Date: Wed, 31 Dec 1969 23:59:00 GMT", b"Content-Type: a"))
    f(resp(b"Server: nginx/1.4", b"Date: Tue, 14 Nov 2023 22:13:20 GMT", b"Content-Type: a"))
    f(resp(b"Server: nginx/1.4", b"Date: tuesday, 14 november 2023 22:13:40", b"Content-Type: a"))
    f(resp(b"Server: nginx/1.4", b"Date: Tue, 14 Nov 2023 22:13:60", b"Content-Type: a"))


@case("x06_date_isdst", XDB)
def _(p):
    n = iter(range(1, 250))
    def f(srv, date, port=80):
        http_flow(p, "10.65.0.%d" % next(n), srv, 40000, [CURL_REQ], [resp(b"Server: nginx/1.4", b"Date: " + date, b"Content-Type: a")], sport=port)
    NOW = b"Tue, 14 Nov 2023 22:13:20 GMT"
    # ref 2023, then 1970-01-01 01:00:00 (0 if isdst>0)
    for i in range(3):
        s = "192.0.2.%d" % (100 + i)
        f(s, NOW)
        f(s, b"Thu, 01 Jan 1970 01:00:00 GMT")
    # first response 01:00:00 1970, then 2023
    for i in range(3):
        s = "192.0.2.%d" % (110 + i)
        f(s, b"Thu, 01 Jan 1970 01:00:00 GMT")
        f(s, NOW)
    # first 00:00:00 1970 then 2023
    s = "192.0.2.120"
    f(s, b"Thu, 01 Jan 1970 00:00:00 GMT")
    f(s, NOW)
    # a summer date vs winter date: only differences matter
    s = "192.0.2.121"
    f(s, b"Sat, 01 Jul 2023 12:00:00 GMT")
    f(s, b"Sat, 01 Jul 2023 12:00:00 GMT")

@case("x07_limits")
def _(p):
    n = iter(range(1, 250))
    def f(segs, resp_segs=(), cli=None, **kw):
        http_flow(p, cli or ("10.66.0.%d" % next(n)), SRV, 40000, list(segs), list(resp_segs), **kw)
    # request exactly 8192 bytes ending with the blank line
    base = b"GET / HTTP/1.1\r\nUser-Agent: curl/7.29.0\r\nHost: example.com\r\nAccept: */*\r\nX-Fill: "
    fill = 8192 - len(base) - 4
    big = base + b"f" * 1000 + b"\r\nX-F2: " + b"g" * (fill - 1000 - 8) + b"\r\n\r\n"
    f([big[:1400], big[1400:2800], big[2800:4200], big[4200:5600], big[5600:7000], big[7000:]], [NGINX_RESP])
    # request of 8193 bytes: blank line beyond the cap
    big2 = big[:-4] + b"h\r\n\r\n"
    f([big2[:1400], big2[1400:2800], big2[2800:4200], big2[4200:5600], big2[5600:7000], big2[7000:]], [NGINX_RESP])
    # values 1000 each -> many segments, 32 headers never reached
    # response larger than 8192 without end
    r = b"HTTP/1.1 200 OK\r\nServer: nginx/1\r\n" + b"".join(b"X-%02d: %s\r\n" % (i, b"z" * 900) for i in range(10))
    f([CURL_REQ], [r[:1400], r[1400:2800], r[2800:4200], r[4200:5600], r[5600:7000], r[7000:8400], r[8400:]])
    # response header block ends exactly at 8192
    rb = b"HTTP/1.1 200 OK\r\nServer: nginx/1.4\r\nDate: Tue, 14 Nov 2023 22:13:20 GMT\r\nContent-Type: a\r\nX-F: "
    rb = rb + b"q" * (8192 - len(rb) - 4) + b"\r\n\r\n"
    f([CURL_REQ], [rb + b"body"])
    # keep-alive: second request on the same flow is ignored, response then ends flow
    f([CURL_REQ, CURL_REQ.replace(b"curl", b"wget")], [NGINX_RESP])
    # client keeps sending after the request (POST-like body) then response
    f([CURL_REQ, b"x" * 9000], [NGINX_RESP])
    # response in two responses (second ignored)
    f([CURL_REQ], [NGINX_RESP, NGINX_RESP.replace(b"nginx", b"Apache")])
    # IPv6 HTTP
    cli, srv = "2001:db8:66::1", "2001:db8::80"
    p.add(ip6(cli, srv, tcp(40000, 80, seq=1000, win=28800, options=linux_opts(1440, 7))), dt=0.01)
    p.add(ip6(srv, cli, tcp(80, 40000, seq=5000, ack=1001, flags=SYN | ACK, win=28560, options=linux_opts(1440, 7, 5, 123456))), dt=0.01)
    p.add(ip6(cli, srv, tcp(40000, 80, seq=1001, ack=5001, flags=ACK | PSH, win=229, payload=CURL_REQ)), dt=0.01)
    p.add(ip6(srv, cli, tcp(80, 40000, seq=5001, ack=1001 + len(CURL_REQ), flags=ACK | PSH, win=229, payload=NGINX_RESP)), dt=0.01)
    # out of order segments: second half arrives first (ignored), then first half, then retransmit second
    cli = "10.66.1.1"; cseq, sseq = 1000, 50000
    p.add(linux_syn(cli, sport=40000, seq=cseq), dt=0.01)
    p.add(synack(cli, SRV, 40000, 80, cseq, sseq, 14600, linux_opts(1460, 7, 99, 123456)), dt=0.01)
    a, b = CURL_REQ[:30], CURL_REQ[30:]
    p.add(ip4(cli, SRV, tcp(40000, 80, seq=cseq + 1 + 30, ack=sseq + 1, flags=ACK | PSH, win=229, payload=b)), dt=0.01)
    p.add(ip4(cli, SRV, tcp(40000, 80, seq=cseq + 1, ack=sseq + 1, flags=ACK | PSH, win=229, payload=a)), dt=0.01)
    p.add(ip4(cli, SRV, tcp(40000, 80, seq=cseq + 1, ack=sseq + 1, flags=ACK | PSH, win=229, payload=a)), dt=0.01)
    p.add(ip4(cli, SRV, tcp(40000, 80, seq=cseq + 1 + 30, ack=sseq + 1, flags=ACK | PSH, win=229, payload=b)), dt=0.01)
    p.add(ip4(SRV, cli, tcp(80, 40000, seq=sseq + 1, ack=cseq + 1 + len(CURL_REQ), flags=ACK | PSH, win=229, payload=NGINX_RESP), ipid=0), dt=0.01)
    # FIN+ACK carrying the request: ends the flow without looking at data
    cli = "10.66.1.2"
    p.add(linux_syn(cli, sport=40000, seq=cseq), dt=0.01)
    p.add(synack(cli, SRV, 40000, 80, cseq, sseq, 14600, linux_opts(1460, 7, 99, 123456)), dt=0.01)
    p.add(ip4(cli, SRV, tcp(40000, 80, seq=cseq + 1, ack=sseq + 1, flags=ACK | PSH | FIN, win=229, payload=CURL_REQ)), dt=0.01)
    # request split into 1-byte segments
    f([CURL_REQ[i:i+1] for i in range(len(CURL_REQ))], [NGINX_RESP[i:i+7] for i in range(0, len(NGINX_RESP), 7)])
    # Response split in 20-byte chunks
    f([CURL_REQ], [NGINX_RESP[i:i+20] for i in range(0, len(NGINX_RESP), 20)])
    # very long first line response > 1024
    f([CURL_REQ], [b"HTTP/1.1 200 " + b"O" * 1100 + b"\r\nServer: nginx/1\r\n\r\n"])
    f([CURL_REQ], [b"HTTP/1.1 200 " + b"O" * 1100, b"\r\nServer: nginx/1\r\n\r\n"])
    # response header names: 33 chars, missing colon, continuation
    f([CURL_REQ], [b"HTTP/1.1 200 OK\r\nServer: nginx/1\r\n" + b"Y" * 33 + b": v\r\n\r\n"])
    f([CURL_REQ], [b"HTTP/1.1 200 OK\r\nServer: nginx/1\r\n folded\r\n\r\n"])
    f([CURL_REQ], [b"HTTP/1.0 200 OK\nServer:nginx/1\nContent-Type:\tx\nDate:Tue, 14 Nov 2023 22:13:20 GMT\n\n"])

def main():
    os.makedirs(OUT, exist_ok=True)
    man = []
    for name, fp, fn in CASES:
        p = Pcap("ether"); fn(p); p.write(os.path.join(OUT, name + ".pcap"))
        man.append([name, fp or "/etc/p0f/p0f.fp"])
    json.dump(man, open(os.path.join(OUT, "cases.json"), "w"))

main()
