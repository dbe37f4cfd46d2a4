#!/usr/bin/env bash
# tests/e2e/rspamd-e2e.sh - end-to-end test: SMTP client -> fingerprinting daemon -> rspamd.
#
#   netns <P>-cli                 root namespace ("host side")            netns <P>-scan
#   198.51.100.10                 198.51.100.1 on veth <P>-h               rspamd (1 normal + 1 controller
#   2001:db8:5100::10  --veth-->  2001:db8:5100::1                         worker on 127.0.0.1), redis,
#   swaks                         SMTP sink on :25, daemon under test      rspamc; no route out, no DNS
#                                 capturing on <P>-h, API socket $SOCK  <-- unix socket (a file) ---'
#
# Both rspamd clients of the p0f v3 API are checked against the same daemon in the same scans:
# rspamd's stock `p0f` module (symbol P0F) and this repository's plugin `p0fsharp` (rspamd/,
# installed into the private config exactly as the README says; symbol P0FSHARP).
#
# Usage (root):  tests/e2e/rspamd-e2e.sh                      # daemon = the real p0f 3.09b
#                DAEMON=p0fsharp tests/e2e/rspamd-e2e.sh      # dotnet $P0FSHARP_DLL ...
#                DAEMON_CMD='exec /opt/p0fsharp/p0fsharp -i "$IFACE" -s "$SOCK" "tcp port 25"' tests/e2e/rspamd-e2e.sh
# The last line printed is "N passed, M failed"; the exit status is 0 only when nothing failed.
#
# Environment (defaults in brackets):
#   DAEMON          p0f | p0fsharp: selects the default DAEMON_CMD [p0f]
#   DAEMON_CMD      shell command (bash -c, root namespace, own process group) that runs the daemon
#                   in the foreground; may use $IFACE $SOCK $WORK
#                   [p0f:      exec p0f -i "$IFACE" -s "$SOCK" -o "$WORK/daemon.log" "tcp port 25"]
#                   [p0fsharp: exec dotnet "$P0FSHARP_DLL" -i "$IFACE" -s "$SOCK" -o "$WORK/daemon.log" "tcp port 25"]
#   P0FSHARP_DLL    [<repo>/src/Host/bin/Release/net10.0/p0fsharp.dll]
#   REFERENCE       1 = also run the real p0f on the same veth and compare its API answers with
#                   the daemon's field by field; auto = when the daemon is not p0f [auto]
#   DAEMON_READY_TIMEOUT  seconds for the API to answer [30]     OBSERVE_TIMEOUT  seconds [10]
#   P0F_TIMEOUT     rspamd-side timeout of both clients, seconds [1]
#   EXPECT_OS       ERE the IPv4 client's OS must match [^Linux]
#   PLUGIN_SRC      folder with plugins.d/ modules.d/ local.d/ of the bundled plugin [<repo>/rspamd]
#   IPV6 FAKE_TESTS REDIS   1/0 to run those parts [1 1 1]
#   NS_PREFIX       prefix of namespaces and interfaces, <= 8 chars [p0fsx]
#   HOST_IP CLIENT_IP HOST_IP6 CLIENT_IP6 UNKNOWN_IP
#                   [198.51.100.1 198.51.100.10 2001:db8:5100::1 2001:db8:5100::10 203.0.113.77]
#   HS_CACHE_DIR    persistent hyperscan cache: a cold rspamd start compiles ~10 s [/var/tmp/p0fsharp-e2e-hs]
#   KEEP            1 = keep the work dir on success too (it is always kept on failure) [0]
#   INSTALL_DEPS    1 = apt-get install what is missing (rspamd redis-server swaks jq curl p0f) [1]
set -uo pipefail

case "${1:-}" in -h|--help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;; esac

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
HELPER="$HERE/e2e_helper.py"

DAEMON=${DAEMON:-p0f}
P0FSHARP_DLL=${P0FSHARP_DLL:-$REPO/src/Host/bin/Release/net10.0/p0fsharp.dll}
case "$DAEMON" in
  p0f)      DEFAULT_CMD='exec p0f -i "$IFACE" -s "$SOCK" -o "$WORK/daemon.log" "tcp port 25"' ;;
  p0fsharp) DEFAULT_CMD='exec dotnet "$P0FSHARP_DLL" -i "$IFACE" -s "$SOCK" -o "$WORK/daemon.log" "tcp port 25"' ;;
  *) echo "DAEMON must be p0f or p0fsharp (or set DAEMON_CMD)"; exit 2 ;;
esac
DAEMON_CMD=${DAEMON_CMD:-$DEFAULT_CMD}
REFERENCE=${REFERENCE:-auto}
DAEMON_READY_TIMEOUT=${DAEMON_READY_TIMEOUT:-30}
OBSERVE_TIMEOUT=${OBSERVE_TIMEOUT:-10}
P0F_TIMEOUT=${P0F_TIMEOUT:-1}
EXPECT_OS=${EXPECT_OS:-^Linux}
PLUGIN_SRC=${PLUGIN_SRC:-$REPO/rspamd}
IPV6=${IPV6:-1}
FAKE_TESTS=${FAKE_TESTS:-1}
REDIS=${REDIS:-1}
NS_PREFIX=${NS_PREFIX:-p0fsx}
HOST_IP=${HOST_IP:-198.51.100.1}
CLIENT_IP=${CLIENT_IP:-198.51.100.10}
HOST_IP6=${HOST_IP6:-2001:db8:5100::1}
CLIENT_IP6=${CLIENT_IP6:-2001:db8:5100::10}
UNKNOWN_IP=${UNKNOWN_IP:-203.0.113.77}
HS_CACHE_DIR=${HS_CACHE_DIR:-/var/tmp/p0fsharp-e2e-hs}
KEEP=${KEEP:-0}
INSTALL_DEPS=${INSTALL_DEPS:-1}

