#!/usr/bin/env bash
# P0fSharp vs p0f 3.09b, side by side on this machine.
#
#   bench/run.sh [offline] [live] [memory] [micro] [--runs N] [--quick] [--no-build]
#
# With no section named: offline, live (which includes the API comparison) and memory; micro
# (BenchmarkDotNet, several minutes) only when named. Every comparison alternates the tools
# (p0f, P0fSharp, p0f, P0fSharp, ...) and reports medians of RUNS runs each: 5 by default,
# --runs N or RUNS=N in the environment; --quick means RUNS=3 and smaller memory runs
# (indicative figures only).
#
#   offline  `-r` on gen_pcap.py's 100,000-connection capture (900k packets), stdout to
#            /dev/null, same signatures (data/p0f.fp): wall seconds and peak RSS from
#            /usr/bin/time. P0fSharp runs as its Native AOT build and as the plain JIT build.
#   live     the same capture replayed with `tcpreplay --topspeed` from one network namespace
#            onto a veth whose peer sits in another, where one tool at a time captures with
#            `-o LOG -s SOCK -S 64`; SYNs fingerprinted = `mod=syn|` lines of the replayed
#            clients, out of 100,000. Then, on the state that replay built (both tools saw the
#            same packets), the API: ../shared/bench/api_bench.c (gcc -O2) with 8 and with 32
#            clients asking for the capture's server 192.0.2.25 (known to both), qps and p99,
#            and the CPU each query costs the server (/proc/PID/stat around the run) and the
#            clients (/usr/bin/time); then rspamd's pattern, bench/api_connect_per_query.c:
#            4 clients that each connect, ask once and close, 40,000 connections in all
#            (connections/s, p99 of a connection, server CPU per connection). The same runs
#            also drive bench/api_floor.c,
#            minimal C servers answering a constant record with one recv and one send per
#            query, as one epoll loop and as a thread per connection: what the transport alone
#            allows each design here.
#   memory   bytes per tracked host: 1,000,000 distinct hosts through the engine (the CLI caps
#            -m at p0f's 500,000); 500,000 hosts through both command lines (peak RSS above an
#            empty run); growth: 10,000,000 random-source SYNs (P0fSharp; 1,000,000 for p0f,
#            which is ~10x slower) streamed through a FIFO with -m 1000,10000 while the
#            resident set is sampled every 0.2 s.
#   micro    BenchmarkDotNet hot-path benchmarks (bench/P0fSharp.Benchmarks), with allocations.
#
# Needs root (packet capture, network namespaces). Installs time, p0f, tcpreplay, gcc and
# iproute2 with apt-get where missing. Builds P0fSharp Release (dotnet build) and its Native
# AOT publish into artifacts/bench/aot (falling back to the JIT build alone if AOT does not
# publish). Captures, logs and results are kept under artifacts/bench/ (the capture is
# generated once). The table is printed and written to artifacts/bench/results.md. Every wait
# is bounded; namespaces and processes this script started are removed by name/PID on exit.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$BENCH_DIR")
WORK=$REPO/artifacts/bench
DB=$REPO/data/p0f.fp
CONNECTIONS=100000
SERVER_IP=192.0.2.25
CPQ_CLIENTS=4

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-0}"; }

SECTIONS=()
QUICK=0
BUILD=1
RUNS=${RUNS:-}
while [ $# -gt 0 ]; do
  case "$1" in
    offline | live | memory | micro) SECTIONS+=("$1") ;;
    --quick) QUICK=1 ;;
    --runs) [ $# -ge 2 ] || usage 2; RUNS=$2; shift ;;
    --runs=*) RUNS=${1#--runs=} ;;
    --no-build) BUILD=0 ;;
    -h | --help) usage 0 ;;
    *) log "unknown argument '$1'"; usage 2 ;;
  esac
  shift
