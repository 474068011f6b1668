# shellcheck shell=bash
# One cell of bench/scenarios.sh (sourced by it; not a command): bring the link up with the cell's profile, start
# the servers and every system's tunnel, warm each tunnel up, measure the idle background, run the rounds, stop
# everything by PID and take the link down. One run = bulk, then RPCs, then fresh connections, one CSV row.

declare -A BULK_HOST BULK_PORT IPERF_EXTRA RPC_HOST RPC_PORT RPC_CC FRONT_PIDS BACK_PIDS SYS_PIDS DEAD ROW

run_cell() { # rtt loss
  local rtt=$1 loss=$2 q args s
  CELL_DIR=$OUT/logs/rtt$rtt-loss$loss
  mkdir -p "$CELL_DIR"
  if [ "$QUEUE" = auto ]; then # half the bandwidth-delay product, at least 16 KiB
    q=$(calc "$RATE_MBIT * 1000000 / 8 * $rtt / 1000 / 2" 0)
    [ "$q" -ge 16384 ] || q=16384
  else
    q=$QUEUE
  fi
  args="--delay $((rtt / 2))ms --rate ${RATE_MBIT}mbit --queue $q"
  if [ "$loss" = burst ]; then args="$args --burst $BURST"; else args="$args --loss $loss%"; fi
  [ -z "$SEED" ] || args="$args --seed $SEED"
  CELL_LABEL="RTT $rtt ms, loss $([ "$loss" = burst ] && echo "burst ($BURST)" || echo "$loss %")"
  log "cell $CELL_NO/$N_CELLS ($CELL_LABEL): link.sh up $args"
  LINK_UP=1 # before `up`: if it is interrupted half-way, cleanup's `down` removes what it left
  # shellcheck disable=SC2086
  timeout 120 "$BENCH/link.sh" up $args >"$CELL_DIR/link-up.txt" 2>&1 \
    || { cat "$CELL_DIR/link-up.txt" >&2; die "link.sh up failed"; }
  CELL_RTT=$rtt CELL_LOSS=$loss CELL_LINK=$args
  CELL_SEED=$(sed -n 's/.* seed \(-\{0,1\}[0-9]*\).*/\1/p' "$CELL_DIR/link-up.txt" | head -n 1)

  start_servers
  for s in $SYSTEMS; do start_system "$s"; done
  for s in $SYSTEMS; do wait_system "$s"; done
  warm_up
  measure_idle
  EST_DONE=$((EST_DONE + $(est_cell_setup "$rtt" "$(count_tunnels)")))

  local r j n order
  n=$(echo $SYSTEMS | wc -w)
  for ((r = 1; r <= RUNS; r++)); do
    read -r -a order <<<"$SYSTEMS"
    for ((j = 0; j < n; j++)); do
      s=${order[$(((j + r - 1) % n))]} # the order rotates by one each round
      if [ $(($(date +%s) - START)) -gt "$MAX_SECONDS" ]; then
        STOPPED="**Stopped early:** MAX_SECONDS=$MAX_SECONDS reached in cell $CELL_NO ($CELL_LABEL), round $r; the runs after that were not made."
        log "$STOPPED"
        break 2
      fi
      run_one "$s" "$r" "$((j + 1))/$n"
    done
  done
  stop_pids
  link_down
  unset BULK_HOST BULK_PORT IPERF_EXTRA RPC_HOST RPC_PORT RPC_CC FRONT_PIDS BACK_PIDS SYS_PIDS DEAD
  declare -gA BULK_HOST BULK_PORT IPERF_EXTRA RPC_HOST RPC_PORT RPC_CC FRONT_PIDS BACK_PIDS SYS_PIDS DEAD
}

start_servers() {
  local pids=() cc port
  bg iperf3-server $B iperf3 -s -p $IPERF_PORT
  pids+=("$LAST_PID")
  bg echo-server $B "$PYTHON" "$BENCH/rr64.py" server $ECHO_PORT
  pids+=("$LAST_PID")
  for cc in cubic bbr; do
    port=$((ECHO_PORT + $([ $cc = cubic ] && echo 1 || echo 2)))
    bg "echo-server-$cc" $B "$PYTHON" "$BENCH/rr64.py" server $port --cc $cc
    pids+=("$LAST_PID")
  done
  for port in $IPERF_PORT $ECHO_PORT $((ECHO_PORT + 1)) $((ECHO_PORT + 2)); do
    wait_listen ferry-b tcp "$port" 30 "${pids[@]}" || die "a server in ferry-b did not start (logs in $CELL_DIR)"
  done
  [ -s "$OUT/key" ] || { timeout 60 "${FERRY_CMD[@]}" genkey >"$OUT/key" 2>/dev/null && chmod 600 "$OUT/key"; } \
    || die "ferry genkey failed"
  KCPTUN_SECRET=${KCPTUN_SECRET:-$(head -c 24 /dev/urandom | base64)}
}

