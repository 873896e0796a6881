#!/usr/bin/env bash
# rget benchmark suite: rget against aria2c, axel, wget2 and curl, served by nginx on loopback.
#
#   bench/run.sh [--quick] [--runs N] [--tools rget,aria2c,...] [scenario...]
#
# Scenarios (default: all but the two rget-only ones):
#   nginx-1g (1)  throttled (2)  uneven (3)  kill-resume (4)  many-small (5)  rss (6)  server (7)
#   https-1g (8)  https-throttled (9)  https-kill-resume (10)
#   nginx-1g-exact  throttled-10m   (rget alone; the engine issue's checks)
# Writes dated copies of the report and chart in bench/results/, and, for a full run (no
# --quick, no chosen scenarios or tools), latest.md and latest.png; raw data in bench/results/raw/.
# See bench/README.md.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
WORK=$BENCH/work
RESULTS=$BENCH/results
DL=$WORK/dl

# shellcheck source=lib/common.sh
source "$BENCH/lib/common.sh"
# shellcheck source=lib/nginx.sh
source "$BENCH/lib/nginx.sh"
# shellcheck source=lib/clients.sh
source "$BENCH/lib/clients.sh"
# shellcheck source=lib/scenarios.sh
source "$BENCH/lib/scenarios.sh"
# shellcheck source=lib/report.sh
source "$BENCH/lib/report.sh"

ORDER=(nginx-1g nginx-1g-exact throttled throttled-10m uneven kill-resume https-1g https-throttled
  https-kill-resume many-small rss server)
DEFAULT=(nginx-1g throttled uneven kill-resume https-1g https-throttled https-kill-resume many-small rss
  server)

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

# ---------------------------------------------------------------------------------------------
QUICK="" RUNS="" TOOLS_SEL="" WANT=()
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --runs) RUNS=$2; shift ;;
    --tools) TOOLS_SEL=$2; shift ;;
    -h | --help) usage 0 ;;
    1) WANT+=(nginx-1g) ;; 2) WANT+=(throttled) ;; 3) WANT+=(uneven) ;; 4) WANT+=(kill-resume) ;;
    5) WANT+=(many-small) ;; 6) WANT+=(rss) ;; 7) WANT+=(server) ;;
    8) WANT+=(https-1g) ;; 9) WANT+=(https-throttled) ;; 10) WANT+=(https-kill-resume) ;;
    -*) echo "unknown option $1" >&2; usage 2 ;;
    *) [[ " ${ORDER[*]} " == *" $1 "* ]] || { echo "unknown scenario $1" >&2; usage 2; }; WANT+=("$1") ;;
  esac
  shift
