#!/usr/bin/env bash
# Makes kube-apiserver, kube-controller-manager and etcd available and prints one line on stdout:
#   KUBE_BIN_DIR=<a directory holding all three>
# Progress goes to stderr. Order of preference:
#   1. binaries the machine already has: $KUBEBUILDER_ASSETS, then PATH (all three must be found);
#   2. the per-user cache ${XDG_CACHE_HOME:-$HOME/.cache}/kubemacpool/kube-v1.20.2/bin (instant);
#   3. a build of Kubernetes v1.20.2 from Debian bookworm's own `kubernetes` source package, with Debian's Go 1.19
#      and etcd-server (everything from the Debian archive; ~7-10 min on 2 cores, once per machine).
# Concurrent callers are serialised with flock; only one of them builds. See docs/control-plane.md.
set -euo pipefail

KUBE_VERSION=v1.20.2
# Bumped whenever the build below changes what the binaries do; a cache of another recipe is rebuilt.
#   1: reflect2/json-iterator swap.  2: + the OpenAPI zero-value fix (empty strings in custom resources).
BUILD_RECIPE=2
DEB_SOURCE_PACKAGE=kubernetes
DEB_SOURCE_VERSION=1.20.5+really1.20.2-1.1+deb12u1
GO_BIN=/usr/lib/go-1.19/bin
PACKAGES=(golang-1.19-go make rsync etcd-server golang-github-modern-go-reflect2-dev
  golang-github-json-iterator-go-dev openssl dpkg-dev)
GOCODE=/usr/share/gocode/src/github.com
CACHE_ROOT=${XDG_CACHE_HOME:-$HOME/.cache}/kubemacpool
CACHE_DIR=$CACHE_ROOT/kube-$KUBE_VERSION
BIN_DIR=$CACHE_DIR/bin
BUILD_DIR=$CACHE_DIR/build
LOG=$CACHE_DIR/build.log
APT_SRC_FILE=/etc/apt/sources.list.d/kubemacpool-src

step="starting"
ticker=""
build_pid=""
# $1 and its descendants, found by parent pid (make -> build.sh -> go -> compile do not share a pid file).
kill_tree() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
on_exit() {
  local rc=$?
  if [ -n "$ticker" ]; then kill "$ticker" 2>/dev/null || true; fi
  if [ -n "$build_pid" ]; then kill_tree "$build_pid"; fi
  if [ "$rc" -ne 0 ]; then
    echo "provide-binaries: FAILED (exit $rc) while $step" >&2
    if [ -f "$LOG" ]; then
      echo "provide-binaries: last lines of $LOG:" >&2
      tail -n 15 "$LOG" | sed 's/^/    /' >&2
    fi
    if [ -d "$BUILD_DIR" ] && [ -z "${KMP_KEEP_BUILD_TREE:-}" ]; then rm -rf "$BUILD_DIR"; fi
  fi
}
trap on_exit EXIT
# Signals end the script through on_exit too (which stops a running build), not just bash's default death.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Progress on stderr; once a build has begun, into the build log as well (so the log shows the steps around make).
log_to_file=""
log() {
  echo "provide-binaries: $*" >&2
  if [ -n "$log_to_file" ]; then echo "--- $*" >>"$LOG"; fi
}

# The first executable $1 in $KUBEBUILDER_ASSETS, then on PATH.
locate() {
  if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/$1" ]; then
    echo "$KUBEBUILDER_ASSETS/$1"
    return 0
  fi
  type -P "$1"
}

have_kube() {
  [ -x "$BIN_DIR/kube-apiserver" ] && [ -x "$BIN_DIR/kube-controller-manager" ] &&
    grep -x "recipe=$BUILD_RECIPE" "$CACHE_DIR/build-info" >/dev/null 2>&1
}
have_all() { have_kube && [ -x "$BIN_DIR/etcd" ]; }

