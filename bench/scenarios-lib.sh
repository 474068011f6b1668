# shellcheck shell=bash
# Functions of bench/scenarios.sh (sourced by it; not a command): the systems, the processes, one cell, one run.
# Uses the configuration variables scenarios.sh sets; every process it starts is recorded by PID in PIDS.

CSV_HEADER="date_utc,rtt_ms,loss,link,seed,system,run,direction,status,goodput_mbps,recv_bytes,sent_bytes,window_s,\
wire_ab_bytes,wire_ba_bytes,idle_ab_Bps,idle_ba_Bps,idle_cpu_pct,wire_send_per_payload,wire_total_per_payload,\
cpu_front_s,cpu_back_s,cpu_s,rpc_n,rpc_p50_ms,rpc_p99_ms,rpc_max_ms,rpc_mean_ms,ttfb_n,ttfb_fails,ttfb_p50_ms,\
ttfb_p99_ms,ttfb_max_ms,tcp_cc,drain_s,load1"
CLK_TCK=$(getconf CLK_TCK)
PIDS=()

# ------------------------------------------------------------------------------------------------ the systems
kind_of() { # system -> direct | ferry | kcptun; status 1 if unknown
  case $1 in
    tcp-cubic | tcp-bbr) echo direct ;;
    ferry-tcp | ferry-kcp-normal | ferry-kcp-fast | ferry-kcp-fast2 | ferry-kcp-fast3) echo ferry ;;
    ferry-kcp-normal-fec | ferry-kcp-fast-fec | ferry-kcp-fast2-fec | ferry-kcp-fast3-fec | ferry-kcp-alt) echo ferry ;;
    kcptun-default | kcptun-fast3) echo kcptun ;;
    *) return 1 ;;
  esac
}
sys_index() { # a system's fixed place in KNOWN_SYSTEMS: its ports do not depend on the selection
  local i=0 s
  for s in $KNOWN_SYSTEMS; do [ "$s" = "$1" ] && { echo $i; return 0; }; i=$((i + 1)); done
  return 1
}
ferry_flags() { # system -> the flags both ferry ends get
  local s=$1 flags
  case $s in
    ferry-tcp) flags="--transport tcp" ;;
    ferry-kcp-alt) flags="--transport kcp $FERRY_ALT_FLAGS" ;;
    *) local mode=${s#ferry-kcp-}; mode=${mode%-fec}; flags="--transport kcp --mode $mode" ;;
  esac
  [[ $s == *-fec ]] && flags="$flags --fec $FEC"
  echo "$flags $FERRY_FLAGS"
}
kcptun_flags() { if [ "$1" = kcptun-fast3 ]; then echo "$KCPTUN_FAST3_FLAGS"; else echo "$KCPTUN_DEFAULT_FLAGS"; fi; }
cc_of() { echo "${1#tcp-}"; } # tcp-cubic -> cubic
bulk_port() { echo $((6000 + $(sys_index "$1"))); }
rpc_port() { echo $((6100 + $(sys_index "$1"))); }
server_port() { echo $((7000 + $(sys_index "$1"))); }

# ------------------------------------------------------------------------------------------------ JVM, builds
# shellcheck source=bench/find-java.sh
. "$BENCH/find-java.sh"
build_bench() { # as bench/link.sh: bench/target/ferry-bench.jar + lib/ when missing or older than bench's sources
  local jar=$BENCH/target/ferry-bench.jar
  if [ ! -f "$jar" ] || [ ! -d "$BENCH/target/lib" ] \
      || [ -n "$(find "$BENCH/src/main" "$BENCH/pom.xml" -newer "$jar" -print -quit)" ]; then
    log "building bench (mvn -pl bench package)…"
    (cd "$ROOT" && timeout 900 mvn -B -q ${MVN_FLAGS--o} -pl bench package -DskipTests >&2)
    touch "$jar"
  fi
}