done
[ ${#SECTIONS[@]} -gt 0 ] || SECTIONS=(offline live memory)
[ -n "$RUNS" ] || { [ "$QUICK" = 1 ] && RUNS=3 || RUNS=5; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number"
want() { local s; for s in "${SECTIONS[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

if [ "$QUICK" = 1 ]; then
  API_QUERIES=100000 CPQ_CONNECTIONS=20000 GROWTH_OURS=2000000 GROWTH_P0F=300000 HOSTS_CLI=100000
else
  API_QUERIES=200000 CPQ_CONNECTIONS=40000 GROWTH_OURS=10000000 GROWTH_P0F=1000000 HOSTS_CLI=500000
fi
HOSTS_ENGINE=1000000

[ "$(id -u)" -eq 0 ] || die "run as root (live capture and network namespaces need it)"
mkdir -p "$WORK"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# ------------------------------------------------------------------------------------------
# Cleanup: only what this script started, by PID and by name.
# ------------------------------------------------------------------------------------------
PIDS=()
NETNS=()
cleanup() {
  local pid ns
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
    for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for ns in "${NETNS[@]+"${NETNS[@]}"}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -f "$WORK"/*.fifo "$WORK"/*.sock
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

forget_pid() {
  local keep=() p
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]+"${keep[@]}"}")
}

# stop_pid PID: SIGTERM (both tools shut down cleanly on it), 10 s grace, then SIGKILL.
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "PID $pid ignored SIGTERM for 10 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

# ------------------------------------------------------------------------------------------
# Tools and builds
# ------------------------------------------------------------------------------------------
APT_UPDATED=0
install_pkgs() {
  command -v apt-get >/dev/null 2>&1 || die "please install: $*"
  if [ "$APT_UPDATED" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
    APT_UPDATED=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
[ -x /usr/bin/time ] || install_pkgs time
command -v p0f >/dev/null 2>&1 || [ -x /usr/sbin/p0f ] || install_pkgs p0f
P0F=$(command -v p0f || echo /usr/sbin/p0f)
command -v python3 >/dev/null 2>&1 || install_pkgs python3
command -v gcc >/dev/null 2>&1 || install_pkgs gcc libc6-dev
if want live; then
  command -v tcpreplay >/dev/null 2>&1 || install_pkgs tcpreplay
  command -v ip >/dev/null 2>&1 || install_pkgs iproute2
fi

SHARED=""
for candidate in "${P0FBENCH_SHARED:-}" "$REPO/../shared/bench" /work/shared/bench; do
  if [ -n "$candidate" ] && [ -f "$candidate/gen_pcap.py" ]; then SHARED=$(cd "$candidate" && pwd); break; fi
done
[ -n "$SHARED" ] || die "shared/bench (gen_pcap.py, api_bench.c) not found; set P0FBENCH_SHARED"

JIT_DLL=$REPO/src/Host/bin/Release/net10.0/p0fsharp.dll
AOT_DIR=$WORK/aot
BENCH_DLL=$BENCH_DIR/P0fSharp.Benchmarks/bin/Release/net10.0/P0fSharp.Benchmarks.dll
if [ "$BUILD" = 1 ]; then
  log "building P0fSharp Release (JIT) ..."
  dotnet build "$REPO/src/Host/P0fSharp.Host.csproj" -c Release -nologo >"$WORK/build-jit.log" 2>&1 \
    || { tail -20 "$WORK/build-jit.log" >&2; die "P0fSharp does not build"; }
  log "publishing P0fSharp Native AOT ..."
  rm -rf "$AOT_DIR"
  if ! dotnet publish "$REPO/src/Host/P0fSharp.Host.csproj" -c Release -r linux-x64 -p:PublishAot=true -nologo \
    --artifacts-path "$WORK/aot-build" -o "$AOT_DIR" >"$WORK/build-aot.log" 2>&1; then
    log "Native AOT publish failed (see $WORK/build-aot.log); measuring the JIT build only"
    rm -rf "$AOT_DIR"
  fi
  if want memory || want micro; then
    log "building bench/P0fSharp.Benchmarks ..."
    dotnet build "$BENCH_DIR/P0fSharp.Benchmarks/P0fSharp.Benchmarks.csproj" -c Release -nologo >"$WORK/build-benchmarks.log" 2>&1 \
      || { tail -20 "$WORK/build-benchmarks.log" >&2; die "benchmarks do not build"; }
  fi
fi
[ -f "$JIT_DLL" ] || die "no $JIT_DLL; run without --no-build"
OURS_JIT=(dotnet "$JIT_DLL")
if [ -x "$AOT_DIR/p0fsharp" ]; then
  OURS=("$AOT_DIR/p0fsharp")
  BUILD_MODE="Native AOT ($AOT_DIR/p0fsharp)"
else
  OURS=("${OURS_JIT[@]}")
  BUILD_MODE="JIT (dotnet $JIT_DLL; no AOT build)"
fi
log "P0fSharp under test: $BUILD_MODE"

GEN_SYNS=$WORK/gen_syns
API_BENCH=$WORK/api_bench
if [ ! -x "$GEN_SYNS" ] || [ "$BENCH_DIR/gen_syns.c" -nt "$GEN_SYNS" ]; then
  gcc -O2 -Wall -o "$GEN_SYNS" "$BENCH_DIR/gen_syns.c" || die "gen_syns.c does not compile"
fi
if [ ! -x "$API_BENCH" ] || [ "$SHARED/api_bench.c" -nt "$API_BENCH" ]; then
  gcc -O2 -pthread -o "$API_BENCH" "$SHARED/api_bench.c" || die "api_bench.c does not compile"
fi
API_CPQ=$WORK/api_connect_per_query
if [ ! -x "$API_CPQ" ] || [ "$BENCH_DIR/api_connect_per_query.c" -nt "$API_CPQ" ]; then
  gcc -O2 -Wall -pthread -o "$API_CPQ" "$BENCH_DIR/api_connect_per_query.c" || die "api_connect_per_query.c does not compile"
fi
API_FLOOR=$WORK/api_floor
if [ ! -x "$API_FLOOR" ] || [ "$BENCH_DIR/api_floor.c" -nt "$API_FLOOR" ]; then
  gcc -O2 -Wall -pthread -o "$API_FLOOR" "$BENCH_DIR/api_floor.c" || die "api_floor.c does not compile"
fi

CAPTURE=$WORK/smtp-$CONNECTIONS.pcap
if { want offline || want live; } && [ ! -s "$CAPTURE" ]; then
  log "generating $CAPTURE (gen_pcap.py OUT $CONNECTIONS) ..."
  python3 "$SHARED/gen_pcap.py" "$CAPTURE.part" "$CONNECTIONS"
  mv "$CAPTURE.part" "$CAPTURE"
fi

# ------------------------------------------------------------------------------------------
# Arithmetic and the table
# ------------------------------------------------------------------------------------------
median() { sort -g | awk '{v[NR]=$1} END { if (NR == 0) { print "n/a"; exit } if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
minimum() { sort -g | head -1; }
col() { awk -v c="$1" '$c != "n/a" && $c != "" {print $c}' "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || a + 0 == 0) print "n/a"; else printf "%.2f", b / a }'; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "n/a" || v == "") print "n/a"; else printf f, v }'; }
# verdict VALUE OP LIMIT -> met / missed / n/a
verdict() { awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { if (v == "n/a" || v == "") { print "n/a"; exit }
  ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 >= l + 0); print ok ? "met" : "**missed**" }'; }
commas() { awk -v n="$1" 'BEGIN { s = ""; while (n >= 1000) { s = sprintf(",%03d", n % 1000) s; n = int(n / 1000) } print n s }'; }
runs_of() { tr ' ' '/' <"$1" | paste -sd' ' -; }

ROWS=()
NOTES=()
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }
note() { NOTES+=("- $*"); }

# ------------------------------------------------------------------------------------------
# Offline
# ------------------------------------------------------------------------------------------
offline_once() { # offline_once NAME CMD... -> appends "wall rss_kib" to $WORK/offline-NAME.times
  local name=$1 tf=$WORK/offline-$1.time
  shift
  if ! /usr/bin/time -o "$tf" -f '%e %M' "$@" -r "$CAPTURE" -f "$DB" >/dev/null 2>"$WORK/offline-$name.stderr"; then
    tail -5 "$WORK/offline-$name.stderr" >&2
    die "offline run of $name failed"
  fi
  tail -n 1 "$tf" >>"$WORK/offline-$name.times"
}

run_offline() {
  log "offline: $RUNS rounds of p0f / P0fSharp / P0fSharp-JIT on $CAPTURE ..."
  rm -f "$WORK"/offline-*.times
  "$P0F" -r "$CAPTURE" -f "$DB" >/dev/null 2>&1 || true # page cache
  "${OURS[@]}" -r "$CAPTURE" -f "$DB" >/dev/null 2>&1 || true
  local i
  for ((i = 1; i <= RUNS; i++)); do
    offline_once p0f "$P0F"
    offline_once ours "${OURS[@]}"
    [ -x "$AOT_DIR/p0fsharp" ] && offline_once jit "${OURS_JIT[@]}"
    log "  round $i: p0f $(tail -1 "$WORK/offline-p0f.times") | P0fSharp $(tail -1 "$WORK/offline-ours.times")$([ -f "$WORK/offline-jit.times" ] && echo " | JIT $(tail -1 "$WORK/offline-jit.times")") (s KiB)"
  done
  local pw ow pr or
  pw=$(col 1 "$WORK/offline-p0f.times" | median)
  ow=$(col 1 "$WORK/offline-ours.times" | median)
  pr=$(awk '{print $2 / 1024}' "$WORK/offline-p0f.times" | median)
  or=$(awk '{print $2 / 1024}' "$WORK/offline-ours.times" | median)
  row "Offline \`-r\`, 900k packets: wall time, s" "$(fmt "$pw" %.2f)" "$(fmt "$ow" %.2f)" "$(ratio "$pw" "$ow")" "ratio ≤ 0.25" "$(verdict "$(ratio "$pw" "$ow")" '<=' 0.25)"
  row "Offline \`-r\`: peak RSS, MiB" "$(fmt "$pr" %.1f)" "$(fmt "$or" %.1f)" "$(ratio "$pr" "$or")" "≤ 80 MiB" "$(verdict "$or" '<=' 80)"
  if [ -f "$WORK/offline-jit.times" ]; then
    local jw jr
    jw=$(col 1 "$WORK/offline-jit.times" | median)
    jr=$(awk '{print $2 / 1024}' "$WORK/offline-jit.times" | median)
    row "Offline, JIT build (\`dotnet p0fsharp.dll\`): wall s / peak RSS MiB" "$(fmt "$pw" %.2f) / $(fmt "$pr" %.1f)" \
      "$(fmt "$jw" %.2f) / $(fmt "$jr" %.1f)" "$(ratio "$pw" "$jw") / $(ratio "$pr" "$jr")" "(reference)" ""
    note "offline runs (wall s/peak KiB), JIT build: $(runs_of "$WORK/offline-jit.times")"
  fi
  note "offline runs (wall s/peak KiB), p0f: $(runs_of "$WORK/offline-p0f.times"); P0fSharp: $(runs_of "$WORK/offline-ours.times")"
}

# ------------------------------------------------------------------------------------------
# Live replay onto a veth pair between two namespaces, then the API on the state it built
# ------------------------------------------------------------------------------------------
SUFFIX=$$-$RANDOM
NS_TX=p0fb-tx-$SUFFIX
NS_RX=p0fb-rx-$SUFFIX
IF_TX=p0fbt$$
IF_RX=p0fbr$$
SENTINEL=$WORK/sentinel.pcap

make_sentinel() { # one SYN from 192.0.2.99 (RFC 5737): proves the capture was live before the replay
  python3 - "$SENTINEL" <<'PY'
import struct, sys
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
src, dst = bytes([192, 0, 2, 99]), bytes([192, 0, 2, 25])
opts = struct.pack('!BBH', 2, 4, 1460) + b'\x04\x02' + struct.pack('!BBII', 8, 10, 1, 0) + b'\x01' + struct.pack('!BBB', 3, 3, 7)
tcp = struct.pack('!HHIIBBHHH', 4999, 25, 1, 0, ((20 + len(opts)) // 4) << 4, 2, 29200, 0, 0) + opts
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src, dst)
ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
frame = b'\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00' + ip + tcp
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack('<IIII', 1700000000, 0, len(frame), len(frame)) + frame)
PY
}

live_setup() {
  ip netns add "$NS_TX"; NETNS+=("$NS_TX")
  ip netns add "$NS_RX"; NETNS+=("$NS_RX")
  ip link add "$IF_TX" type veth peer name "$IF_RX"
  ip link set "$IF_TX" netns "$NS_TX"
  ip link set "$IF_RX" netns "$NS_RX"
  local ns
  for ns in "$NS_TX" "$NS_RX"; do
    # no IPv6 neighbour discovery or router solicitations on the capture link
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || true
    ip -n "$ns" link set lo up
  done
  ip -n "$NS_TX" link set "$IF_TX" up
  ip -n "$NS_RX" link set "$IF_RX" up
}

syn_count() { # SYN observations of the replayed clients (198.18.0.0/15), not the sentinel
  local n
  n=$(grep -c 'mod=syn|cli=198\.1[89]\.' "$1" 2>/dev/null) || true
  echo "${n:-0}"
}

# api_field TEXT KEY -> the number after KEY= in api_bench's output
api_field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<<"$1"; }

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; } # user + system, all threads

# api_run NAME SOCK PID CLIENTS -> "qps p99_us server_us_per_query clients_us_per_query"
# The server's CPU comes from /proc/PID/stat around the run, the clients' from /usr/bin/time.
api_run() {
  local name=$1 sock=$2 pid=$3 clients=$4 tf=$WORK/api.time out t0 t1 answered
  t0=$(cpu_ticks "$pid")
  out=$(timeout 120 /usr/bin/time -o "$tf" -f '%U %S' "$API_BENCH" "$sock" "$SERVER_IP" "$clients" $((API_QUERIES / clients)) 2>&1) || true
  t1=$(cpu_ticks "$pid")
  echo "$name $clients: $out" >>"$WORK/api-raw.txt"
  grep -q 'errors=0' <<<"$out" || log "  $name: api_bench with $clients clients reported errors: $out"
  answered=$(api_field "$out" answered)
  awk -v q="$(api_field "$out" qps)" -v p="$(api_field "$out" p99_us)" -v n="${answered:-0}" -v t0="$t0" -v t1="$t1" \
    -v hz="$CLK_TCK" -v cpu="$(tail -1 "$tf" 2>/dev/null)" 'BEGIN {
      split(cpu, c, " ")
      if (n + 0 == 0 || q == "") { print "n/a n/a n/a n/a"; exit }
      printf "%s %s %.2f %.2f\n", q, p, (t1 - t0) / hz / n * 1e6, (c[1] + c[2]) / n * 1e6 }'
}

# cpq_run NAME SOCK PID -> "connections_per_s p99_us server_us_per_connection": rspamd's pattern,
# CPQ_CLIENTS clients that each connect, ask once and close, CPQ_CONNECTIONS in all
cpq_run() {
  local name=$1 sock=$2 pid=$3 out t0 t1 done
  "$API_CPQ" "$sock" "$SERVER_IP" "$CPQ_CLIENTS" 500 >/dev/null 2>&1 || true
  t0=$(cpu_ticks "$pid")
  out=$(timeout 120 "$API_CPQ" "$sock" "$SERVER_IP" "$CPQ_CLIENTS" $((CPQ_CONNECTIONS / CPQ_CLIENTS)) 2>&1) || true
  t1=$(cpu_ticks "$pid")
  echo "$name connect-per-query $CPQ_CLIENTS: $out" >>"$WORK/api-raw.txt"
  grep -q 'errors=0' <<<"$out" || log "  $name: api_connect_per_query reported errors: $out"
  done=$(api_field "$out" connections)
  awk -v c="$(api_field "$out" cps)" -v p="$(api_field "$out" p99_us)" -v n="${done:-0}" -v t0="$t0" -v t1="$t1" -v hz="$CLK_TCK" 'BEGIN {
      if (n + 0 == 0 || c == "") { print "n/a n/a n/a"; exit }
      printf "%s %s %.1f\n", c, p, (t1 - t0) / hz / n * 1e6 }'
}

# api_both NAME SOCK PID -> "qps8 p99_8 qps32 p99_32 server8 clients8 server32 clients32 cps cps_p99
# server_per_connection", after a warm-up
api_both() {
  local a8 a32 c
  "$API_BENCH" "$2" "$SERVER_IP" 8 2000 >/dev/null 2>&1 || true
  a8=($(api_run "$1" "$2" "$3" 8))
  a32=($(api_run "$1" "$2" "$3" 32))
  c=($(cpq_run "$1" "$2" "$3"))
  echo "${a8[0]} ${a8[1]} ${a32[0]} ${a32[1]} ${a8[2]} ${a8[3]} ${a32[2]} ${a32[3]} ${c[0]} ${c[1]} ${c[2]}"
}

# wait_api NAME SOCK PID SECONDS STDERR_FILE: until the server at SOCK answers a query; dies
# (with the server's last words) when it exits first or is not ready in time.
wait_api() {
  local name=$1 sock=$2 pid=$3 deadline=$((SECONDS + $4)) errf=$5
  until [ -S "$sock" ] && "$API_BENCH" "$sock" "$SERVER_IP" 1 1 >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { tail -5 "$errf" >&2; die "live: $name exited before it was ready"; }
    [ "$SECONDS" -lt "$deadline" ] || { stop_pid "$pid"; die "live: $name was not ready within $4 s"; }
    sleep 0.1
  done
}

# live_once NAME CMD... -> appends "syns pps sentinel" and api_both's fields to $WORK/live-NAME.results
live_once() {
  local name=$1
  shift
  local logf=$WORK/live-$name.log errf=$WORK/live-$name.stderr sock=$WORK/live-$name.sock pid deadline pps seen
  rm -f "$logf" "$sock"
  ip netns exec "$NS_RX" "$@" -i "$IF_RX" -o "$logf" -s "$sock" -S 64 >/dev/null 2>"$errf" &
  pid=$!
  PIDS+=("$pid")
  # Ready when the API answers: both tools open the capture and install its filter first.
  wait_api "$name" "$sock" "$pid" 60 "$errf"
  sleep 1
  ip netns exec "$NS_TX" tcpreplay -q -i "$IF_TX" "$SENTINEL" >/dev/null 2>&1 || true
  sleep 0.2
  pps=$(timeout 300 ip netns exec "$NS_TX" tcpreplay --topspeed -i "$IF_TX" "$CAPTURE" 2>&1 |
    awk '/Rated:/ { for (i = 1; i <= NF; i++) if ($i == "pps") { print $(i-1); exit } }') || true
  # Drain: until all SYNs are logged or the count has not moved for 2 s (at most 60 s). Both
  # tools flush the log when the wire goes idle.
  local last=-1 stable=0 now
  deadline=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$deadline" ]; do
    now=$(syn_count "$logf")
    [ "$now" -ge "$CONNECTIONS" ] && break
    if [ "$now" = "$last" ]; then stable=$((stable + 1)); [ "$stable" -ge 4 ] && break; else stable=0; fi
    last=$now
    sleep 0.5
  done
  local syns api
  syns=$(syn_count "$logf")
  seen=0
  grep -q 'mod=syn|cli=192\.0\.2\.99/' "$logf" 2>/dev/null && seen=1
  [ "$seen" = 1 ] || log "  warning: $name did not log the sentinel SYN sent before the replay"
  # API on the state the replay built: the server both tools have fingerprinted. The tens of
  # MB of log just written go to disk first, so that their writeback does not land in the
  # middle of one tool's API run and not the other's.
  timeout 120 sync || true
  api=$(api_both "$name" "$sock" "$pid")
  stop_pid "$pid"
  echo "$syns ${pps:-0} $seen $api" >>"$WORK/live-$name.results"
}

# floor_once DESIGN -> appends api_both's fields for bench/api_floor.c in DESIGN (epoll or
# threads) to $WORK/live-floor-DESIGN.results
floor_once() {
  local design=$1 sock=$WORK/live-floor.sock errf=$WORK/live-floor.stderr pid api
  rm -f "$sock"
  "$API_FLOOR" "$sock" "$design" 2>>"$errf" &
  pid=$!
  PIDS+=("$pid")
  wait_api "floor-$design" "$sock" "$pid" 10 "$errf"
  api=$(api_both "floor-$design" "$sock" "$pid")
  stop_pid "$pid"
  echo "$api" >>"$WORK/live-floor-$design.results"
}

run_live() {
  log "live: $RUNS pairs; tcpreplay --topspeed onto a veth, then api_bench 8 and 32 clients ..."
  rm -f "$WORK"/live-*.results "$WORK/api-raw.txt" "$WORK/live-floor.stderr"
  make_sentinel
  live_setup
  local i
  for ((i = 1; i <= RUNS; i++)); do
    live_once p0f "$P0F"
    live_once ours "${OURS[@]}"
    floor_once epoll
    floor_once threads
    log "  run $i: p0f $(tail -1 "$WORK/live-p0f.results") | P0fSharp $(tail -1 "$WORK/live-ours.results") (SYNs pps sentinel qps8 p99 qps32 p99 cpu-per-query: server8 clients8 server32 clients32) | floors: epoll $(tail -1 "$WORK/live-floor-epoll.results"), threads $(tail -1 "$WORK/live-floor-threads.results")"
  done
  local p o pm om
  p=$WORK/live-p0f.results o=$WORK/live-ours.results
  pm=$(awk -v n=$CONNECTIONS '{print 100 * $1 / n}' "$p" | median)
  om=$(awk -v n=$CONNECTIONS '{print 100 * $1 / n}' "$o" | median)
  row "Live replay: SYNs fingerprinted, % of $(commas $CONNECTIONS) (worst run)" \
    "$(fmt "$pm" %.1f) ($(awk -v n=$CONNECTIONS '{print 100 * $1 / n}' "$p" | minimum | xargs printf %.1f))" \
    "$(fmt "$om" %.1f) ($(awk -v n=$CONNECTIONS '{print 100 * $1 / n}' "$o" | minimum | xargs printf %.1f))" \
    "$(ratio "$pm" "$om")" "100 %" "$(verdict "$(awk -v n=$CONNECTIONS '{print 100 * $1 / n}' "$o" | minimum)" '>=' 100)"
  row "Live replay: tcpreplay rate, packets/s" "$(col 2 "$p" | median | xargs printf %.0f)" "$(col 2 "$o" | median | xargs printf %.0f)" "" "(≈ 300k)" ""
  local c label target op lim pv ov
  for c in 4 5 6 7; do
    pv=$(col $c "$p" | median)
    ov=$(col $c "$o" | median)
    case $c in
      4) label="API, 8 clients: queries/s" target="ratio ≥ 1.5" op='>=' lim=1.5 ;;
      5) label="API, 8 clients: p99 latency, µs" target="ratio ≤ 1" op='<=' lim=1 ;;
      6) label="API, 32 clients: queries/s" target="ratio ≥ 1.5" op='>=' lim=1.5 ;;
      7) label="API, 32 clients: p99 latency, µs" target="ratio ≤ 1" op='<=' lim=1 ;;
    esac
    row "$label" "$(fmt "$pv" %.0f)" "$(fmt "$ov" %.0f)" "$(ratio "$pv" "$ov")" "$target" "$(verdict "$(ratio "$pv" "$ov")" "$op" "$lim")"
  done
  local clients sc cc fq pq oq
  for clients in 8 32; do
    [ "$clients" = 8 ] && { sc=8 cc=9; } || { sc=10 cc=11; }
    local ps pc os oc
    ps=$(col $sc "$p" | median) pc=$(col $cc "$p" | median) os=$(col $sc "$o" | median) oc=$(col $cc "$o" | median)
    row "API, $clients clients: CPU per query, server + clients, µs" "$(fmt "$ps" %.1f) + $(fmt "$pc" %.1f)" \
      "$(fmt "$os" %.1f) + $(fmt "$oc" %.1f)" "$(ratio "$(awk -v a="$ps" -v b="$pc" 'BEGIN { print a + b }')" "$(awk -v a="$os" -v b="$oc" 'BEGIN { print a + b }')")" "(reference)" ""
  done
  local cl cv
  for c in 12 13 14; do
    pv=$(col $c "$p" | median)
    ov=$(col $c "$o" | median)
    case $c in
      12) label="API, one connection per query (rspamd's pattern), $CPQ_CLIENTS clients: connections/s" cl="ratio ≥ 1" op='>=' lim=1 cv="%.0f" ;;
      13) label="API, one connection per query: p99 latency of a connection, µs" cl="ratio ≤ 1" op='<=' lim=1 cv="%.0f" ;;
      14) label="API, one connection per query: server CPU per connection, µs" cl="(reference)" op='' lim='' cv="%.1f" ;;
    esac
    row "$label" "$(fmt "$pv" "$cv")" "$(fmt "$ov" "$cv")" "$(ratio "$pv" "$ov")" "$cl" "$([ -n "$op" ] && verdict "$(ratio "$pv" "$ov")" "$op" "$lim")"
  done
  local design f what
  for design in epoll threads; do
    f=$WORK/live-floor-$design.results
    [ "$design" = epoll ] && what="one epoll loop, p0f's shape" || what="a thread per connection, P0fSharp's shape"
    for clients in 8 32; do
      [ "$clients" = 8 ] && { fq=1 sc=5 cc=6 pq=4; } || { fq=3 sc=7 cc=8 pq=6; }
      local fv fs fc pv
      fv=$(col $fq "$f" | median) fs=$(col $sc "$f" | median) fc=$(col $cc "$f" | median) pv=$(col $pq "$p" | median)
      row "API floor, $what (P0fSharp column: \`bench/api_floor.c $design\`, its CPU µs per query, server + clients), $clients clients: queries/s" \
        "$(fmt "$pv" %.0f)" "$(fmt "$fv" %.0f) ($(fmt "$fs" %.1f) + $(fmt "$fc" %.1f))" "$(ratio "$pv" "$fv")" "(yardstick)" ""
      oq=$(col $pq "$o" | median)
      note "API, $clients clients: P0fSharp reaches $(awk -v a="$oq" -v b="$fv" 'BEGIN { if (b + 0 > 0) printf "%.0f", 100 * a / b; else print "n/a" }') % of the $design floor server's throughput"
    done
  done
  note "live runs (SYN lines/replay pps/sentinel seen/qps8/p99_8/qps32/p99_32/server and clients CPU µs per query at 8, then 32 clients/connect-per-query connections/s, p99, server CPU µs per connection) p0f: $(runs_of "$p"); P0fSharp: $(runs_of "$o")"
  note "floor runs (qps8/p99_8/qps32/p99_32/server and clients CPU µs per query at 8, then 32 clients/connect-per-query connections/s, p99, server CPU µs per connection): epoll $(runs_of "$WORK/live-floor-epoll.results"); threads $(runs_of "$WORK/live-floor-threads.results")"
  note "API floors: \`bench/api_floor.c\` answering each query with a constant 232-byte record, one recv and one send per query and nothing else, as one epoll loop (the shape of p0f's poll loop) or with a thread per connection (the shape of P0fSharp's API): what the transport alone allows each design with these clients on this machine"
  note "API: both tools capture live with \`-o\` and \`-s SOCK -S 64\`; after the replay (so both hold the capture's state, with p0f's default host limit of 10,000) api_bench asks $(commas "$API_QUERIES") times for $SERVER_IP, the capture's server, which both have fingerprinted (OS from its SYN+ACK); one query in flight per client"
}

