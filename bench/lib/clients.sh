# shellcheck shell=bash
# How each client is driven. This is the one place that knows command lines: rget is plugged in
# here (client_cmd / client_list_cmd), so the suite picks it up as soon as `rget get` works.

RGET=${RGET:-$ROOT/rget}
RGET_JAR=${RGET_JAR:-$ROOT/rget-cli/target/rget.jar}
RGET_OK=0
RGET_NOTE=""

# client_cmd TOOL URL OUT CONNECTIONS [resume] -> sets the CMD array. For https URLs each tool is
# told to trust the test server's certificate ($CA_CERT) and still verifies it.
client_cmd() {
  local tool=$1 url=$2 out=$3 n=$4 resume=${5:-} tls=()
  case $url in https:*)
    case $tool in
      rget | rget-h2 | wget2 | axel) tls=(--ca-certificate "$CA_CERT") ;;
      aria2c) tls=(--ca-certificate="$CA_CERT") ;;
      curl) tls=(--cacert "$CA_CERT") ;;
    esac ;;
  esac
  case $tool in
    rget) CMD=("$RGET" get "$url" -o "$out" -n "$n" -q "${tls[@]}") ;; # re-running the command resumes
    # rget with HTTP/2, against nginx's h2 port: the -n ranges become streams on shared connections
    rget-h2) CMD=("$RGET" get "${url/#$BASE_TLS/$BASE_H2}" -o "$out" -n "$n" -q --http2 "${tls[@]}") ;;
    aria2c)
      CMD=(aria2c -q -x"$n" -s"$n" -k1M --auto-file-renaming=false --console-log-level=error
        --summary-interval=0 -d "$(dirname "$out")" -o "$(basename "$out")" "${tls[@]}")
      [ -n "$resume" ] && CMD+=(-c) # resumes from OUT.aria2 (its control file)
      CMD+=("$url") ;;
    # axel has no CA option, and its host-name check fails for any name with a port (2.17.11:
    # "Hostname verification failed" even when trusting the certificate), so it runs with -k.
    axel)
      CMD=(axel -q -n "$n" -o "$out")
      [ ${#tls[@]} -gt 0 ] && CMD+=(-k)
      CMD+=("$url") ;; # resumes by itself from OUT.st
    wget2) CMD=(wget2 -q --no-hsts --no-netrc "${tls[@]}" -O "$out" "$url") ;;
    curl) CMD=(curl -sS -f "${tls[@]}" -o "$out" "$url") ;;
    *) die "unknown client $tool" ;;
  esac
}

# client_list_cmd TOOL LIST DIR CONCURRENCY -> sets the CMD array (download every URL of LIST into DIR)
client_list_cmd() {
  local tool=$1 list=$2 dir=$3 c=$4
  case $tool in
    rget) CMD=("$RGET" get -i "$list" -d "$dir" -j "$c" -q) ;;
    aria2c) CMD=(aria2c -q -i "$list" -d "$dir" -j "$c" --auto-file-renaming=false
      --console-log-level=error --summary-interval=0) ;;
    wget2) CMD=(wget2 -q --no-hsts --no-netrc -i "$list" -P "$dir" --max-threads="$c") ;;
    curl) # curl reads the URLs from a config file (url = "...") and runs them in parallel
      sed 's/.*/url = "&"/' "$list" >"$list.curl"
      CMD=(curl -sS -f -Z --parallel-max "$c" --output-dir "$dir" --remote-name-all -K "$list.curl") ;;
    *) die "client $tool has no list mode" ;;
  esac
}

client_version() {
  case $1 in
    rget | rget-h2) "$RGET" --version 2>/dev/null | head -1 || echo "rget (version unknown)" ;;
    aria2c) aria2c --version | head -1 ;;
    axel) axel --version | head -1 ;;
    wget2) wget2 --version | head -1 ;;
    curl) curl --version | head -1 | cut -d' ' -f1-2 ;;
  esac
}

# The launcher rebuilds rget when sources are newer than the jar (other engineers edit the tree
# while we measure): rebuild outside the timed region, never inside a measured run.
rget_prebuild() {
  [ "$RGET" = "$ROOT/rget" ] || return 0
  if [ ! -f "$RGET_JAR" ] || [ -n "$(find "$ROOT" -path "$ROOT/bench" -prune -o \( -name '*.java' \
    -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$RGET_JAR" -print -quit)" ]; then
    log "building rget (sources newer than the jar)..."
    timeout 900 "$RGET" --version >>"$RAW/rget-build.log" 2>&1 || return 1
  fi
}

# The launcher rebuilds the jar whenever a source is newer, and other engineers edit the tree while
# the suite runs: measure one frozen build instead. rget_freeze copies the jar into $WORK and writes
# a launcher that execs java with the live launcher's own JVM flags (so the PID is still the JVM's).
# RGET_LIVE=1 keeps using ./rget as it is.
rget_freeze() {
  local dir="$WORK/rget-frozen"
  [ "$RGET" = "$ROOT/rget" ] && [ -z "${RGET_LIVE:-}" ] || return 0
  if [ ! -f "$RGET_JAR" ]; then
    log "warning: cannot freeze rget (no jar at $RGET_JAR); using ./rget as it is"
    return 0
  fi
  # The launcher and the jar, laid out as in the repository but without sources, so the copy
  # never rebuilds; on its first run (the probe) it records its own class-data-sharing archive.
  rm -rf "$dir"
  mkdir -p "$dir/rget-cli/target"
  cp "$RGET_JAR" "$dir/rget-cli/target/rget.jar"
  cp "$ROOT/rget" "$dir/rget"
  RGET="$dir/rget"
  log "rget: measuring a frozen copy of the current build ($RGET, $(git -C "$ROOT" rev-parse --short HEAD))"
}

# rget_probe URL SOURCE: is `rget get` working? Sets RGET_OK / RGET_NOTE.
rget_probe() {
  local url=$1 src=$2 out="$DL/rget-probe.bin" rc=0 st
  RGET_OK=0
  [ -x "$RGET" ] || { RGET_NOTE="no launcher at $RGET"; return 0; }
  rget_prebuild || { RGET_NOTE="rget does not build (see raw/rget-build.log)"; return 0; }
  rget_freeze
  rm -f "$out" "$out.part" "$out.rget"
  timeout 120 "$RGET" get "$url" -o "$out" -n 4 -q >"$RAW/rget-probe.log" 2>&1 || rc=$?
  st=$(verify_file "$out" "$src")
  rm -f "$out" "$out.part" "$out.rget"
  if [ "$rc" = 0 ] && [ "$st" = OK ]; then
    RGET_OK=1
  else
    RGET_NOTE="\`rget get\` not working yet (exit $rc, $st; see raw/rget-probe.log)"
  fi
}