# ferry is run from a copy of frontend/target (jar + lib) taken once at start, so that a rebuild by someone else
# during a run of hours cannot change the code measured half-way. FERRY=launcher runs that instead.
prepare_ferry() {
  local jar=$ROOT/frontend/target/ferry.jar lib=$ROOT/frontend/target/lib snap=$OUT/ferry-snapshot
  if [ -n "${FERRY:-}" ]; then
    # shellcheck disable=SC2206
    FERRY_CMD=("$FERRY")
    FERRY_DESC="launcher $FERRY (as it is at each start)"
    return 0
  fi
  if [ "$FERRY_BUILD" = 1 ]; then
    log "building ferry if its sources changed (./ferry --help)…"
    timeout 1200 "$ROOT/ferry" --help >/dev/null 2>"$OUT/ferry-build.log" \
      || die "./ferry could not build (see $OUT/ferry-build.log); FERRY_BUILD=0 measures the jars already built"
  fi
  [ -f "$jar" ] && [ -d "$lib" ] || die "no $jar; build first (mvn -o install -DskipTests)"
  mkdir -p "$snap/lib"
  cp "$jar" "$snap/ferry.jar"
  cp "$lib"/*.jar "$snap/lib/"
  # shellcheck disable=SC2206
  FERRY_CMD=("$JAVA" --enable-native-access=ALL-UNNAMED $FERRY_JAVA_OPTS -cp "$snap/ferry.jar:$snap/lib/*"
    dev.ferry.frontend.cli.Main)
  FERRY_DESC="snapshot of frontend/target taken at start (ferry.jar built $(date -u -r "$jar" '+%Y-%m-%d %H:%M UTC'))"
  if [ -n "$(find "$ROOT" \( -name target -o -name .git \) -prune -o -type f \( -name pom.xml -o -path '*/src/main/*' \) \
      -newer "$jar" -print 2>/dev/null | head -n 1)" ]; then
    FERRY_DESC="$FERRY_DESC; **some sources are newer than that jar** (not measured)"
    log "warning: some sources are newer than $jar; measuring the jar as built"
  fi
}

write_header() {
  local commit dirty
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  dirty=$(git -C "$ROOT" --no-optional-locks status --porcelain 2>/dev/null | grep -c . || true)
  {
    echo "# Scenario runner: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Command: \`$(env_line) bench/scenarios.sh\`; estimated $(fmt_time "$EST_TOTAL"). Output: \`$OUT\`."
    echo
    echo "- Code: commit $commit, $dirty uncommitted path(s) in the work tree; ferry run from the $FERRY_DESC."
    [ -z "${FERRY:-}" ] && echo "- ferry jars (sha256, first 12): $(cd "$OUT/ferry-snapshot" && sha256sum ferry.jar lib/ferry-*.jar | awk '{printf "%s %s; ", substr($1,1,12), $2}')"
    echo "- Machine: $(nproc) vCPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), kernel $(uname -r),"\
      "JDK $("$JAVA" -version 2>&1 | head -n 1), $(iperf3 --version | head -n 1 | cut -d' ' -f1-2),"\
      "kcptun $(dpkg-query -W -f='${Version}' kcptun 2>/dev/null || echo 'not installed'), load average at start $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "- Grid: RTT {$RTTS} ms x loss {$LOSSES} per direction (burst = Gilbert $BURST), $RATE_MBIT Mbit/s, queue $QUEUE;"\
      "rounds: $RUNS; per run ${DURATION} s bulk ($([ "$REVERSE" = 1 ] && echo 'download, iperf3 -R' || echo upload)),"\
      "$RPCS RPCs, $TTFB_COUNT fresh connections. How each figure is measured: bench/README.md, \"Scenario runner\"."
    echo "- Systems (the exact command lines: \`commands.txt\`):"
    local s
    for s in $SYSTEMS; do
      case $(kind_of "$s") in
        direct) echo "  - $s: direct TCP, \`iperf3 -C $(cc_of "$s")\`, rr64.py with TCP_CONGESTION $(cc_of "$s") on both ends" ;;
        ferry) echo "  - $s: \`ferry {backend,frontend} $(ferry_flags "$s" | xargs)\`" ;;
        kcptun) echo "  - $s: \`kcptun-{server,client} $(kcptun_flags "$s")\` (KCPTUN_KEY)" ;;
      esac
    done
    echo
  } >"$OUT/header.md"
}
env_line() { # the grid's settings, and every other setting that was given (so the line reruns the same thing)
  local v line=""
  for v in RTTS LOSSES SYSTEMS RUNS DURATION RPCS TTFB_COUNT REVERSE; do line="$line$v=\"${!v}\" "; done
  for v in WARMUP IDLE DRAIN_MAX RATE_MBIT QUEUE BURST FEC SEED FERRY_FLAGS FERRY_ALT_FLAGS FERRY_JAVA_OPTS \
      KCPTUN_DEFAULT_FLAGS KCPTUN_FAST3_FLAGS FERRY; do
    [ -n "${ENV_GIVEN[$v]:-}" ] && line="$line$v=\"${!v}\" "
  done
  echo "${line% }"
}

# ------------------------------------------------------------------------------------------------ processes
bg() { # bg LOGNAME cmd...: in the background, output to the cell's log dir, PID recorded (and printed)
  local name=$1
  shift
  "$@" </dev/null >"$CELL_DIR/$name.log" 2>&1 &
  PIDS+=($!)
  LAST_PID=$!
}
alive() { # whether process $1 exists and has not exited (a zombie has)
  local state
  state=$(sed -n 's/^[0-9]* (.*) \(.\) .*/\1/p' "/proc/$1/stat" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ]
}
stop_pids() { # TERM every recorded PID, KILL what is left after 5 s, reap
  local pid i any
  [ ${#PIDS[@]} -gt 0 ] || return 0
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < 50; i++)); do
    any=0
    for pid in "${PIDS[@]}"; do alive "$pid" && any=1; done
    [ $any -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do
    if alive "$pid"; then
      log "PID $pid ignored SIGTERM for 5 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
link_down() {
  if [ "${LINK_UP:-0}" = 1 ]; then
    timeout 60 "$BENCH/link.sh" down >"${CELL_DIR:-$OUT}/link-down.txt" 2>&1 || log "warning: link.sh down failed"
    LINK_UP=0
  fi
}
cleanup() { # the EXIT trap: processes, link, then a report of what was measured if the run did not finish
  local status=$?
  stop_pids
  link_down
  if [ $status -ne 0 ] && [ "$(wc -l <"$OUT/results.csv" 2>/dev/null || echo 0)" -gt 1 ]; then
    (write_report "$OUT" "**Interrupted** (exit status $status) in cell ${CELL_NO:-?} of ${N_CELLS:-?}: only the runs below were made.") || true
  fi
  rm -rf "${OUT:?}/ferry-snapshot" "$OUT/key"
  log "output in $OUT"
}
# wait_listen NS tcp|udp PORT SECONDS PID...: until something listens there; status 1 on timeout or a PID's death
wait_listen() {
  local ns=$1 proto=$2 port=$3 secs=$4 i pid flag=t
  shift 4
  [ "$proto" = udp ] && flag=u
  for ((i = 0; i < secs * 5; i++)); do
    [ -n "$(timeout 5 ip netns exec "$ns" ss -Hln$flag "sport = :$port" 2>/dev/null)" ] && return 0
    for pid in "$@"; do alive "$pid" || return 1; done
    sleep 0.2
  done
  return 1
}

# ------------------------------------------------------------------------------------------------ counters
dev_bytes() { # "a_tx b_tx": IP bytes the TUN devices sent (a->b and b->a offered to the emulator)
  local a b
  a=$(timeout 5 ip -n ferry-a -s -j link show ferry-a0 | jq '.[0].stats64.tx.bytes')
  b=$(timeout 5 ip -n ferry-b -s -j link show ferry-b0 | jq '.[0].stats64.tx.bytes')
  echo "$a $b"
}
cpu_ticks() { # utime+stime of the given PIDs (all threads), clock ticks; empty when one is gone
  local pid sum=0 t
  for pid in "$@"; do
    t=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}') || t=""
    [ -n "$t" ] || { echo ""; return 0; }
    sum=$((sum + t))
  done
  echo $sum
}
now() { date +%s.%N; }
# Waits until the link carries no more than the idle background plus 20 KB/s (checked every 0.5 s), at most
# DRAIN_MAX s; prints the seconds waited. After a bulk run a tunnel may still hold megabytes it accepted locally.
wait_drain() {
  local i a0 b0 a1 b1 t0
  t0=$(now)
  read -r a0 b0 <<<"$(dev_bytes)"
  for ((i = 0; i < DRAIN_MAX * 2; i++)); do
    sleep 0.5
    read -r a1 b1 <<<"$(dev_bytes)"
    [ $((a1 - a0 + b1 - b0)) -le $(((IDLE_AB + IDLE_BA) / 2 + 10000)) ] && break
    a0=$a1 b0=$b1
  done
  calc "$(now) - $t0" 1
}
kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" | head -n 1 | sed 's/^nan$//'; } # key=value out of rr64.py's line
csv_field() { if [[ $1 == *[,\"]* ]]; then printf '"%s"' "${1//\"/\"\"}"; else printf '%s' "$1"; fi; }
csv_row() { local f first=1; for f in "$@"; do [ $first = 1 ] || printf ','; first=0; csv_field "$f"; done; printf '\n'; }