# ------------------------------------------------------------------------------------------
# Memory
# ------------------------------------------------------------------------------------------
peak_kib() { # peak_kib CAPTURE CMD... -> peak RSS (KiB) of one offline run with -m 1000,HOSTS_CLI
  local cap=$1 tf=$WORK/mem.time
  shift
  /usr/bin/time -o "$tf" -f '%M' "$@" -r "$cap" -f "$DB" -m "1000,$HOSTS_CLI" >/dev/null 2>"$WORK/mem.stderr" \
    || { tail -5 "$WORK/mem.stderr" >&2; die "memory run of $* on $cap failed"; }
  tail -1 "$tf"
}

# growth NAME COUNT CMD... -> $WORK/growth-NAME.result: "first_half_peak_kib second_half_peak_kib hwm_kib seconds"
growth() {
  local name=$1 count=$2
  shift 2
  local fifo=$WORK/growth-$name.fifo samples=$WORK/growth-$name.samples gen pid t0 deadline rss hwm
  rm -f "$fifo" "$samples"
  mkfifo "$fifo"
  "$GEN_SYNS" "$fifo" "$count" 0 7 &
  gen=$!
  PIDS+=("$gen")
  "$@" -r "$fifo" -f "$DB" -m 1000,10000 >/dev/null 2>"$WORK/growth-$name.stderr" &
  pid=$!
  PIDS+=("$pid")
  t0=$(date +%s.%N)
  deadline=$((SECONDS + 900))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || true
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || true
    [ -n "$rss" ] && echo "$(date +%s.%N) $rss $hwm" >>"$samples"
    sleep 0.2
  done
  kill -0 "$pid" 2>/dev/null && log "growth: $name still running after 900 s; stopping it"
  stop_pid "$pid"
  stop_pid "$gen"
  rm -f "$fifo"
  awk -v t0="$t0" '{ t[NR] = $1 - t0; r[NR] = $2; if ($3 > h) h = $3 }
    END { if (NR < 2) { print "n/a n/a n/a n/a"; exit }
          end = t[NR]; for (i = 1; i <= NR; i++) { if (t[i] <= end / 2) { if (r[i] > a) a = r[i] } else if (r[i] > b) b = r[i] }
          printf "%d %d %d %.1f\n", a, b, h, end }' "$samples" >"$WORK/growth-$name.result"
}