# --- 1. Binaries the machine already has ---------------------------------------------------------------------------
if apiserver=$(locate kube-apiserver) && kcm=$(locate kube-controller-manager) && etcd=$(locate etcd); then
  dir=$(dirname "$apiserver")
  if [ "$(dirname "$kcm")" = "$dir" ] && [ "$(dirname "$etcd")" = "$dir" ]; then
    echo "KUBE_BIN_DIR=$dir"
    exit 0
  fi
  # Spread over several directories: gather them with symlinks.
  dir=$CACHE_ROOT/found-bin
  mkdir -p "$dir"
  ln -sfn "$apiserver" "$dir/kube-apiserver"
  ln -sfn "$kcm" "$dir/kube-controller-manager"
  ln -sfn "$etcd" "$dir/etcd"
  log "using kube-apiserver=$apiserver kube-controller-manager=$kcm etcd=$etcd"
  echo "KUBE_BIN_DIR=$dir"
  exit 0
fi

# --- 2. The cache ----------------------------------------------------------------------------------------------------
if have_all; then
  echo "KUBE_BIN_DIR=$BIN_DIR"
  exit 0
fi

step="waiting for the lock $CACHE_DIR/.lock"
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
if ! flock -n 9; then
  log "another provide-binaries is running (building?); waiting for it"
  flock 9
fi
if have_all; then
  echo "KUBE_BIN_DIR=$BIN_DIR"
  exit 0
fi

# --- 3. Debian packages and the build --------------------------------------------------------------------------------
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=(sudo); else SUDO=(false); fi
fi
export DEBIAN_FRONTEND=noninteractive
: >>"$LOG"
echo "=== provide-binaries $(date -u +%FT%TZ)" >>"$LOG"
log_to_file=1

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

install_packages() {
  local missing=() p
  for p in "$@"; do installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  step="installing Debian packages: ${missing[*]}"
  log "$step"
  [ "${SUDO[0]:-}" != false ] || { log "not root and no sudo: install ${missing[*]} first"; return 1; }
  "${SUDO[@]}" apt-get update -q >>"$LOG" 2>&1
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$LOG" 2>&1
  # etcd-server ships a system service on the default ports; we installed the package only for its binary.
  if printf '%s\n' "${missing[@]}" | grep -x etcd-server >/dev/null; then
    if [ -d /run/systemd/system ]; then
      "${SUDO[@]}" systemctl disable --now etcd >>"$LOG" 2>&1 || true
    elif [ -x /etc/init.d/etcd ]; then
      "${SUDO[@]}" /etc/init.d/etcd stop >>"$LOG" 2>&1 || true
      "${SUDO[@]}" update-rc.d etcd disable >>"$LOG" 2>&1 || true
    fi
  fi
}

# (grep reads everything, no -q: an early exit could SIGPIPE apt-cache, and pipefail would turn a match into a miss)
has_source_version() {
  apt-cache showsrc "$DEB_SOURCE_PACKAGE" 2>/dev/null | grep -x "Version: $DEB_SOURCE_VERSION" >/dev/null
}

# deb-src twins of the machine's own Debian entries (same URIs, suites, components and Signed-By: apt refuses
# entries for one source that disagree on Signed-By). deb822 (*.sources) and one-line (*.list) formats.
derive_deb822_src() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    if [ ! -f "$f" ] || [ "$f" = "$APT_SRC_FILE.sources" ]; then continue; fi
    awk 'BEGIN { RS = "" }
      {
        n = split($0, line, "\n"); types = ""; uris = ""; enabled = 1
        for (i = 1; i <= n; i++) {
          if (line[i] ~ /^Types:/) types = line[i]
          if (line[i] ~ /^URIs:/) uris = line[i]
          if (line[i] ~ /^Enabled:[ \t]*[Nn]o/) enabled = 0
        }
        if (!enabled || types !~ /[: \t]deb([ \t]|$)/ || uris !~ /debian\.org/) next
        for (i = 1; i <= n; i++) {
          if (line[i] ~ /^Types:/) line[i] = "Types: deb-src"
          if (line[i] !~ /^#/) print line[i]
        }
        print ""
      }' "$f"
  done
}
derive_oneline_src() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    if [ ! -f "$f" ] || [ "$f" = "$APT_SRC_FILE.list" ]; then continue; fi
    sed -nE 's/^[[:space:]]*deb([[:space:]]+.*debian\.org.*)$/deb-src\1/p' "$f"
  done
}

