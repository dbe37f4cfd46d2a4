#!/usr/bin/env bash
# P0fSharp vs p0f 3.09b, side by side on this machine.
#
#   bench/run.sh [offline] [live] [api] [memory] [micro] [--quick] [--runs N] [--no-build]
#
# With no section named, runs offline, live, api and memory (micro is opt-in: BenchmarkDotNet
# takes minutes). Every comparison alternates the tools (p0f, P0fSharp, p0f, P0fSharp, ...) and
# reports medians: 5 runs each by default, 3 with --quick (indicative only), or --runs N.
#
#   offline  `p0f -r` / `p0fsharp -r` on gen_pcap.py's 100,000-connection capture (900k packets),
#            stdout to /dev/null, wall seconds and peak RSS from /usr/bin/time -f '%e %M'.
#   live     the same capture replayed with `tcpreplay --topspeed` inside a network namespace
#            onto a veth; each tool captures alone on the peer (its own namespace) with -o; the
#            SYN lines in its log are counted against the 100,000 SYNs sent.
#   api      bench/../shared api_bench.c (gcc -O2) against `-i lo -s SOCK -S 64 'tcp port 9'`:
#            qps and p99 with 8 and with 32 clients (n/a for P0fSharp while -s is not wired).
#   memory   bytes per tracked host: 1,000,000 distinct hosts through the engine (the CLI caps
#            -m at p0f's 500,000), and 500,000 hosts through both command lines (peak RSS above
#            an empty run); growth check: 10,000,000 random-source SYNs (2,000,000 for p0f,
#            which is ~30x slower here; --quick: 2M / 1M) streamed through a FIFO with
#            -m 1000,10000 while the resident set is sampled every 0.2 s.
#   micro    BenchmarkDotNet hot-path benchmarks (bench/P0fSharp.Benchmarks), allocations shown.
#
# Builds P0fSharp once into bench/out/ (Native AOT; ReadyToRun, then plain JIT if that fails;
# the mode used is reported) with intermediate files under the work directory, so src/*/obj is
# not touched. Generated captures and logs are cached in $P0FBENCH_WORK (default
# /tmp/p0fsharp-bench). Installs time, p0f, tcpreplay, gcc and iproute2 with apt-get if
# missing. The results table is printed and written to bench/results.md. Needs root (live
# capture, network namespaces). Every wait is bounded; namespaces and processes it started are
# removed by name/PID on exit.
#
# Environment: P0FBENCH_WORK (work directory), P0FBENCH_SHARED (folder with gen_pcap.py and
# api_bench.c; default ../shared/bench), P0FBENCH_PUBLISH_ARGS (extra `dotnet publish`
# arguments), P0FBENCH_OURS (run this program instead of bench/out/p0fsharp, e.g. /usr/sbin/p0f
# to check the harness against itself).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$BENCH_DIR")
WORK=${P0FBENCH_WORK:-/tmp/p0fsharp-bench}
OUT_DIR=$BENCH_DIR/out
RESULTS=$BENCH_DIR/results.md
DB=$REPO/data/p0f.fp
CONNECTIONS=100000

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit "${1:-0}"
}

# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------
SECTIONS=()
QUICK=0
RUNS=""
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    offline | live | api | memory | micro) SECTIONS+=("$1") ;;
    --quick) QUICK=1 ;;
    --runs)
      [ $# -ge 2 ] || usage 2
      RUNS=$2
      shift
      ;;
    --runs=*) RUNS=${1#--runs=} ;;
    --no-build) BUILD=0 ;;
    -h | --help) usage 0 ;;
    *) log "unknown argument '$1'"; usage 2 ;;
  esac
  shift