run_memory() {
  [ -f "$BENCH_DLL" ] || die "no $BENCH_DLL; run without --no-build"
  local engine_cap=$WORK/syn-hosts-$HOSTS_ENGINE.pcap cli_cap=$WORK/syn-hosts-$HOSTS_CLI.pcap empty_cap=$WORK/syn-hosts-1.pcap
  [ -s "$engine_cap" ] || "$GEN_SYNS" "$engine_cap" $((HOSTS_ENGINE - 1)) 0 11
  [ -s "$cli_cap" ] || "$GEN_SYNS" "$cli_cap" $((HOSTS_CLI - 1)) 0 13
  [ -s "$empty_cap" ] || "$GEN_SYNS" "$empty_cap" 1 0 13

  log "memory: engine probe, $(commas $HOSTS_ENGINE) hosts ..."
  local probe per_host rss_per_host
  probe=$(P0FSHARP_FP=$DB dotnet "$BENCH_DLL" hostmem "$engine_cap" "$HOSTS_ENGINE" 1000 2>&1) \
    || { echo "$probe" >&2; die "hostmem probe failed"; }
  echo "$probe" >"$WORK/hostmem.txt"
  per_host=$(sed -n 's/.*managed_bytes_per_host=\([0-9.]*\).*/\1/p' <<<"$probe")
  rss_per_host=$(sed -n 's/.*rss_bytes_per_host=\([0-9.]*\).*/\1/p' <<<"$probe")
  row "Memory per tracked host, $(commas $HOSTS_ENGINE) hosts in the engine: managed bytes (resident)" "n/a (-m ≤ 500,000)" \
    "$(fmt "$per_host" %.0f) ($(fmt "$rss_per_host" %.0f))" "" "≤ 200 B" "$(verdict "$per_host" '<=' 200)"
  note "engine probe: $(grep -v '^hostmem' "$WORK/hostmem.txt" | paste -sd';' -)"

  log "memory: $(commas $HOSTS_CLI) hosts through both command lines (-m 1000,$HOSTS_CLI) ..."
  local base_p base_o full_p full_o pp op
  base_p=$(peak_kib "$empty_cap" "$P0F")
  base_o=$(peak_kib "$empty_cap" "${OURS[@]}")
  full_p=$(peak_kib "$cli_cap" "$P0F")
  full_o=$(peak_kib "$cli_cap" "${OURS[@]}")
  pp=$(awk -v f="$full_p" -v b="$base_p" -v n="$HOSTS_CLI" 'BEGIN { printf "%.0f", (f - b) * 1024 / n }')
  op=$(awk -v f="$full_o" -v b="$base_o" -v n="$HOSTS_CLI" 'BEGIN { printf "%.0f", (f - b) * 1024 / n }')
  row "Memory per tracked host, $(commas $HOSTS_CLI) hosts via \`-r\`: peak RSS above an empty run, bytes" "$pp" "$op" "$(ratio "$pp" "$op")" "≤ 200 B" "$(verdict "$op" '<=' 200)"
  note "$(commas $HOSTS_CLI)-host runs, peak RSS KiB (empty run → full): p0f $base_p → $full_p, P0fSharp $base_o → $full_o"

  log "memory: growth, $(commas $GROWTH_OURS) random-source SYNs (P0fSharp), $(commas $GROWTH_P0F) (p0f), -m 1000,10000 ..."
  growth ours "$GROWTH_OURS" "${OURS[@]}"
  growth p0f "$GROWTH_P0F" "$P0F"
  local ga gb gh gs pa pb ph ps
  read -r ga gb gh gs <"$WORK/growth-ours.result"
  read -r pa pb ph ps <"$WORK/growth-p0f.result"
  # Bounded: the second half's peak RSS is within 5 % (+1 MiB) of the first half's.
  row "Growth under -m 1000,10000: $(commas "$GROWTH_OURS") random-source SYNs (p0f: $(commas "$GROWTH_P0F")), peak RSS 1st half → 2nd half, MiB" \
    "$(awk -v a="$pa" -v b="$pb" 'BEGIN { if (a == "n/a") print "n/a"; else printf "%.1f → %.1f", a / 1024, b / 1024 }')" \
    "$(awk -v a="$ga" -v b="$gb" 'BEGIN { if (a == "n/a") print "n/a"; else printf "%.1f → %.1f", a / 1024, b / 1024 }')" \
    "" "bounded (2nd ≤ 1st + 5 %)" \
    "$(awk -v a="$ga" -v b="$gb" 'BEGIN { if (a == "n/a") print "n/a"; else print (b <= a * 1.05 + 1024) ? "met" : "**missed**" }')"
  note "growth: P0fSharp $(commas "$GROWTH_OURS") SYNs in ${gs} s, VmHWM $(fmt "$gh" %.0f) KiB; p0f $(commas "$GROWTH_P0F") SYNs in ${ps} s, VmHWM $(fmt "$ph" %.0f) KiB"
}

