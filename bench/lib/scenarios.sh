# shellcheck shell=bash
# The scenarios. Each measured run appends one row to $RUNS_TSV:
#   scenario tool round counted status wall_s rss_kib body_bytes total_bytes max_request_s requests exit cpu_s
# (round 0 is the warm-up, counted=0; cpu_s = user + system seconds of the client). The
# kill-resume scenarios write their own rows to $KILL_TSV, one per tool, scenario first.

CHILD_PID=""

meta() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$META_TSV"; }  # scenario key value
note() { meta "$1" note "$2"; log "$1: $2"; }

clean_dl() { rm -rf "$DL" && mkdir -p "$DL"; }

# pick TOOL... -> the tools that are selected (--tools) and usable (rget only once `rget get` works)
pick() {
  local t
  for t in "$@"; do
    if [ -n "$TOOLS_SEL" ] && [[ ",$TOOLS_SEL," != *",$t,"* ]]; then continue; fi
    if [[ "$t" = rget* ]] && [ "$RGET_OK" != 1 ]; then continue; fi
    echo "$t"
  done
}

# run_timed LOGFILE: runs CMD under a timeout and /usr/bin/time; sets RUN_RC, RUN_WALL, RUN_RSS
# (KiB) and RUN_CPU (user + system seconds)
run_timed() {
  local logf=$1 t0 t1 tf="$RAW/time.out"
  rm -f "$tf"
  if [ "${CMD[0]}" = "$RGET" ]; then rget_prebuild || true; fi
  echo "\$ ${CMD[*]}" >>"$logf"
  t0=$(now)
  # timeout makes itself a process group leader: the trap can kill the whole group.
  timeout -s KILL "$RUN_TIMEOUT" /usr/bin/time -f '%M %U %S' -o "$tf" "${CMD[@]}" </dev/null >>"$logf" 2>&1 &
  CHILD_PID=$!
  RUN_RC=0
  wait "$CHILD_PID" || RUN_RC=$?
  t1=$(now)
  CHILD_PID=""
  RUN_WALL=$(elapsed "$t0" "$t1")
  local usage
  usage=$(tail -n 1 "$tf" 2>/dev/null | grep -E '^[0-9]+ [0-9.]+ [0-9.]+$' || echo "- - -")
  RUN_RSS=${usage%% *}
  RUN_CPU=$(awk '{ print ($2 == "-") ? "-" : $2 + $3 }' <<<"$usage")
}

# measure SCENARIO TOOL ROUND URI VERIFY-COMMAND...: one timed run of CMD, checked, logged
measure() {
  local scen=$1 tool=$2 round=$3 uri=$4 counted=1 st stats
  shift 4
  [ "$round" = 0 ] && counted=0
  nginx_clear_log
  run_timed "$RAW/$scen.$tool.log"
  nginx_drain
  stats=$(nginx_log_stats "$uri")
  case $RUN_RC in
    0) st=$("$@") ;;
    137) st="FAILED:timeout" ;;
    *) st="FAILED:exit$RUN_RC" ;;
  esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$tool" "$round" "$counted" "$st" \
    "$RUN_WALL" "$RUN_RSS" "$stats" "$RUN_RC" "$RUN_CPU" >>"$RUNS_TSV"
  log "$scen $(printf '%-6s' "$tool") $([ "$counted" = 1 ] && echo "run $round" || echo "warm-up") $st ${RUN_WALL}s cpu=${RUN_CPU}s rss=${RUN_RSS}KiB"
}

