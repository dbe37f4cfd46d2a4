#!/usr/bin/env bash
# P0fSharp's run command (README "Set-up"): installs libpcap if needed, builds the `p0fsharp`
# executable (Release) and runs it on the bundled sample capture, exactly like
# `p0f -r data/sample-smtp.pcap`:
#
#   ./run.sh                          # terminal output of every observation
#   ./run.sh -o /tmp/p0fsharp.log     # more p0f options are passed through
#
# data/sample-smtp.pcap (300 synthetic SMTP connections from 60 hosts) was made with the
# project's shared benchmark generator:
#   python3 ../shared/bench/gen_pcap.py data/sample-smtp.pcap 300 60 1
set -euo pipefail
cd "$(dirname "$0")"

have_libpcap() {
  ldconfig -p 2>/dev/null | grep -q 'libpcap\.so' && return 0
  ls /usr/lib/*/libpcap.so* /usr/lib/libpcap.so* >/dev/null 2>&1
}

if ! have_libpcap; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    echo "run.sh: installing libpcap" >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || true
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libpcap0.8 >/dev/null \
      || "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libpcap0.8t64 >/dev/null
  else
    echo "run.sh: libpcap is missing; install it with your package manager" >&2
    exit 1
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
build_log=$(mktemp)
if ! dotnet build src/Host/P0fSharp.Host.csproj -c Release -nologo >"$build_log" 2>&1; then
  cat "$build_log" >&2
  rm -f "$build_log"
  exit 1
fi
rm -f "$build_log"
exec dotnet src/Host/bin/Release/net10.0/p0fsharp.dll -r data/sample-smtp.pcap "$@"
