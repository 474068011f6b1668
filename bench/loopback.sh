#!/usr/bin/env bash
# End-to-end loopback throughput: iperf3 through, with SET=tcp (the default)
#   direct         iperf3 client -> iperf3 server (baseline)
#   ferry-aes      ./ferry frontend --cipher aes-256-gcm      -> ./ferry backend -> iperf3 server
#   ferry-chacha   ./ferry frontend --cipher chacha20-poly1305 -> ./ferry backend -> iperf3 server
#   ss-aes         ss-tunnel -m aes-256-gcm -> ss-server -> iperf3 server   (shadowsocks-libev)
# or with SET=kcp (KCP over UDP, kcptun's settings on both: fast3, MTU 1350, windows 1024/1024, FEC off or KCP_FEC)
#   direct         iperf3 client -> iperf3 server (baseline)
#   ferry-kcp      ./ferry frontend --transport kcp --mode fast3 ... -> ./ferry backend --transport kcp ... -> iperf3 server
#   kcptun         kcptun-client --mode fast3 --crypt aes --datashard 0 --parityshard 0 --nocomp ... -> kcptun-server -> iperf3 server
# with 1 and with 16 parallel streams, and the tunnel processes' CPU seconds per GB moved.
#
# Usage: bench/loopback.sh            (about 4–5 minutes with the defaults; every process it starts is
#                                      stopped by PID on exit and on Ctrl-C)
# Environment (all optional):
#   RUNS=5          measured rounds; each round runs every system once, so ratios compare runs minutes apart at most
#   DURATION=5      seconds per iperf3 run
#   WARMUP=5        seconds of each unrecorded warm-up run (1 and 16 streams, per tunnel)
#   STREAMS="1 16"  parallel stream counts
#   REVERSE=1       measure downloads (iperf3 -R: server -> client) instead of uploads
#   MAX_SECONDS=600 stop measuring once this much time has gone by and report what was measured
#   FERRY_JAVA_OPTS JVM options for both ferry processes (passed as JAVA_OPTS to ./ferry)
#   FERRY=path      the ferry launcher to run instead of this checkout's ./ferry (e.g. a build of one commit made
#                   elsewhere, while this work tree does not build); the report then names it
#   SET=tcp         tcp: direct, ferry aes, ferry chacha, shadowsocks-libev; kcp: direct, ferry over kcp, kcptun
#   SKIP_SS=1       leave shadowsocks-libev out (SET=tcp)
#   SKIP_KCPTUN=1   leave kcptun out (SET=kcp)
#   KCP_MODE=fast3 KCP_MTU=1350 KCP_SNDWND=1024 KCP_RCVWND=1024   the kcp settings, the same for ferry and kcptun (SET=kcp)
#   KCP_FEC=0,0     Reed-Solomon FEC DATA,PARITY on both: ferry --fec D,P, kcptun --datashard D --parityshard P (SET=kcp)
# Needs: iperf3, jq, ss (iproute2), and for the ss rows shadowsocks-libev, for the kcptun rows kcptun; as root it
# apt-get installs what is missing.
# Output: a markdown report on stdout and in bench/results/loopback-<date>.md; progress on stderr.
set -euo pipefail

BENCH=$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
FERRY=${FERRY:-$ROOT/ferry}

RUNS=${RUNS:-5}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-5}
STREAMS=${STREAMS:-"1 16"}
REVERSE=${REVERSE:-0}
MAX_SECONDS=${MAX_SECONDS:-600}
SET=${SET:-tcp}
KCP_MODE=${KCP_MODE:-fast3}
KCP_MTU=${KCP_MTU:-1350}
KCP_FEC=${KCP_FEC:-0,0}
KCP_SNDWND=${KCP_SNDWND:-1024}
KCP_RCVWND=${KCP_RCVWND:-1024}
SS_METHOD=aes-256-gcm
KCPTUN_CRYPT=aes # kcptun's default: AES (key length from its PBKDF2, 32 bytes) in CFB, plus a CRC32
CLK_TCK=$(getconf CLK_TCK)
START=$SECONDS
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

