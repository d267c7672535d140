#!/usr/bin/env bash
# Stops the local cluster: the processes cluster/up.sh (and cluster/sync.sh) started, found by their pid files only
# (kubemacpool, kube-controller-manager and kube-apiserver first, etcd last; SIGTERM, SIGKILL after 10 s), then
# removes _output/cluster. KUBEVIRT_PROVIDER=external: nothing to do.
set -euo pipefail
# shellcheck source=cluster/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ "$KUBEVIRT_PROVIDER" = external ]; then
  echo "cluster/down.sh: KUBEVIRT_PROVIDER=external: nothing to stop"
  exit 0
fi

cluster_lock
if [ ! -d "$CLUSTER_DIR" ]; then
  echo "cluster/down.sh: no local cluster ($CLUSTER_DIR does not exist)"
  exit 0
fi
stop_local_cluster
leftovers=$(leftover_processes)
if [ -n "$leftovers" ]; then
  echo "cluster/down.sh: warning: processes without a pid file still name $CLUSTER_DIR (not touched):" >&2
  printf '    %s\n' "${leftovers//$'\n'/$'\n'    }" >&2
fi
echo "cluster/down.sh: local cluster stopped and $CLUSTER_DIR removed"