ensure_deb_src() {
  step="finding the $DEB_SOURCE_PACKAGE $DEB_SOURCE_VERSION source package"
  has_source_version && return 0
  log "refreshing the apt indexes"
  "${SUDO[@]}" apt-get update -q >>"$LOG" 2>&1
  has_source_version && return 0
  step="adding deb-src entries for Debian bookworm"
  local deb822 oneline
  deb822=$(derive_deb822_src)
  oneline=$(derive_oneline_src)
  if [ -z "$deb822" ] && [ -z "$oneline" ]; then
    deb822=$(printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" "Suites: bookworm bookworm-updates" \
      "Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg")
  fi
  if [ -n "$deb822" ]; then
    log "$step: $APT_SRC_FILE.sources"
    printf '%s\n' "$deb822" | "${SUDO[@]}" tee "$APT_SRC_FILE.sources" >/dev/null
  fi
  if [ -n "$oneline" ]; then
    log "$step: $APT_SRC_FILE.list"
    printf '%s\n' "$oneline" | "${SUDO[@]}" tee "$APT_SRC_FILE.list" >/dev/null
  fi
  "${SUDO[@]}" apt-get update -q >>"$LOG" 2>&1
  step="finding the $DEB_SOURCE_PACKAGE $DEB_SOURCE_VERSION source package"
  has_source_version || { log "apt has no source package $DEB_SOURCE_PACKAGE=$DEB_SOURCE_VERSION (bookworm main)"; return 1; }
}

link_etcd() {
  local etcd
  etcd=$(type -P etcd || echo /usr/bin/etcd)
  [ -x "$etcd" ] || return 1
  ln -sfn "$etcd" "$BIN_DIR/etcd"
}

if have_kube; then
  # Only etcd went missing (package removed?).
  install_packages etcd-server
  step="linking etcd"
  link_etcd
  echo "KUBE_BIN_DIR=$BIN_DIR"
  exit 0
fi

if [ -x "$BIN_DIR/kube-apiserver" ]; then
  log "the cached kube-apiserver $KUBE_VERSION predates build recipe $BUILD_RECIPE (see the top of $0); rebuilding it"
else
  log "no cached kube-apiserver $KUBE_VERSION; building it from Debian's source package (once per machine, ~10 min)"
fi
log "build log: $LOG"
total_start=$(date +%s)
install_packages "${PACKAGES[@]}"
ensure_deb_src

step="checking free disk space in $CACHE_DIR"
free_kb=$(df -Pk "$CACHE_DIR" | awk 'NR == 2 { print $4 }')
if [ "$free_kb" -lt $((3 * 1024 * 1024)) ]; then
  log "only $((free_kb / 1024)) MB free in $CACHE_DIR; the build needs about 3 GB"
  exit 1
fi

step="downloading the $DEB_SOURCE_PACKAGE $DEB_SOURCE_VERSION source package"
log "$step"
rm -rf "$BUILD_DIR"
mkdir -p "$BUILD_DIR/src"
(cd "$BUILD_DIR/src" && apt-get source --download-only "$DEB_SOURCE_PACKAGE=$DEB_SOURCE_VERSION") >>"$LOG" 2>&1
orig=$(find "$BUILD_DIR/src" -maxdepth 1 -name "${DEB_SOURCE_PACKAGE}_*.orig.tar.*" | head -n 1)
[ -n "$orig" ] || { log "no orig tarball in $BUILD_DIR/src"; exit 1; }

step="unpacking $(basename "$orig")"
log "$step"
mkdir -p "$BUILD_DIR/tree"
tar -xf "$orig" -C "$BUILD_DIR/tree"
tree=$(find "$BUILD_DIR/tree" -mindepth 1 -maxdepth 1 -type d | head -n 1)
if [ ! -f "$tree/Makefile" ] || [ ! -d "$tree/cmd/kube-apiserver" ]; then
  log "unexpected layout in $orig"
  exit 1
fi

# Go >= 1.18 breaks the reflect2 that v1.20 vendors: the apiserver crashes (SIGSEGV in map iteration) on the first
# custom-resource write. Debian's reflect2 1.0.2 and json-iterator 1.1.12 fix it.
step="swapping Debian's reflect2 and json-iterator into vendor/"
log "$step"
for pkg in modern-go/reflect2 json-iterator/go; do
  [ -d "$GOCODE/$pkg" ] || { log "missing $GOCODE/$pkg"; exit 1; }
  rm -rf "${tree:?}/vendor/github.com/$pkg"
  cp -r "$GOCODE/$pkg" "$tree/vendor/github.com/$pkg"
done

# Go >= 1.16 makes the validators' "zero value means null" check true for "": every empty string in a typed field of a
# custom resource is refused ("must be of type string: \"null\""). Upstream removed the check (kube-openapi#230,
# Kubernetes v1.21); so do we.
step="patching the zero-value check out of the vendored OpenAPI validators"
log "$step"
zero_check='if data == nil || reflect.DeepEqual(reflect.Zero(reflect.TypeOf(data)), reflect.ValueOf(data)) {'
for f in vendor/k8s.io/kube-openapi/pkg/validation/validate/type.go vendor/github.com/go-openapi/validate/type.go; do
  [ "$(grep -cF -- "$zero_check" "$tree/$f")" = 1 ] || { log "$f: the zero-value check is not where expected"; exit 1; }
  code=$(<"$tree/$f")
  printf '%s\n' "${code/"$zero_check"/"if data == nil {"}" >"$tree/$f"
  [ "$(grep -cF -- "$zero_check" "$tree/$f")" = 0 ] || { log "$f: patch did not apply"; exit 1; }
done

step="building kube-apiserver and kube-controller-manager (make, Go 1.19)"
log "$step; several minutes"
build_start=$(date +%s)
# A progress line a minute. Its own sleep is stopped with it, so no orphan keeps our stderr or the lock open; and it
# ends by itself should this script vanish without cleaning up (SIGKILL).
(
  nap=""
  trap '[ -z "$nap" ] || kill "$nap" 2>/dev/null; exit 0' TERM
  while kill -0 "$$" 2>/dev/null; do
    sleep 60 &
    nap=$!
    wait "$nap"
    log "  still building ($(($(date +%s) - build_start)) s): $(awk '/^[+][+][+]/ { t = ""; next } /^    / { sub(/^ +/, ""); t = t " " $0 } END { print "go targets" t }' "$LOG")"
  done
) >&2 9>&- &
ticker=$!
(
  cd "$tree"
  export PATH="$GO_BIN:$PATH" CGO_ENABLED=0 GOCACHE="$BUILD_DIR/go-build" GOFLAGS="" GOPROXY=off
  unset GOPATH GOROOT GO111MODULE
  go version
  nice -n 10 make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" KUBE_GIT_VERSION="$KUBE_VERSION"
) >>"$LOG" 2>&1 &
# In the background and waited for, so that a signal reaches on_exit at once (bash delays traps until a foreground
# child ends) and on_exit can stop the build.
build_pid=$!
wait "$build_pid"
build_pid=""
kill "$ticker" 2>/dev/null || true
wait "$ticker" 2>/dev/null || true
ticker=""
build_seconds=$(($(date +%s) - build_start))
log "built in $build_seconds s"

step="checking the built binaries"
out=$tree/_output/bin
for b in kube-apiserver kube-controller-manager; do
  "$out/$b" --version 2>&1 | grep "Kubernetes $KUBE_VERSION" >/dev/null || { log "$out/$b does not report $KUBE_VERSION"; exit 1; }
done

step="caching the binaries in $BIN_DIR"
rm -rf "$BIN_DIR.new" "$CACHE_DIR/build-info"
mkdir -p "$BIN_DIR.new"
cp "$out/kube-apiserver" "$out/kube-controller-manager" "$BIN_DIR.new/"
rm -rf "$BIN_DIR"
mv "$BIN_DIR.new" "$BIN_DIR"
link_etcd
rm -rf "$BUILD_DIR"
total_seconds=$(($(date +%s) - total_start))
printf 'kube_version=%s\ndeb_source_version=%s\nrecipe=%s\nbuilt_at=%s\nbuild_seconds=%s\ntotal_seconds=%s\n' \
  "$KUBE_VERSION" "$DEB_SOURCE_VERSION" "$BUILD_RECIPE" "$(date -u +%FT%TZ)" "$build_seconds" "$total_seconds" \
  >"$CACHE_DIR/build-info"
have_all
step="done"
log "ready in $total_seconds s (make: $build_seconds s); cached in $BIN_DIR"
echo "KUBE_BIN_DIR=$BIN_DIR"
