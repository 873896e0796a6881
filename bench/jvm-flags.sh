#!/usr/bin/env bash
# The launcher's JVM flags against alternatives, on what users run: `./rget get` started through
# the launcher (a frozen copy), each alternative given as extra flags in RGET_JAVA_OPTS (later
# flags win), rounds alternating between the variants, medians of wall time, CPU (user + sys)
# and peak RSS. Downloads from nginx on loopback (bench/lib/nginx.sh: http and https).
#
#   bench/jvm-flags.sh [--runs N] [--size-mib N] [--only REGEX]   (--only: variants whose name
#   matches, the launcher's own flags always included)
#
# Prints a Markdown table per case; bench/jvm-flags.md keeps the figures behind the choice.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
WORK=$BENCH/work
# shellcheck source=lib/common.sh
source "$BENCH/lib/common.sh"
# shellcheck source=lib/nginx.sh
source "$BENCH/lib/nginx.sh"

RUNS=5 SIZE_MIB=1024 ONLY=""
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift ;;
    --size-mib) SIZE_MIB=$2; shift ;;
    --only) ONLY=$2; shift ;;
    *) sed -n '2,9p' "$0"; exit 2 ;;
  esac
  shift
done

# Variants: a name and the flags added to the launcher's own.
VARIANTS=(
  "launcher|"
  "C1 only|-XX:TieredStopAtLevel=1"
  "JVM's default C2 thresholds|-XX:Tier4InvocationThreshold=5000 -XX:Tier4MinInvocationThreshold=600 -XX:Tier4CompileThreshold=15000 -XX:Tier4BackEdgeThreshold=40000"
  "young generation free to grow|-XX:NewSize=1m -XX:MaxNewSize=80m"
  "parallel GC|-XX:-UseSerialGC -XX:+UseParallelGC"
  "C1 later (Tier3 thresholds x5)|-XX:Tier3InvocationThreshold=1000 -XX:Tier3MinInvocationThreshold=500 -XX:Tier3CompileThreshold=10000 -XX:Tier3BackEdgeThreshold=300000"
  "crypto C2 sooner (x0.02)|-XX:CompileCommand=CompileThresholdScaling,com.sun.crypto.provider.*::*,0.02"
)
if [ -n "$ONLY" ]; then
  kept=()
  for v in "${VARIANTS[@]}"; do
    name=${v%%|*}
    if [ "$name" = launcher ] || [[ $name =~ $ONLY ]]; then kept+=("$v"); fi
  done
  VARIANTS=("${kept[@]}")
fi
CASES=(
  "start-up: 1-byte file over http|plain/one.bin|1"
  "start-up: 1-byte file over https|plain/one.bin|1|tls"
  "http, $SIZE_MIB MiB, -n 16|plain/big.bin|16"
  "https, $SIZE_MIB MiB, -n 16|plain/big.bin|16|tls"
  "https, 256 MiB at limit_rate 10m, -n 16|t10m/mid.bin|16|tls"
)

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
mkdir -p "$WORK/www" "$WORK/jvm-flags"
exec 9>"$WORK/.lock"
flock -n 9 || die "another benchmark is running (lock $WORK/.lock)"
make_file "$WORK/www/big.bin" $((SIZE_MIB * 1048576))
make_file "$WORK/www/mid.bin" $((256 * 1048576))
printf x >"$WORK/www/one.bin"
sha256sum "$WORK/www/one.bin" | cut -d' ' -f1 >"$WORK/www/one.bin.sha256"

frozen=$WORK/jvm-flags/rget
rm -rf "$frozen" && mkdir -p "$frozen/rget-cli/target"
[ -f "$ROOT/rget-cli/target/rget.jar" ] || "$ROOT/rget" --version >/dev/null
cp "$ROOT/rget-cli/target/rget.jar" "$frozen/rget-cli/target/"
cp "$ROOT/rget" "$frozen/rget"
"$frozen/rget" --version >/dev/null # records its class-data-sharing archive

trap 'nginx_stop' EXIT
nginx_start "$WORK/nginx" "$WORK/www"
out=$WORK/jvm-flags/dl
tsv=$WORK/jvm-flags/runs.tsv
: >"$tsv"

for c in "${CASES[@]}"; do
  IFS='|' read -r title path n tls <<<"$c"
  base=$BASE; trust=()
  [ -n "$tls" ] && { base=$BASE_TLS; trust=(--ca-certificate "$CA_CERT"); }
  for ((round = 0; round <= RUNS; round++)); do
    for v in "${VARIANTS[@]}"; do
      name=${v%%|*} flags=${v#*|}
      rm -rf "$out" && mkdir -p "$out"
      t0=$(now)
      RGET_JAVA_OPTS="$flags" /usr/bin/time -f '%M %U %S' -o "$WORK/jvm-flags/time" \
        "$frozen/rget" get "$base/$path" -o "$out/f" -n "$n" -q "${trust[@]}" </dev/null >/dev/null 2>&1 || true
      t1=$(now)
      st=$(verify_file "$out/f" "$WORK/www/$(basename "$path")")
      [ "$round" = 0 ] && continue # warm-up
      read -r rss user sys <"$WORK/jvm-flags/time"
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$title" "$name" "$st" "$(elapsed "$t0" "$t1")" \
        "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$rss" >>"$tsv"
    done
  done
done
rm -rf "$out"

echo "# JVM flags: the launcher's against alternatives"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); $(java -version 2>&1 | head -1); load at end $(cut -d' ' -f1-3 /proc/loadavg). $RUNS rounds after a warm-up, variants alternating; medians; every file checked by SHA-256."
for c in "${CASES[@]}"; do
  title=${c%%|*}
  echo
  echo "## $title"
  echo
  echo "| variant | flags added | wall s | CPU s | peak RSS MiB | runs OK |"
  echo "|---|---|---|---|---|---|"
  for v in "${VARIANTS[@]}"; do
    name=${v%%|*} flags=${v#*|}
    col() { awk -F'\t' -v t="$title" -v n="$name" -v c="$1" '$1 == t && $2 == n && $3 == "OK" { print $c }' "$tsv"; }
    ok=$(col 4 | wc -l)
    printf '| %s | `%s` | %s | %s | %s | %s/%s |\n' "$name" "${flags:--}" "$(col 4 | median)" \
      "$(col 5 | median)" "$(col 6 | median | awk '{ printf "%.0f", $1 / 1024 }')" "$ok" "$RUNS"
  done
done