log() { echo "loopback: $*" >&2; }
case $SET in
  tcp | kcp) ;;
  *) log "SET must be tcp or kcp, not '$SET'"; exit 2 ;;
esac
[[ $KCP_FEC =~ ^[0-9]+,[0-9]+$ ]] || { log "KCP_FEC must be DATA,PARITY (e.g. 10,3 or 0,0), not '$KCP_FEC'"; exit 2; }

# ---------------------------------------------------------------- processes we own, and their cleanup
PIDS=()
FOREGROUND_PID="" # the command in_background waits for, if any
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferry-loopback.XXXXXX")

cleanup() {
  local pid i
  [ -n "$FOREGROUND_PID" ] && PIDS+=("$FOREGROUND_PID")
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < 50; i++)); do # up to 5 s for a clean exit, then SIGKILL
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# start NAME CMD...: runs CMD in the background with its output in $WORK/NAME.log; sets LAST_PID.
start() {
  local name=$1
  shift
  "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

# in_background OUTFILE CMD...: runs CMD with stdout+stderr to OUTFILE and waits for it with the `wait` builtin.
# A foreground command would not do: bash defers the INT trap until a foreground child ends, and skips it when the
# child (iperf3, or `timeout`, which moves itself out of the terminal's process group) did not die of SIGINT itself.
# `wait` returns at once on a trapped signal, so Ctrl-C stops the script promptly; cleanup then ends CMD too.
in_background() {
  local out=$1 status=0
  shift
  "$@" >"$out" 2>&1 &
  FOREGROUND_PID=$!
  wait "$FOREGROUND_PID" || status=$?
  FOREGROUND_PID=""
  return $status
}

# wait_listen PORT PID SECONDS [udp]: until something listens on TCP (or with udp: has a UDP socket bound to)
# 127.0.0.1:PORT; fails if PID died or time ran out.
wait_listen() {
  local port=$1 pid=$2 deadline=$((SECONDS + $3)) flags=-Hltn
  [ "${4:-tcp}" = udp ] && flags=-Hlun
  while [ $SECONDS -lt $deadline ]; do
    [ -n "$(ss "$flags" "sport = :$port")" ] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

# free_port VAR: sets VAR to a port nobody listens on, TCP or UDP, and that was not handed out before.
# (Not called as $(free_port): the list of ports handed out must outlive the call.)
USED_PORTS=" "
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    [[ $USED_PORTS == *" $p "* ]] && continue
    [ -z "$(ss -Hltun "sport = :$p")" ] || continue
    USED_PORTS+="$p "
    printf -v "$1" '%s' "$p"
    return
  done
}

# cpu_ticks PID...: utime+stime of the processes (all threads), in clock ticks; fails if one has exited.
cpu_ticks() {
  local pid total=0 fields f
  for pid in "$@"; do
    fields=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    fields=${fields##*) } # the command name may hold spaces; everything after ") " is numeric
    read -r -a f <<<"$fields"
    total=$((total + f[11] + f[12])) # fields 14 and 15 of stat(5), counted from field 3 here
  done
  echo "$total"
}

# ---------------------------------------------------------------- tools
apt_install() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    return 1
  fi
  log "installing $* with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >"$WORK/apt.log" 2>&1 \
    || { apt-get update -qq >>"$WORK/apt.log" 2>&1 \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$WORK/apt.log" 2>&1; }
}
for tool in iperf3:iperf3 jq:jq ss:iproute2; do
  if ! command -v "${tool%%:*}" >/dev/null; then
    apt_install "${tool#*:}" || { log "needs ${tool%%:*} (Debian package ${tool#*:})"; exit 1; }
  fi
