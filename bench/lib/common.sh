# shellcheck shell=bash
# Small helpers shared by the benchmark scripts: logging, timing, statistics, installing peers,
# generating test files and checking downloads.

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
# elapsed T0 T1 -> seconds with millisecond precision
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# fadd A B -> A + B
fadd() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }

# median of the numbers on stdin, one per line ("-" when there are none)
median() {
  sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) { print "-"; exit }
          if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]
          else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ---------------------------------------------------------------------------------------------
# Installing what is missing (Debian). Waits for a concurrent apt/dpkg instead of failing.
APT_UPDATED=0
apt_retry() { # apt-get args...: retries while another apt holds the locks
  local i
  for i in $(seq 1 60); do
    if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; then return 0; fi
    log "apt-get $1 failed (lock held by another apt?), retrying in 10 s ($i/60)"
    sleep 10
  done
  return 1
}
apt_install() {
  [ $# -gt 0 ] || return 0
  [ "$(id -u)" = 0 ] || die "missing packages ($*); install them: sudo apt-get install $*"
  if [ "$APT_UPDATED" = 0 ]; then apt_retry update -qq >&2; APT_UPDATED=1; fi
  log "installing: $*"
  apt_retry install -y -qq --no-install-recommends "$@" >&2
}

# ensure_tools CMD:PACKAGE... -> installs the packages whose command is missing
ensure_tools() {
  local spec cmd pkg missing=()
  for spec in "$@"; do
    cmd=${spec%%:*} pkg=${spec#*:}
    if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "$cmd" ] && [ ! -x "/usr/sbin/$cmd" ]; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  # nginx-light is gone from newer Debian releases: fall back to plain nginx.
  if ! apt_install "${missing[@]}"; then
    apt_install "${missing[@]/nginx-light/nginx}" || die "could not install ${missing[*]}"
  fi
}

# ---------------------------------------------------------------------------------------------
# Test data. Files are random bytes; their SHA-256 is kept beside them (FILE.sha256) and reused
# while the size matches, so repeated runs do not regenerate gigabytes.
make_file() { # path size_bytes
  local f=$1 size=$2
  if [ -f "$f" ] && [ "$(stat -c %s "$f")" = "$size" ] && [ -s "$f.sha256" ]; then return 0; fi
  log "generating $(basename "$f") ($((size / 1048576)) MiB of random data)"
  head -c "$size" /dev/urandom >"$f.tmp"
  mv "$f.tmp" "$f"
  sha256sum "$f" | cut -d' ' -f1 >"$f.sha256"
}

make_small_files() { # dir count size_bytes -> dir/fNNN.bin and dir.sha256 (sha256sum -c format)
  local dir=$1 count=$2 size=$3 i name
  if [ -s "$dir.sha256" ] && [ "$(wc -l <"$dir.sha256")" = "$count" ] \
    && [ "$(stat -c %s "$dir/f000.bin" 2>/dev/null)" = "$size" ]; then return 0; fi
  log "generating $count files of $((size / 1024)) KiB"
  rm -rf "$dir" && mkdir -p "$dir"
  for ((i = 0; i < count; i++)); do
    printf -v name 'f%03d.bin' "$i"
    head -c "$size" /dev/urandom >"$dir/$name"
  done
  (cd "$dir" && sha256sum f*.bin) >"$dir.sha256"
}

# verify_file OUT SOURCE -> prints OK or a FAILED reason
verify_file() {
  local out=$1 src=$2
  [ -f "$out" ] || { echo "FAILED:no-file"; return; }
  if [ "$(sha256sum "$out" | cut -d' ' -f1)" = "$(cat "$src.sha256")" ]; then echo OK; else echo "FAILED:sha256"; fi
}

# verify_dir DIR SRCDIR -> every file of SRCDIR present in DIR with the right SHA-256
verify_dir() {
  local dir=$1 src=$2 want have
  want=$(wc -l <"$src.sha256")
  have=$(find "$dir" -maxdepth 1 -type f -name 'f*.bin' | wc -l)
  [ "$have" = "$want" ] || { echo "FAILED:$have/$want-files"; return; }
  if (cd "$dir" && sha256sum --quiet -c "$src.sha256" >/dev/null 2>&1); then echo OK; else echo "FAILED:sha256"; fi
}
