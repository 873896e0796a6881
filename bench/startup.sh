#!/usr/bin/env bash
# Start-up of ./rget, as users run it (the launcher, its flags and its class-data archive),
# against the JVM's own floor, `java -version`.
#
#   bench/startup.sh [--runs N] [--no-report]
#
# Commands run in turn, round after round (so a burst of load on this shared machine hits every
# command alike), after two warm-up rounds; each is timed by bash (wall, user and system CPU).
# Reported: medians and each median's ratio to `java -version`'s. Measured:
#   java -version            the floor: a JVM that starts, prints and exits
#   rget --version           answered before picocli loads
#   rget --help              picocli builds its model of every command
#   rget get (1 byte)        the whole get path: options, transport, probe, part file, commit,
#                            from nginx on loopback (skipped when nginx is missing)
# Writes bench/results/startup.md (raw times in bench/results/raw/startup-STAMP/).
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
WORK=$BENCH/work/startup
RESULTS=$BENCH/results
RUNS=21
REPORT=1

# shellcheck source=lib/common.sh
source "$BENCH/lib/common.sh"
# shellcheck source=lib/nginx.sh
source "$BENCH/lib/nginx.sh"

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift ;;
    --no-report) REPORT="" ;;
    -h | --help) usage 0 ;;
    *) echo "unknown argument $1" >&2; usage 2 ;;
  esac
  shift
done

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

STAMP=$(date -u +%Y%m%d-%H%M%S)
RAW=$RESULTS/raw/startup-$STAMP
mkdir -p "$WORK/www" "$WORK/dl" "$RAW"
trap 'nginx_stop; rm -rf "$WORK/dl"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

RGET=$ROOT/rget
# Builds the jar and records the class-data archive if either is missing or stale, so that no
# measured run pays for that.
"$RGET" --version >/dev/null

# CMDS are split into words and run without a shell in between; PRE (not timed) prepares a run.
NAMES=("java -version" "rget --version" "rget --help")
CMDS=("java -version" "$RGET --version" "$RGET --help")
PRE=(: : :)
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  printf x >"$WORK/www/one.bin"
  nginx_start "$WORK/nginx" "$WORK/www"
  NAMES+=("rget get (1 byte)")
  CMDS+=("$RGET get $BASE/plain/one.bin -o $WORK/dl/one.bin -q")
  PRE+=("rm -f $WORK/dl/one.bin")
else
  log "nginx not found: the get path is not measured"
fi

TIMEFORMAT='%3R %3U %3S'
set -f # the commands' words are not globbed
for ((round = -2; round < RUNS; round++)); do
  for i in "${!CMDS[@]}"; do
    f=$RAW/$i.tsv
    ${PRE[$i]}
    # shellcheck disable=SC2086 # split into words on purpose
    if ! t=$( { time ${CMDS[$i]} >/dev/null 2>&1; } 2>&1 ); then
      die "${NAMES[$i]} failed (run it by hand: ${CMDS[$i]})"
    fi
    [ "$round" -ge 0 ] && echo "$t" >>"$f"
  done
done
nginx_stop

floor=$(cut -d' ' -f1 "$RAW/0.tsv" | median)
{
  echo "# Start-up"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "- $(java -version 2>&1 | head -1); rget $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (dirty tree)')"
  echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine: medians of alternating runs)"
  echo "- $RUNS rounds after 2 warm-up rounds, commands alternating; \`bench/startup.sh --runs $RUNS\`"
  echo
  echo "| command | median wall s | × java -version | median CPU s (user+sys) |"
  echo "|---|---|---|---|"
  for i in "${!CMDS[@]}"; do
    wall=$(cut -d' ' -f1 "$RAW/$i.tsv" | median)
    cpu=$(awk '{ print $2 + $3 }' "$RAW/$i.tsv" | median)
    echo "| ${NAMES[$i]} | $wall | $(awk -v a="$wall" -v b="$floor" 'BEGIN { printf "%.2f", a / b }') | $cpu |"
  done
} >"$RAW/report.md"
cat "$RAW/report.md"
if [ -n "$REPORT" ]; then cp "$RAW/report.md" "$RESULTS/startup.md"; fi
