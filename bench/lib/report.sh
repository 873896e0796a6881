# shellcheck shell=bash
# Turns $RUNS_TSV / $KILL_TSV / $META_TSV into the markdown report and the PNG chart.

PEERS_ORDER=(rget rget-h2 aria2c axel wget2 curl)

metav() { awk -F'\t' -v s="$1" -v k="$2" '$1 == s && $2 == k { v = $3 } END { print v }' "$META_TSV"; }
notes_of() { awk -F'\t' -v s="$1" '$1 == s && $2 == "note" { print "- " $3 }' "$META_TSV"; }
has_rows() { awk -F'\t' -v s="$1" '$1 == s { f = 1 } END { exit !f }' "$RUNS_TSV"; }
tools_of() { awk -F'\t' -v s="$1" '$1 == s && !seen[$2]++ { print $2 }' "$RUNS_TSV"; }

# col SCEN TOOL COLUMN [ok-only]: values of COLUMN over the counted runs
col() {
  awk -F'\t' -v s="$1" -v t="$2" -v c="$3" -v ok="${4:-1}" \
    '$1 == s && $2 == t && $4 == 1 && (!ok || $5 == "OK") && $c != "-" { print $c }' "$RUNS_TSV"
}
counted() { col "$1" "$2" 6 0 | wc -l; }
okcount() { col "$1" "$2" 6 1 | wc -l; }
failures() { awk -F'\t' -v s="$1" -v t="$2" '$1 == s && $2 == t && $4 == 1 && $5 != "OK" { print $5 }' "$RUNS_TSV" | sort | uniq -c | awk '{ printf "%s%s x%d", (NR > 1 ? ", " : ""), $2, $1 }'; }
clean() { [ "$(failures "$1" "$2")" = "" ]; }  # every counted run of the tool passed
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "-" || v == "") print "-"; else printf f, v }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || a == "" || b == "" || b == 0) print "-"; else printf "%.4f", a / b }'; }

# best_peer SCEN COLUMN: the lowest median of COLUMN among the peers (not rget, not rget-h2) whose runs all passed
best_peer() {
  local s=$1 c=$2 t m best="-"
  for t in $(tools_of "$s"); do
    [[ "$t" = rget* ]] && continue
    clean "$s" "$t" || continue
    m=$(col "$s" "$t" "$c" | median)
    [ "$m" = "-" ] && continue
    if [ "$best" = "-" ] || awk -v a="$m" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$m; fi
  done
  echo "$best"
}

# chart_put LABEL TOOL VALUE
chart_put() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RAW/chart.tsv"; }

ratio_cell() { # tool median best -> "0.93" or FAILED
  local s=$1 t=$2 m=$3 best=$4
  if ! clean "$s" "$t"; then echo "**FAILED**"; return; fi
  fmt "$(div "$m" "$best")" '%.2f'
}

time_table() { # scenario title
  local s=$1 title=$2 size ideal_rate best t m rss cpu body req n ok tail ideal_s extra_h="" extra_sep=""
  has_rows "$s" || { echo "## $title"; echo; notes_of "$s"; echo; return; }
  size=$(metav "$s" size)
  ideal_rate=$(metav "$s" ideal_rate)
  best=$(best_peer "$s" 6)
  echo "## $title"
  echo
  echo "Size $(fmt "$(div "$size" 1048576)" '%.1f') MiB; $RUNS counted runs per tool after 1 warm-up, tools alternating; medians of the runs whose SHA-256 matched."
  if [ -n "$ideal_rate" ]; then
    ideal_s=$(div "$size" "$ideal_rate")
    echo "Ideal time at $(fmt "$(div "$ideal_rate" 1048576)" '%.0f') MiB/s aggregate: $(fmt "$ideal_s" '%.2f') s."
    extra_h=" % of ideal |"
    extra_sep="---|"
  fi
  [ "$s" = uneven ] && { extra_h+=" slowest request s |"; extra_sep+="---|"; }
  echo
  echo "| tool | median s | MiB/s | × best peer | runs OK | CPU s (user+sys) | peak RSS MiB | nginx body ÷ size | requests |$extra_h failures |"
  echo "|---|---|---|---|---|---|---|---|---|${extra_sep}---|"
  for t in $(tools_of "$s"); do
    m=$(col "$s" "$t" 6 | median)
    rss=$(col "$s" "$t" 7 | median)
    body=$(col "$s" "$t" 8 | median)
    req=$(col "$s" "$t" 11 | median)
    cpu=$(col "$s" "$t" 13 | median)
    n=$(counted "$s" "$t")
    ok=$(okcount "$s" "$t")
    printf '| %s | %s | %s | %s | %s/%s | %s | %s | %s | %s |' "$t" "$(fmt "$m" '%.2f')" \
      "$(fmt "$(div "$(div "$size" 1048576)" "$m")" '%.0f')" "$(ratio_cell "$s" "$t" "$m" "$best")" \
      "$ok" "$n" "$(fmt "$cpu" '%.2f')" "$(fmt "$(div "$rss" 1024)" '%.0f')" "$(fmt "$(div "$body" "$size")" '%.3f')" "$(fmt "$req" '%.0f')"
    if [ -n "$ideal_rate" ]; then printf ' %s |' "$(fmt "$(div "$ideal_s" "$m" | awk '{ print ($1 == "-") ? "-" : $1 * 100 }')" '%.0f%%')"; fi
    if [ "$s" = uneven ]; then tail=$(col "$s" "$t" 10 | median); printf ' %s |' "$(fmt "$tail" '%.2f')"; fi
    printf ' %s |\n' "$(failures "$s" "$t")"
    if [ "$best" != "-" ] && clean "$s" "$t"; then chart_put "$s" "$t" "$(div "$m" "$best")"; fi
  done
  echo
  notes_of "$s"
  echo
}