# ------------------------------------------------------------------------------------------
# Micro-benchmarks
# ------------------------------------------------------------------------------------------
MICRO_TABLES=""
run_micro() {
  [ -f "$BENCH_DLL" ] || die "no $BENCH_DLL; run without --no-build"
  local job=() bdn=$WORK/bdn f
  [ "$QUICK" = 1 ] && job=(--job short)
  rm -rf "$bdn"
  log "micro: BenchmarkDotNet ${job[*]:-(default job)} ..."
  (cd "$BENCH_DIR/P0fSharp.Benchmarks" && P0FSHARP_FP=$DB timeout 1800 dotnet "$BENCH_DLL" --filter '*' "${job[@]}" --artifacts "$bdn" \
    >"$WORK/bdn.log" 2>&1) || { tail -20 "$WORK/bdn.log" >&2; die "BenchmarkDotNet failed"; }
  for f in "$bdn"/results/*-report-github.md; do
    [ -f "$f" ] || continue
    MICRO_TABLES+=$'\n'"$(basename "$f" -report-github.md | sed 's/^P0fSharp\.Benchmarks\.//')"$':\n\n'
    MICRO_TABLES+="$(grep "^|" "$f" | sed "s/\*\*//g")"$'\n'
  done
}

# ------------------------------------------------------------------------------------------
# Run and report
# ------------------------------------------------------------------------------------------
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
T0=$SECONDS
want offline && run_offline
want live && run_live
want memory && run_memory
want micro && run_micro