NS_CLI="$NS_PREFIX-cli"
NS_SCAN="$NS_PREFIX-scan"
IFACE="$NS_PREFIX-h"            # host end of the veth: the daemon captures here
IFACE_CLI="$NS_PREFIX-c"
NORMAL=127.0.0.1:11333          # inside $NS_SCAN
CONTROLLER=127.0.0.1:11334
REDIS_PORT=6379
RSPAMD_USER=_rspamd
BUNDLED=P0FSHARP BUNDLED_FAIL=P0FSHARP_FAIL STOCK=P0F STOCK_FAIL=P0F_FAIL
HEADER=X-OS-Fingerprint

T_START=$(date +%s.%N)
NPASS=0 NFAIL=0
declare -a RESULTS=()
declare -A PIDS=()              # name -> pid (daemons: also their process group id)
WORK=""
NET_UP=0

# ------------------------------------------------------------------ helpers
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }
log()  { printf '[%6.2fs] %s\n' "$(since "$T_START")" "$*"; }
pass() { NPASS=$((NPASS + 1)); RESULTS+=("PASS  $1${2:+  $2}"); log "PASS $1${2:+  $2}"; }
fail() { NFAIL=$((NFAIL + 1)); RESULTS+=("FAIL  $1${2:+  $2}"); log "FAIL $1${2:+  $2}"; }
info() { RESULTS+=("INFO  $1${2:+  $2}"); log "INFO $1${2:+  $2}"; }
check() { local n=$1 d=$2; shift 2; if "$@"; then pass "$n" "$d"; else fail "$n" "$d"; fi; }
in_scan() { ip netns exec "$NS_SCAN" "$@"; }
in_cli()  { ip netns exec "$NS_CLI" "$@"; }
helper()  { "$PY" "$HELPER" "$@"; }
ip_file() { echo "$WORK/q-${1//:/_}.json"; }