rss_table() {
  local s=nginx-1g t med max best
  echo "## rss — peak RSS of each client in nginx-1g (target: rget ≤ 128 MiB)"
  echo
  has_rows "$s" || { echo "nginx-1g was not measured."; echo; return; }
  best=$(best_peer "$s" 7)
  echo "| tool | median peak RSS MiB | max peak RSS MiB | × best peer |"
  echo "|---|---|---|---|"
  for t in $(tools_of "$s"); do
    med=$(col "$s" "$t" 7 0 | median)
    max=$(col "$s" "$t" 7 0 | sort -g | tail -n 1)
    printf '| %s | %s | %s | %s |\n' "$t" "$(fmt "$(div "$med" 1024)" '%.1f')" "$(fmt "$(div "${max:--}" 1024)" '%.1f')" \
      "$(fmt "$(div "$med" "$best")" '%.2f')"
    [ "$best" != "-" ] && chart_put rss "$t" "$(div "$med" "$best")"
  done
  echo
}

kill_table() { # scenario title
  local s=$1 title=$2 size scen tool kills total st body tbytes maxr req exe
  echo "## $s — $KILLS × SIGKILL ~${KILL_AFTER}s into a run, then a run to the end ($title)"
  echo
  if ! awk -F'\t' -v s="$s" '$1 == s { f = 1 } END { exit !f }' "$KILL_TSV"; then notes_of "$s"; echo; return; fi
  size=$(metav "$s" size)
  echo "Size $(fmt "$(div "$size" 1048576)" '%.0f') MiB. Bytes = sum of nginx \`\$bytes_sent\` over every request of the tool's 6 runs; wall = all 6 runs added. Target: rget ≤ 1.1×."
  echo
  echo "| tool | kills | total wall s | nginx bytes_sent ÷ size | requests | final SHA-256 | killed process |"
  echo "|---|---|---|---|---|---|---|"
  while IFS=$'\t' read -r scen tool kills total st body tbytes maxr req exe; do
    [ "$scen" = "$s" ] || continue
    printf '| %s | %s | %.1f | %s | %s | %s | %s |\n' "$tool" "$kills" "$total" \
      "$(fmt "$(div "$tbytes" "$size")" '%.2f')" "$req" "$st" "$exe"
    [ "$st" = OK ] && chart_put "$s" "$tool" "$(div "$tbytes" "$size")"
  done <"$KILL_TSV"
  echo
  notes_of "$s"
  echo
}

server_section() {
  echo "## server — bench/serve-vs-nginx.sh"
  echo
  if [ -s "$RAW/server.md" ]; then cat "$RAW/server.md"; fi
  notes_of server
  echo
}

machine_section() {
  local t
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); mode: $MODE ($RUNS counted runs per tool + 1 warm-up${QUICK:+, smaller files: not for judging targets})"
  echo "- machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, kernel $(uname -r)"
  echo "- load average at start: $LOAD_START; at end: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine: other users' load shows up as noise)"
  echo "- rget: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (dirty tree)'); $( [ "$RGET_OK" = 1 ] && client_version rget || echo "${RGET_NOTE:-not selected}")"
  echo "- $(java -version 2>&1 | head -n 1)"
  echo "- nginx: $("$(nginx_bin)" -v 2>&1 | sed 's/^nginx version: //') (sendfile on, loopback)"
  for t in aria2c axel wget2 curl; do echo "- $(client_version "$t")"; done
}

