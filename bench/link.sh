#!/usr/bin/env bash
# A lossy WAN on one machine: two network namespaces joined by ferry's user-space link emulator
# (dev.ferry.bench.link.LinkEmulatorMain: two TUN devices, one per namespace, forwarded through the same
# SimulatedLink model the unit tests use; this kernel has no netem).
#
#   ns ferry-a: ferry-a0 10.77.0.1 <-- TUN --> [emulator, root namespace] <-- TUN --> ferry-b0 10.77.0.2 :ns ferry-b
#
# Usage (root):
#   bench/link.sh up [emulator options]   e.g. --delay 25ms --loss 5% --rate 20mbit --queue 64k
#                                         (--X both directions, --ab-X / --ba-X one; `up --help` lists them)
#   bench/link.sh down                    stop the emulator (prints its counters), delete namespaces and devices;
#                                         safe to run any time, also after a crash
#   bench/link.sh status                  the emulator's profile and live counters
#   bench/link.sh selfcheck               bring up known profiles one after another, measure them with ping and
#                                         iperf3, print measured vs configured with PASS/FAIL; exit 1 on a FAIL
# Then e.g. `ip netns exec ferry-a ping 10.77.0.2`, `ip netns exec ferry-b iperf3 -s`.
#
# Options (environment): LINK_STATE=/run/ferry-link (PID file, log, counters), LINK_RT_PRIO=20 (SCHED_FIFO
# priority of the two forwarder threads, 0 for none; see realtime_forwarders), JAVA (a JDK >= 25),
# MVN_FLAGS (default -o), JAVA_OPTS for the emulator JVM; selfcheck: CELLS="clean loss5 rtt200 burst jitter",
# PINGS=500, TCP_SECONDS=10, UDP_SECONDS=5, MAX_SECONDS=600, REPORT=file (also write the results there).
# `up` undoes what it did when it fails or is interrupted; `selfcheck` always ends with `down`.
set -euo pipefail

BENCH=$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
NS_A=ferry-a
NS_B=ferry-b
DEV_A=ferry-a0
DEV_B=ferry-b0
ADDR_A=10.77.0.1
ADDR_B=10.77.0.2
MTU=1500
STATE=${LINK_STATE:-/run/ferry-link}
PID_FILE=$STATE/emulator.pid
LOG=$STATE/emulator.log
STATS=$STATE/stats
MAIN_CLASS=dev.ferry.bench.link.LinkEmulatorMain
RT_PRIO=${LINK_RT_PRIO:-20}

log() { echo "link: $*" >&2; }
die() { log "$*"; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, TUN devices)"; }

# ---------------------------------------------------------------- JVM and build (as bench/jmh.sh)
# shellcheck source=bench/find-java.sh
. "$BENCH/find-java.sh"
build() {
  local jar=$BENCH/target/ferry-bench.jar
  if [ ! -f "$jar" ] || [ ! -d "$BENCH/target/lib" ] \
      || [ -n "$(find "$BENCH/src/main" "$BENCH/pom.xml" -newer "$jar" -print -quit)" ]; then
    log "building bench (mvn -pl bench package)…"
    (cd "$ROOT" && mvn -B -q ${MVN_FLAGS--o} -pl bench package -DskipTests >&2)
    touch "$jar"
  fi
}

# ---------------------------------------------------------------- the emulator process and the namespaces
# The PID in the PID file, if that process is still our emulator (a stale file may name a reused PID).
emulator_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 0
  pid=$(cat "$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q "$MAIN_CLASS"; then
    echo "$pid"
  fi
}

# Whether process $1 exists and has not exited (a zombie, which `kill -0` still finds, has: `selfcheck` started
# the emulator itself and reaps it only later).
alive() {
  local state
  state=$(sed -n 's/^[0-9]* (.*) \(.\) .*/\1/p' "/proc/$1/stat" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ]
}

# Stops the emulator by its PID (TERM, then KILL after 5 s), prints its counters, removes namespaces and devices.
# Idempotent, and quiet about what is already gone.
link_down() {
  local pid i
  pid=$(emulator_pid)
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      log "emulator $pid ignored SIGTERM for 5 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true # reaps it when this shell started it (selfcheck); no-op otherwise
    grep -E '^ferry-link: (a->b|b->a) offered' "$LOG" 2>/dev/null | sed 's/^ferry-link: /link: counters /' >&2 || true
  fi
  rm -f "$PID_FILE"
  for ns in "$NS_A" "$NS_B"; do
    if ip netns list | awk '{print $1}' | grep -qx "$ns"; then ip netns del "$ns" || log "could not delete namespace $ns"; fi
  done
  # The devices vanish with the emulator's descriptors or their namespace; these are leftovers of other setups.
  for dev in "$DEV_A" "$DEV_B"; do
    if ip link show "$dev" >/dev/null 2>&1; then ip link del "$dev" || true; fi
  done
}