cpu_model=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem_total=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
runtime=$(dotnet --list-runtimes 2>/dev/null | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}')
{
  echo "Generated by \`bench/run.sh ${SECTIONS[*]}$([ "$QUICK" = 1 ] && echo ' --quick')\` ($RUNS runs per tool, medians) on $STARTED in $((SECONDS - T0)) s."
  echo
  echo "Machine: $(nproc) CPUs ($cpu_model), $mem_total RAM, $(uname -sr); load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "p0f 3.09b ($P0F) vs P0fSharp, $BUILD_MODE, .NET ${runtime:-?}; same signatures (\`data/p0f.fp\`)."
  echo
  if [ ${#ROWS[@]} -gt 0 ]; then
    echo "| Measure | p0f 3.09b | P0fSharp | P0fSharp / p0f | Target | Met? |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
  fi
  if [ ${#NOTES[@]} -gt 0 ]; then
    printf '%s\n' "${NOTES[@]}"
    echo
  fi
  if [ -n "$MICRO_TABLES" ]; then
    echo "Micro-benchmarks (BenchmarkDotNet, \`bench/P0fSharp.Benchmarks\`):"
    echo "$MICRO_TABLES"
  fi
} >"$WORK/results.md"
echo
cat "$WORK/results.md"
log "results written to $WORK/results.md"
