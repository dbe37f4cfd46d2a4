#!/usr/bin/env bash
# Runs the real p0f and P0fSharp side by side in LIVE mode on one veth interface while real
# HTTP traffic flows, so their live-only behaviour can be compared: the cache-pressure warnings
# ("Too many tracked connections / host entries, deleting N. Use -m to adjust.") that p0f
# prints only when capturing live, and the -o logs.
#
#   P0FSHARP='dotnet /path/p0fsharp.dll' [P0F_LD_PRELOAD=shim.so] \
#     tests/data/real/live_daemons.sh OUTDIR [p0f options...]
#
# Writes OUTDIR/p0f/ and OUTDIR/ours/, each with live.log (-o), out (stdout) and err (stderr). Namespaces (198.51.100.0/24) and interfaces carry a
# random suffix; every client is bounded by `timeout`; the daemons, the server and the
# namespaces are removed by PID on exit. Needs root, iproute2, util-linux (taskset), python3,
# curl, p0f.
set -euo pipefail

outdir=${1:?usage: live_daemons.sh OUTDIR [p0f options...]}
shift
mkdir -p "$outdir/p0f" "$outdir/ours"
outdir=$(cd "$outdir" && pwd)
read -r -a ours_cmd <<< "${P0FSHARP:?set P0FSHARP to the p0fsharp command}"
p0f_bin=${P0F:-$(command -v p0f || echo /usr/sbin/p0f)}
[ "$(id -u)" -eq 0 ] || { echo "live_daemons.sh: must run as root" >&2; exit 2; }

# shellcheck source=netlab.sh
. "$(dirname "$0")/netlab.sh"
netlab_init live
netlab_up
in_s ip addr add 198.51.100.1/24 dev "$veth_s"
for n in $(seq 2 9); do in_c ip addr add "198.51.100.$n/24" dev "$veth_c"; done
in_s ip link set "$veth_s" up
in_c ip link set "$veth_c" up
in_c sysctl -qw net.ipv4.tcp_timestamps=2
in_s sysctl -qw net.ipv4.tcp_timestamps=2

mkdir -p "$work/www"
printf 'live\n' > "$work/www/index.html"
# The server holds each request for a second before answering, so the eight clients of a round
# are connected at the same time however slowly they start: with -m 1,6 the connection cap is
# then exceeded on every run, not only when the scheduler happens to overlap short fetches.
# Server and clients run on CPU 0 only: frames sent from two CPUs at once can reach the two
# daemons' capture sockets in opposite orders (each CPU hands its frame to every socket in
# turn), and with a cap of one connection the order decides which flow is kept (CI saw two
# SYNs a few microseconds apart logged in swapped order). From one CPU, one order for both.
ip netns exec "$ns_s" taskset -c 0 python3 -c '
import functools, http.server, sys, time
class Held(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        time.sleep(1.0)
        super().do_GET()
handler = functools.partial(Held, directory=sys.argv[1])
http.server.ThreadingHTTPServer(("198.51.100.1", 8000), handler).serve_forever()
' "$work/www" >"$work/py.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do in_s ss -Hltn 'sport = :8000' | grep -q . && break; sleep 0.1; done

# Both daemons on the same interface, same options; TZ=UTC for the log timestamps.
# P0F_LD_PRELOAD: the harness's Date shim (Harness/p0f_date_shim.c), see README.
(cd "$outdir/p0f" && exec env TZ=UTC ${P0F_LD_PRELOAD:+LD_PRELOAD=$P0F_LD_PRELOAD} \
  ip netns exec "$ns_c" "$p0f_bin" -i "$veth_c" -o live.log "$@" >out 2>err) &
pids+=($!)
(cd "$outdir/ours" && exec env TZ=UTC ip netns exec "$ns_c" "${ours_cmd[@]}" -i "$veth_c" -o live.log "$@" >out 2>err) &
pids+=($!)
for who in p0f ours; do
  for _ in $(seq 300); do
    grep -q 'Entered main event loop' "$outdir/$who/out" "$outdir/$who/err" 2>/dev/null && break
    sleep 0.1
  done
  grep -q 'Entered main event loop' "$outdir/$who/out" "$outdir/$who/err" 2>/dev/null \
    || { echo "live_daemons.sh: $who did not start: $(cat "$outdir/$who/err")" >&2; exit 1; }
done

# Rounds of parallel connections from eight addresses: more flows and hosts than small -m caps.
for round in 1 2 3 4; do
  cpids=()
  for n in $(seq 2 9); do
    in_c taskset -c 0 timeout 10 curl -s -o /dev/null --interface "198.51.100.$n" http://198.51.100.1:8000/ &
    cpids+=($!)
  done
  for pid in "${cpids[@]}"; do wait "$pid" || true; done
  sleep 0.3
done
sleep 1

# Stop the daemons (SIGINT, as a user would) and wait for their logs to be flushed.
for pid in "${pids[@]:1}"; do kill -INT "$pid" 2>/dev/null || true; done
for pid in "${pids[@]:1}"; do
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
done
echo "live_daemons.sh: done ($(wc -l < "$outdir/p0f/live.log") p0f log lines)"
