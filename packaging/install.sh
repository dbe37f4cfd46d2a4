#!/usr/bin/env bash
# packaging/install.sh - build P0fSharp and install it as a system service.
#
#   sudo packaging/install.sh [--prefix DIR] [--interface IFACE] [--from DIR] [--no-start]
#                             [--destdir DIR] [--self-contained]
#
#   --prefix DIR      where the program goes [/opt/p0fsharp]: DIR/p0fsharp, DIR/p0f.fp
#   --interface IF    interface written into a new /etc/p0fsharp/p0fsharp.json
#                     [the interface of the default route]
#   --from DIR        install an existing `dotnet publish` output instead of building
#   --self-contained  publish with the .NET runtime included (-r <rid> --self-contained)
#   --no-start        install and enable, but do not (re)start the service
#   --destdir DIR     stage everything under DIR (for packagers): no user, no systemctl
#
# What it does (running it again is safe: it converges to the same state):
#   1. dotnet publish -c Release src/Host into a staging directory, then swaps it into DIR
#      (the service is stopped for the swap and started again);
#   2. creates the system user and group `p0fsharp` (no login, no home);
#   3. Linux: writes /etc/p0fsharp/p0fsharp.json from packaging/p0fsharp.json unless it exists;
#   4. Linux/systemd: installs /etc/systemd/system/p0fsharp.service (+ a drop-in with
#      DOTNET_ROOT for a framework-dependent build), /etc/logrotate.d/p0fsharp,
#      enables and (re)starts the service.
#      FreeBSD: installs /usr/local/etc/rc.d/p0fsharp; enable it in /etc/rc.conf.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
PREFIX=/opt/p0fsharp
IFACE=""
FROM=""
START=1
DESTDIR=""
SELF_CONTAINED=0

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "install.sh: $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=${2:?--prefix needs a directory}; shift 2 ;;
    --prefix=*) PREFIX=${1#*=}; shift ;;
    --interface) IFACE=${2:?--interface needs a name}; shift 2 ;;
    --interface=*) IFACE=${1#*=}; shift ;;
    --from) FROM=${2:?--from needs a directory}; shift 2 ;;
    --from=*) FROM=${1#*=}; shift ;;
    --destdir) DESTDIR=${2:?--destdir needs a directory}; shift 2 ;;
    --destdir=*) DESTDIR=${1#*=}; shift ;;
    --self-contained) SELF_CONTAINED=1; shift ;;
    --no-start) START=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