start_system() { # system: its processes in the background, its endpoints in the tables
  local s=$1 sp lp rp flags kind
  kind=$(kind_of "$s") sp=$(server_port "$s") lp=$(bulk_port "$s") rp=$(rpc_port "$s")
  DEAD[$s]=""
  case $kind in
    direct)
      BULK_HOST[$s]=10.77.0.2 BULK_PORT[$s]=$IPERF_PORT IPERF_EXTRA[$s]="-C $(cc_of "$s")"
      RPC_HOST[$s]=10.77.0.2 RPC_CC[$s]=$(cc_of "$s")
      RPC_PORT[$s]=$((ECHO_PORT + $([ "$(cc_of "$s")" = cubic ] && echo 1 || echo 2)))
      FRONT_PIDS[$s]="" BACK_PIDS[$s]="" SYS_PIDS[$s]=""
      return 0
      ;;
    ferry)
      flags=$(ferry_flags "$s")
      # shellcheck disable=SC2086
      bg "$s-backend" $B "${FERRY_CMD[@]}" backend --listen "10.77.0.2:$sp" --key-file "$OUT/key" $flags
      BACK_PIDS[$s]=$LAST_PID
      # shellcheck disable=SC2086
      bg "$s-frontend" $A "${FERRY_CMD[@]}" frontend --server "10.77.0.2:$sp" --key-file "$OUT/key" \
        -L "127.0.0.1:$lp=127.0.0.1:$IPERF_PORT" -L "127.0.0.1:$rp=127.0.0.1:$ECHO_PORT" $flags
      FRONT_PIDS[$s]=$LAST_PID
      SYS_PIDS[$s]="${BACK_PIDS[$s]} ${FRONT_PIDS[$s]}"
      echo "$s: ferry backend --listen 10.77.0.2:$sp --key-file KEY $flags" >>"$OUT/commands.txt"
      echo "$s: ferry frontend --server 10.77.0.2:$sp --key-file KEY -L 127.0.0.1:$lp=127.0.0.1:$IPERF_PORT -L 127.0.0.1:$rp=127.0.0.1:$ECHO_PORT $flags" >>"$OUT/commands.txt"
      ;;
    kcptun)
      # Two pairs: kcptun forwards one target per server, and the bulk and echo servers are two.
      flags=$(kcptun_flags "$s")
      # shellcheck disable=SC2086
      bg "$s-server" env KCPTUN_KEY="$KCPTUN_SECRET" $B kcptun-server -l "10.77.0.2:$sp" -t "127.0.0.1:$IPERF_PORT" $flags
      BACK_PIDS[$s]=$LAST_PID
      # shellcheck disable=SC2086
      bg "$s-client" env KCPTUN_KEY="$KCPTUN_SECRET" $A kcptun-client -l "127.0.0.1:$lp" -r "10.77.0.2:$sp" $flags
      FRONT_PIDS[$s]=$LAST_PID
      # shellcheck disable=SC2086
      bg "$s-rpc-server" env KCPTUN_KEY="$KCPTUN_SECRET" $B kcptun-server -l "10.77.0.2:$((sp + 50))" -t "127.0.0.1:$ECHO_PORT" $flags
      SYS_PIDS[$s]="${BACK_PIDS[$s]} ${FRONT_PIDS[$s]} $LAST_PID"
      # shellcheck disable=SC2086
      bg "$s-rpc-client" env KCPTUN_KEY="$KCPTUN_SECRET" $A kcptun-client -l "127.0.0.1:$rp" -r "10.77.0.2:$((sp + 50))" $flags
      SYS_PIDS[$s]="${SYS_PIDS[$s]} $LAST_PID"
      {
        echo "$s: kcptun-server -l 10.77.0.2:$sp -t 127.0.0.1:$IPERF_PORT $flags"
        echo "$s: kcptun-client -l 127.0.0.1:$lp -r 10.77.0.2:$sp $flags"
        echo "$s: kcptun-server -l 10.77.0.2:$((sp + 50)) -t 127.0.0.1:$ECHO_PORT $flags   (RPC/TTFB pair)"
        echo "$s: kcptun-client -l 127.0.0.1:$rp -r 10.77.0.2:$((sp + 50)) $flags   (RPC/TTFB pair)"
      } >>"$OUT/commands.txt"
      ;;
  esac
  BULK_HOST[$s]=127.0.0.1 BULK_PORT[$s]=$lp IPERF_EXTRA[$s]="" RPC_HOST[$s]=127.0.0.1 RPC_PORT[$s]=$rp RPC_CC[$s]=""
}

