#!/usr/bin/env bash
# Captures real HTTP traffic of real tools for the differential conformance tests.
#
#   tests/data/real/make_real_http.sh OUT.pcap [--quick]
#
# Creates two network namespaces joined by a veth pair (documentation addresses 198.51.100.0/24
# and 2001:db8:51::/64), starts web servers in one (python3 -m http.server always; nginx and
# lighttpd when installed), runs clients in the other (curl, wget and python3 urllib always;
# lynx, w3m, links, elinks, aria2c and httpie when installed) from several client addresses,
# with repeated connections a fraction of a second apart (TCP timestamp clocks for uptime) and
# a few deliberately odd requests (HTTP/1.0, a dishonest User-Agent, Accept-Language values,
# a Via header), and records everything with tcpdump on the client side of the veth.
#
# --quick: fewer clients and repetitions (the live CI test regenerates traffic with it).
#
# Needs root (ip netns), iproute2, tcpdump, python3. Namespace and interface names carry a
# random suffix, every client runs under `timeout`, and the namespaces, the servers and tcpdump
# are removed by PID on exit, whatever happens. The committed tests/data/real/*.pcap were made
# with this script (see README.md there for the exact command and tool versions).
set -euo pipefail

out=${1:?usage: make_real_http.sh OUT.pcap [--quick]}
quick=0
[ "${2:-}" = "--quick" ] && quick=1
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

for tool in ip tcpdump python3 curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "make_real_http.sh: $tool is required" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "make_real_http.sh: must run as root (network namespaces)" >&2; exit 2; }

# shellcheck source=netlab.sh
. "$(dirname "$0")/netlab.sh"
netlab_init real
have() { command -v "$1" >/dev/null 2>&1; }

# ---- network ------------------------------------------------------------------------------
netlab_up
in_s ip addr add 198.51.100.1/24 dev "$veth_s"
in_s ip -6 addr add 2001:db8:51::1/64 dev "$veth_s" nodad
for n in 2 3 4 5 6 7; do in_c ip addr add "198.51.100.$n/24" dev "$veth_c"; done
in_c ip -6 addr add 2001:db8:51::2/64 dev "$veth_c" nodad
in_s ip link set "$veth_s" up
in_c ip link set "$veth_c" up
# Linux adds a random offset to each connection's TCP timestamps (tcp_timestamps=1); 2 keeps
# one clock per host, which is what p0f's uptime module measures. The last connections below
# switch it off entirely.
in_c sysctl -qw net.ipv4.tcp_timestamps=2
in_s sysctl -qw net.ipv4.tcp_timestamps=2

# ---- servers ------------------------------------------------------------------------------
mkdir -p "$work/www/docs"
printf '<html><body>P0fSharp real-traffic capture</body></html>\n' > "$work/www/index.html"
head -c 3000 /dev/zero | tr '\0' 'x' > "$work/www/docs/big.txt"

ip netns exec "$ns_s" python3 -m http.server 8000 --bind 198.51.100.1 --directory "$work/www" >"$work/py.log" 2>&1 &
pids+=($!)
ip netns exec "$ns_s" python3 -c '
import functools, http.server, socket, sys
class V6(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
V6(("2001:db8:51::1", 8000), handler).serve_forever()' "$work/www" >"$work/py6.log" 2>&1 &
pids+=($!)
ports=(8000)

if have nginx && [ "$quick" -eq 0 ]; then
  mkdir -p "$work/nginx"
  cat > "$work/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 198.51.100.1:80;
    listen [2001:db8:51::1]:80;
    root $work/www;
  }
}
EOF
  ip netns exec "$ns_s" nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' >"$work/nginx/out.log" 2>&1 &
  pids+=($!)
  ports+=(80)
fi

if have lighttpd && [ "$quick" -eq 0 ]; then
  cat > "$work/lighttpd.conf" <<EOF
server.document-root = "$work/www"
server.bind = "198.51.100.1"
server.port = 8080
server.errorlog = "$work/lighttpd.err"
mimetype.assign = (".html" => "text/html", ".txt" => "text/plain")
index-file.names = ("index.html")
EOF
  ip netns exec "$ns_s" lighttpd -D -f "$work/lighttpd.conf" >"$work/lighttpd.out" 2>&1 &
  pids+=($!)
  ports+=(8080)
fi

# Servers up? (bounded)
for port in "${ports[@]}"; do
  for _ in $(seq 100); do
    in_s ss -Hltn "sport = :$port" | grep -q . && break
    sleep 0.1
  done
done