done
# Scenarios or tools chosen by hand make a partial run (see publish).
PARTIAL=""
{ [ ${#WANT[@]} -gt 0 ] || [ -n "$TOOLS_SEL" ]; } && PARTIAL=1
[ ${#WANT[@]} -gt 0 ] || WANT=("${DEFAULT[@]}")
SELECTED=()  # in canonical order, so that rss can reuse nginx-1g's runs
for s in "${ORDER[@]}"; do [[ " ${WANT[*]} " == *" $s "* ]] && SELECTED+=("$s"); done
wants() { local s; for s in "$@"; do [[ " ${SELECTED[*]} " == *" $s "* ]] && return 0; done; return 1; }

if [ -n "$QUICK" ]; then
  MODE=quick
  RUNS=${RUNS:-2}
  BIG_SIZE=$(mib 256) UNEVEN_SIZE=$(mib 128)
else
  MODE=full
  RUNS=${RUNS:-5}
  BIG_SIZE=$(mib 1024) UNEVEN_SIZE=$(mib 256)
fi
# Throttled runs stay at 256 MiB in quick mode too: nginx's limit_rate lets every request send one
# second's worth at once, so smaller files would never be throttled (see README).
THROTTLED_SIZE=$(mib 256) KILL_SIZE=$(mib 256)
SMALL_COUNT=200 SMALL_SIZE=262144
KILLS=5 KILL_AFTER=1
RUN_TIMEOUT=${RUN_TIMEOUT:-600}

# Loopback only: never route the clients through a proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY ftp_proxy FTP_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "${CHILD_PID:-}" ]; then
    kill -KILL -- "-$CHILD_PID" 2>/dev/null || true # timeout's process group
    kill -KILL "$CHILD_PID" 2>/dev/null || true
    wait "$CHILD_PID" 2>/dev/null || true
  fi
  nginx_stop
  rm -rf "$DL"
  [ "$rc" = 0 ] || log "aborted (exit $rc); partial raw data in ${RAW:-bench/results/raw}"
  exit "$rc"
}

prepare_data() {
  local www=$WORK/www
  mkdir -p "$www"
  BIG=$www/rand-$((BIG_SIZE / 1048576))M.bin
  TFILE=$www/rand-$((THROTTLED_SIZE / 1048576))M.bin
  UFILE=$www/rand-$((UNEVEN_SIZE / 1048576))M.bin
  KFILE=$www/rand-$((KILL_SIZE / 1048576))M.bin
  PROBE=$www/rand-8M.bin
  SMALL=$www/small
  make_file "$PROBE" "$(mib 8)"
  if wants nginx-1g nginx-1g-exact rss https-1g; then make_file "$BIG" "$BIG_SIZE"; fi
  if wants throttled throttled-10m https-throttled; then make_file "$TFILE" "$THROTTLED_SIZE"; fi
  if wants uneven; then make_file "$UFILE" "$UNEVEN_SIZE"; fi
  if wants kill-resume https-kill-resume; then make_file "$KFILE" "$KILL_SIZE"; fi
  if wants many-small; then make_small_files "$SMALL" "$SMALL_COUNT" "$SMALL_SIZE"; fi
}

publish() {
  local dated="$RESULTS/$STAMP${QUICK:+-quick}"
  write_report
  write_chart "$RAW/chart.png" || log "chart failed (see above)"
  # latest.* (what the README quotes) is only ever a full run of the default scenarios and tools;
  # a quick run, or one of chosen scenarios or tools, leaves it alone and keeps its dated copy.
  local full=; [ -z "$PARTIAL" ] && [ -z "$QUICK" ] && full=1
  if [ -s "$RAW/chart.png" ]; then
    cp "$RAW/chart.png" "$dated.png"
    [ -n "$full" ] && cp "$RAW/chart.png" "$RESULTS/latest.png"
    printf '\n![ratios](%s)\n' "$(basename "$dated").png" >>"$RAW/report.md"
  elif [ -n "$full" ]; then
    rm -f "$RESULTS/latest.png" # never leave an older run's chart beside this report
  fi
  cp "$RAW/report.md" "$dated.md"
  if [ -n "$full" ]; then
    sed "s|($(basename "$dated").png)|(latest.png)|" "$RAW/report.md" >"$RESULTS/latest.md"
    log "report: ${dated#"$ROOT"/}.md (and bench/results/latest.md, latest.png)"
  else
    log "report: ${dated#"$ROOT"/}.md (a partial or quick run: bench/results/latest.md left as it was)"
  fi
}

main() {
  local s tools=(aria2c:aria2 axel:axel wget2:wget2 curl:curl nginx:nginx-light /usr/bin/time:time
    gnuplot:gnuplot-nox timeout:coreutils sha256sum:coreutils flock:util-linux openssl:openssl)
  wants server && tools+=(wrk:wrk)
  mkdir -p "$WORK" "$RESULTS/raw"
  exec 9>"$WORK/.lock"
  flock -n 9 || die "another bench/run.sh is running (lock $WORK/.lock)"
  STAMP=$(date -u +%Y%m%d-%H%M%S)
  RAW=$RESULTS/raw/$STAMP${QUICK:+-quick}
  mkdir -p "$RAW"
  RUNS_TSV=$RAW/runs.tsv KILL_TSV=$RAW/kill.tsv META_TSV=$RAW/meta.tsv
  : >"$RUNS_TSV"; : >"$KILL_TSV"; : >"$META_TSV"
  LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  log "mode: $MODE, $RUNS counted runs + 1 warm-up; scenarios: ${SELECTED[*]}"
  ensure_tools "${tools[@]}"
  prepare_data
  clean_dl
  nginx_start "$WORK/nginx" "$WORK/www"

  if [ -z "$TOOLS_SEL" ] || [[ ",$TOOLS_SEL," == *",rget,"* ]]; then
    rget_probe "$BASE/plain/$(basename "$PROBE")" "$PROBE"
    if [ "$RGET_OK" = 1 ]; then log "rget: $(client_version rget), probe download OK"; else log "rget skipped: $RGET_NOTE"; fi
  else
    RGET_NOTE="not selected (--tools)"
  fi

  for s in "${SELECTED[@]}"; do
    log "=== scenario $s"
    "sc_${s//-/_}"
  done
  nginx_stop
  publish
}

main