done
SS_SKIP_REASON=""
KCPTUN_SKIP_REASON=""
if [ "$SET" = tcp ]; then
  if [ "${SKIP_SS:-0}" = 1 ]; then
    SS_SKIP_REASON="SKIP_SS=1"
  elif ! command -v ss-server >/dev/null || ! command -v ss-tunnel >/dev/null; then
    apt_install shadowsocks-libev || SS_SKIP_REASON="shadowsocks-libev is not installed and could not be installed (needs root and apt-get)"
  fi
  if [ -n "$SS_SKIP_REASON" ]; then
    log "SKIPPING shadowsocks-libev: $SS_SKIP_REASON"
  fi
else
  if [ "${SKIP_KCPTUN:-0}" = 1 ]; then
    KCPTUN_SKIP_REASON="SKIP_KCPTUN=1"
  elif ! command -v kcptun-server >/dev/null || ! command -v kcptun-client >/dev/null; then
    apt_install kcptun || KCPTUN_SKIP_REASON="kcptun is not installed and could not be installed (needs root and apt-get)"
  fi
  if [ -n "$KCPTUN_SKIP_REASON" ]; then
    log "SKIPPING kcptun: $KCPTUN_SKIP_REASON"
  fi
fi

# ---------------------------------------------------------------- the target and the tunnels
free_port TARGET
start iperf3-server iperf3 -s -B 127.0.0.1 -p "$TARGET" --rcv-timeout 10000
IPERF_PID=$LAST_PID
wait_listen "$TARGET" "$IPERF_PID" 10 || { log "iperf3 server did not start"; cat "$WORK/iperf3-server.log" >&2; exit 1; }

# Build ferry once, here, if its sources changed: two launchers racing to build at once would collide.
log "checking the ferry build (./ferry builds when its sources changed)…"
in_background "$WORK/ferry-build.log" timeout 600 "$FERRY" --version \
  || { log "./ferry does not run:"; cat "$WORK/ferry-build.log" >&2; exit 1; }
tail -n 1 "$WORK/ferry-build.log" >"$WORK/ferry-version.txt"
"$FERRY" genkey >"$WORK/ferry.key"

SYSTEMS=(direct)
declare -A ENTRY TUNNEL_PIDS LABEL
ENTRY[direct]=$TARGET
LABEL[direct]="direct TCP (baseline)"

declare -A COMMANDS # SYSTEM -> the tunnel's two command lines (for the kcp report), key files and keys elided

