#!/usr/bin/env bash
# Removes what cluster-sync deployed, keeping the cluster: the manager process (local) or its namespace (external).
set -euo pipefail
# shellcheck source=cluster/common.sh
source "$(dirname "$0")/common.sh"
if [ "$KUBEVIRT_PROVIDER" = local ]; then
  if pid_alive kubemacpool; then stop_pid kubemacpool "$(pid_of kubemacpool)"; fi
  stop_replica_bed
  rm -rf "$PID_DIR/kubemacpool.pid" "$CLUSTER_DIR/manager"
  endpoint_env_drop KMP_WEBHOOK_URL KMP_METRICS_URL
  kubectl --kubeconfig "$LOCAL_KUBECONFIG" delete mutatingwebhookconfiguration kubemacpool-mutator --ignore-not-found 2>/dev/null || true
  kubectl --kubeconfig "$LOCAL_KUBECONFIG" delete validatingwebhookconfiguration kubemacpool-validator --ignore-not-found 2>/dev/null || true
else
  kubectl --kubeconfig "$(cluster_kubeconfig)" delete mutatingwebhookconfiguration kubemacpool-mutator --ignore-not-found
  kubectl --kubeconfig "$(cluster_kubeconfig)" delete namespace kubemacpool-system --ignore-not-found --wait
fi
echo "cluster/clean.sh: kubemacpool removed"
