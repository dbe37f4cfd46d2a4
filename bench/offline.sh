#!/usr/bin/env bash
# Offline throughput: p0f 3.09b vs P0fSharp on the same 900,000-packet capture.
#
#   bench/offline.sh [RUNS]          # RUNS per tool, default 5 (at least 3)
#
# Builds P0fSharp in Release, generates the benchmark capture once with the project's shared
# generator (gen_pcap.py OUT 100000 = 100,000 SMTP connections, 900k packets, ~75 MB; cached
# in artifacts/bench/), then runs `p0f -r` and `p0fsharp -r` alternately, stdout to /dev/null,
# each under /usr/bin/time -f '%e %M', and prints wall seconds and peak RSS (MiB) per run,
# the medians and the P0fSharp/p0f ratios. Both tools use the same signatures (data/p0f.fp).
# Environment: P0FSHARP_CMD overrides the P0fSharp command (e.g. a ReadyToRun/AOT binary).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-5}
[ "$RUNS" -ge 3 ] || { echo "bench: use at least 3 runs" >&2; exit 2; }
OUT=artifacts/bench
CAPTURE=$OUT/smtp-100000.pcap
mkdir -p "$OUT"

need() { command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]; }
install_pkg() {
  command -v apt-get >/dev/null 2>&1 || { echo "bench: please install $*" >&2; exit 1; }
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
need /usr/bin/time || install_pkg time
need p0f || need /usr/sbin/p0f || install_pkg p0f libpcap0.8
P0F=$(command -v p0f || echo /usr/sbin/p0f)

GEN=""
for candidate in ../shared/bench/gen_pcap.py bench/gen_pcap.py; do
  [ -f "$candidate" ] && { GEN=$candidate; break; }
done
if [ ! -s "$CAPTURE" ]; then
  [ -n "$GEN" ] || { echo "bench: gen_pcap.py not found (expected ../shared/bench/gen_pcap.py)" >&2; exit 1; }
  echo "bench: generating $CAPTURE (gen_pcap.py OUT 100000) ..." >&2
  python3 "$GEN" "$CAPTURE.part" 100000
  mv "$CAPTURE.part" "$CAPTURE"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "bench: building Release ..." >&2
build_log=$(mktemp)
if ! dotnet build src/Host/P0fSharp.Host.csproj -c Release -nologo >"$build_log" 2>&1; then
  cat "$build_log" >&2
  rm -f "$build_log"
  exit 1
fi
rm -f "$build_log"
if [ -n "${P0FSHARP_CMD:-}" ]; then
  read -r -a OURS <<<"$P0FSHARP_CMD"
else
  OURS=(dotnet src/Host/bin/Release/net10.0/p0fsharp.dll)
fi
DB=data/p0f.fp

# measure NAME CMD... -> appends "wall_s rss_kib" to $OUT/NAME.times
measure() {
  local name=$1; shift
  local tf
  tf=$(mktemp)
  if ! /usr/bin/time -o "$tf" -f '%e %M' "$@" -r "$CAPTURE" -f "$DB" >/dev/null 2>"$OUT/$name.stderr"; then
    echo "bench: $name failed:" >&2
    cat "$OUT/$name.stderr" >&2
    exit 1
  fi
  tail -n 1 "$tf" >>"$OUT/$name.times"
  rm -f "$tf"
}

rm -f "$OUT/p0f.times" "$OUT/p0fsharp.times"
# One untimed warm-up each (page cache, JIT disk cache), then alternate.
"$P0F" -r "$CAPTURE" -f "$DB" >/dev/null 2>&1 || true
"${OURS[@]}" -r "$CAPTURE" -f "$DB" >/dev/null 2>&1 || true
for ((i = 1; i <= RUNS; i++)); do
  measure p0f "$P0F"
  measure p0fsharp "${OURS[@]}"
done

python3 - "$OUT/p0f.times" "$OUT/p0fsharp.times" "$RUNS" "$CAPTURE" "${OURS[*]}" "$P0F" <<'PY'
import statistics, sys
p0f_file, ours_file, runs, capture, ours_cmd, p0f_cmd = sys.argv[1:7]
def load(path):
    rows = []
    for line in open(path):
        wall, rss = line.split()
        rows.append((float(wall), int(rss) / 1024.0))
    return rows
a, b = load(p0f_file), load(ours_file)
print(f"capture: {capture}   runs per tool: {runs}")
print(f"p0f     : {p0f_cmd}")
print(f"p0fsharp: {ours_cmd}")
print()
print(f"{'run':>4}  {'p0f wall s':>10} {'p0f RSS MiB':>12}  {'p0fsharp wall s':>15} {'p0fsharp RSS MiB':>17}")
for i, (x, y) in enumerate(zip(a, b), 1):
    print(f"{i:>4}  {x[0]:>10.2f} {x[1]:>12.1f}  {y[0]:>15.2f} {y[1]:>17.1f}")
mw_a, mr_a = statistics.median(r[0] for r in a), statistics.median(r[1] for r in a)
mw_b, mr_b = statistics.median(r[0] for r in b), statistics.median(r[1] for r in b)
print(f"{'med':>4}  {mw_a:>10.2f} {mr_a:>12.1f}  {mw_b:>15.2f} {mr_b:>17.1f}")
ratio_w = mw_b / mw_a if mw_a else float('nan')
ratio_r = mr_b / mr_a if mr_a else float('nan')
print()
print(f"ratio p0fsharp/p0f: wall {ratio_w:.2f}x, peak RSS {ratio_r:.2f}x"
      + (f"  (p0fsharp {mw_a / mw_b:.2f}x the speed of p0f)" if mw_b else ""))
PY