# file_rounds SCENARIO LOCATION FILE CONNECTIONS TOOL...: warm-up + $RUNS rounds, tools alternating,
# from $ORIGIN (default: nginx's plain-http address)
file_rounds() {
  local scen=$1 loc=$2 file=$3 n=$4 round tool name out
  shift 4
  [ $# -gt 0 ] || { note "$scen" "skipped: no selected client available"; return 0; }
  name=$(basename "$file")
  out="$DL/$name"
  meta "$scen" size "$(stat -c %s "$file")"
  meta "$scen" tools "$*"
  for ((round = 0; round <= RUNS; round++)); do
    for tool in "$@"; do
      clean_dl
      client_cmd "$tool" "${ORIGIN:-$BASE}/$loc/$name" "$out" "$n"
      measure "$scen" "$tool" "$round" "/$loc/$name" verify_file "$out" "$file"
    done
  done
  clean_dl
}

mib() { echo $(($1 * 1048576)); }

# 1. 1 GiB (quick: 256 MiB) from nginx, no throttle
sc_nginx_1g() {
  file_rounds nginx-1g plain "$BIG" 16 $(pick rget aria2c axel wget2 curl)
}

# rget alone, the engine issue's throughput check (byte-exact: SHA-256 and nginx body bytes)
sc_nginx_1g_exact() {
  [ "$RGET_OK" = 1 ] || { note nginx-1g-exact "skipped: $RGET_NOTE"; return 0; }
  file_rounds nginx-1g-exact plain "$BIG" 16 rget
}

# 2. 256 MiB with limit_rate 10m per connection, 16 connections each
sc_throttled() {
  meta throttled ideal_rate "$(mib 160)"
  file_rounds throttled t10m "$TFILE" 16 $(pick rget aria2c axel)
}

sc_throttled_10m() {
  [ "$RGET_OK" = 1 ] || { note throttled-10m "skipped: $RGET_NOTE"; return 0; }
  meta throttled-10m ideal_rate "$(mib 160)"
  file_rounds throttled-10m t10m "$TFILE" 16 rget
}

# 3. every other connection at 1 MiB/s, the rest at 20 MiB/s
sc_uneven() {
  meta uneven ideal_rate "$(mib 168)" # 8 x 1 + 8 x 20 MiB/s, if all 16 connections stay busy
  file_rounds uneven uneven "$UFILE" 16 $(pick rget aria2c axel)
}

# https: the same downloads over TLS (nginx's second port); wget2 and curl use one connection
sc_https_1g() {
  ORIGIN=$BASE_TLS file_rounds https-1g plain "$BIG" 16 $(pick rget rget-h2 aria2c axel wget2 curl)
}

sc_https_throttled() {
  meta https-throttled ideal_rate "$(mib 160)"
  ORIGIN=$BASE_TLS file_rounds https-throttled t10m "$TFILE" 16 $(pick rget rget-h2 aria2c axel)
}

sc_https_kill_resume() { kill_resume_rounds https-kill-resume "$BASE_TLS"; }

# 5. 200 files of 256 KiB from a URL list
sc_many_small() {
  local list="$WORK/small.list" dir="$DL/small" round tool f total=0
  local tools
  tools=$(pick rget aria2c wget2 curl)
  [ -n "$tools" ] || { note many-small "skipped: no selected client available"; return 0; }
  for f in "$SMALL"/f*.bin; do echo "$BASE/plain/small/$(basename "$f")"; done >"$list"
  for f in "$SMALL"/f*.bin; do total=$((total + $(stat -c %s "$f"))); done
  meta many-small size "$total"
  meta many-small tools "$(echo $tools)"
  for ((round = 0; round <= RUNS; round++)); do
    for tool in $tools; do
      clean_dl
      mkdir -p "$dir"
      client_list_cmd "$tool" "$list" "$dir" 16
      measure many-small "$tool" "$round" /plain/small/ verify_dir "$dir" "$SMALL"
    done
  done
  clean_dl
}

# 6. peak RSS: taken from scenario 1's runs (measured there with /usr/bin/time -f %M)
sc_rss() {
  if ! awk -F'\t' '$1 == "nginx-1g" { found = 1 } END { exit !found }' "$RUNS_TSV"; then
    log "rss: measuring scenario nginx-1g first"
    sc_nginx_1g
  fi
  meta rss from nginx-1g
}

# proc_state PID -> the state letter of a live process (empty when gone; Z when a zombie)
proc_state() { { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1; } || true; }

# 4. kill and resume: $KILLS SIGKILLs ~$KILL_AFTER s into each run, then a run to the end
sc_kill_resume() { kill_resume_rounds kill-resume "$BASE"; }

# kill_resume_rounds SCENARIO ORIGIN
kill_resume_rounds() {
  local scen=$1 origin=$2 name out uri tool logf i t0 t1 total kills exe st stats size state
  name=$(basename "$KFILE")
  out="$DL/$name"
  uri="/t2m/$name"
  size=$(stat -c %s "$KFILE")
  meta "$scen" size "$size"
  local tools
  tools=$(pick rget aria2c axel)
  [ -n "$tools" ] || { note "$scen" "skipped: no selected client available"; return 0; }
  [ "$RGET_OK" = 1 ] || note "$scen" "rget not measured: $RGET_NOTE"
  for tool in $tools; do
    clean_dl
    nginx_clear_log
    logf="$RAW/$scen.$tool.log"
    total=0 kills=0 exe="-"
    for ((i = 1; i <= KILLS; i++)); do
      client_cmd "$tool" "$origin$uri" "$out" 16 resume
      if [[ "$tool" = rget* ]]; then rget_prebuild || true; fi
      echo "\$ ${CMD[*]}   # run $i, SIGKILL after ${KILL_AFTER}s" >>"$logf"
      t0=$(now)
      # started directly (no wrapper), so $! is the client itself; rget's launcher execs the JVM
      "${CMD[@]}" </dev/null >>"$logf" 2>&1 &
      CHILD_PID=$!
      sleep "$KILL_AFTER"
      state=$(proc_state "$CHILD_PID")
      if [ -n "$state" ] && [ "$state" != Z ]; then
        exe=$(readlink "/proc/$CHILD_PID/exe" 2>/dev/null || echo "?")
        kill -KILL "$CHILD_PID" 2>/dev/null || true
        kills=$((kills + 1))
      else
        echo "(run $i finished before the kill)" >>"$logf"
      fi
      wait "$CHILD_PID" 2>/dev/null || true
      t1=$(now)
      CHILD_PID=""
      total=$(fadd "$total" "$(elapsed "$t0" "$t1")")
      nginx_drain
      log "$scen $tool run $i: $([ "$state" != Z ] && [ -n "$state" ] && echo "SIGKILL to $(basename "$exe")" || echo "had finished") after ${KILL_AFTER}s; $(ls "$DL" | tr '\n' ' ')"
    done
    client_cmd "$tool" "$origin$uri" "$out" 16 resume
    run_timed "$logf"
    total=$(fadd "$total" "$RUN_WALL")
    nginx_drain
    stats=$(nginx_log_stats "$uri")
    case $RUN_RC in
      0) st=$(verify_file "$out" "$KFILE") ;;
      137) st="FAILED:timeout" ;;
      *) st="FAILED:exit$RUN_RC" ;;
    esac
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$tool" "$kills" "$total" "$st" "$stats" "$(basename "$exe")" >>"$KILL_TSV"
    log "$scen $tool: $st, $kills kills, ${total}s total, nginx sent $(cut -f2 <<<"$stats") bytes for $size"
  done
  clean_dl
}

# 7. the server benchmark belongs to bench/serve-vs-nginx.sh (another engineer's script)
sc_server() {
  local script="$BENCH/serve-vs-nginx.sh" rc=0
  if [ ! -f "$script" ]; then
    note server "skipped: bench/serve-vs-nginx.sh does not exist yet"
    return 0
  fi
  log "server: running bench/serve-vs-nginx.sh ${QUICK:+--quick}"
  timeout -s KILL 3600 bash "$script" ${QUICK:+--quick} </dev/null >"$RAW/server.md" 2>"$RAW/server.log" &
  CHILD_PID=$!
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  meta server exit "$rc"
  [ "$rc" = 0 ] || note server "bench/serve-vs-nginx.sh exited $rc (see raw/$STAMP/server.log)"
}