done
[ ${#SECTIONS[@]} -gt 0 ] || SECTIONS=(offline live api memory)
if [ -z "$RUNS" ]; then
  if [ "$QUICK" = 1 ]; then RUNS=3; else RUNS=5; fi
fi
if ! [[ "$RUNS" =~ ^[1-9][0-9]*$ ]]; then die "--runs needs a positive number"; fi
want() { local s; for s in "${SECTIONS[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

if [ "$QUICK" = 1 ]; then
  API_Q8=4000 API_Q32=1000 GROWTH_OURS=2000000 GROWTH_P0F=1000000
else
  API_Q8=25000 API_Q32=6250 GROWTH_OURS=10000000 GROWTH_P0F=2000000
fi
HOSTS_ENGINE=1000000 # hosts held in the engine probe (999,999 clients + the server)
HOSTS_CLI=500000     # p0f's and P0fSharp's -m maximum (499,999 clients + the server)

[ "$(id -u)" -eq 0 ] || die "run as root (live capture and network namespaces need it)"
mkdir -p "$WORK"

# ---------------------------------------------------------------------------------------------
# Cleanup: only what this script started, by PID and by name.
# ---------------------------------------------------------------------------------------------
PIDS=()
NETNS=()
cleanup() {
  local pid ns
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for pid in "${PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  for ns in "${NETNS[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -f "$WORK"/*.fifo "$WORK"/api-*.sock
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

forget_pid() {
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]+"${keep[@]}"}")
}

# stop_pid PID: SIGTERM (p0f and P0fSharp both shut down cleanly on it; a background job of a
# non-interactive shell inherits SIGINT as ignored), 10 s grace, then SIGKILL; reaps it.
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

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
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
if want live; then
  command -v tcpreplay >/dev/null 2>&1 || install_pkgs tcpreplay
  command -v ip >/dev/null 2>&1 || install_pkgs iproute2
fi
if want api || want memory; then
  command -v gcc >/dev/null 2>&1 || install_pkgs gcc libc6-dev
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

SHARED=""
for candidate in "${P0FBENCH_SHARED:-}" "$REPO/../shared/bench" /work/shared/bench; do
  if [ -n "$candidate" ] && [ -f "$candidate/gen_pcap.py" ]; then SHARED=$(cd "$candidate" && pwd); break; fi
done
[ -n "$SHARED" ] || die "shared/bench (gen_pcap.py, api_bench.c) not found; set P0FBENCH_SHARED"

# ---------------------------------------------------------------------------------------------
# Build P0fSharp: Native AOT, else ReadyToRun, else JIT -> bench/out/p0fsharp
# ---------------------------------------------------------------------------------------------
BUILD_MODE_FILE=$OUT_DIR/.build-mode
publish() { # publish LOG EXTRA-ARGS...
  local logf=$1; shift
  rm -rf "$OUT_DIR"
  dotnet publish "$REPO/src/Host/P0fSharp.Host.csproj" -c Release -r linux-x64 -nologo \
    --artifacts-path "$WORK/artifacts" -o "$OUT_DIR" "$@" >"$logf" 2>&1
}
# first_error LOG -> "File.cs(29,34): error IL3000" (or the first error line, shortened)
first_error() {
  { grep -m1 -E 'error [A-Z]+[0-9]+' "$1" || true; } |
    sed -E 's#^.*/([^/]+\([0-9,]+\)): (error [A-Z]+[0-9]+).*#\1: \2#; s/^(.*error [A-Z]+[0-9]+).*/\1/' | cut -c1-160
}

if [ "$BUILD" = 1 ]; then
  log "publishing P0fSharp (Native AOT) ..."
  # P0FBENCH_PUBLISH_ARGS: extra publish arguments for every attempt
  # (e.g. -p:WarningsNotAsErrors=IL3000 to get past a single-file analyzer error).
  read -r -a EXTRA_PUBLISH <<<"${P0FBENCH_PUBLISH_ARGS:-}"
  if publish "$WORK/publish-aot.log" -p:PublishAot=true "${EXTRA_PUBLISH[@]}"; then
    echo "Native AOT${P0FBENCH_PUBLISH_ARGS:+ ($P0FBENCH_PUBLISH_ARGS)}" >"$BUILD_MODE_FILE"
  else
    aot_error=$(first_error "$WORK/publish-aot.log")
    log "Native AOT publish failed: ${aot_error:-see $WORK/publish-aot.log}; trying ReadyToRun"
    if publish "$WORK/publish-r2r.log" -p:PublishReadyToRun=true --self-contained false "${EXTRA_PUBLISH[@]}"; then
      echo "ReadyToRun (Native AOT failed: ${aot_error:-see publish-aot.log})" >"$BUILD_MODE_FILE"
    else
      r2r_error=$(first_error "$WORK/publish-r2r.log")
      log "ReadyToRun publish failed: ${r2r_error:-see $WORK/publish-r2r.log}; trying JIT"
      publish "$WORK/publish-jit.log" --self-contained false "${EXTRA_PUBLISH[@]}" \
        || { tail -20 "$WORK/publish-jit.log" >&2; die "P0fSharp does not build"; }
      echo "JIT (Native AOT failed: ${aot_error:-?}; ReadyToRun failed: ${r2r_error:-?})" >"$BUILD_MODE_FILE"
    fi
  fi
fi
if [ -n "${P0FBENCH_OURS:-}" ]; then
  # Substitute the program under test (P0FBENCH_OURS=/usr/sbin/p0f checks the harness itself).
  OURS=$P0FBENCH_OURS
  BUILD_MODE="substitute: $OURS"
else
  [ -x "$OUT_DIR/p0fsharp" ] || die "no $OUT_DIR/p0fsharp; run without --no-build"
  OURS=$OUT_DIR/p0fsharp
  BUILD_MODE=$(cat "$BUILD_MODE_FILE" 2>/dev/null || echo unknown)
fi
log "P0fSharp build: $BUILD_MODE"

BENCH_PROJECT=$BENCH_DIR/P0fSharp.Benchmarks
BENCH_DLL=$BENCH_PROJECT/bin/Release/net10.0/P0fSharp.Benchmarks.dll
build_benchmarks() {
  [ "${BENCH_BUILT:-0}" = 1 ] && return 0
  log "building bench/P0fSharp.Benchmarks (Release) ..."
  dotnet build "$BENCH_PROJECT/P0fSharp.Benchmarks.csproj" -c Release -nologo >"$WORK/build-benchmarks.log" 2>&1 \
    || { tail -20 "$WORK/build-benchmarks.log" >&2; die "benchmarks do not build"; }
  BENCH_BUILT=1
}

GEN_SYNS=$WORK/gen_syns
build_gen_syns() {
  if [ ! -x "$GEN_SYNS" ] || [ "$BENCH_DIR/gen_syns.c" -nt "$GEN_SYNS" ]; then
    gcc -O2 -Wall -o "$GEN_SYNS" "$BENCH_DIR/gen_syns.c" || die "gen_syns.c does not compile"
  fi
}

# ---------------------------------------------------------------------------------------------
# Captures
# ---------------------------------------------------------------------------------------------
CAPTURE=$WORK/smtp-$CONNECTIONS.pcap
if want offline || want live; then
  if [ ! -s "$CAPTURE" ]; then
    log "generating $CAPTURE (gen_pcap.py OUT $CONNECTIONS) ..."
    python3 "$SHARED/gen_pcap.py" "$CAPTURE.part" "$CONNECTIONS"
    mv "$CAPTURE.part" "$CAPTURE"
  fi
fi

# A single SYN from 192.0.2.99 (RFC 5737): readiness probe for live runs and the empty baseline
# for memory runs.
SENTINEL=$WORK/sentinel.pcap
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

# ---------------------------------------------------------------------------------------------
# Arithmetic and the results table
# ---------------------------------------------------------------------------------------------
median() { sort -g | awk '{v[NR]=$1} END { if (NR == 0) { print "n/a"; exit } if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
minimum() { sort -g | head -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || a + 0 == 0) print "n/a"; else printf "%.2f", b / a }'; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "n/a" || v == "") print "n/a"; else printf f, v }'; }
# verdict VALUE OP LIMIT -> "met" / "missed" / "n/a"
verdict() { awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { if (v == "n/a" || v == "") { print "n/a"; exit }
  ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 >= l + 0); print ok ? "**met**" : "**missed**" }'; }

commas() { awk -v n="$1" 'BEGIN { s = ""; while (n >= 1000) { s = sprintf(",%03d", n % 1000) s; n = int(n / 1000) } print n s }'; }

ROWS=()
NOTES=()
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }
note() { NOTES+=("- $*"); }

# ---------------------------------------------------------------------------------------------
# Offline
# ---------------------------------------------------------------------------------------------
offline_once() { # offline_once NAME CMD -> appends "wall rss_kib" to $WORK/offline-NAME.times
  local name=$1 cmd=$2 tf
  tf=$WORK/offline-$name.time
  if ! /usr/bin/time -o "$tf" -f '%e %M' "$cmd" -r "$CAPTURE" -f "$DB" >/dev/null 2>"$WORK/offline-$name.stderr"; then
    tail -5 "$WORK/offline-$name.stderr" >&2
    die "offline run of $name failed"
  fi
  tail -n 1 "$tf" >>"$WORK/offline-$name.times"
}

run_offline() {
  log "offline: $RUNS pairs on $CAPTURE ..."
  rm -f "$WORK"/offline-*.times
  "$P0F" -r "$CAPTURE" -f "$DB" >/dev/null 2>&1 || true # warm the page cache
  "$OURS" -r "$CAPTURE" -f "$DB" >/dev/null 2>&1 || true
  for ((i = 1; i <= RUNS; i++)); do
    offline_once p0f "$P0F"
    offline_once ours "$OURS"
    log "  run $i: p0f $(tail -1 "$WORK/offline-p0f.times") | P0fSharp $(tail -1 "$WORK/offline-ours.times") (s KiB)"
  done
  local pw pr ow or
  pw=$(awk '{print $1}' "$WORK/offline-p0f.times" | median)
  ow=$(awk '{print $1}' "$WORK/offline-ours.times" | median)
  pr=$(awk '{print $2 / 1024}' "$WORK/offline-p0f.times" | median)
  or=$(awk '{print $2 / 1024}' "$WORK/offline-ours.times" | median)
  local rw rr
  rw=$(ratio "$pw" "$ow")
  rr=$(ratio "$pr" "$or")
  row "Offline \`-r\`, 900k packets: wall time (s, median of $RUNS)" "$(fmt "$pw" %.2f)" "$(fmt "$ow" %.2f)" "$rw" "ratio ≤ 0.25" "$(verdict "$rw" '<=' 0.25)"
  row "Offline \`-r\`: peak RSS (MiB, median of $RUNS)" "$(fmt "$pr" %.1f)" "$(fmt "$or" %.1f)" "$rr" "≤ 80 MiB" "$(verdict "$or" '<=' 80)"
  note "offline runs (wall s, peak KiB) p0f: $(paste -sd' ' <(tr ' ' '/' <"$WORK/offline-p0f.times")); P0fSharp: $(paste -sd' ' <(tr ' ' '/' <"$WORK/offline-ours.times"))"
}

# ---------------------------------------------------------------------------------------------
# Live replay onto a veth pair between two namespaces
# ---------------------------------------------------------------------------------------------
NS_TX=p0fb-tx-$$
NS_RX=p0fb-rx-$$
IF_TX=p0fbt$$
IF_RX=p0fbr$$

live_setup() {
  ip netns add "$NS_TX"; NETNS+=("$NS_TX")
  ip netns add "$NS_RX"; NETNS+=("$NS_RX")
  ip link add "$IF_TX" type veth peer name "$IF_RX"
  ip link set "$IF_TX" netns "$NS_TX"
  ip link set "$IF_RX" netns "$NS_RX"
  local ns
  for ns in "$NS_TX" "$NS_RX"; do
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

packet_sockets() { # packet sockets open in the capture namespace (only the tool under test opens one)
  ip netns exec "$NS_RX" cat /proc/net/packet 2>/dev/null | awk 'NR > 1' | wc -l
}

# live_once NAME CMD -> appends "syns pps sentinel_seen" to $WORK/live-NAME.counts
# Readiness: the tool's capture socket exists in the namespace, then 1.5 s for it to install its
# filter and enter its loop; then one sentinel SYN (192.0.2.99) and the replay. The sentinel's
# line in the log, checked after the tool has exited, proves the capture was live before the
# replay started (P0fSharp buffers -o lines while the wire is idle, so it cannot be polled for).
live_once() {
  local name=$1 cmd=$2
  local logf=$WORK/live-$name.log errf=$WORK/live-$name.stderr pid deadline pps seen
  rm -f "$logf"
  ip netns exec "$NS_RX" "$cmd" -i "$IF_RX" -o "$logf" >/dev/null 2>"$errf" &
  pid=$!
  PIDS+=("$pid")
  deadline=$((SECONDS + 30))
  until [ "$(packet_sockets)" -gt 0 ]; do
    kill -0 "$pid" 2>/dev/null || { tail -5 "$errf" >&2; die "live: $name exited before capturing"; }
    [ "$SECONDS" -lt "$deadline" ] || { stop_pid "$pid"; die "live: $name opened no capture within 30 s"; }
    sleep 0.1
  done
  sleep 1.5
  ip netns exec "$NS_TX" tcpreplay -q -i "$IF_TX" "$SENTINEL" >/dev/null 2>&1 || true
  sleep 0.2
  pps=$(timeout 300 ip netns exec "$NS_TX" tcpreplay --topspeed -i "$IF_TX" "$CAPTURE" 2>&1 |
    awk '/Rated:/ { for (i = 1; i <= NF; i++) if ($i == "pps") { print $(i-1); exit } }') || true
  # Drain: wait until the count stops changing for 2 s (or all SYNs are in), at most 60 s.
  local last=-1 stable=0 now
  deadline=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$deadline" ]; do
    now=$(syn_count "$logf")
    [ "$now" -ge "$CONNECTIONS" ] && break
    if [ "$now" = "$last" ]; then stable=$((stable + 1)); [ "$stable" -ge 4 ] && break; else stable=0; fi
    last=$now
    sleep 0.5
  done
  stop_pid "$pid"
  seen=0
  grep -q 'mod=syn|cli=192\.0\.2\.99/' "$logf" 2>/dev/null && seen=1
  [ "$seen" = 1 ] || log "  warning: $name did not log the sentinel SYN sent before the replay"
  # wait until no packet socket is left, so the next tool's readiness check starts clean
  deadline=$((SECONDS + 10))
  while [ "$(packet_sockets)" -gt 0 ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  echo "$(syn_count "$logf") ${pps:-0} $seen" >>"$WORK/live-$name.counts"
}

run_live() {
  log "live: $RUNS pairs, tcpreplay --topspeed onto a veth ..."
  rm -f "$WORK"/live-*.counts
  live_setup
  for ((i = 1; i <= RUNS; i++)); do
    live_once p0f "$P0F"
    live_once ours "$OURS"
    log "  run $i: p0f $(tail -1 "$WORK/live-p0f.counts") | P0fSharp $(tail -1 "$WORK/live-ours.counts") (SYNs, replay pps)"
  done
  local pm om pmin omin ppps opps
  pm=$(awk -v n=$CONNECTIONS '{print 100 * $1 / n}' "$WORK/live-p0f.counts" | median)
  om=$(awk -v n=$CONNECTIONS '{print 100 * $1 / n}' "$WORK/live-ours.counts" | median)
  pmin=$(awk -v n=$CONNECTIONS '{print 100 * $1 / n}' "$WORK/live-p0f.counts" | minimum)
  omin=$(awk -v n=$CONNECTIONS '{print 100 * $1 / n}' "$WORK/live-ours.counts" | minimum)
  ppps=$(awk '{print $2}' "$WORK/live-p0f.counts" | median)
  opps=$(awk '{print $2}' "$WORK/live-ours.counts" | median)
  row "Live replay: SYNs fingerprinted (% of $CONNECTIONS, median of $RUNS; worst run)" \
    "$(fmt "$pm" %.1f) % ($(fmt "$pmin" %.1f) %)" "$(fmt "$om" %.1f) % ($(fmt "$omin" %.1f) %)" "$(ratio "$pm" "$om")" "100 %" "$(verdict "$omin" '>=' 100)"
  row "Live replay: tcpreplay rate (packets/s, median)" "$(fmt "$ppps" %.0f)" "$(fmt "$opps" %.0f)" "" "≈ 300k" ""
  note "live runs (SYN lines / replay pps / sentinel seen) p0f: $(paste -sd' ' <(tr ' ' '/' <"$WORK/live-p0f.counts")); P0fSharp: $(paste -sd' ' <(tr ' ' '/' <"$WORK/live-ours.counts"))"
}

# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------
API_BENCH=$WORK/api_bench
API_IP=198.18.0.1
OURS_API_NA=""

# api_once NAME CMD -> appends "qps8 p99_8 qps32 p99_32" to $WORK/api-NAME.results; 1 if it cannot serve
api_once() {
  local name=$1 cmd=$2
  local sock=$WORK/api-$name.sock errf=$WORK/api-$name.stderr pid deadline r8 r32
  rm -f "$sock"
  "$cmd" -i lo -s "$sock" -S 64 'tcp port 9' >/dev/null 2>"$errf" &
  pid=$!
  PIDS+=("$pid")
  deadline=$((SECONDS + 20))
  until [ -S "$sock" ] && "$API_BENCH" "$sock" "$API_IP" 1 1 >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      stop_pid "$pid"
      grep -m1 -E '^\[-\]|error|rror' "$errf" | cut -c1-160 >"$WORK/api-$name.reason" || true
      return 1
    fi
    sleep 0.2
  done
  "$API_BENCH" "$sock" "$API_IP" 8 1000 >/dev/null 2>&1 || true # warm-up
  r8=$(timeout 120 "$API_BENCH" "$sock" "$API_IP" 8 "$API_Q8" 2>&1) || true
  r32=$(timeout 120 "$API_BENCH" "$sock" "$API_IP" 32 "$API_Q32" 2>&1) || true
  stop_pid "$pid"
  echo "$r8" >>"$WORK/api-$name.raw"
  echo "$r32" >>"$WORK/api-$name.raw"
  local q8 p8 q32 p32
  q8=$(sed -n 's/.*qps=\([0-9.]*\).*/\1/p' <<<"$r8")
  p8=$(sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p' <<<"$r8")
  q32=$(sed -n 's/.*qps=\([0-9.]*\).*/\1/p' <<<"$r32")
  p32=$(sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p' <<<"$r32")
  if ! grep -q 'errors=0' <<<"$r8" || ! grep -q 'errors=0' <<<"$r32"; then
    log "  $name: api_bench reported errors: $r8 / $r32"
  fi
  echo "${q8:-n/a} ${p8:-n/a} ${q32:-n/a} ${p32:-n/a}" >>"$WORK/api-$name.results"
}

run_api() {
  log "api: $RUNS pairs, api_bench 8 x $API_Q8 and 32 x $API_Q32 queries ..."
  gcc -O2 -pthread -o "$API_BENCH" "$SHARED/api_bench.c" || die "api_bench.c does not compile"
  rm -f "$WORK"/api-*.results "$WORK"/api-*.raw "$WORK"/api-*.reason
  for ((i = 1; i <= RUNS; i++)); do
    api_once p0f "$P0F" || die "p0f's API did not come up: $(cat "$WORK/api-p0f.reason" 2>/dev/null)"
    if [ -z "$OURS_API_NA" ]; then
      if ! api_once ours "$OURS"; then
        OURS_API_NA=$(cat "$WORK/api-ours.reason" 2>/dev/null || true)
        OURS_API_NA=${OURS_API_NA:-no socket within 20 s}
        log "  P0fSharp -s does not serve yet: $OURS_API_NA"
      fi
    fi
    log "  run $i: p0f $(tail -1 "$WORK/api-p0f.results") | P0fSharp $(tail -1 "$WORK/api-ours.results" 2>/dev/null || echo n/a) (qps8 p99 qps32 p99)"
  done
  local col p o label
  for col in 1 2 3 4; do
    p=$(awk -v c=$col '$c != "n/a" {print $c}' "$WORK/api-p0f.results" | median)
    if [ -s "$WORK/api-ours.results" ]; then
      o=$(awk -v c=$col '$c != "n/a" {print $c}' "$WORK/api-ours.results" | median)
    else
      o=n/a
    fi
    case $col in
      1) label="API, 8 clients: queries/s (median of $RUNS)"
         row "$label" "$(fmt "$p" %.0f)" "$(fmt "$o" %.0f)" "$(ratio "$p" "$o")" "ratio ≥ 1.5" "$(verdict "$(ratio "$p" "$o")" '>=' 1.5)" ;;
      2) label="API, 8 clients: p99 latency (µs, median of $RUNS)"
         row "$label" "$(fmt "$p" %.0f)" "$(fmt "$o" %.0f)" "$(ratio "$p" "$o")" "ratio ≤ 1.0" "$(verdict "$(ratio "$p" "$o")" '<=' 1.0)" ;;
      3) label="API, 32 clients: queries/s (median of $RUNS)"
         row "$label" "$(fmt "$p" %.0f)" "$(fmt "$o" %.0f)" "$(ratio "$p" "$o")" "ratio ≥ 1.5" "$(verdict "$(ratio "$p" "$o")" '>=' 1.5)" ;;
      4) label="API, 32 clients: p99 latency (µs, median of $RUNS)"
         row "$label" "$(fmt "$p" %.0f)" "$(fmt "$o" %.0f)" "$(ratio "$p" "$o")" "ratio ≤ 1.0" "$(verdict "$(ratio "$p" "$o")" '<=' 1.0)" ;;
    esac
  done
  [ -z "$OURS_API_NA" ] || note "API: P0fSharp n/a — \`p0fsharp -s\` did not serve: $OURS_API_NA"
}

# ---------------------------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------------------------
peak_kib() { # peak_kib CMD CAPTURE ARGS... -> peak RSS in KiB of one offline run
  local cmd=$1 cap=$2 tf=$WORK/mem.time
  shift 2
  /usr/bin/time -o "$tf" -f '%M' "$cmd" -r "$cap" -f "$DB" "$@" >/dev/null 2>"$WORK/mem.stderr" \
    || { tail -5 "$WORK/mem.stderr" >&2; die "memory run of $cmd on $cap failed"; }
  tail -1 "$tf"
}

# growth NAME CMD COUNT -> $WORK/growth-NAME.result:
#   "first_half_peak_kib second_half_peak_kib hwm_kib seconds"
growth() {
  local name=$1 cmd=$2 count=$3
  local fifo=$WORK/growth-$name.fifo samples=$WORK/growth-$name.samples gen pid t0 deadline
  rm -f "$fifo" "$samples"
  mkfifo "$fifo"
  "$GEN_SYNS" "$fifo" "$count" 0 7 &
  gen=$!
  PIDS+=("$gen")
  "$cmd" -r "$fifo" -f "$DB" -m 1000,10000 >/dev/null 2>"$WORK/growth-$name.stderr" &
  pid=$!
  PIDS+=("$pid")
  t0=$(date +%s.%N)
  deadline=$((SECONDS + 1200))
  local rss hwm
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || true
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || true
    [ -n "$rss" ] && echo "$(date +%s.%N) $rss $hwm" >>"$samples"
    sleep 0.2
  done
  kill -0 "$pid" 2>/dev/null && log "growth: $name still running after 1200 s; stopping it"
  stop_pid "$pid"
  stop_pid "$gen"
  rm -f "$fifo"
  awk -v t0="$t0" '{ t[NR] = $1 - t0; r[NR] = $2; if ($3 > h) h = $3 }
    END { if (NR < 2) { print "n/a n/a n/a n/a"; exit }
          end = t[NR]; for (i = 1; i <= NR; i++) { if (t[i] <= end / 2) { if (r[i] > a) a = r[i] } else if (r[i] > b) b = r[i] }
          printf "%d %d %d %.1f\n", a, b, h, end }' "$samples" >"$WORK/growth-$name.result"
}

run_memory() {
  build_benchmarks
  build_gen_syns
  local engine_cap=$WORK/syn-hosts-$HOSTS_ENGINE.pcap cli_cap=$WORK/syn-hosts-$HOSTS_CLI.pcap
  [ -s "$engine_cap" ] || "$GEN_SYNS" "$engine_cap" $((HOSTS_ENGINE - 1)) 0 11
  [ -s "$cli_cap" ] || "$GEN_SYNS" "$cli_cap" $((HOSTS_CLI - 1)) 0 13

  log "memory: engine probe with $HOSTS_ENGINE hosts ..."
  local probe per_host per_host_inc rss_per_host
  probe=$(P0FSHARP_FP=$DB dotnet "$BENCH_DLL" hostmem "$engine_cap" "$HOSTS_ENGINE" 1000 2>&1) \
    || { echo "$probe" >&2; die "hostmem probe failed"; }
  echo "$probe" >"$WORK/hostmem.txt"
  per_host=$(sed -n 's/.*managed_bytes_per_host=\([0-9.]*\).*/\1/p' <<<"$probe")
  per_host_inc=$(sed -n 's/.*managed_bytes_per_host_after_presize=\([0-9.]*\).*/\1/p' <<<"$probe")
  rss_per_host=$(sed -n 's/.*rss_bytes_per_host=\([0-9.]*\).*/\1/p' <<<"$probe")
  row "Memory per tracked host, 1,000,000 hosts in the engine (managed bytes/host)" "n/a (-m caps at 500k)" \
    "$(fmt "$per_host" %.0f)" "" "≤ 200 B" "$(verdict "$per_host" '<=' 200)"
  note "engine probe ($HOSTS_ENGINE hosts, flows capped at 1000): $(grep -v '^hostmem' "$WORK/hostmem.txt" | paste -sd';' -); managed bytes/host $per_host (of which the pre-sized tables' share is $(awk -v a="$per_host" -v b="$per_host_inc" 'BEGIN{printf "%.0f", a-b}')), resident bytes/host $rss_per_host"

  log "memory: $RUNS pairs with $HOSTS_CLI hosts through each command line (-m 1000,$HOSTS_CLI) ..."
  rm -f "$WORK"/mem-*.perhost
  local base_p base_o full_p full_o
  base_p=$(peak_kib "$P0F" "$SENTINEL" -m 1000,$HOSTS_CLI)
  base_o=$(peak_kib "$OURS" "$SENTINEL" -m 1000,$HOSTS_CLI)
  for ((i = 1; i <= RUNS; i++)); do
    full_p=$(peak_kib "$P0F" "$cli_cap" -m 1000,$HOSTS_CLI)
    full_o=$(peak_kib "$OURS" "$cli_cap" -m 1000,$HOSTS_CLI)
    awk -v f="$full_p" -v b="$base_p" -v n=$HOSTS_CLI 'BEGIN { printf "%.1f %d\n", (f - b) * 1024 / n, f }' >>"$WORK/mem-p0f.perhost"
    awk -v f="$full_o" -v b="$base_o" -v n=$HOSTS_CLI 'BEGIN { printf "%.1f %d\n", (f - b) * 1024 / n, f }' >>"$WORK/mem-ours.perhost"
    log "  run $i: p0f $(tail -1 "$WORK/mem-p0f.perhost") | P0fSharp $(tail -1 "$WORK/mem-ours.perhost") (B/host, peak KiB)"
  done
  local pp op
  pp=$(awk '{print $1}' "$WORK/mem-p0f.perhost" | median)
  op=$(awk '{print $1}' "$WORK/mem-ours.perhost" | median)
  row "Memory per tracked host, 500,000 hosts via \`-r\` (peak RSS above an empty run, bytes/host, median of $RUNS)" \
    "$(fmt "$pp" %.0f)" "$(fmt "$op" %.0f)" "$(ratio "$pp" "$op")" "≤ 200 B" "$(verdict "$op" '<=' 200)"
  note "500k-host runs: empty-run peak p0f ${base_p} KiB, P0fSharp ${base_o} KiB; full-run peaks (KiB) p0f: $(awk '{print $2}' "$WORK/mem-p0f.perhost" | paste -sd' ' -); P0fSharp: $(awk '{print $2}' "$WORK/mem-ours.perhost" | paste -sd' ' -)"

  log "memory: growth check, $GROWTH_OURS random-source SYNs (P0fSharp), $GROWTH_P0F (p0f), -m 1000,10000 ..."
  growth ours "$OURS" "$GROWTH_OURS"
  growth p0f "$P0F" "$GROWTH_P0F"
  local ga gb gh gs pa pb ph ps bounded
  read -r ga gb gh gs <"$WORK/growth-ours.result"
  read -r pa pb ph ps <"$WORK/growth-p0f.result"
  # Bounded = the second half's peak RSS is within 5 % (+1 MiB) of the first half's.
  bounded=$(awk -v a="$ga" -v b="$gb" 'BEGIN { if (a == "n/a") print "n/a"; else print (b <= a * 1.05 + 1024) ? "**met**" : "**missed**" }')
  row "Growth: $(commas "$GROWTH_OURS") random-source SYNs (p0f: $(commas "$GROWTH_P0F")), -m 1000,10000: peak RSS 1st half → 2nd half (MiB)" \
    "$(awk -v a="$pa" -v b="$pb" 'BEGIN { if (a == "n/a") print "n/a"; else printf "%.1f → %.1f", a / 1024, b / 1024 }')" \
    "$(awk -v a="$ga" -v b="$gb" 'BEGIN { if (a == "n/a") print "n/a"; else printf "%.1f → %.1f", a / 1024, b / 1024 }')" \
    "" "2nd half ≤ 1st half + 5 %" "$bounded"
  note "growth runs: P0fSharp $GROWTH_OURS SYNs in ${gs} s, VmHWM $(fmt "$gh" %.0f) KiB; p0f $GROWTH_P0F SYNs in ${ps} s, VmHWM $(fmt "$ph" %.0f) KiB (RSS sampled every 0.2 s)"
}

# ---------------------------------------------------------------------------------------------
# Micro-benchmarks
# ---------------------------------------------------------------------------------------------
MICRO_TABLES=""
run_micro() {
  build_benchmarks
  local job=() bdn=$WORK/bdn
  [ "$QUICK" = 1 ] && job=(--job short)
  rm -rf "$bdn"
  log "micro: BenchmarkDotNet ${job[*]:-(default job)} ..."
  (cd "$BENCH_PROJECT" && P0FSHARP_FP=$DB timeout 3000 dotnet "$BENCH_DLL" --filter '*' "${job[@]}" --artifacts "$bdn" \
    >"$WORK/bdn.log" 2>&1) || { tail -20 "$WORK/bdn.log" >&2; die "BenchmarkDotNet failed"; }
  local f
  for f in "$bdn"/results/*-report-github.md; do
    [ -f "$f" ] || continue
    MICRO_TABLES+=$'\n'"$(basename "$f" -report-github.md | sed 's/^P0fSharp\.Benchmarks\.//')"$':\n\n'
    MICRO_TABLES+="$(grep '^|' "$f")"$'\n'
  done
}

# ---------------------------------------------------------------------------------------------
# Run and report
# ---------------------------------------------------------------------------------------------
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
want offline && run_offline
want live && run_live
want api && run_api
want memory && run_memory
want micro && run_micro

cpu_model=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem_total=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
runtime=$(dotnet --list-runtimes 2>/dev/null | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}')
p0f_version=$({ "$P0F" -h 2>&1 || true; } | grep -m1 -o 'p0f [0-9][0-9.a-z]*' | head -1 || echo p0f)
{
  echo "# P0fSharp vs p0f — benchmark results"
  echo
  echo "Generated by \`bench/run.sh ${SECTIONS[*]}$([ "$QUICK" = 1 ] && echo ' --quick') --runs $RUNS\` on $STARTED."
  echo
  echo "Machine: $(nproc) CPUs ($cpu_model), $mem_total RAM, $(uname -sr); load average at start $LOAD_START."
  echo "Tools: $p0f_version ($P0F); P0fSharp built as **$BUILD_MODE** on .NET ${runtime:-?}."
  echo "Same signatures for both (\`data/p0f.fp\`); runs alternate p0f / P0fSharp; figures are medians."
  [ "$QUICK" = 1 ] && echo && echo "**--quick**: fewer runs and smaller growth / API counts — indicative only."
  echo
  if [ ${#ROWS[@]} -gt 0 ]; then
    echo "| Measure | p0f 3.09b | P0fSharp | P0fSharp / p0f | Target | Target met? |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
  fi
  if [ ${#NOTES[@]} -gt 0 ]; then
    echo "Details:"
    echo
    printf '%s\n' "${NOTES[@]}"
    echo
  fi
  if [ -n "$MICRO_TABLES" ]; then
    echo "## Micro-benchmarks (BenchmarkDotNet, \`bench/P0fSharp.Benchmarks\`)"
    echo "$MICRO_TABLES"
  fi
} >"$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
echo
cat "$RESULTS"
log "results written to $RESULTS"
