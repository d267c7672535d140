#!/usr/bin/env bash
# Stops the processes cluster/up.sh started (by PID, nothing else) and removes the cluster state.
set -euo pipefail
source "$(dirname "$0")/common.sh"
if [ "$KUBEVIRT_PROVIDER" = external ]; then
  echo "cluster/down.sh: external cluster: nothing to stop"; exit 0
fi

stop() {
  local name=$1 pid
  [ -f "$PID_DIR/$name.pid" ] || return 0
  pid=$(cat "$PID_DIR/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_DIR/$name.pid"
}
# The API clients first, then the store.
stop kubemacpool
stop kube-controller-manager
stop kube-apiserver
stop etcd
rm -rf "$CLUSTER_DIR"
echo "cluster/down.sh: local cluster stopped"