stop_pid() { # stop_pid NAME [grace]: TERM the process (its group for group leaders), wait, KILL
  local name=$1 grace=${2:-10} pid=${PIDS[$1]:-} i target
  [ -n "$pid" ] || return 0
  target=$pid
  [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$pid" ] && target=-$pid
  kill -TERM -- "$target" 2>/dev/null
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 -- "$target" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 -- "$target" 2>/dev/null; then
    log "  $name ($pid) ignored SIGTERM for ${grace}s: SIGKILL"
    kill -KILL -- "$target" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  unset "PIDS[$name]"
}

summary() {
  echo
  echo "=============== rspamd e2e ($DAEMON_CMD) ==============="
  printf '%s\n' "${RESULTS[@]}"
  echo "duration: $(since "$T_START") s${WORK:+; logs: $WORK}"
  echo "$NPASS passed, $NFAIL failed"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for n in "${!PIDS[@]}"; do stop_pid "$n" 5; done
  if [ "$NET_UP" = 1 ]; then
    ip link del "$IFACE" 2>/dev/null
    ip netns del "$NS_CLI" 2>/dev/null
    ip netns del "$NS_SCAN" 2>/dev/null
    rm -rf "/etc/netns/$NS_SCAN"
  fi
  if [ -n "$WORK" ] && [ -d "$WORK" ] && [ "$KEEP" != 1 ] && [ "$NFAIL" -eq 0 ] && [ "$rc" -eq 0 ]; then
    rm -rf "$WORK"; WORK=""
  fi
  summary
  [ "$NFAIL" -gt 0 ] && [ "$rc" -eq 0 ] && rc=1
  exit "$rc"
}
die() { fail "fatal" "$*"; exit 2; }

# ------------------------------------------------------------------ preflight
[ "$(id -u)" = 0 ] || { echo "run as root (namespaces, capture)"; echo "0 passed, 1 failed"; exit 2; }
[ "${#NS_PREFIX}" -le 8 ] || { echo "NS_PREFIX must be <= 8 characters"; echo "0 passed, 1 failed"; exit 2; }
exec {LOCK_FD}>"/run/lock/p0fsharp-e2e-$NS_PREFIX.lock"
flock -n "$LOCK_FD" || { echo "another run with NS_PREFIX=$NS_PREFIX is active"; echo "0 passed, 1 failed"; exit 2; }

missing=()
for c in ip:iproute2 rspamd:rspamd rspamc:rspamd swaks:swaks jq:jq curl:curl python3:python3 redis-server:redis-server; do
  command -v "${c%%:*}" >/dev/null || missing+=("${c#*:}")
done
[ "$DAEMON" = p0f ] || [ "$REFERENCE" = 1 ] || [ "$REFERENCE" = auto ] && { command -v p0f >/dev/null || missing+=(p0f); }
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$INSTALL_DEPS" = 1 ] && command -v apt-get >/dev/null; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1; apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; } ||
      { echo "cannot install ${missing[*]}"; echo "0 passed, 1 failed"; exit 2; }
    # the Debian packages start system services; this test uses its own instances
  else
    echo "missing: ${missing[*]}"; echo "0 passed, 1 failed"; exit 2
  fi
fi
[ "$REFERENCE" = auto ] && { if [ "$DAEMON_CMD" != "$DEFAULT_CMD" ] || [ "$DAEMON" != p0f ]; then REFERENCE=1; else REFERENCE=0; fi; }
[ "$REFERENCE" = 1 ] && ! command -v p0f >/dev/null && REFERENCE=0
# the interpreter itself, not a wrapper (a pyenv shim would fork, and killing its PID would
# leave the real process running)
PY=$(python3 -c 'import sys; print(sys.executable)') || { echo "python3 does not run"; echo "0 passed, 1 failed"; exit 2; }

trap cleanup EXIT
trap 'exit 130' INT TERM
WORK=$(mktemp -d /tmp/p0fsharp-e2e.XXXXXX)
chmod 755 "$WORK"                 # rspamd runs as $RSPAMD_USER and must reach the socket
mkdir -p "$WORK/scans" "$WORK/mail"
SOCK="$WORK/p0f.sock"
export IFACE SOCK WORK P0FSHARP_DLL
log "work dir $WORK, daemon: $DAEMON_CMD"

# ------------------------------------------------------------------ network
# leftovers of a killed run of ours (same prefix) go first; foreign users of the range stop us
ip link del "$IFACE" 2>/dev/null; ip netns del "$NS_CLI" 2>/dev/null; ip netns del "$NS_SCAN" 2>/dev/null
if ip -o addr show | grep -qE " (${HOST_IP//./\\.}|${CLIENT_IP//./\\.})/"; then
  die "$HOST_IP or $CLIENT_IP is already configured on this host"
fi
NET_UP=1
{
  ip netns add "$NS_CLI" && ip netns add "$NS_SCAN" &&
  ip link add "$IFACE" type veth peer name "$IFACE_CLI" &&
  ip link set "$IFACE_CLI" netns "$NS_CLI" &&
  sysctl -qw "net.ipv6.conf.$IFACE.accept_ra=0" "net.ipv6.conf.$IFACE.autoconf=0" &&
  ip addr add "$HOST_IP/24" dev "$IFACE" &&
  ip -6 addr add "$HOST_IP6/64" dev "$IFACE" nodad &&
  ip -n "$NS_CLI" addr add "$CLIENT_IP/24" dev "$IFACE_CLI" &&
  ip -n "$NS_CLI" -6 addr add "$CLIENT_IP6/64" dev "$IFACE_CLI" nodad &&
  ip link set "$IFACE" up && ip -n "$NS_CLI" link set "$IFACE_CLI" up &&
  ip -n "$NS_CLI" link set lo up && ip -n "$NS_SCAN" link set lo up
} || die "cannot create the namespaces and the veth"
# rspamd's namespace has only loopback; a resolver it cannot reach makes every DNS lookup fail
# at once, so scans are fast and nothing leaves the machine
# (an address without a route fails with ENETUNREACH at once; 127.0.0.1 would wait for timeouts)
mkdir -p "/etc/netns/$NS_SCAN" && echo "nameserver 203.0.113.53" >"/etc/netns/$NS_SCAN/resolv.conf"
pass setup.network "$NS_CLI ($CLIENT_IP, $CLIENT_IP6) <-> $IFACE ($HOST_IP, $HOST_IP6); rspamd in $NS_SCAN"

# ------------------------------------------------------------------ daemon, sink, SMTP
start_daemon() { # start_daemon NAME CMD SOCKET
  local name=$1 cmd=$2 sock=$3 t0 i rc
  t0=$(date +%s.%N)
  setsid bash -c "$cmd" >>"$WORK/$name.out" 2>&1 {LOCK_FD}>&- &
  PIDS[$name]=$!
  for ((i = 0; i < DAEMON_READY_TIMEOUT * 10; i++)); do
    kill -0 "${PIDS[$name]}" 2>/dev/null || { fail "$name.start" "exited: $(tail -n 3 "$WORK/$name.out" | tr '\n' ' ')"; unset "PIDS[$name]"; return 1; }
    if [ -S "$sock" ]; then
      helper query "$sock" "$UNKNOWN_IP" --timeout 1 >/dev/null 2>&1; rc=$?
      if [ "$rc" -le 2 ]; then pass "$name.start" "API answers on $sock after $(since "$t0") s"; return 0; fi
    fi
    sleep 0.1
  done
  fail "$name.start" "no API answer within ${DAEMON_READY_TIMEOUT}s"; return 1
}

if [ "$REFERENCE" = 1 ]; then
  REF_SOCK="$WORK/reference.sock"
  start_daemon reference 'exec p0f -i "$IFACE" -s "$WORK/reference.sock" -o "$WORK/reference.log" "tcp port 25"' "$REF_SOCK" ||
    REFERENCE=0
fi
start_daemon daemon "$DAEMON_CMD" "$SOCK" || die "the daemon under test did not start"

listen=(--listen "$HOST_IP"); [ "$IPV6" = 1 ] && listen+=(--listen "$HOST_IP6")
setsid "$PY" "$HELPER" sink "${listen[@]}" --port 25 --outdir "$WORK/mail" --lifetime 900 \
  --ready-file "$WORK/sink.ready" >>"$WORK/sink.out" 2>&1 {LOCK_FD}>&- &
PIDS[sink]=$!
for ((i = 0; i < 50; i++)); do [ -s "$WORK/sink.ready" ] && break; sleep 0.1; done
[ -s "$WORK/sink.ready" ] || die "SMTP sink did not start: $(tail -n 2 "$WORK/sink.out")"

smtp() { # smtp SERVER LABEL
  local fam=(); [[ "$1" == *:* ]] && fam=(-6)
  in_cli swaks "${fam[@]}" --server "$1" --port 25 --timeout 10 --helo client.example.net \
    --from sender@example.net --to rcpt@example.org --header "Subject: p0fsharp e2e $2" \
    --body "hello over $2" >"$WORK/swaks-$2.out" 2>&1
}
smtp "$HOST_IP" v4 && pass smtp.v4 "swaks $CLIENT_IP -> $HOST_IP:25" || fail smtp.v4 "$(tail -n 2 "$WORK/swaks-v4.out")"
MSG="$WORK/mail/msg-1.eml"
[ -s "$MSG" ] || die "the sink stored no message"
MSG6=""
if [ "$IPV6" = 1 ]; then
  smtp "$HOST_IP6" v6 && pass smtp.v6 "swaks [$CLIENT_IP6] -> [$HOST_IP6]:25" || fail smtp.v6 "$(tail -n 2 "$WORK/swaks-v6.out")"
  MSG6="$WORK/mail/msg-2.eml"
fi
# no Received header and no --ip: rspamd has no client address at all
printf 'From: a@example.net\r\nTo: b@example.org\r\nSubject: no client\r\nDate: Thu, 01 Jan 2026 00:00:00 +0000\r\nMessage-ID: <noaddr@example.net>\r\n\r\nbody\r\n' >"$WORK/mail/noaddr.eml"
# a message that arrives with a forged fingerprint header
{ echo "X-OS-Fingerprint: Windows 95 (forged by the sender)"; cat "$MSG"; } >"$WORK/mail/forged.eml"

# ------------------------------------------------------------------ the daemon's own answers
api_check() { # api_check LABEL IP
  local f; f=$(ip_file "$2")
  if helper query "$SOCK" "$2" --wait "$OBSERVE_TIMEOUT" >"$f" 2>/dev/null; then
    pass "api.$1" "$(jq -c '{status_name,os_string,link_type,distance,os_match_q,total_conn,uptime_min}' "$f")"
    return 0
  fi
  fail "api.$1" "$2: $(cat "$f")"; return 1
}
if api_check v4 "$CLIENT_IP"; then
  os=$(jq -r .os_string "$(ip_file "$CLIENT_IP")")
  check api.v4.os "'$os' =~ /$EXPECT_OS/" eval '[[ "$os" =~ $EXPECT_OS ]]'
fi
[ "$IPV6" = 1 ] && api_check v6 "$CLIENT_IP6"
helper query "$SOCK" "$UNKNOWN_IP" >"$(ip_file "$UNKNOWN_IP")" 2>/dev/null; rc=$?
check api.unknown "$UNKNOWN_IP -> $(jq -r '.status_name // .error' "$(ip_file "$UNKNOWN_IP")")" [ "$rc" -eq 1 ]
if [ "$REFERENCE" = 1 ]; then
  for addr in "$CLIENT_IP" ${MSG6:+"$CLIENT_IP6"} "$UNKNOWN_IP"; do
    helper query "$REF_SOCK" "$addr" >"$WORK/ref-${addr//:/_}.json" 2>/dev/null
    diff=$(jq -rn --slurpfile a "$(ip_file "$addr")" --slurpfile b "$WORK/ref-${addr//:/_}.json" '
      $a[0] as $x | $b[0] as $y
      | ([ "status", "os_name", "os_flavor", "link_type", "distance", "os_match_q", "bad_sw", "total_conn",
           "uptime_min", "up_mod_days", "http_name", "http_flavor", "language" ]
         | map(select($x[.] != $y[.]) | "\(.): daemon=\($x[.]|tojson) p0f=\($y[.]|tojson)"))
        + ([ "first_seen", "last_seen", "last_nat", "last_chg" ]
         | map(select((($x[.] // 0) - ($y[.] // 0)) | fabs > 2) | "\(.): daemon=\($x[.]) p0f=\($y[.])"))
      | join("; ")' 2>&1)
    check "reference.$addr" "${diff:-same answer as p0f 3.09b}" [ -z "$diff" ]
  done
fi

# ------------------------------------------------------------------ rspamd
RS="$WORK/rspamd"
mkdir -p "$RS/db" "$RS/run" "$HS_CACHE_DIR"
chown -R "$RSPAMD_USER:" "$RS/db" "$RS/run" "$HS_CACHE_DIR"

write_conf() { # write_conf WITH_REDIS(0|1) [STOCK_ENABLED(1|0)]
  local etc="$RS/etc" redis_block="" bundled_redis="" stock=${2:-1}
  rm -rf "$etc"
  cp -a /etc/rspamd "$etc"
  rm -rf "$etc"/local.d/* "$etc"/override.d/* "$etc"/rspamd.conf.local* "$etc"/rspamd.conf.override
  printf 'bind_socket = "%s";\ncount = 1;\n' "$NORMAL" >"$etc/override.d/worker-normal.inc"
  printf 'bind_socket = "%s";\ncount = 1;\n' "$CONTROLLER" >"$etc/override.d/worker-controller.inc"
  echo 'enabled = false;' >"$etc/override.d/worker-proxy.inc"
  echo "hs_cache_dir = \"$HS_CACHE_DIR/\";" >"$etc/local.d/options.inc"
  if [ "$1" = 1 ]; then
    redis_block="servers = \"127.0.0.1:$REDIS_PORT\";"
    bundled_redis="redis { $redis_block }"
  fi

  # stock module: its packaged section says enabled = false
  cat >"$etc/local.d/p0f.conf" <<EOF
enabled = $([ "$stock" = 1 ] && echo true || echo false);
socket = "$SOCK";
timeout = ${P0F_TIMEOUT}s;
$redis_block
EOF
  # bundled plugin, installed the way rspamd/README.md says
  mkdir -p "$etc/plugins.d" "$etc/modules.d"
  cp "$PLUGIN_SRC/plugins.d/p0fsharp.lua" "$etc/plugins.d/"
  cp "$PLUGIN_SRC/modules.d/p0fsharp.conf" "$etc/modules.d/"
  cat >"$etc/local.d/p0fsharp.conf" <<EOF
socket = "$SOCK";
timeout = ${P0F_TIMEOUT}s;
patterns {
  P0FSHARP_LINUX = "^Linux";
  P0FSHARP_FAKE = { regexp = "^FakeOS"; score = 0.5; }
}
$bundled_redis
EOF
  # scores the way the README suggests (local.d/groups.conf)
  printf 'group "p0fsharp" {\n  symbols {\n    "P0FSHARP_LINUX" { score = 0.25; }\n  }\n}\n' >"$etc/local.d/groups.conf"
  chmod -R a+rX "$etc"
}

RSLOG=""
start_rspamd() { # start_rspamd LABEL
  local t0 i
  t0=$(date +%s.%N)
  RSLOG="$RS/log-$1"; mkdir -p "$RSLOG"; chown "$RSPAMD_USER:" "$RSLOG"
  ip netns exec "$NS_SCAN" rspamd -f -c "$RS/etc/rspamd.conf" -u "$RSPAMD_USER" -g "$(id -gn "$RSPAMD_USER")" \
    --var="CONFDIR=$RS/etc" --var="LOCAL_CONFDIR=$RS/etc" --var="DBDIR=$RS/db" --var="RUNDIR=$RS/run" \
    --var="LOGDIR=$RSLOG" >>"$RS/stdout.log" 2>&1 {LOCK_FD}>&- &
  PIDS[rspamd]=$!
  for ((i = 0; i < 900; i++)); do
    kill -0 "${PIDS[rspamd]}" 2>/dev/null || { fail "rspamd.start.$1" "exited: $(tail -q -n 3 "$RS/stdout.log" "$RSLOG/rspamd.log" 2>/dev/null | cut -c1-200 | tr '\n' ' ')"; unset "PIDS[rspamd]"; return 1; }
    if [[ "$(in_scan curl -s -m 1 "http://$NORMAL/ping")" == pong* && "$(in_scan curl -s -m 1 "http://$CONTROLLER/ping")" == pong* ]]; then
      pass "rspamd.start.$1" "both workers answer after $(since "$t0") s"
      return 0
    fi
    sleep 0.1
  done
  fail "rspamd.start.$1" "not ready within 90 s"; return 1
}

J="" SCAN_SECS=0
scan() { # scan LABEL IP|'' MSG [rspamc|http|mime]
  local label=$1 ip=$2 msg=$3 how=${4:-rspamc} t0 a=()
  J="$WORK/scans/$label.json"
  t0=$(date +%s.%N)
  case $how in
    http) [ -n "$ip" ] && a=(-H "IP: $ip")
          in_scan curl -s -m 30 "${a[@]}" --data-binary @"$msg" "http://$NORMAL/checkv2" >"$J" 2>"$J.err" ;;
    mime) [ -n "$ip" ] && a=(-i "$ip")
          in_scan rspamc -h "$NORMAL" -t 30 --mime "${a[@]}" "$msg" >"$WORK/scans/$label.eml" 2>"$J.err"
          SCAN_SECS=$(since "$t0"); return 0 ;;
    *)    [ -n "$ip" ] && a=(-i "$ip")
          in_scan rspamc -h "$NORMAL" -t 30 -j "${a[@]}" "$msg" >"$J" 2>"$J.err" ;;
  esac
  SCAN_SECS=$(since "$t0")
  jq -e '.action' "$J" >/dev/null 2>&1 || { fail "$label" "scan failed: $(head -c 300 "$J" "$J.err" | tr '\n' ' ')"; return 1; }
}
has()  { jq -e --arg s "$1" '.symbols[$s] != null' "$J" >/dev/null 2>&1; }
opts() { jq -c --arg s "$1" '.symbols[$s].options // []' "$J"; }
hdr()  { # unfolded value of the header rspamd asks the MTA to add
  jq -r --arg h "$HEADER" '.milter.add_headers[$h] // empty
    | if type == "object" then .value elif type == "array" then (.[0].value // .[0]) else . end
    | gsub("\r?\n[ \t]+"; " ")' "$J" 2>/dev/null
}
bundled_want() { # bundled_want QUERY_JSON: the options the plugin must emit for that answer
  jq -c '[.os_string, "link=" + (if .link_type == "" then "unknown" else .link_type end), "distance=\(.distance)"]
         + (if .up_mod_days > 0 then ["uptime=\(.uptime_min)min"] else [] end)' "$1"
}

expect_verdicts() { # expect_verdicts LABEL IP: both clients report the daemon's answer for IP
  local label=$1 qf want got h
  qf=$(ip_file "$2")
  want=$(jq -c .stock_options "$qf"); got=$(opts $STOCK)
  check "$label.stock" "$STOCK$got" [ "$got" = "$want" ]
  want=$(bundled_want "$qf"); got=$(opts $BUNDLED)
  check "$label.bundled" "$BUNDLED$got" [ "$got" = "$want" ]
  h=$(hdr)
  want="$(jq -r 'join("; ")' <<<"$want"); ip=$2"
  check "$label.header" "$HEADER: $h" [ "$h" = "$want" ]
  if has $STOCK_FAIL || has $BUNDLED_FAIL; then
    fail "$label.no-fail-symbol" "$(jq -c '[.symbols.P0F_FAIL.options, .symbols.P0FSHARP_FAIL.options]' "$J")"
  fi
}
expect_nothing() { # expect_nothing LABEL WHY
  local s found=""
  for s in $STOCK $STOCK_FAIL $BUNDLED $BUNDLED_FAIL; do has "$s" && found+="$s$(opts "$s") "; done
  check "$1" "$2: ${found:-no verdict and no failure symbol from either client}" [ -z "$found" ]
}
expect_fail() { # expect_fail LABEL SYMBOL [SUBSTRING]: the failure symbol and no verdict
  local label=$1 sym=$2 want=${3:-} verdict=$BUNDLED
  [ "$sym" = "$STOCK_FAIL" ] && verdict=$STOCK
  if has "$sym" && ! has "$verdict" && [[ "$(opts "$sym")" == *"$want"* ]]; then
    pass "$label" "$sym$(opts "$sym") (scan ${SCAN_SECS}s)"
  else
    fail "$label" "want $sym containing '$want' and no $verdict; got $(jq -c "{v: .symbols.$verdict.options, f: .symbols.$sym.options}" "$J")"
  fi
}
# Lua errors name the file with its path (".../plugins.d/p0fsharp.lua:N: attempt to ...");
# rspamd's own log prefix for the plugin's lines is "lua; p0fsharp.lua:N: p0fsharp: ..."
# (and every symbol the plugin inserts must be registered: no "unknown symbol P0FSHARP...")
lua_errors() { grep -hE '/p0fsharp\.lua:[0-9]+:|p0fsharp.*(internal error|call failed)|unknown symbol P0FSHARP' "$RSLOG/rspamd.log" 2>/dev/null | head -n 3; }

# ---------------------------------------------- misbehaving daemon (helper "fake")
FAKE_N=100
start_fake() {
  echo ok >"$WORK/fake.mode"; rm -f "$WORK/fake.ready"
  setsid "$PY" "$HELPER" fake --sock "$SOCK" --mode-file "$WORK/fake.mode" --lifetime 150 \
    --ready-file "$WORK/fake.ready" >>"$WORK/fake.out" 2>&1 {LOCK_FD}>&- &
  PIDS[fake]=$!
  for ((i = 0; i < 50; i++)); do [ -s "$WORK/fake.ready" ] && return 0; sleep 0.1; done
  fail fake.start "$(tail -n 2 "$WORK/fake.out")"; return 1
}
fake_case() { # fake_case PHASE MODE STOCK_ON(0|1): one scan against the fake daemon in MODE
  local phase=$1 mode=$2 stock=$3 T=$P0F_TIMEOUT addr want own lo hi
  local l="fake$phase.$mode"
  echo "$mode" >"$WORK/fake.mode"
  FAKE_N=$((FAKE_N + 1)); addr="203.0.113.$FAKE_N"   # a fresh address per case: never cached
  scan "$l" "$addr" "$MSG" || return
  case $mode in
    ok|slowok|split)
      want='["FakeOS 1.0","link=Fake link","distance=7","uptime=4321min"]'
      check "$l.bundled" "$BUNDLED$(opts $BUNDLED)" [ "$(opts $BUNDLED)" = "$want" ]
      [ "$mode" = ok ] && check "$l.pattern" "P0FSHARP_FAKE$(opts P0FSHARP_FAKE), score $(jq '.symbols.P0FSHARP_FAKE.score' "$J") from the pattern's own score" \
        eval '[ "$(jq ".symbols.P0FSHARP_FAKE.score" "$J")" = 0.5 ]'
      if [ "$stock" = 1 ]; then
        if [ "$mode" = split ]; then
          info "$l.stock" "answer in two writes: $(jq -c '{P0F: .symbols.P0F.options, P0F_FAIL: .symbols.P0F_FAIL.options}' "$J")"
        else
          check "$l.stock" "$STOCK$(opts $STOCK)" [ "$(opts $STOCK)" = '["FakeOS 1.0","link=Fake link","distance=7"]' ]
        fi
      fi ;;
    nomatch)
      expect_nothing "$l" "the daemon does not know the host" ;;
    *)
      case $mode in
        silent|slow|partialhang) want=timeout ;; close) want="connection terminated" ;;
        short|trickle) want="short answer" ;; garbage) want="" ;; long) want=oversized ;;
        badmagic) want="magic 0xdeadbeef" ;; badquery) want="bad query" ;; badstatus) want="status 0x00000055" ;;
      esac
      expect_fail "$l.bundled" $BUNDLED_FAIL "$want"
      if [ "$stock" = 1 ]; then
        case $mode in
          silent|slow) expect_fail "$l.stock" $STOCK_FAIL "IO timeout" ;;
          close|short) expect_fail "$l.stock" $STOCK_FAIL "" ;;
          *) info "$l.stock" "$(jq -c '{P0F: .symbols.P0F.options, P0F_FAIL: .symbols.P0F_FAIL.options}' "$J")" ;;
        esac
      fi ;;
  esac
  case $mode in
    silent|slow|partialhang)
      # the plugin's own wait, as it reports it, must not pass the timeout
      own=$(opts $BUNDLED_FAIL | grep -oE 'after [0-9.]+s' | grep -oE '[0-9.]+')
      check "$l.own-wait" "plugin gave up after ${own:-?}s, timeout ${T}s" \
        awk -v s="${own:-99}" -v t="$T" 'BEGIN { exit !(s >= t - 0.05 && s < t + 0.2) }'
      # rspamd 3.4 runs async prefilters one after another: with the stock module enabled too,
      # a hanging daemon costs both timeouts in turn
      if [ "$stock" = 1 ]; then lo=$(awk -v t="$T" 'BEGIN{print 2*t - 0.2}'); hi=$(awk -v t="$T" 'BEGIN{print 2*t + 1.0}')
      else lo=$(awk -v t="$T" 'BEGIN{print t - 0.2}'); hi=$(awk -v t="$T" 'BEGIN{print t + 0.6}'); fi
      [ "$mode" = partialhang ] && [ "$stock" = 1 ] && lo=$(awk -v t="$T" 'BEGIN{print t - 0.2}')
      check "$l.bounded" "scan took ${SCAN_SECS}s (expected ${lo}..${hi}s)" \
        awk -v s="$SCAN_SECS" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(s >= lo && s < hi) }' ;;
    slowok) ;;
    *)
      check "$l.fast" "scan took ${SCAN_SECS}s" awk -v s="$SCAN_SECS" -v t="$T" 'BEGIN { exit !(s < t) }' ;;
  esac
}

# ---------------------------------------------- phase 1: both clients, no cache
log "phase 1: stock p0f module + bundled p0fsharp plugin, no redis"
write_conf 0
# the shipped example, installed as local.d/p0fsharp.conf, must pass rspamadm's checks
rm -rf "$RS/etc-example"; cp -a "$RS/etc" "$RS/etc-example"
cp "$PLUGIN_SRC/local.d/p0fsharp.conf.example" "$RS/etc-example/local.d/p0fsharp.conf"
rsadm() { in_scan rspamadm --var="CONFDIR=$RS/etc-example" --var="LOCAL_CONFDIR=$RS/etc-example" --var="DBDIR=$RS/db" "$@" -c "$RS/etc-example/rspamd.conf"; }
ct=$(rsadm configtest 2>&1 | tail -n 1)
dump=$(rsadm configdump p0fsharp 2>&1)
check plugin.example-config "configtest: $ct; patterns: $(grep -oE 'P0FSHARP_[A-Z]+ = "[^"]*"' <<<"$dump" | tr '\n' ' ')" \
  eval '[ "$ct" = "syntax OK" ] && grep -q "P0FSHARP_WINDOWS" <<<"$dump" && grep -q "socket = \"/run/p0f/p0f.sock\"" <<<"$dump"'
if start_rspamd plain; then
  grep -q 'already seen module' "$RSLOG/rspamd.log" && fail plugin.loaded "$(grep -m1 'already seen module' "$RSLOG/rspamd.log")"
  line=$(grep -m1 'p0fsharp: socket' "$RSLOG/rspamd.log")
  check plugin.loaded "${line#*lua; }" [ -n "$line" ]

  scan scan.v4 "$CLIENT_IP" "$MSG" && {
    expect_verdicts scan.v4 "$CLIENT_IP"
    check scan.v4.pattern "P0FSHARP_LINUX$(opts P0FSHARP_LINUX), score $(jq '.symbols.P0FSHARP_LINUX.score' "$J") from local.d/groups.conf" \
      eval '[ "$(jq ".symbols.P0FSHARP_LINUX.score" "$J")" = 0.25 ]'
  }
  scan scan.v4.http "$CLIENT_IP" "$MSG" http && expect_verdicts scan.v4.http "$CLIENT_IP"
  # rspamd 3.4's rspamc --mime prints the message with its own X-Spam-* headers only; header
  # changes a plugin asks for travel in the milter block of the JSON reply
  scan scan.v4.mime "$CLIENT_IP" "$MSG" mime
  info scan.v4.mime "rspamc --mime shows $(grep -c "^$HEADER:" "$WORK/scans/scan.v4.mime.eml") $HEADER header(s); X-Spam-Symbols lists P0FSHARP: $(grep -c '^[[:space:]]*P0FSHARP,' "$WORK/scans/scan.v4.mime.eml")"
  scan scan.forged "$CLIENT_IP" "$WORK/mail/forged.eml" && {
    rm_h=$(jq -c --arg h "$HEADER" '.milter.remove_headers[$h]' "$J")
    check scan.forged.remove "milter remove_headers[$HEADER] = $rm_h (0 = every copy), add_headers: $(hdr)" \
      eval '[ "$rm_h" = 0 ] && [[ "$(hdr)" == Linux* || "$(hdr)" == unknown* ]]'
  }
  if [ -n "$MSG6" ]; then
    scan scan.v6 "$CLIENT_IP6" "$MSG6" && expect_verdicts scan.v6 "$CLIENT_IP6"
  fi
  scan scan.unknown "$UNKNOWN_IP" "$MSG" && expect_nothing scan.unknown "never-seen $UNKNOWN_IP"
  scan scan.private "10.1.2.3" "$MSG" && expect_nothing scan.private "10.1.2.3 (local_addrs) is skipped"
  scan scan.loopback "127.0.0.1" "$MSG" && expect_nothing scan.loopback "127.0.0.1 is skipped"
  scan scan.no-address "" "$WORK/mail/noaddr.eml" && expect_nothing scan.no-address "no IP, no Received header"
  errs=$(lua_errors); check plugin.no-lua-errors "${errs:-none in the log}" [ -z "$errs" ]
  stop_pid rspamd 15
fi

# ---------------------------------------------- phase 2: redis cache, daemon down, bad daemons
if [ "$REDIS" = 1 ]; then
  log "phase 2: redis cache, daemon stopped, misbehaving daemons"
  mkdir -p "$WORK/redis"
  ip netns exec "$NS_SCAN" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --dir "$WORK/redis" --logfile "$WORK/redis/redis.log" --daemonize no {LOCK_FD}>&- &
  PIDS[redis]=$!
  for ((i = 0; i < 50; i++)); do [ "$(in_scan redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
  rcli() { in_scan redis-cli -p "$REDIS_PORT" "$@"; }
  write_conf 1
  if start_rspamd redis; then
    scan cache.miss "$CLIENT_IP" "$MSG" && expect_verdicts cache.miss "$CLIENT_IP"
    for key in "p0f$CLIENT_IP" "p0fsharp:$CLIENT_IP"; do
      for ((i = 0; i < 20; i++)); do [ "$(rcli EXISTS "$key")" = 1 ] && break; sleep 0.1; done
      rcli --raw GET "$key" | head -c 232 >"$WORK/cached.bin"
      ttl=$(rcli TTL "$key"); len=$(rcli STRLEN "$key")
      got=$(helper decode "$WORK/cached.bin" | jq -c '[.os_string, .link_type, .distance]')
      want=$(jq -c '[.os_string, .link_type, .distance]' "$(ip_file "$CLIENT_IP")")
      check "cache.key.$key" "$len bytes, TTL ${ttl}s, $got" eval '[ "$len" = 232 ] && [ "$ttl" -gt 0 ] && [ "$ttl" -le 7200 ] && [ "$got" = "$want" ]'
    done

    stop_pid daemon 10
    pass daemon.stopped "socket file $([ -e "$SOCK" ] && echo 'left behind' || echo removed)"
    scan cache.hit "$CLIENT_IP" "$MSG" && expect_verdicts cache.hit "$CLIENT_IP"
    # not cached: both clients must go to the dead daemon
    down_ip=$UNKNOWN_IP; [ -n "$MSG6" ] && down_ip=$CLIENT_IP6
    scan down.socket-stale "$down_ip" "$MSG" && {
      expect_fail down.socket-stale.bundled $BUNDLED_FAIL "connect"
      expect_fail down.socket-stale.stock $STOCK_FAIL "cannot connect"
    }
    rm -f "$SOCK"
    scan down.socket-missing "$UNKNOWN_IP" "$MSG" && {
      expect_fail down.socket-missing.bundled $BUNDLED_FAIL "connect"
      expect_fail down.socket-missing.stock $STOCK_FAIL "cannot connect"
    }

    if [ "$FAKE_TESTS" = 1 ] && start_fake; then
      for mode in ok slowok split nomatch silent slow partialhang close short trickle garbage long badmagic badquery badstatus; do
        fake_case 2 "$mode" 1
      done
      stop_pid fake 3
      rm -f "$SOCK"
    fi

    # everything behind the plugin gone: no daemon, no redis; rspamd must keep scanning
    stop_pid redis 5
    scan down.all "$CLIENT_IP" "$MSG" && {
      expect_fail down.all.bundled $BUNDLED_FAIL "connect"
      expect_fail down.all.stock $STOCK_FAIL "cannot connect"
      check down.all.fast "scan took ${SCAN_SECS}s" awk -v s="$SCAN_SECS" -v t="$P0F_TIMEOUT" 'BEGIN { exit !(s < t) }'
    }
    errs=$(lua_errors); check plugin.no-lua-errors.redis "${errs:-none in the log}" [ -z "$errs" ]
    nlog=$(grep -c 'p0fsharp: no fingerprint from' "$RSLOG/rspamd.log")
    nsym=$(grep -l '"P0FSHARP_FAIL"' "$WORK"/scans/{down,fake2,cache}.*.json 2>/dev/null | wc -l)
    check plugin.one-log-line "$nlog failure log lines for $nsym scans with $BUNDLED_FAIL" [ "$nlog" = "$nsym" ]
    stop_pid rspamd 15
  fi
  stop_pid redis 5
fi

# ---------------------------------------------- phase 3: the plugin alone, no cache, bad daemons
if [ "$FAKE_TESTS" = 1 ]; then
  log "phase 3: bundled plugin alone (stock module off, no redis) against misbehaving daemons"
  stop_pid daemon 10
  write_conf 0 0
  if start_rspamd alone && start_fake; then
    for mode in ok split silent slow partialhang trickle garbage short; do
      fake_case 3 "$mode" 0
    done
    stop_pid fake 3
    errs=$(lua_errors); check plugin.no-lua-errors.alone "${errs:-none in the log}" [ -z "$errs" ]
    stop_pid rspamd 15
  fi
fi
exit 0