case "$PREFIX" in /*) ;; *) die "--prefix must be an absolute path" ;; esac
PREFIX=${PREFIX%/}
[ -n "$DESTDIR" ] && DESTDIR=$(mkdir -p "$DESTDIR" && cd "$DESTDIR" && pwd)
[ -z "$DESTDIR" ] && [ "$(id -u)" != 0 ] && die "run as root (or use --destdir for a staged install)"

OS=$(uname -s)
SVC_USER=p0fsharp
TARGET="$DESTDIR$PREFIX"
CONF_DIR="$DESTDIR/etc/p0fsharp"

# ---------------------------------------------------------------- 1. program
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/p0fsharp-install.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
if [ -n "$FROM" ]; then
  [ -e "$FROM/p0fsharp.dll" ] || [ -x "$FROM/p0fsharp" ] || die "$FROM holds no p0fsharp build"
  cp -a "$FROM/." "$STAGE/"
  say "using the build in $FROM"
else
  command -v dotnet >/dev/null || die "dotnet (SDK 10) not found; install it or use --from"
  publish=(dotnet publish "$REPO/src/Host/P0fSharp.Host.csproj" -c Release -o "$STAGE" --nologo)
  if [ "$SELF_CONTAINED" = 1 ]; then
    case "$OS/$(uname -m)" in
      Linux/x86_64) rid=linux-x64 ;; Linux/aarch64) rid=linux-arm64 ;;
      FreeBSD/amd64) rid=freebsd-x64 ;; *) die "no runtime identifier known for $OS/$(uname -m)" ;;
    esac
    publish+=(-r "$rid" --self-contained true)
  fi
  say "${publish[*]}"
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 "${publish[@]}" >"$STAGE.log" 2>&1 ||
    { tail -n 30 "$STAGE.log" >&2; rm -f "$STAGE.log"; die "dotnet publish failed"; }
  rm -f "$STAGE.log"
fi
[ -e "$STAGE/p0f.fp" ] || cp "$REPO/data/p0f.fp" "$STAGE/p0f.fp"
find "$STAGE" -name '*.pdb' -delete
[ -x "$STAGE/p0fsharp" ] || [ -e "$STAGE/p0fsharp.dll" ] || die "the build has no p0fsharp program"

was_active=0
if [ -z "$DESTDIR" ] && [ "$OS" = Linux ] && [ -d /run/systemd/system ] &&
   systemctl is-active --quiet p0fsharp 2>/dev/null; then
  was_active=1
  say "stopping p0fsharp for the update"
  systemctl stop p0fsharp
fi
mkdir -p "$(dirname "$TARGET")"
rm -rf "$TARGET.new" "$TARGET.old"
cp -a "$STAGE" "$TARGET.new"
chmod -R u=rwX,go=rX "$TARGET.new"
[ -d "$TARGET" ] && mv "$TARGET" "$TARGET.old"
mv "$TARGET.new" "$TARGET"
rm -rf "$TARGET.old"
say "installed $PREFIX ($(ls "$TARGET" | wc -l) files)"

# ---------------------------------------------------------------- 2. user
if [ -z "$DESTDIR" ]; then
  if ! id "$SVC_USER" >/dev/null 2>&1; then
    if [ "$OS" = FreeBSD ]; then
      pw groupadd "$SVC_USER" 2>/dev/null || true
      pw useradd "$SVC_USER" -g "$SVC_USER" -d /nonexistent -s /usr/sbin/nologin -c "P0fSharp daemon"
    else
      nologin=$(command -v nologin || echo /usr/sbin/nologin)
      useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell "$nologin" --comment "P0fSharp daemon" "$SVC_USER"
    fi
    say "created user $SVC_USER"
  fi
fi

# ---------------------------------------------------------------- 3. configuration
# (Linux: the unit reads /etc/p0fsharp/p0fsharp.json; FreeBSD: the rc script takes its
# settings from /etc/rc.conf)
if [ "$OS" != FreeBSD ]; then
  mkdir -p "$CONF_DIR"
  if [ -e "$CONF_DIR/p0fsharp.json" ]; then
    say "keeping $CONF_DIR/p0fsharp.json"
  else
    if [ -z "$IFACE" ]; then
      IFACE=$(ip -o route show default 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
    fi
    [ -n "$IFACE" ] || { IFACE=eth0; say "no default route: set \"interface\" in $CONF_DIR/p0fsharp.json"; }
    sed -e "s|\"interface\": \"[^\"]*\"|\"interface\": \"$IFACE\"|" "$HERE/p0fsharp.json" >"$CONF_DIR/p0fsharp.json"
    chmod 0644 "$CONF_DIR/p0fsharp.json"
    say "wrote $CONF_DIR/p0fsharp.json (interface $IFACE)"
  fi
fi

# ---------------------------------------------------------------- 4. service
if [ "$OS" = FreeBSD ]; then
  mkdir -p "$DESTDIR/usr/local/etc/rc.d"
  sed -e "s|/usr/local/p0fsharp/p0fsharp|$PREFIX/p0fsharp|" "$HERE/freebsd/p0fsharp" \
    >"$DESTDIR/usr/local/etc/rc.d/p0fsharp"
  chmod 0555 "$DESTDIR/usr/local/etc/rc.d/p0fsharp"
  [ -n "$IFACE" ] || IFACE=$(route -n get default 2>/dev/null | awk '/interface:/ { print $2 }')
  say "installed /usr/local/etc/rc.d/p0fsharp; enable it with:"
  say "  sysrc p0fsharp_enable=YES p0fsharp_interface=${IFACE:-em0} && service p0fsharp start"
  exit 0
fi

unit_dir="$DESTDIR/etc/systemd/system"
mkdir -p "$unit_dir" "$DESTDIR/etc/logrotate.d"
sed -e "s|/opt/p0fsharp|$PREFIX|g" "$HERE/systemd/p0fsharp.service" >"$unit_dir/p0fsharp.service"
chmod 0644 "$unit_dir/p0fsharp.service"
install -m 0644 "$HERE/logrotate/p0fsharp" "$DESTDIR/etc/logrotate.d/p0fsharp"

# A framework-dependent build finds the runtime through DOTNET_ROOT unless it sits where the
# host looks by default; ProtectHome= also hides a runtime under /root or /home.
dropin="$unit_dir/p0fsharp.service.d/dotnet-root.conf"
rm -f "$dropin"
if [ ! -e "$TARGET/libcoreclr.so" ] && command -v dotnet >/dev/null; then
  droot=$(dirname "$(readlink -f "$(command -v dotnet)")")
  case "$droot" in
    /home/*|/root/*) say "warning: the .NET runtime is in $droot, which ProtectHome= hides from the service;" \
                         "install it system-wide or use --self-contained" ;;
  esac
  mkdir -p "$(dirname "$dropin")"
  printf '[Service]\nEnvironment=DOTNET_ROOT=%s\n' "$droot" >"$dropin"
  say "framework-dependent build, runtime in $droot: wrote ${dropin#"$DESTDIR"}"
fi
rmdir "$unit_dir/p0fsharp.service.d" 2>/dev/null || true
say "installed $unit_dir/p0fsharp.service"

if [ -n "$DESTDIR" ]; then
  say "staged under $DESTDIR"
elif [ ! -d /run/systemd/system ]; then
  say "systemd is not running here: start $PREFIX/p0fsharp --config /etc/p0fsharp/p0fsharp.json yourself"
else
  systemctl daemon-reload
  systemctl enable p0fsharp >/dev/null
  if [ "$START" = 1 ]; then
    systemctl restart p0fsharp
    say "p0fsharp is $(systemctl is-active p0fsharp) (socket /run/p0f/p0f.sock)"
  elif [ "$was_active" = 1 ]; then
    say "p0fsharp was running and is stopped now (--no-start)"
  fi
fi
