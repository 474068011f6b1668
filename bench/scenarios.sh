#!/usr/bin/env bash
# The scenario runner of issue 6: a grid of RTT x loss on the emulated link (bench/link.sh, bottleneck 20 Mbit/s),
# and in every cell each system measured RUNS times, interleaved (each round runs every system once; the order
# rotates by one per round): bulk goodput (iperf3, one stream), wire bytes per payload byte (TUN counters), 64-byte
# RPC latency on one persistent connection, time to first byte of fresh connections (bench/rr64.py), CPU seconds of
# the tunnel's processes. Writes results.csv, summary.md and PNG charts into OUT; see bench/README.md.
#
# Usage (root):  bench/scenarios.sh              run the grid (prints its estimated time first)
#                bench/scenarios.sh estimate     only print the grid and its estimated time (no root needed)
#                bench/scenarios.sh report OUT   rewrite OUT/summary.md and OUT's charts from OUT/results.csv
#                bench/scenarios.sh merge GRID OUT   add the cells of a finished run (OUT) to a grid run in pieces
#                                                (GRID: its rows appended to results.csv, its header and logs of
#                                                progress and commands in pieces/NAME/), then rewrite GRID's report
#
# Environment (defaults in brackets):
#   RTTS ["50 200"] ms, even          LOSSES ["0 1 5 10 burst"] % per direction, or "burst" (Gilbert BURST)
#   BURST ["1%,25%"] link.sh --burst  RATE_MBIT [20]   QUEUE [auto: half the bandwidth-delay product] bytes or 64k
#   SYSTEMS [all: tcp-cubic tcp-bbr ferry-tcp ferry-kcp-{normal,fast,fast2,fast3}[-fec] kcptun-default kcptun-fast3]
#   RUNS [3] rounds per cell          DURATION [15] s of bulk per run     WARMUP [5] s of bulk per tunnel and cell
#   RPCS [200] round trips per run    TTFB_COUNT [20] fresh connections per run
#   IDLE [10] s of idle background measured per cell      DRAIN_MAX [20] s to wait for the link to go quiet after bulk
#   REVERSE [0] 1 = bulk downloads (iperf3 -R) instead of uploads        FEC ["10,3"] ferry's --fec for *-fec
#   SEED [random] link.sh --seed      FERRY_FLAGS [] extra flags for both ferry ends    FERRY_JAVA_OPTS []
#   FERRY_ALT_FLAGS [] the flags of system ferry-kcp-alt (run only when SYSTEMS names it), besides --transport kcp
#   KCPTUN_DEFAULT_FLAGS ["--quiet"]  KCPTUN_FAST3_FLAGS ["--mode fast3 --sndwnd 2048 --rcvwnd 2048 --nocomp --quiet"]
#   FERRY [] a launcher to run instead of a snapshot of frontend/target (FERRY_BUILD [1]: build it first with
#   ./ferry; 0 = snapshot the jars as they are)       OUT [/tmp/ferry-scenarios-DATE]
#   MAX_SECONDS [2 x estimate + 30 min] stop starting runs after this long     PYTHON [python3]   JAVA [a JDK >= 25]
# Every process is started in the background, recorded by PID and stopped by PID; the link is always taken down on
# exit, Ctrl-C and SIGTERM; every command that could hang (iperf3, rr64.py, link.sh, ip/ss, builds) runs under timeout.
set -euo pipefail

BENCH=$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
ALL_SYSTEMS="tcp-cubic tcp-bbr ferry-tcp ferry-kcp-normal ferry-kcp-normal-fec ferry-kcp-fast ferry-kcp-fast-fec
ferry-kcp-fast2 ferry-kcp-fast2-fec ferry-kcp-fast3 ferry-kcp-fast3-fec kcptun-default kcptun-fast3"
# Known but not run unless named: ferry-kcp-alt, ferry over kcp with FERRY_ALT_FLAGS, to A/B a setting in one run.
KNOWN_SYSTEMS="$ALL_SYSTEMS ferry-kcp-alt"
# Which of the other settings came from the environment, so that the summary's command line repeats them.
declare -A ENV_GIVEN
for v in WARMUP IDLE DRAIN_MAX RATE_MBIT QUEUE BURST FEC SEED FERRY_FLAGS FERRY_ALT_FLAGS FERRY_JAVA_OPTS \
    KCPTUN_DEFAULT_FLAGS KCPTUN_FAST3_FLAGS FERRY; do
  [ -n "${!v:-}" ] && ENV_GIVEN[$v]=1
