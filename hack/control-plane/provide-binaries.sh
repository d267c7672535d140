#!/usr/bin/env bash
# Makes kube-apiserver, kube-controller-manager and etcd available and prints "KUBE_BIN_DIR=<dir>".
#
# Order: binaries on PATH or in $KUBEBUILDER_ASSETS; else a cached build; else build Kubernetes v1.20.2 from
# Debian bookworm's own `kubernetes` source package (the only apiserver source any reachable registry has),
# once per machine, cached outside the repository. Everything comes from Debian apt.
set -euo pipefail

KUBE_VERSION=v1.20.2
DEB_SOURCE_VERSION=1.20.5+really1.20.2-1.1+deb12u1
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/kubemacpool/kube-$KUBE_VERSION
BIN_DIR=$CACHE_DIR/bin
LOG=$CACHE_DIR/build.log
step="start"
trap 'echo "provide-binaries: failed during: $step (build log: $LOG)" >&2' ERR

log() { echo "provide-binaries: $*" >&2; }

have_all() { [ -x "$1/kube-apiserver" ] && [ -x "$1/kube-controller-manager" ] && [ -x "$1/etcd" ]; }

# 1. Binaries the machine already has.
if [ -n "${KUBEBUILDER_ASSETS:-}" ] && have_all "$KUBEBUILDER_ASSETS"; then
  echo "KUBE_BIN_DIR=$KUBEBUILDER_ASSETS"; exit 0
fi
if command -v kube-apiserver >/dev/null && command -v kube-controller-manager >/dev/null && command -v etcd >/dev/null; then
  dir=$(dirname "$(command -v kube-apiserver)")
  if have_all "$dir"; then echo "KUBE_BIN_DIR=$dir"; exit 0; fi
fi

# 2. The cache (a build already happened on this machine).
if have_all "$BIN_DIR"; then echo "KUBE_BIN_DIR=$BIN_DIR"; exit 0; fi

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
log "waiting for the build lock (another build may be running)"
flock 9
if have_all "$BIN_DIR"; then echo "KUBE_BIN_DIR=$BIN_DIR"; exit 0; fi

# 3. Build from Debian's source package.
step="installing Debian packages"
log "$step"
export DEBIAN_FRONTEND=noninteractive
if ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # deb822, with the same Signed-By as the machine's own entries (apt refuses conflicting values).
  cat > /etc/apt/sources.list.d/kubemacpool-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
apt-get update -qq >>"$LOG" 2>&1
apt-get install -y -qq --no-install-recommends golang-1.19-go make rsync etcd-server openssl dpkg-dev \
  golang-github-modern-go-reflect2-dev golang-github-json-iterator-go-dev >>"$LOG" 2>&1
systemctl disable --now etcd >/dev/null 2>&1 || true   # the package's own etcd service is not ours
pkill -x etcd 2>/dev/null || true

step="fetching the kubernetes source package"
log "$step ($DEB_SOURCE_VERSION)"
work=$CACHE_DIR/src
rm -rf "$work" && mkdir -p "$work"
(cd "$work" && apt-get source --download-only "kubernetes=$DEB_SOURCE_VERSION" >>"$LOG" 2>&1)
orig=$(ls "$work"/kubernetes_*.orig.tar.* | head -1)
step="unpacking $orig"
tar -xf "$orig" -C "$work"
tree=$(find "$work" -maxdepth 1 -mindepth 1 -type d | head -1)

# Go >= 1.18 breaks the vendored reflect2 (the apiserver crashes on the first custom-resource write);
# Debian's newer reflect2 and json-iterator fix it.
step="swapping reflect2 and json-iterator into vendor/"
gocode=/usr/share/gocode/src/github.com
rm -rf "$tree/vendor/github.com/modern-go/reflect2" "$tree/vendor/github.com/json-iterator/go"
cp -r "$gocode/modern-go/reflect2" "$tree/vendor/github.com/modern-go/reflect2"
cp -r "$gocode/json-iterator/go" "$tree/vendor/github.com/json-iterator/go"

step="building kube-apiserver and kube-controller-manager (several minutes, once per machine)"
log "$step"
start=$(date +%s)
(cd "$tree" && PATH=/usr/lib/go-1.19/bin:$PATH CGO_ENABLED=0 GOFLAGS=-mod=vendor \
  nice make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" KUBE_GIT_VERSION=$KUBE_VERSION >>"$LOG" 2>&1)
log "built in $(( $(date +%s) - start )) s"

step="caching the binaries"
mkdir -p "$BIN_DIR"
cp "$tree/_output/bin/kube-apiserver" "$tree/_output/bin/kube-controller-manager" "$BIN_DIR/"
ln -sf "$(command -v etcd || echo /usr/bin/etcd)" "$BIN_DIR/etcd"
rm -rf "$work" "$HOME/.cache/go-build"
have_all "$BIN_DIR"
echo "KUBE_BIN_DIR=$BIN_DIR"
