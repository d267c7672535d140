#!/usr/bin/env bash
# Makes a Prometheus server available for the alert tests and prints one line on stdout:
#   PROMETHEUS=<path of the prometheus binary>
# Order of preference: $KMP_PROMETHEUS, `prometheus` on PATH, the per-user cache, then Debian bookworm's own
# `prometheus` package, downloaded with apt and unpacked into the cache (no install, so no service is started and
# nothing outside the cache changes). Concurrent callers are serialised with flock.
set -euo pipefail

VERSION=2.42.0+ds-5+deb12u1
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/kubemacpool/prometheus-${VERSION%%+*}
BINARY=$CACHE_DIR/usr/bin/prometheus

if [ -n "${KMP_PROMETHEUS:-}" ] && [ -x "$KMP_PROMETHEUS" ]; then echo "PROMETHEUS=$KMP_PROMETHEUS"; exit 0; fi
if command -v prometheus >/dev/null; then echo "PROMETHEUS=$(command -v prometheus)"; exit 0; fi

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR.lock"
flock 9
if [ ! -x "$BINARY" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "prometheus: downloading Debian's prometheus $VERSION into $CACHE_DIR" >&2
  # _apt cannot write into a root-only mktemp directory; the download then runs as root, which is what we want.
  chmod 755 "$work"
  (cd "$work" && { apt-get download "prometheus=$VERSION" >&2 || { apt-get update >&2 && apt-get download "prometheus=$VERSION" >&2; }; })
  dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
  cp -a "$work/root/usr" "$CACHE_DIR/"
fi
"$BINARY" --version >/dev/null 2>&1 || { echo "prometheus: $BINARY does not run" >&2; exit 1; }
echo "PROMETHEUS=$BINARY"