done
RTTS=${RTTS:-"50 200"}
LOSSES=${LOSSES:-"0 1 5 10 burst"}
BURST=${BURST:-"1%,25%"}
RATE_MBIT=${RATE_MBIT:-20}
QUEUE=${QUEUE:-auto}
SYSTEMS=$(echo ${SYSTEMS:-$ALL_SYSTEMS})
RUNS=${RUNS:-3}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
RPCS=${RPCS:-200}
TTFB_COUNT=${TTFB_COUNT:-20}
IDLE=${IDLE:-10}
DRAIN_MAX=${DRAIN_MAX:-20}
REVERSE=${REVERSE:-0}
FEC=${FEC:-10,3}
SEED=${SEED:-}
FERRY_FLAGS=${FERRY_FLAGS:-}
FERRY_ALT_FLAGS=${FERRY_ALT_FLAGS:-}
FERRY_JAVA_OPTS=${FERRY_JAVA_OPTS:-}
FERRY_BUILD=${FERRY_BUILD:-1}
KCPTUN_DEFAULT_FLAGS=${KCPTUN_DEFAULT_FLAGS:-"--quiet"}
KCPTUN_FAST3_FLAGS=${KCPTUN_FAST3_FLAGS:-"--mode fast3 --sndwnd 2048 --rcvwnd 2048 --nocomp --quiet"}
PYTHON=${PYTHON:-python3}
A="ip netns exec ferry-a"
B="ip netns exec ferry-b"
IPERF_PORT=5201
ECHO_PORT=5300 # the tunnels' target (namespace default congestion control); +1 cubic, +2 bbr for direct TCP

log() { echo "scenarios: $*" >&2; [ -n "${PROGRESS_LOG:-}" ] && echo "$(date -u +%H:%M:%S) $*" >>"$PROGRESS_LOG"; return 0; }
die() { log "error: $*"; exit 1; }
fmt_time() { printf '%d:%02d:%02d' $(($1 / 3600)) $(($1 % 3600 / 60)) $(($1 % 60)); }
calc() { awk "BEGIN { x = $1; if (x != x) print \"\"; else printf \"%.${2:-3}f\", x }" 2>/dev/null; }

# shellcheck source=bench/scenarios-lib.sh
source "$BENCH/scenarios-lib.sh"
# shellcheck source=bench/scenarios-cell.sh
source "$BENCH/scenarios-cell.sh"

