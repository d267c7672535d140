#!/usr/bin/env bash
# kubectl against the development cluster:  cluster/kubectl.sh get ns
# Sourced instead (". cluster/kubectl.sh", bash), it exports KUBECONFIG into the calling shell and prints it.
# KUBEVIRT_PROVIDER=local (default): _output/cluster/kubeconfig; external: $KUBECONFIG as it is.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run: strict mode. Sourced: leave the caller's shell options alone.
  set -euo pipefail
  # shellcheck source=cluster/common.sh
  source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
  kubeconfig=$(cluster_kubeconfig)
  if [ "$KUBEVIRT_PROVIDER" = local ] && [ ! -f "$kubeconfig" ]; then
    echo "cluster/kubectl.sh: $kubeconfig does not exist: start the cluster with cluster/up.sh (make cluster-up)" >&2
    exit 1
  fi
  KUBECONFIG=$kubeconfig exec kubectl "$@"
fi

# shellcheck source=cluster/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" || return 1
_kmp_kubeconfig=$(cluster_kubeconfig) || return 1
export KUBECONFIG=$_kmp_kubeconfig
unset _kmp_kubeconfig
if [ "$KUBEVIRT_PROVIDER" = local ] && [ ! -f "$KUBECONFIG" ]; then
  echo "cluster/kubectl.sh: $KUBECONFIG does not exist yet: start the cluster with cluster/up.sh (make cluster-up)" >&2
fi
echo "KUBECONFIG=$KUBECONFIG"