# ---- capture ------------------------------------------------------------------------------
ip netns exec "$ns_c" tcpdump -i "$veth_c" -n -s 0 -U -w "$out" tcp >"$work/tcpdump.log" 2>&1 &
tcpdump_pid=$!
pids=("$tcpdump_pid" "${pids[@]}")
for _ in $(seq 100); do
  grep -q 'listening on' "$work/tcpdump.log" 2>/dev/null && break
  sleep 0.1
done
grep -q 'listening on' "$work/tcpdump.log" || { echo "tcpdump did not start: $(cat "$work/tcpdump.log")" >&2; exit 1; }

# ---- clients (each bounded) ---------------------------------------------------------------
run() { in_c timeout 10 "$@" >/dev/null 2>&1 || true; }
repeat=$([ "$quick" -eq 1 ] && echo 3 || echo 5)

for port in "${ports[@]}"; do
  url="http://198.51.100.1:$port/"
  # one client address per tool, several connections each (uptime needs >= 25 ms between SYNs)
  for i in $(seq "$repeat"); do
    run curl -s -o /dev/null --interface 198.51.100.2 "$url"
    sleep 0.2
  done
  run curl -s -o /dev/null --interface 198.51.100.2 -H 'Accept-Language: de-DE,de;q=0.9' "${url}docs/big.txt"
  run curl -s -o /dev/null --interface 198.51.100.2 -0 "$url"
  run curl -s -o /dev/null --interface 198.51.100.2 -A 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0' "$url"
  run curl -s -o /dev/null --interface 198.51.100.2 -H 'Via: 1.1 proxy.example' "$url"
  for i in $(seq "$repeat"); do
    run wget -q -O /dev/null --bind-address=198.51.100.3 "$url"
    sleep 0.2
  done
  run wget -q -O /dev/null --bind-address=198.51.100.3 --header='Accept-Language: fr' "${url}docs/big.txt"
  for i in $(seq "$repeat"); do
    run python3 -c '
import sys, urllib.request, http.client
class Bound(http.client.HTTPConnection):
    def __init__(self, *a, **k):
        k["source_address"] = ("198.51.100.4", 0)
        super().__init__(*a, **k)
class Handler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(Bound, req)
urllib.request.build_opener(Handler).open(sys.argv[1], timeout=5).read()' "$url"
    sleep 0.2
  done
  [ "$quick" -eq 1 ] && continue
  # text browsers and other clients when installed (they pick the first address: 198.51.100.2)
  have lynx && run env HOME="$work" lynx -dump "$url"
  have w3m && run env HOME="$work" w3m -dump "$url"
  have links && run env HOME="$work" links -dump "$url"
  have elinks && run env HOME="$work" elinks -no-home -dump "$url"
  have aria2c && run aria2c -q -d "$work" --allow-overwrite=true --interface=198.51.100.5 "${url}docs/big.txt"
  have http && run env HOME="$work" http --ignore-stdin -b GET "$url"
  # keep-alive: two requests on one connection (p0f fingerprints the first)
  run curl -s -o /dev/null --interface 198.51.100.6 "$url" "${url}docs/big.txt"
done

# IPv6 (python server on 8000, nginx on 80 when present)
for i in $(seq "$repeat"); do
  run curl -s -o /dev/null -g 'http://[2001:db8:51::1]:8000/'
  sleep 0.2
done
if [ "$quick" -eq 0 ] && have nginx; then
  run curl -s -o /dev/null -g -H 'Accept-Language: ja' 'http://[2001:db8:51::1]/'
  run wget -q -O /dev/null 'http://[2001:db8:51::1]/'
fi

# the same client address later with other timestamp behaviour: per-connection random offsets
# (the clock seems to jump), then no timestamps at all (another signature: host change)
in_c sysctl -qw net.ipv4.tcp_timestamps=1
for i in 1 2; do
  run curl -s -o /dev/null --interface 198.51.100.2 http://198.51.100.1:8000/
  sleep 0.2
done
in_c sysctl -qw net.ipv4.tcp_timestamps=0
run curl -s -o /dev/null --interface 198.51.100.2 http://198.51.100.1:8000/
run curl -s -o /dev/null --interface 198.51.100.7 http://198.51.100.1:8000/

sleep 0.5
kill -INT "$tcpdump_pid"  # tcpdump writes its last buffer on SIGINT
for _ in $(seq 50); do kill -0 "$tcpdump_pid" 2>/dev/null || break; sleep 0.1; done
echo "make_real_http.sh: wrote $out ($(stat -c %s "$out") bytes; servers on ports ${ports[*]})"