KCP_ARGS=(--mode "$KCP_MODE" --mtu "$KCP_MTU" --sndwnd "$KCP_SNDWND" --rcvwnd "$KCP_RCVWND")
KCP_DATA_SHARDS=${KCP_FEC%%,*}
KCP_PARITY_SHARDS=${KCP_FEC#*,}

# start_ferry SYSTEM CIPHER [TRANSPORT]: TRANSPORT tcp (default) or kcp (then the backend listens on UDP).
start_ferry() {
  local system=$1 cipher=$2 transport=${3:-tcp} backend_port entry_port backend frontend
  local -a extra=()
  local label_extra="" proto=tcp
  if [ "$transport" = kcp ]; then
    extra=(--transport kcp "${KCP_ARGS[@]}" --fec "$KCP_FEC")
    label_extra=" over kcp $KCP_MODE"
    proto=udp
  fi
  free_port backend_port
  free_port entry_port
  JAVA_OPTS=${FERRY_JAVA_OPTS:-} start "$system-backend" \
    "$FERRY" backend --listen "127.0.0.1:$backend_port" --key-file "$WORK/ferry.key" "${extra[@]}"
  backend=$LAST_PID
  wait_listen "$backend_port" "$backend" 120 "$proto" \
    || { log "$system backend did not start:"; cat "$WORK/$system-backend.log" >&2; exit 1; }
  JAVA_OPTS=${FERRY_JAVA_OPTS:-} start "$system-frontend" \
    "$FERRY" frontend --server "127.0.0.1:$backend_port" --key-file "$WORK/ferry.key" --cipher "$cipher" \
    "${extra[@]}" -L "127.0.0.1:$entry_port=127.0.0.1:$TARGET"
  frontend=$LAST_PID
  wait_listen "$entry_port" "$frontend" 120 \
    || { log "$system frontend did not start:"; cat "$WORK/$system-frontend.log" >&2; exit 1; }
  SYSTEMS+=("$system")
  ENTRY[$system]=$entry_port
  TUNNEL_PIDS[$system]="$backend $frontend"
  LABEL[$system]="ferry $cipher$label_extra"
  COMMANDS[$system]="\`./ferry backend --listen 127.0.0.1:$backend_port --key-file K ${extra[*]}\`;"
  COMMANDS[$system]+=" \`./ferry frontend --server 127.0.0.1:$backend_port --key-file K --cipher $cipher ${extra[*]}"
  COMMANDS[$system]+="${extra:+ }-L 127.0.0.1:$entry_port=127.0.0.1:$TARGET\`"
}
if [ "$SET" = tcp ]; then
  start_ferry ferry-aes aes-256-gcm
  start_ferry ferry-chacha chacha20-poly1305
else
  start_ferry ferry-kcp aes-256-gcm kcp
fi

if [ "$SET" = kcp ] && [ -z "$KCPTUN_SKIP_REASON" ]; then
  free_port kcptun_port
  free_port kcptun_entry
  # Both sides get the key through the environment (KCPTUN_KEY), not on the command line.
  KCPTUN_KEY=$(head -c 18 /dev/urandom | base64)
  export KCPTUN_KEY
  kcptun_common=(--crypt "$KCPTUN_CRYPT" "${KCP_ARGS[@]}" --datashard "$KCP_DATA_SHARDS" --parityshard "$KCP_PARITY_SHARDS"
    --nocomp --quiet)
  start kcptun-server kcptun-server -l "127.0.0.1:$kcptun_port" -t "127.0.0.1:$TARGET" "${kcptun_common[@]}"
  kcptun_server=$LAST_PID
  start kcptun-client kcptun-client -l "127.0.0.1:$kcptun_entry" -r "127.0.0.1:$kcptun_port" "${kcptun_common[@]}"
  kcptun_client=$LAST_PID
  if wait_listen "$kcptun_port" "$kcptun_server" 10 udp && wait_listen "$kcptun_entry" "$kcptun_client" 10; then
    SYSTEMS+=(kcptun)
    ENTRY[kcptun]=$kcptun_entry
    TUNNEL_PIDS[kcptun]="$kcptun_server $kcptun_client"
    LABEL[kcptun]="kcptun $KCP_MODE (crypt $KCPTUN_CRYPT)"
    COMMANDS[kcptun]="\`kcptun-server -l 127.0.0.1:$kcptun_port -t 127.0.0.1:$TARGET ${kcptun_common[*]}\`;"
    COMMANDS[kcptun]+=" \`kcptun-client -l 127.0.0.1:$kcptun_entry -r 127.0.0.1:$kcptun_port ${kcptun_common[*]}\`"
    COMMANDS[kcptun]+=" (key in \`KCPTUN_KEY\` for both)"
  else
    KCPTUN_SKIP_REASON="kcptun-server/kcptun-client did not start: $(tail -n 3 "$WORK/kcptun-server.log" "$WORK/kcptun-client.log" | tr '\n' ' ')"
    log "SKIPPING kcptun: $KCPTUN_SKIP_REASON"
  fi
fi

if [ "$SET" = tcp ] && [ -z "$SS_SKIP_REASON" ]; then
  free_port ss_port
  free_port ss_entry
  ss_pass=$(head -c 18 /dev/urandom | base64)
  start ss-server ss-server -s 127.0.0.1 -p "$ss_port" -k "$ss_pass" -m "$SS_METHOD"
  ss_server=$LAST_PID
  start ss-tunnel ss-tunnel -s 127.0.0.1 -p "$ss_port" -b 127.0.0.1 -l "$ss_entry" -k "$ss_pass" -m "$SS_METHOD" \
    -L "127.0.0.1:$TARGET"
  ss_tunnel=$LAST_PID
  if wait_listen "$ss_port" "$ss_server" 10 && wait_listen "$ss_entry" "$ss_tunnel" 10; then
    SYSTEMS+=(ss-aes)
    ENTRY[ss-aes]=$ss_entry
    TUNNEL_PIDS[ss-aes]="$ss_server $ss_tunnel"
    LABEL[ss-aes]="shadowsocks-libev $SS_METHOD"
  else
    SS_SKIP_REASON="ss-server/ss-tunnel did not start: $(tail -n 3 "$WORK/ss-server.log" "$WORK/ss-tunnel.log" | tr '\n' ' ')"
    log "SKIPPING shadowsocks-libev: $SS_SKIP_REASON"
  fi
fi

# ---------------------------------------------------------------- measuring
RAW=$WORK/raw.tsv # round system streams bytes bits_per_second cpu_ticks(-1 = not measured)
: >"$RAW"
FAILS=$WORK/failures.tsv # round(or warm-up) system streams reason
: >"$FAILS"
IPERF_DIR=()
[ "$REVERSE" = 1 ] && IPERF_DIR=(-R)

# failed ROUND SYSTEM STREAMS REASON: logs REASON and records it for the report.
failed() {
  log "$2 -P $3 failed: $4"
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(printf '%s' "$4" | tr '\t\n|' '  /' | head -c 300)" >>"$FAILS"
}

# run_iperf SYSTEM STREAMS SECONDS [ROUND]: sets R_BYTES, R_BPS and R_TICKS (-1 = CPU not measured), or fails.
# Called directly, not in $(...), so that Ctrl-C reaches the INT trap while iperf3 runs (see in_background).
run_iperf() {
  local system=$1 streams=$2 secs=$3 round=${4:-warm-up} before=-1 after=-1 json=$WORK/iperf3-client.json pids
  local status=0
  pids=${TUNNEL_PIDS[$system]:-}
  if [ -n "$pids" ] && ! before=$(cpu_ticks $pids); then
    failed "$round" "$system" "$streams" "a tunnel process has exited (see its log); skipping"
    return 1
  fi
  in_background "$json" timeout $((secs + 20)) iperf3 -c 127.0.0.1 -p "${ENTRY[$system]}" -t "$secs" \
    -P "$streams" "${IPERF_DIR[@]}" --connect-timeout 5000 --json || status=$?
  if [ -n "$pids" ] && ! after=$(cpu_ticks $pids); then
    failed "$round" "$system" "$streams" "a tunnel process exited during the run; skipping"
    return 1
  fi
  R_BYTES=$(jq -r '.end.sum_received.bytes // empty' "$json" 2>/dev/null || true)
  R_BPS=$(jq -r '.end.sum_received.bits_per_second // empty' "$json" 2>/dev/null || true)
  R_TICKS=-1
  [ "$before" -ge 0 ] && R_TICKS=$((after - before))
  if [ -z "$R_BYTES" ] || [ "$R_BYTES" = 0 ]; then
    local why
    why=$(jq -r '.error // empty' "$json" 2>/dev/null || head -c 300 "$json")
    [ "$status" = 124 ] && why="iperf3 killed after $((secs + 20)) s (no result: a stall?) ${why}"
    failed "$round" "$system" "$streams" "${why:-no bytes received (iperf3 exit status $status)}"
    return 1
  fi
}

out_of_time() { [ $((SECONDS - START + DURATION + 20)) -gt "$MAX_SECONDS" ]; }

log "warming up (${WARMUP}s per run, not recorded)…"
for system in "${SYSTEMS[@]}"; do
  [ "$system" = direct ] && continue
  for streams in $STREAMS; do
    run_iperf "$system" "$streams" "$WARMUP" warm-up || log "warm-up of $system failed"
  done
done

TRUNCATED=""
for ((round = 1; round <= RUNS; round++)); do
  for streams in $STREAMS; do
    for system in "${SYSTEMS[@]}"; do
      if out_of_time; then
        TRUNCATED="stopped after ${MAX_SECONDS}s (MAX_SECONDS), in round $round"
        break 3
      fi
      if run_iperf "$system" "$streams" "$DURATION" "$round"; then
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$system" "$streams" "$R_BYTES" "$R_BPS" "$R_TICKS" >>"$RAW"
        log "round $round/$RUNS  $system  -P $streams  $(awk -v b="$R_BPS" 'BEGIN { printf "%.0f MB/s", b / 8e6 }')"
      fi
    done
  done
done
[ -n "$TRUNCATED" ] && log "$TRUNCATED"

# ---------------------------------------------------------------- the report
describe_java() { # the JDK the (first) ferry backend runs on
  local first=ferry-aes pid exe
  [ "$SET" = kcp ] && first=ferry-kcp
  pid=${TUNNEL_PIDS[$first]%% *}
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || { echo "?"; return; }
  "$exe" -version 2>&1 | sed -n '2p' | sed 's/ *$//'
}

git_state() { # the commit measured, and whether the work tree had uncommitted changes to tracked files
  local rev dirty
  rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null) || { echo "not a git checkout"; return; }
  dirty=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | wc -l)
  if [ "$dirty" -eq 0 ]; then echo "commit $rev"; else echo "commit $rev plus uncommitted changes in $dirty tracked files"; fi
}