write_report() { # -> $RAW/report.md
  local s
  {
    echo "# rget benchmark"
    echo
    machine_section
    echo
    echo "**× best peer** = the tool's median ÷ the best peer's median (peers = every client but rget, counting only those whose runs all passed); below 1 means faster than every peer. A run whose file's SHA-256 differs from the source is FAILED and never counted."
    echo
    [ "$RGET_OK" = 1 ] || { echo "> rget was not measured: ${RGET_NOTE:-not selected}. It is wired in (bench/lib/clients.sh) and is picked up automatically once \`rget get\` works."; echo; }
    for s in "${SELECTED[@]}"; do
      case $s in
        nginx-1g) time_table nginx-1g "nginx-1g — $(fmt "$(div "$(metav nginx-1g size)" 1048576)" '%.0f') MiB from nginx, no throttle, 16 connections (aria2c -x16 -s16 -k1M, axel -n 16, rget -n 16; wget2 and curl: 1 connection)" ;;
        nginx-1g-exact) time_table nginx-1g-exact "nginx-1g-exact — rget -n 16 alone, byte-exact" ;;
        throttled) time_table throttled "throttled — limit_rate 10m per connection, 16 connections" ;;
        throttled-10m) time_table throttled-10m "throttled-10m — rget alone, limit_rate 10m, 16 connections" ;;
        uneven) time_table uneven "uneven — every other connection 1 MiB/s, the rest 20 MiB/s, 16 connections" ;;
        many-small) time_table many-small "many-small — 200 × 256 KiB from a URL list, 16 at a time" ;;
        kill-resume) kill_table kill-resume "http, limit_rate 2m, 16 connections" ;;
        https-1g) time_table https-1g "https-1g — $(fmt "$(div "$(metav https-1g size)" 1048576)" '%.0f') MiB over https (TLS 1.2/1.3, RSA-2048 certificate), no throttle, 16 connections (wget2 and curl: 1 connection)" ;;
        https-throttled) time_table https-throttled "https-throttled — over https, limit_rate 10m per connection, 16 connections" ;;
        https-kill-resume) kill_table https-kill-resume "https, limit_rate 2m, 16 connections" ;;
        rss) rss_table ;;
        server) server_section ;;
      esac
    done
    echo "Raw data: \`bench/results/raw/$(basename "$RAW")/\` (git-ignored)."
  } >"$RAW/report.md"
}

tool_color() {
  case $1 in rget) echo "#d62728" ;; rget-h2) echo "#e377c2" ;; aria2c) echo "#1f77b4" ;; axel) echo "#2ca02c" ;; wget2) echo "#ff7f0e" ;; *) echo "#9467bd" ;; esac
}

write_chart() { # $1 = png path
  local png=$1 dat="$RAW/chart.dat" tools t s v line colors=""
  [ -s "$RAW/chart.tsv" ] || { log "no ratios to chart"; return 0; }
  command -v gnuplot >/dev/null || { log "gnuplot missing: no chart"; return 0; }
  tools=()
  for t in "${PEERS_ORDER[@]}"; do awk -F'\t' -v t="$t" '$2 == t { f = 1 } END { exit !f }' "$RAW/chart.tsv" && tools+=("$t"); done
  for t in "${tools[@]}"; do colors+="$(tool_color "$t") "; done
  {
    printf 'scenario'; printf '\t%s' "${tools[@]}"; echo
    for s in $(cut -f1 "$RAW/chart.tsv" | awk '!seen[$0]++'); do
      line=$s
      [[ "$s" = *kill-resume ]] && line="$s (bytes/size)"
      [ "$s" = rss ] && line="peak RSS"
      printf '"%s"' "$line"
      for t in "${tools[@]}"; do
        v=$(awk -F'\t' -v s="$s" -v t="$t" '$1 == s && $2 == t { v = $3 } END { print (v == "" ? "?" : v) }' "$RAW/chart.tsv")
        printf '\t%s' "$v"
      done
      echo
    done
  } >"$dat"
  gnuplot <<EOF
set terminal pngcairo size 1100,560 font "sans,10"
set output '$png'
set title "rget benchmark, ${QUICK:+quick run, }$(date -u '+%Y-%m-%d'): ratio to the best peer (lower is better)\nkill-resume: bytes nginx sent / file size; peak RSS: RSS / best peer's RSS"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set datafile missing '?'
set datafile separator "\t"
set key top left
set grid ytics
set logscale y 2
set key autotitle columnheader
set yrange [0.25:*]
set ylabel "ratio (log scale)"
N = ${#tools[@]}
plot for [i=2:N + 1] '$dat' using i:xtic(1) lc rgb word("$colors", i - 1), \\
     for [i=2:N + 1] '$dat' using (\$0 + (i - 2 - (N - 1) / 2.0) / (N + 1)):i:(sprintf("%.2f", column(i))) \\
       with labels offset 0,0.7 font ",8" notitle, \\
     1 with lines dt 2 lc rgb "black" title "1.0"
EOF
}
