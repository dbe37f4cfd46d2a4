#!/usr/bin/env bash
# P0fSharp's test command (README "Set-up"): installs what the tests need, then runs every
# test project of the solution.
#
#   ./test.sh                         # everything
#   ./test.sh --filter 'FullyQualifiedName~Conformance'   # extra arguments go to `dotnet test`
#
# Test dependencies (Debian/Ubuntu packages, installed with apt-get when missing; needs root or
# sudo): p0f (the reference the differential tests compare against), libpcap0.8, tcpdump,
# tcpreplay, python3-scapy (regenerates/verifies tests/data), iproute2 (live-capture tests),
# curl and wget (live HTTP traffic for the differential), gcc + libc6-dev (builds the p0f Date shim).
# The .NET 10 SDK must already be installed.
#
# Results: console totals per test project, TRX files in artifacts/test-results/,
# differential totals in artifacts/conformance-summary.txt.
set -uo pipefail
cd "$(dirname "$0")"

PACKAGES=(p0f libpcap0.8 tcpdump tcpreplay python3-scapy iproute2 curl wget gcc libc6-dev)
RESULTS=artifacts/test-results

say() { printf 'test.sh: %s\n' "$*"; }

# Prints the packages of "$@" that dpkg does not report as installed.
missing_packages() {
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
      # Debian 13 renamed the libpcap runtime (64-bit time_t transition).
      if [ "$p" = libpcap0.8 ] && dpkg-query -W -f='${Status}\n' libpcap0.8t64 2>/dev/null | grep -q '^install ok installed$'; then
        continue
      fi
      printf '%s\n' "$p"
    fi
  done
}

install_dependencies() {
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    say "no apt/dpkg here: install ${PACKAGES[*]} yourself (tests that need them will say so)"
    return 0
  fi
  local missing
  mapfile -t missing < <(missing_packages "${PACKAGES[@]}")
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      say "not root and no sudo: cannot install ${missing[*]}"
      return 0
    fi
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; then
    say "apt-get update failed; trying the install anyway"
  fi
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null; then
    # libpcap0.8 is called libpcap0.8t64 on newer Debian/Ubuntu releases.
    local retry=("${missing[@]/#libpcap0.8/libpcap0.8t64}")
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Use-Pty=0 "${retry[@]}" >/dev/null; then
      say "apt-get install failed for ${missing[*]}; the tests that need them will fail and say so"
    fi
  fi
}

install_dependencies

if ! command -v dotnet >/dev/null 2>&1; then
  say "the .NET 10 SDK ('dotnet') is not installed; see https://dot.net"
  exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
rm -rf "$RESULTS" artifacts/conformance-summary.txt
mkdir -p "$RESULTS"

# One TRX per test project; a test that hangs for 20 minutes is killed and reported as failed.
dotnet test P0fSharp.sln \
  --logger "trx;LogFilePrefix=tests" \
  --results-directory "$RESULTS" \
  --blame-hang-timeout 20m --blame-hang-dump-type none \
  "$@"
