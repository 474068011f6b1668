#!/usr/bin/env bash
# Quick first measurement of bulk goodput (and wire bytes per payload byte) over the emulated lossy link
# (bench/link.sh): direct TCP (bbr, cubic), ferry over kcp (default flags, --fec 10,3, --up), kcptun fast3
# (FEC 10/3 and FEC off). Upload only: iperf3 client in ferry-a, server in ferry-b. Optionally a 64-byte
# request/response latency test (LATENCY=1). Not the full scenario runner.
#
# Usage (root): bench/emulated-quick.sh LOSS           e.g. bench/emulated-quick.sh 5%
# Environment: RUNS=3 DURATION=15 WARMUP=5 DELAY=25ms RATE=20mbit QUEUE=64k SYSTEMS="..." LATENCY=0 PINGS=500
#              OUT=dir (raw JSON, logs, results.tsv; default a temp dir that is kept)
# Every process is started in the background, recorded by PID and stopped by PID on exit; the link is always
# taken down (bench/link.sh down) on exit, Ctrl-C and SIGTERM. Every iperf3 run is bounded by timeout.
set -euo pipefail

BENCH=$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
FERRY=${FERRY:-$ROOT/ferry}
LOSS=${1:?usage: $0 LOSS (e.g. 0% or 5%)}
RUNS=${RUNS:-3}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
DELAY=${DELAY:-25ms}
RATE=${RATE:-20mbit}
QUEUE=${QUEUE:-64k}
SYSTEMS=${SYSTEMS:-"tcp-bbr tcp-cubic ferry ferry-fec ferry-up kcptun-fec kcptun-nofec"}
LATENCY=${LATENCY:-0}
PINGS=${PINGS:-500}
OUT=${OUT:-$(mktemp -d /tmp/ferry-emulated.XXXXXX)}
mkdir -p "$OUT"
A="ip netns exec ferry-a"
B="ip netns exec ferry-b"
KCPTUN_FLAGS="--crypt aes --mode fast3 --mtu 1350 --sndwnd 1024 --rcvwnd 1024 --nocomp --quiet"

log() { echo "emulated: $*" >&2; }
PIDS=()
cleanup() {
  local pid i
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < 50; i++)); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$BENCH/link.sh" down 2>&1 | tee -a "$OUT/link-down.txt" >&2 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bg() { # bg NAME cmd...: start in the background, log to $OUT/NAME.log, record the PID
  local name=$1
  shift
  "$@" </dev/null >"$OUT/$name.log" 2>&1 &
  PIDS+=($!)
  echo $! >"$OUT/$name.pid"
}

"$BENCH/link.sh" down 2>/dev/null || true
"$BENCH/link.sh" up --delay "$DELAY" --loss "$LOSS" --rate "$RATE" --queue "$QUEUE" 2>&1 | tee "$OUT/link-up.txt" >&2

"$FERRY" genkey >"$OUT/key"
chmod 600 "$OUT/key"
K=$OUT/key
KEY=$(head -c 24 /dev/urandom | base64)

# iperf3 server (all addresses of ferry-b: 10.77.0.2 for direct TCP, 127.0.0.1 as the tunnels' target)
bg iperf3-server $B iperf3 -s -p 5201
# echo server for the latency test (all addresses of ferry-b, port 5300)
if [ "$LATENCY" = 1 ]; then bg echo-server $B python3 "$BENCH/rr64.py" server 5300; fi

# ferry: backends in ferry-b, frontends in ferry-a
FERRY_PORTS=()
start_ferry() { # name backend-port local-port extra-frontend-flags extra-backend-flags
  local name=$1 bport=$2 lport=$3 fflags=$4 bflags=$5 lat=""
  [ "$LATENCY" = 1 ] && lat="-L 127.0.0.1:$((lport + 100))=127.0.0.1:5300"
  # shellcheck disable=SC2086
  bg "$name-backend" $B "$FERRY" backend --listen "10.77.0.2:$bport" --transport kcp --key-file "$K" $bflags
  # shellcheck disable=SC2086
  bg "$name-frontend" $A "$FERRY" frontend --server "10.77.0.2:$bport" --transport kcp --key-file "$K" \
    -L "127.0.0.1:$lport=127.0.0.1:5201" $lat $fflags
  echo "frontend: ferry frontend --server 10.77.0.2:$bport --transport kcp --key-file K -L 127.0.0.1:$lport=127.0.0.1:5201 $lat $fflags" >>"$OUT/commands.txt"
  echo "backend:  ferry backend --listen 10.77.0.2:$bport --transport kcp --key-file K $bflags" >>"$OUT/commands.txt"
}
start_kcptun() { # name server-port local-port extra-flags target-port
  local name=$1 sport=$2 lport=$3 flags=$4 tport=${5:-5201}
  # shellcheck disable=SC2086
  bg "$name-server" env KCPTUN_KEY="$KEY" $B kcptun-server -l "10.77.0.2:$sport" -t "127.0.0.1:$tport" $KCPTUN_FLAGS $flags
  # shellcheck disable=SC2086
  bg "$name-client" env KCPTUN_KEY="$KEY" $A kcptun-client -l "127.0.0.1:$lport" -r "10.77.0.2:$sport" $KCPTUN_FLAGS $flags
  echo "kcptun-server -l 10.77.0.2:$sport -t 127.0.0.1:$tport $KCPTUN_FLAGS $flags" >>"$OUT/commands.txt"
  echo "kcptun-client -l 127.0.0.1:$lport -r 10.77.0.2:$sport $KCPTUN_FLAGS $flags" >>"$OUT/commands.txt"
}
: >"$OUT/commands.txt"
for s in $SYSTEMS; do
  case $s in
    ferry) start_ferry ferry 7000 6000 "" "" ;;
    ferry-fec) start_ferry ferry-fec 7001 6001 "--fec 10,3" "--fec 10,3" ;;
    ferry-up) start_ferry ferry-up 7002 6002 "--up 19mbit" "" ;;
    kcptun-fec) start_kcptun kcptun-fec 29900 6010 "" ;;
    kcptun-nofec) start_kcptun kcptun-nofec 29901 6011 "--datashard 0 --parityshard 0" ;;
  esac