wait_system() { # system: its listeners up, else marked dead for this cell
  local s=$1 sp proto=udp
  [ "$(kind_of "$s")" = direct ] && return 0
  sp=$(server_port "$s")
  [ "$s" = ferry-tcp ] && proto=tcp
  # shellcheck disable=SC2086
  if ! wait_listen ferry-b "$proto" "$sp" 90 ${SYS_PIDS[$s]} \
      || ! wait_listen ferry-a tcp "$(bulk_port "$s")" 90 ${SYS_PIDS[$s]} \
      || ! wait_listen ferry-a tcp "$(rpc_port "$s")" 90 ${SYS_PIDS[$s]}; then
    DEAD[$s]="start"
    log "FAILED $s: its processes did not come up within 90 s or exited (logs: $CELL_DIR/$s-*.log); its runs are recorded as failed"
  fi
}

warm_up() { # one unrecorded bulk run, RPCs and fresh connections per tunnel: the JVMs need it
  local s i=0 n
  n=$(count_tunnels)
  for s in $SYSTEMS; do
    [ "$(kind_of "$s")" = direct ] || [ -n "${DEAD[$s]}" ] && continue
    i=$((i + 1))
    log "cell $CELL_NO/$N_CELLS: warm-up $i/$n $s (${WARMUP} s bulk, 20 RPCs, 3 connections)"
    # shellcheck disable=SC2086
    timeout $((WARMUP + 30)) $A iperf3 -c "${BULK_HOST[$s]}" -p "${BULK_PORT[$s]}" -t "$WARMUP" -P 1 \
      $([ "$REVERSE" = 1 ] && echo -R) --json >"$CELL_DIR/$s-warmup.json" 2>&1 || log "warning: warm-up bulk of $s failed"
    timeout 120 $A "$PYTHON" "$BENCH/rr64.py" client "${RPC_HOST[$s]}" "${RPC_PORT[$s]}" 20 >"$CELL_DIR/$s-warmup-rpc.txt" 2>&1 \
      || log "warning: warm-up RPCs of $s failed"
    timeout 120 $A "$PYTHON" "$BENCH/rr64.py" ttfb "${RPC_HOST[$s]}" "${RPC_PORT[$s]}" 3 >>"$CELL_DIR/$s-warmup-rpc.txt" 2>&1 \
      || log "warning: warm-up connections of $s failed"
  done
}

measure_idle() { # IDLE s with every tunnel up and none in use: background wire bytes and the tunnels' CPU
  local s all=() w0 w1 t0 t1 c0 c1 a0 b0 a1 b1
  for s in $SYSTEMS; do
    # shellcheck disable=SC2206
    [ -z "${DEAD[$s]}" ] && all+=(${SYS_PIDS[$s]})
  done
  IDLE_AB=0 IDLE_BA=0
  wait_drain >/dev/null # the last warm-up's tail
  w0=$(dev_bytes) t0=$(now) c0=$(cpu_ticks "${all[@]}")
  sleep "$IDLE"
  w1=$(dev_bytes) t1=$(now) c1=$(cpu_ticks "${all[@]}")
  read -r a0 b0 <<<"$w0"
  read -r a1 b1 <<<"$w1"
  IDLE_AB=$(calc "($a1 - $a0) / ($t1 - $t0)" 0)
  IDLE_BA=$(calc "($b1 - $b0) / ($t1 - $t0)" 0)
  IDLE_CPU=""
  [ -n "$c0" ] && [ -n "$c1" ] && IDLE_CPU=$(calc "($c1 - $c0) / $CLK_TCK / ($t1 - $t0) * 100" 1)
  echo "idle ${IDLE}s: a->b $IDLE_AB B/s, b->a $IDLE_BA B/s, tunnels' CPU ${IDLE_CPU:-?} % of one core (${#all[@]} processes)" \
    | tee "$CELL_DIR/idle.txt" >&2
}