report() {
  local direction="upload (iperf3 client -> tunnel entry -> iperf3 server)"
  [ "$REVERSE" = 1 ] && direction="download (iperf3 -R: server -> tunnel -> client)"
  echo "# ferry loopback benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- Command: \`${LOOPBACK_COMMAND}\`"
  echo "- Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
    "kernel $(uname -r), $(describe_java)"
  echo "- Source: $(git_state)"
  [ "$FERRY" != "$ROOT/ferry" ] && echo "- **ferry run from \`$FERRY\`**, not from this checkout's \`./ferry\`"
  echo "- Load average (1/5/15 min) before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the box adds noise)"
  if [ "$SET" = tcp ]; then
    echo "- $(head -n 1 "$WORK/ferry-version.txt"); $(iperf3 --version | head -n 1);" \
      "$( [ -z "$SS_SKIP_REASON" ] && ss-server -h 2>&1 | grep -m1 -o 'shadowsocks-libev [0-9.]*' || echo 'shadowsocks-libev: skipped')"
  else
    echo "- $(head -n 1 "$WORK/ferry-version.txt"); $(iperf3 --version | head -n 1);" \
      "$( [ -z "$KCPTUN_SKIP_REASON" ] && dpkg-query -W -f='kcptun ${Version} (Debian package)' kcptun 2>/dev/null || echo 'kcptun: skipped')"
    echo "- KCP settings on both: mode $KCP_MODE, MTU $KCP_MTU, sndwnd $KCP_SNDWND, rcvwnd $KCP_RCVWND, FEC $KCP_FEC" \
      "(ferry \`--fec $KCP_FEC\`; kcptun \`--datashard $KCP_DATA_SHARDS --parityshard $KCP_PARITY_SHARDS\`), no compression; ferry seals with aes-256-gcm," \
      "kcptun encrypts with \`--crypt $KCPTUN_CRYPT\` (AES-CFB + CRC32)."
    local s
    for s in "${SYSTEMS[@]}"; do
      [ -n "${COMMANDS[$s]:-}" ] && echo "- ${LABEL[$s]}: ${COMMANDS[$s]}"
    done
  fi
  echo "- Each cell: ${RUNS} round(s) of one ${DURATION}s iperf3 run per system, the systems interleaved within a round;" \
    "median (min–max). Direction: $direction. Warm-up: ${WARMUP}s at each stream count per tunnel, not recorded."
  if [ "$SET" = tcp ]; then
    echo "- MB/s = 10^6 bytes/s counted by the receiving iperf3 end (\`end.sum_received\`)." \
      "CPU s/GB = utime+stime of the tunnel's two processes (ferry: backend + frontend JVMs; ss: ss-server + ss-tunnel)" \
      "during the run, per 10^9 bytes. Ratios are taken within each round, then the median (min–max) of those."
  else
    echo "- MB/s = 10^6 bytes/s counted by the receiving iperf3 end (\`end.sum_received\`)." \
      "CPU s/GB = utime+stime of the tunnel's two processes (ferry: backend + frontend JVMs; kcptun: kcptun-server +" \
      "kcptun-client) during the run, per 10^9 bytes. Ratios are taken within each round, then the median (min–max)" \
      "of those: \"÷ kcptun\" is MB/s over kcptun's MB/s (target ≥ 2), \"CPU ÷ kcptun\" is CPU s/GB over kcptun's" \
      "(target ≤ 0.5)."
  fi
  [ -n "$SS_SKIP_REASON" ] && echo "- **shadowsocks-libev skipped**: $SS_SKIP_REASON"
  [ -n "$KCPTUN_SKIP_REASON" ] && echo "- **kcptun skipped**: $KCPTUN_SKIP_REASON"
  [ -n "$TRUNCATED" ] && echo "- **Incomplete**: $TRUNCATED"
  if [ -s "$FAILS" ]; then
    echo "- **Failed runs** (left out of the table): $(wc -l <"$FAILS"); see the list below the table${SAVED_LOGS:+, and the logs of those tunnels in $SAVED_LOGS}"
  fi
  echo
  awk -F'\t' -v clk="$CLK_TCK" -v order="${SYSTEMS[*]}" -v streams_list="$STREAMS" -v set="$SET" \
    -v labels="$(for s in "${SYSTEMS[@]}"; do printf '%s=%s;' "$s" "${LABEL[$s]}"; done)" '
    function sort_(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } }
    function stat(a, n, fmt,   m) { # "median (min–max)" of a[1..n]
      if (n == 0) return "–"
      sort_(a, n)
      m = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
      return n == 1 ? sprintf(fmt, m) : sprintf(fmt " (" fmt "–" fmt ")", m, a[1], a[n])
    }
    function ratio(sys, base, st,   r, n, a) { # per-round sys/base throughput ratios
      n = 0
      for (r = 1; r <= rounds; r++)
        if (((sys, st, r) in mbps) && ((base, st, r) in mbps)) a[++n] = mbps[sys, st, r] / mbps[base, st, r]
      return stat(a, n, "%.2f")
    }
    function cpuratio(sys, base, st,   r, n, a) { # per-round sys/base CPU s/GB ratios
      n = 0
      for (r = 1; r <= rounds; r++)
        if (((sys, st, r) in cpu) && ((base, st, r) in cpu) && cpu[base, st, r] > 0) a[++n] = cpu[sys, st, r] / cpu[base, st, r]
      return stat(a, n, "%.2f")
    }
    {
      mbps[$2, $3, $1] = $5 / 8e6
      if ($6 >= 0) cpu[$2, $3, $1] = ($6 / clk) / ($4 / 1e9)
      if ($1 > rounds) rounds = $1
    }
    END {
      ns = split(order, sys, " "); nst = split(streams_list, sts, " ")
      nl = split(labels, lab, ";"); for (i = 1; i <= nl; i++) { k = index(lab[i], "="); if (k) name[substr(lab[i], 1, k - 1)] = substr(lab[i], k + 1) }
      hasss = 0; for (i = 1; i <= ns; i++) if (sys[i] == "ss-aes") hasss = 1
      haskt = 0; for (i = 1; i <= ns; i++) if (sys[i] == "kcptun") haskt = 1
      if (set == "kcp") {
        print "| system | streams | MB/s | CPU s/GB | ÷ direct | ÷ kcptun | CPU ÷ kcptun |"
        print "|---|---:|---:|---:|---:|---:|---:|"
      } else {
        print "| system | streams | MB/s | CPU s/GB | ÷ direct | ÷ shadowsocks |"
        print "|---|---:|---:|---:|---:|---:|"
      }
      for (j = 1; j <= nst; j++) for (i = 1; i <= ns; i++) {
        s = sys[i]; st = sts[j]; n = 0; c = 0
        delete t; delete u
        for (r = 1; r <= rounds; r++) {
          if ((s, st, r) in mbps) t[++n] = mbps[s, st, r]
          if ((s, st, r) in cpu) u[++c] = cpu[s, st, r]
        }
        vsd = (s == "direct") ? "1" : ratio(s, "direct", st)
        if (set == "kcp") {
          vkt = (!haskt) ? "–" : (s == "kcptun") ? "1" : (s == "direct") ? "–" : ratio(s, "kcptun", st)
          ckt = (!haskt) ? "–" : (s == "kcptun") ? "1" : (s == "direct") ? "–" : cpuratio(s, "kcptun", st)
          printf "| %s | %s | %s | %s | %s | %s | %s |\n", name[s], st, stat(t, n, "%.0f"), stat(u, c, "%.2f"), vsd, vkt, ckt
          continue
        }
        vss = (!hasss) ? "–" : (s == "ss-aes") ? "1" : (s == "direct") ? "–" : ratio(s, "ss-aes", st)
        printf "| %s | %s | %s | %s | %s | %s |\n", name[s], st, stat(t, n, "%.0f"), stat(u, c, "%.2f"), vsd, vss
      }
    }' "$RAW"
  echo
  echo "<details><summary>Raw runs</summary>"
  echo
  echo "| round | system | streams | bytes | MB/s | CPU s |"
  echo "|---:|---|---:|---:|---:|---:|"
  awk -F'\t' -v clk="$CLK_TCK" '{ printf "| %s | %s | %s | %s | %.0f | %s |\n", $1, $2, $3, $4, $5 / 8e6, ($6 < 0 ? "–" : sprintf("%.2f", $6 / clk)) }' "$RAW"
  echo
  echo "</details>"
  if [ -s "$FAILS" ]; then
    echo
    echo "Failed runs:"
    echo
    echo "| round | system | streams | what happened |"
    echo "|---|---|---:|---|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$FAILS"
  fi
}