done
if [ "$LATENCY" = 1 ]; then start_kcptun kcptun-lat 29902 6110 "" 5300; fi
sleep 8 # JVM start, UDP listeners

target() { # system -> "host port extra-iperf3-flags"
  case $1 in
    tcp-bbr) echo "10.77.0.2 5201 -C bbr" ;;
    tcp-cubic) echo "10.77.0.2 5201 -C cubic" ;;
    ferry) echo "127.0.0.1 6000" ;;
    ferry-fec) echo "127.0.0.1 6001" ;;
    ferry-up) echo "127.0.0.1 6002" ;;
    kcptun-fec) echo "127.0.0.1 6010" ;;
    kcptun-nofec) echo "127.0.0.1 6011" ;;
  esac
}
dev_bytes() { # "a_tx b_tx" from the TUN devices' counters (IP bytes: a->b offered, b->a offered)
  local a b
  a=$(ip -n ferry-a -s -j link show ferry-a0 | jq '.[0].stats64.tx.bytes')
  b=$(ip -n ferry-b -s -j link show ferry-b0 | jq '.[0].stats64.tx.bytes')
  echo "$a $b"
}
run_iperf() { # system seconds tag -> prints "Mbit/s bytes a_tx b_tx status"
  local sys=$1 secs=$2 tag=$3 host port extra before after status=ok json
  json=$OUT/$sys-$tag.json
  read -r host port extra <<<"$(target "$sys")"
  before=$(dev_bytes)
  # shellcheck disable=SC2086
  timeout $((secs + 25)) $A iperf3 -c "$host" -p "$port" -t "$secs" -P 1 $extra --json >"$json" 2>"$OUT/$sys-$tag.err" || status=fail
  sleep 2 # let the tunnel's tail (retransmissions, FEC of the last group) reach the counters
  after=$(dev_bytes)
  local bytes sent mbps
  bytes=$(jq -r '.end.sum_received.bytes // 0' "$json" 2>/dev/null || echo 0)
  sent=$(jq -r '.end.sum_sent.bytes // 0' "$json" 2>/dev/null || echo 0)
  mbps=$(jq -r '(.end.sum_received.bits_per_second // 0) / 1e6' "$json" 2>/dev/null || echo 0)
  [ "${bytes:-0}" = 0 ] && status=fail
  read -r a0 b0 <<<"$before"
  read -r a1 b1 <<<"$after"
  echo "$mbps $bytes $sent $((a1 - a0)) $((b1 - b0)) $status"
}

log "idle background over 10 s (keepalives of the idle tunnels)"
before=$(dev_bytes); sleep 10; after=$(dev_bytes)
read -r a0 b0 <<<"$before"; read -r a1 b1 <<<"$after"
echo "idle_10s a->b $((a1 - a0)) b->a $((b1 - b0))" | tee "$OUT/idle.txt" >&2

for s in $SYSTEMS; do
  case $s in ferry*|kcptun*) log "warm-up $s ${WARMUP}s"; run_iperf "$s" "$WARMUP" warmup >/dev/null ;; esac
done

printf 'loss\tsystem\tround\tmbps\trecv_bytes\tsent_bytes\tab_wire\tba_wire\tstatus\tload\n' >"$OUT/results.tsv"
for ((r = 1; r <= RUNS; r++)); do
  for s in $SYSTEMS; do
    res=$(run_iperf "$s" "$DURATION" "r$r")
    load=$(cut -d' ' -f1 /proc/loadavg)
    printf '%s\t%s\t%s\t%s\t%s\n' "$LOSS" "$s" "$r" "$(echo "$res" | tr ' ' '\t')" "$load" | tee -a "$OUT/results.tsv" >&2
  done
done

if [ "$LATENCY" = 1 ]; then
  for pair in "direct 10.77.0.2 5300" "ferry 127.0.0.1 6100" "ferry-fec 127.0.0.1 6101" "kcptun-fec 127.0.0.1 6110"; do
    read -r name host port <<<"$pair"
    case $name in ferry-fec) [[ " $SYSTEMS " == *" ferry-fec "* ]] || continue ;; esac
    log "latency $name"
    echo -n "$LOSS $name " >>"$OUT/latency.txt"
    timeout 180 $A python3 "$BENCH/rr64.py" client "$host" "$port" "$PINGS" >>"$OUT/latency.txt" 2>&1 || echo "FAILED" >>"$OUT/latency.txt"
  done
  cat "$OUT/latency.txt" >&2
fi
"$BENCH/link.sh" status >"$OUT/link-status.txt" 2>&1 || true
log "done: $OUT"