run_one() { # system round "j/n": one run, one CSV row
  local s=$1 r=$2 pos=$3 base pid status="" vals line ab ba
  local f0 b0 f1 b1 w0 w1 t0 t1 a0 a1 bb0 bb1 rev="" send
  base=$CELL_DIR/$s-r$r
  ROW=()
  ROW[date_utc]=$(date -u +%Y-%m-%dT%H:%M:%SZ) ROW[rtt_ms]=$CELL_RTT ROW[loss]=$CELL_LOSS ROW[link]=$CELL_LINK
  ROW[seed]=$CELL_SEED ROW[system]=$s ROW[run]=$r ROW[idle_ab_Bps]=$IDLE_AB ROW[idle_ba_Bps]=$IDLE_BA
  ROW[idle_cpu_pct]=$IDLE_CPU ROW[direction]=$([ "$REVERSE" = 1 ] && echo download || echo upload)
  for pid in ${SYS_PIDS[$s]}; do
    alive "$pid" || { [ -n "${DEAD[$s]}" ] || DEAD[$s]="died before round $r"; }
  done
  if [ -n "${DEAD[$s]}" ]; then
    ROW[status]="dead:${DEAD[$s]}"
    emit_row
    EST_DONE=$((EST_DONE + $(est_run "$CELL_RTT")))
    log "cell $CELL_NO/$N_CELLS round $r/$RUNS system $pos $s: not measured (${DEAD[$s]})"
    return 0
  fi
  log "cell $CELL_NO/$N_CELLS ($CELL_LABEL) round $r/$RUNS system $pos $s: bulk ${DURATION} s, $RPCS RPCs, $TTFB_COUNT connections…"
  [ "$REVERSE" = 1 ] && rev=-R

  # Bulk. Wire counters: read just before iperf3 starts and as soon as it exits, the same span as the payload it
  # counts. CPU: from the same start until the link is quiet again (the tail a tunnel still had buffered is work
  # the transfer caused), which is also when the RPCs may start.
  # shellcheck disable=SC2086
  f0=$(cpu_ticks ${FRONT_PIDS[$s]}) b0=$(cpu_ticks ${BACK_PIDS[$s]}) w0=$(dev_bytes) t0=$(now)
  # shellcheck disable=SC2086
  timeout $((DURATION + 30)) $A iperf3 -c "${BULK_HOST[$s]}" -p "${BULK_PORT[$s]}" -t "$DURATION" -P 1 $rev \
    ${IPERF_EXTRA[$s]} --json >"$base-bulk.json" 2>"$base-bulk.err" || status="$status;bulk-fail"
  w1=$(dev_bytes) t1=$(now)
  ROW[drain_s]=$(wait_drain)
  # shellcheck disable=SC2086
  f1=$(cpu_ticks ${FRONT_PIDS[$s]}) b1=$(cpu_ticks ${BACK_PIDS[$s]})
  vals=$(jq -r '[((.end.sum_received.bits_per_second // 0) / 1e6), (.end.sum_received.bytes // 0),
      (.end.sum_sent.bytes // 0), (.end.sender_tcp_congestion // "-")] | @tsv' "$base-bulk.json" 2>/dev/null) || vals=""
  read -r ROW[goodput_mbps] ROW[recv_bytes] ROW[sent_bytes] ROW[tcp_cc] <<<"${vals:-0 0 0 -}" || true
  if [ "${ROW[recv_bytes]:-0}" = 0 ]; then
    status="$status;bulk-fail" ROW[goodput_mbps]="" ROW[recv_bytes]=""
  else
    ROW[goodput_mbps]=$(calc "${ROW[goodput_mbps]}" 3)
  fi
  [ "$(kind_of "$s")" = direct ] && [ "${ROW[tcp_cc]}" != - ] || ROW[tcp_cc]=""
  read -r a0 bb0 <<<"$w0"
  read -r a1 bb1 <<<"$w1"
  ROW[window_s]=$(calc "$t1 - $t0" 2) ROW[wire_ab_bytes]=$((a1 - a0)) ROW[wire_ba_bytes]=$((bb1 - bb0))
  if [ -n "${ROW[recv_bytes]}" ]; then
    # The idle background (keepalives of every tunnel) over the same window is taken off before dividing.
    ab=$(calc "${ROW[wire_ab_bytes]} - $IDLE_AB * ${ROW[window_s]}" 0)
    ba=$(calc "${ROW[wire_ba_bytes]} - $IDLE_BA * ${ROW[window_s]}" 0)
    [ "$ab" -ge 0 ] || ab=0
    [ "$ba" -ge 0 ] || ba=0
    send=$ab
    [ "$REVERSE" = 1 ] && send=$ba
    ROW[wire_send_per_payload]=$(calc "$send / ${ROW[recv_bytes]}" 4)
    ROW[wire_total_per_payload]=$(calc "($ab + $ba) / ${ROW[recv_bytes]}" 4)
  fi
  if [ "$(kind_of "$s")" = direct ]; then
    ROW[cpu_front_s]=NA ROW[cpu_back_s]=NA ROW[cpu_s]=NA
  elif [ -n "$f0" ] && [ -n "$f1" ] && [ -n "$b0" ] && [ -n "$b1" ]; then
    ROW[cpu_front_s]=$(calc "($f1 - $f0) / $CLK_TCK" 2) ROW[cpu_back_s]=$(calc "($b1 - $b0) / $CLK_TCK" 2)
    ROW[cpu_s]=$(calc "($f1 - $f0 + $b1 - $b0) / $CLK_TCK" 2)
  else
    status="$status;cpu-fail"
  fi

  # RPCs on one persistent connection, then fresh connections; the link is otherwise idle.
  local cc=() rtt_s
  [ -n "${RPC_CC[$s]}" ] && cc=(--cc "${RPC_CC[$s]}")
  rtt_s=$(calc "$CELL_RTT / 1000" 3)
  timeout "$(calc "60 + ($RPCS + 5) * $rtt_s * 10" 0)" $A "$PYTHON" "$BENCH/rr64.py" client "${RPC_HOST[$s]}" \
    "${RPC_PORT[$s]}" "$RPCS" "${cc[@]}" --samples "$base-rpc-samples.txt" >"$base-rpc.txt" 2>&1 || status="$status;rpc-fail"
  line=$(grep '^n=' "$base-rpc.txt" | tail -n 1 || true)
  ROW[rpc_n]=$(kv n <<<"$line") ROW[rpc_p50_ms]=$(kv p50 <<<"$line") ROW[rpc_p99_ms]=$(kv p99 <<<"$line")
  ROW[rpc_max_ms]=$(kv max <<<"$line") ROW[rpc_mean_ms]=$(kv mean <<<"$line")
  timeout "$(calc "60 + $TTFB_COUNT * ($rtt_s * 20 + 3)" 0)" $A "$PYTHON" "$BENCH/rr64.py" ttfb "${RPC_HOST[$s]}" \
    "${RPC_PORT[$s]}" "$TTFB_COUNT" "${cc[@]}" --samples "$base-ttfb-samples.txt" >"$base-ttfb.txt" 2>&1 \
    || status="$status;ttfb-fail"
  line=$(grep '^n=' "$base-ttfb.txt" | tail -n 1 || true)
  ROW[ttfb_n]=$(kv n <<<"$line") ROW[ttfb_fails]=$(kv fails <<<"$line") ROW[ttfb_p50_ms]=$(kv p50 <<<"$line")
  ROW[ttfb_p99_ms]=$(kv p99 <<<"$line") ROW[ttfb_max_ms]=$(kv max <<<"$line")
  [ "${ROW[ttfb_fails]:-0}" = 0 ] || status="$status;ttfb-fails"

  for pid in ${SYS_PIDS[$s]}; do
    alive "$pid" || { status="$status;died"; DEAD[$s]="died in round $r"; break; }
  done
  ROW[status]=${status#;}
  [ -n "${ROW[status]}" ] || ROW[status]=ok
  emit_row
  EST_DONE=$((EST_DONE + $(est_run "$CELL_RTT")))
  progress "$s" "$r" "$pos"
}

emit_row() {
  local col cols vals=()
  ROW[load1]=$(cut -d' ' -f1 /proc/loadavg)
  IFS=, read -r -a cols <<<"$CSV_HEADER"
  for col in "${cols[@]}"; do vals+=("${ROW[$col]:-}"); done
  csv_row "${vals[@]}" >>"$OUT/results.csv"
}

progress() { # system round pos
  local elapsed left=""
  elapsed=$(($(date +%s) - START))
  [ "$EST_DONE" -gt 0 ] && left=", ~$(fmt_time "$(calc "($EST_TOTAL - $EST_DONE) * $elapsed / $EST_DONE" 0)") left"
  log "cell $CELL_NO/$N_CELLS round $2/$RUNS system $3 $1: ${ROW[status]}; goodput ${ROW[goodput_mbps]:-–} Mbit/s," \
    "wire/payload ${ROW[wire_send_per_payload]:-–} (both ${ROW[wire_total_per_payload]:-–})," \
    "RPC p50/p99/max ${ROW[rpc_p50_ms]:-–}/${ROW[rpc_p99_ms]:-–}/${ROW[rpc_max_ms]:-–} ms," \
    "TTFB p50/p99 ${ROW[ttfb_p50_ms]:-–}/${ROW[ttfb_p99_ms]:-–} ms, CPU ${ROW[cpu_s]:-–} s" \
    "[$(fmt_time "$elapsed") elapsed$left]"
}
