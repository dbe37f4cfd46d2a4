# Sourced by the scripts of this folder: two network namespaces joined by a veth pair, named
# with a random suffix, a scratch directory, and a cleanup that stops every PID the script
# adds to `pids` (TERM, 5 s grace, KILL) and removes the namespaces and the directory on exit.
#
#   netlab_init NAME     # names, $work (/tmp/p0fs-NAME-*), the EXIT trap
#   netlab_up            # creates the namespaces and the veth pair, loopbacks up
#   in_c CMD... / in_s CMD...   # run in the client / server namespace
#
# Addresses, link state and sysctls are left to the caller. Needs bash, iproute2, root.

netlab_init() {
  suffix=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  ns_c="p0fs-${suffix}c"
  ns_s="p0fs-${suffix}s"
  veth_c="p0fs${suffix}a"
  veth_s="p0fs${suffix}b"
  work=$(mktemp -d "/tmp/p0fs-$1-${suffix}.XXXX")
  pids=()
  trap netlab_cleanup EXIT
}

netlab_cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  ip netns del "$ns_c" 2>/dev/null || true
  ip netns del "$ns_s" 2>/dev/null || true
  rm -rf "$work"
}

in_c() { ip netns exec "$ns_c" "$@"; }
in_s() { ip netns exec "$ns_s" "$@"; }

netlab_up() {
  ip netns add "$ns_c"
  ip netns add "$ns_s"
  ip link add "$veth_c" type veth peer name "$veth_s"
  ip link set "$veth_c" netns "$ns_c"
  ip link set "$veth_s" netns "$ns_s"
  in_s ip link set lo up
  in_c ip link set lo up
}