LOOPBACK_COMMAND="bench/loopback.sh"
for v in FERRY SKIP_SS SKIP_KCPTUN KCP_FEC KCP_RCVWND KCP_SNDWND KCP_MTU KCP_MODE FERRY_JAVA_OPTS MAX_SECONDS REVERSE STREAMS WARMUP \
  DURATION RUNS SET; do # those set from outside
  if value=$(printenv "$v"); then
    LOOPBACK_COMMAND="$v=\"$value\" $LOOPBACK_COMMAND"
  fi
done
mkdir -p "$BENCH/results"
STAMP=$(date '+%Y-%m-%d-%H%M%S')
RESULT=$BENCH/results/loopback-$STAMP.md
# When runs failed, keep the tunnels' logs (the temporary directory goes at exit) next to the report.
SAVED_LOGS=""
if [ -s "$FAILS" ]; then
  SAVED_LOGS=results/loopback-$STAMP-logs/
  mkdir -p "$BENCH/$SAVED_LOGS"
  for system in $(cut -f2 "$FAILS" | sort -u); do
    cp "$WORK/$system"-*.log "$BENCH/$SAVED_LOGS" 2>/dev/null || true
  done
  cp "$WORK/iperf3-server.log" "$BENCH/$SAVED_LOGS" 2>/dev/null || true
  log "runs failed; the tunnels' logs are kept in bench/$SAVED_LOGS"
fi
report | tee "$RESULT"
log "written to $RESULT (took $((SECONDS - START)) s)"