# link_up [emulator options]: the namespaces, the emulator in the background, addresses and routes.
link_up() {
  local pid i side ns dev addr peer
  if [ -n "$(emulator_pid)" ]; then
    die "a link is already up (emulator PID $(cat "$PID_FILE")); run '$0 down' first"
  fi
  link_down 2>/dev/null # leftovers of a crash
  mkdir -p "$STATE"
  rm -f "$STATS"
  # Emptied here, not only by the redirection below: that one happens in the child, maybe after the first look
  # for "ready", which would then find the previous run's line.
  : >"$LOG"

  ip netns add "$NS_A"
  ip netns add "$NS_B"
  # setsid: the emulator outlives this script and a closed terminal; `down` ends it by PID. Not a process-group
  # leader here, so setsid execs in place and $! is the JVM's PID.
  # shellcheck disable=SC2086
  setsid "$JAVA" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmx128m ${JAVA_OPTS:-} \
    -cp "$BENCH/target/ferry-bench.jar:$BENCH/target/lib/*" "$MAIN_CLASS" \
    --dev-a "$DEV_A" --dev-b "$DEV_B" --stats-file "$STATS" "$@" </dev/null >"$LOG" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"
  for ((i = 0; i < 300; i++)); do # the JVM may take a while on a busy box: up to 30 s
    grep -q '^ferry-link: ready' "$LOG" && break
    if ! alive "$pid"; then
      local status=0
      wait "$pid" || status=$?
      cat "$LOG" >&2
      die "the emulator (PID $pid) exited with status $status before it was ready"
    fi
    sleep 0.1
  done
  grep -q '^ferry-link: ready' "$LOG" || { cat "$LOG" >&2; die "the emulator was not ready within 30 s"; }

  for side in a b; do
    if [ $side = a ]; then ns=$NS_A dev=$DEV_A addr=$ADDR_A peer=$ADDR_B; else ns=$NS_B dev=$DEV_B addr=$ADDR_B peer=$ADDR_A; fi
    ip link set "$dev" netns "$ns"
    # No IPv6: router solicitations and the like would cross the link and blur its counters.
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
      "net.ipv6.conf.$dev.disable_ipv6=1" >/dev/null
    ip -n "$ns" link set lo up
    ip -n "$ns" link set "$dev" mtu "$MTU" up
    ip -n "$ns" addr add "$addr/32" dev "$dev"
    ip -n "$ns" route add "$peer/32" dev "$dev"
  done
  realtime_forwarders "$pid"
  sed -n 's/^ferry-link: /link: /p' "$LOG" >&2
  log "up: $NS_A ($DEV_A $ADDR_A) <-> $NS_B ($DEV_B $ADDR_B), emulator PID $pid, log $LOG"
}

# The two forwarder threads get SCHED_FIFO (LINK_RT_PRIO, default 20; 0 leaves them alone): on this 2-core box the
# system under test and everything else would otherwise delay them by tens of ms (measured: ping RTT max 198 ms on a
# 50 ms link at load 9, 52 ms with it). They sleep in ppoll between packets, so they take little CPU; the kernel's
# RT throttling (sched_rt_runtime_us) caps them even if one misbehaved. The rest of the JVM keeps normal priority.
realtime_forwarders() {
  local pid=$1 task n=0
  [ "$RT_PRIO" -gt 0 ] || return 0
  for task in /proc/"$pid"/task/*; do
    if grep -q '^link [ab]->' "$task/comm" 2>/dev/null; then
      chrt -f -p "$RT_PRIO" "${task##*/}" >/dev/null && n=$((n + 1))
    fi
  done
  [ $n -eq 2 ] || log "warning: $n of 2 forwarder threads got SCHED_FIFO $RT_PRIO; delays may stretch under load"
}

link_status() {
  local pid
  pid=$(emulator_pid)
  if [ -z "$pid" ]; then
    echo "link: down"
    return 1
  fi
  echo "link: up, emulator PID $pid"
  sed -n 's/^ferry-link: /link: /p' "$LOG"
  [ -f "$STATS" ] && sed 's/^/link: stats /' "$STATS"
  return 0
}

case ${1:-} in
  up)
    shift
    case " $* " in *" --help "* | *" -h "*) find_java; build; exec "$JAVA" -cp "$BENCH/target/ferry-bench.jar:$BENCH/target/lib/*" "$MAIN_CLASS" --help ;; esac
    need_root
    find_java
    build
    # Undo everything if `up` fails half-way or is interrupted; once up, the link stays until `down`.
    trap 'log "up failed or interrupted: cleaning up"; link_down' EXIT
    trap 'exit 130' INT TERM
    link_up "$@"
    trap - EXIT INT TERM
    ;;
  down)
    need_root
    link_down
    log "down"
    ;;
  status)
    link_status
    ;;
  selfcheck)
    shift
    need_root
    find_java
    build
    # shellcheck source=bench/link-selfcheck.sh
    source "$BENCH/link-selfcheck.sh"
    selfcheck "$@"
    ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