validate() {
  local s r l
  for s in $SYSTEMS; do kind_of "$s" >/dev/null || die "unknown system '$s' (known: $(echo $KNOWN_SYSTEMS))"; done
  for r in $RTTS; do [[ $r =~ ^[0-9]+$ ]] && [ $((r % 2)) -eq 0 ] && [ "$r" -gt 0 ] || die "RTT '$r': an even number of ms"; done
  for l in $LOSSES; do [[ $l =~ ^[0-9]+(\.[0-9]+)?$ || $l == burst ]] || die "loss '$l': a percentage or 'burst'"; done
  for v in RUNS DURATION WARMUP RPCS TTFB_COUNT IDLE DRAIN_MAX RATE_MBIT; do
    [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || die "$v='${!v}': a positive integer"
  done
}

# ------------------------------------------------------------------------------------------------ time estimate
# Seconds for one run of a system at RTT $1 ms, and for setting up / tearing down a cell. Calibrated against a real
# run (bench/README.md); printed at start and used for the "left" figure of the progress lines.
est_run() { calc "$DURATION + 1.5 + 2 + 0.3 + ($RPCS + 5) * $1 / 1000 * 1.03 + 0.3 + $TTFB_COUNT * 2 * $1 / 1000 + 0.5" 0; }
est_cell_setup() { # rtt tunnels
  calc "3 + ($2 > 0 ? 2 + $2 : 0) + $2 * ($WARMUP + 1.5 + 25 * $1 / 1000 + 0.6 + 6 * $1 / 1000 + 0.5) + 2 + $IDLE + 3" 0
}
count_tunnels() { local s n=0; for s in $SYSTEMS; do [ "$(kind_of "$s")" = direct ] || n=$((n + 1)); done; echo $n; }
est_total() {
  local r total=0 n_sys n_loss tunnels
  n_sys=$(echo $SYSTEMS | wc -w) n_loss=$(echo $LOSSES | wc -w) tunnels=$(count_tunnels)
  for r in $RTTS; do
    total=$((total + n_loss * ($(est_cell_setup "$r" "$tunnels") + RUNS * n_sys * $(est_run "$r"))))
  done
  echo $total
}
print_plan() {
  local n_cells=$(($(echo $RTTS | wc -w) * $(echo $LOSSES | wc -w))) n_sys r
  n_sys=$(echo $SYSTEMS | wc -w)
  log "grid: RTT {$RTTS} ms x loss {$LOSSES} ($n_cells cells), $RATE_MBIT Mbit/s, queue $QUEUE; $n_sys systems x $RUNS round(s)"
  log "systems: $SYSTEMS"
  log "per run: bulk ${DURATION} s ($([ "$REVERSE" = 1 ] && echo download || echo upload)), $RPCS RPCs, $TTFB_COUNT fresh connections"
  for r in $RTTS; do
    log "  RTT $r ms: ~$(est_run "$r") s per run, ~$(est_cell_setup "$r" "$(count_tunnels)") s per cell to set up"
  done
  log "estimated total: $(fmt_time "$(est_total)") (h:mm:ss)"
}

# ------------------------------------------------------------------------------------------------ report
write_report() { # out-dir [note]
  local out=$1 note=${2:-} tmp
  [ -s "$out/results.csv" ] || return 0
  find_java
  build_bench
  tmp=$out/summary.md.tmp
  {
    [ -f "$out/header.md" ] && cat "$out/header.md"
    [ -n "$note" ] && printf '%s\n\n' "$note"
    timeout 120 "$JAVA" -cp "$BENCH/target/ferry-bench.jar:$BENCH/target/lib/*" dev.ferry.bench.report.SummaryMain \
      "$out/results.csv"
  } >"$tmp" && mv "$tmp" "$out/summary.md" || log "warning: summary.md not written (see above)"
  timeout 120 "$JAVA" -Djava.awt.headless=true -cp "$BENCH/target/ferry-bench.jar:$BENCH/target/lib/*" \
    dev.ferry.bench.report.ChartsMain "$out/results.csv" "$out" >"$out/charts.txt" \
    || log "warning: charts not written (see above)"
}

# ------------------------------------------------------------------------------------------------ merge
# A grid too long for one sitting is run in pieces, each a whole number of cells (every system of a cell in the same
# run). GRID collects them: the rows of every piece in one results.csv, and per piece what its header said.
merge_piece() { # grid piece
  local grid=$1 piece=$2 name dup
  [ -s "$piece/results.csv" ] && [ -f "$piece/header.md" ] || die "$piece: no results.csv and header.md (not a run's OUT)"
  name=$(basename "$(cd "$piece" && pwd)")
  [ ! -e "$grid/pieces/$name" ] || die "$grid already has a piece named $name"
  mkdir -p "$grid"
  if [ -s "$grid/results.csv" ]; then
    [ "$(head -n 1 "$grid/results.csv")" = "$(head -n 1 "$piece/results.csv")" ] \
      || die "$piece/results.csv has other columns than $grid/results.csv"
    dup=$(cells_of "$grid/results.csv" | grep -Fxf - <(cells_of "$piece/results.csv") | tr '\n' ' ' || true)
    [ -z "$dup" ] || die "cells already in $grid: $dup(RTT,loss)"
  else
    head -n 1 "$piece/results.csv" >"$grid/results.csv"
  fi
  if grep -q '^\*\*\(Stopped early\|Interrupted\)' "$piece/summary.md" 2>/dev/null; then
    log "warning: $piece did not finish its grid; its last cell may lack rounds (see its summary)"
  fi
  mkdir -p "$grid/pieces/$name"
  cp "$piece/header.md" "$grid/pieces/$name/"
  for f in commands.txt progress.log; do [ ! -f "$piece/$f" ] || cp "$piece/$f" "$grid/pieces/$name/"; done
  tail -n +2 "$piece/results.csv" >>"$grid/results.csv"
  write_grid_header "$grid"
  log "merged $piece into $grid: cells $(cells_of "$piece/results.csv" | tr '\n' ' ')(RTT,loss)"
}
pieces_by_start() { # grid: its piece directories, by the start time in their headers ("# Scenario runner: DATE TIME UTC")
  local d
  for d in "$1"/pieces/*/; do printf '%s %s\n' "$(head -n 1 "$d/header.md" | cut -d' ' -f4-5)" "$d"; done | sort | cut -d' ' -f3-
}
cells_of() { tail -n +2 "$1" | cut -d, -f2,3 | sort -u; } # RTT,loss of every row (neither column is ever quoted)
write_grid_header() { # grid: the summary's header, one section per piece (its own header, title lowered)
  local grid=$1 p
  {
    echo "# Scenario runner: one grid, run in pieces"
    echo
    echo "Each piece was one run of \`bench/scenarios.sh\` over whole cells, so every system of a cell was measured in"
    echo "the same run; \`bench/scenarios.sh merge\` added its rows here. The pieces, in the order they ran:"
    echo
    pieces_by_start "$grid" | while IFS= read -r p; do # one path a line, so a path with spaces stays whole
      sed '1s/^# Scenario runner: \(.*\)$/## Piece '"$(basename "$p")"', started \1/' "$p/header.md"
    done
  } >"$grid/header.md"
}

# ------------------------------------------------------------------------------------------------ main
case ${1:-run} in
  estimate)
    validate
    print_plan
    exit 0
    ;;
  report)
    [ -n "${2:-}" ] && [ -f "$2/results.csv" ] || die "usage: $0 report OUT (a directory holding results.csv)"
    [ ! -d "$2/pieces" ] || write_grid_header "$2"
    write_report "$2"
    log "wrote $2/summary.md and $(tr '\n' ' ' <"$2/charts.txt")"
    exit 0
    ;;
  merge)
    [ $# -eq 3 ] || die "usage: $0 merge GRID OUT (OUT: a finished run's directory)"
    merge_piece "$2" "$3"
    write_report "$2"
    log "wrote $2/summary.md and $(tr '\n' ' ' <"$2/charts.txt")"
    exit 0
    ;;
  run) ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
    ;;
esac

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, TUN devices); 'estimate' and 'report' do not"
validate
for tool in iperf3 jq ss ip timeout awk "$PYTHON"; do command -v "$tool" >/dev/null || die "needs $tool"; done
if [[ " $SYSTEMS " == *" kcptun-"* ]] && ! { command -v kcptun-client && command -v kcptun-server; } >/dev/null; then
  log "SKIP kcptun-default kcptun-fast3: kcptun-client/kcptun-server not installed (Debian package kcptun)"
  SYSTEMS=$(for s in $SYSTEMS; do [[ $s == kcptun-* ]] || echo "$s"; done | tr '\n' ' ')
  SYSTEMS=$(echo $SYSTEMS)
  [ -n "$SYSTEMS" ] || die "no system left to measure"
fi
if "$BENCH/link.sh" status >/dev/null 2>&1; then
  die "a link is already up (another run?); not touching it. 'bench/link.sh down' ends it if it is yours"
fi

OUT=${OUT:-/tmp/ferry-scenarios-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/logs"
[ ! -s "$OUT/results.csv" ] || die "$OUT/results.csv exists; choose another OUT"
PROGRESS_LOG=$OUT/progress.log
: >"$PROGRESS_LOG"
trap cleanup EXIT
trap 'exit 130' INT TERM

find_java
print_plan
EST_TOTAL=$(est_total)
MAX_SECONDS=${MAX_SECONDS:-$((2 * EST_TOTAL + 1800))}
prepare_ferry
write_header
printf '%s\n' "$CSV_HEADER" >"$OUT/results.csv"

START=$(date +%s)
EST_DONE=0
N_CELLS=$(($(echo $RTTS | wc -w) * $(echo $LOSSES | wc -w)))
CELL_NO=0
STOPPED=""
for RTT in $RTTS; do
  for LOSS in $LOSSES; do
    CELL_NO=$((CELL_NO + 1))
    run_cell "$RTT" "$LOSS"
    write_report "$OUT" "$STOPPED"
    [ -z "$STOPPED" ] || break 2
  done
done
log "done in $(fmt_time $(($(date +%s) - START))) (estimate was $(fmt_time "$EST_TOTAL")): $OUT/summary.md, $OUT/results.csv"
cat "$OUT/charts.txt" >&2 2>/dev/null || true
