#!/usr/bin/env bash
# kubectl against the development cluster:  cluster/kubectl.sh get ns
# Sourced instead (". cluster/kubectl.sh", bash), it exports KUBECONFIG into the calling shell.
# KUBEVIRT_PROVIDER=local (default): _output/cluster/kubeconfig; external: $KUBECONFIG as it is.
# shellcheck source=cluster/common.sh
if ! source "$(dirname "${BASH_SOURCE[0]}")/common.sh"; then
  if [ "${BASH_SOURCE[0]}" = "$0" ]; then exit 1; else return 1; fi
fi
KUBECONFIG=$(cluster_kubeconfig)
export KUBECONFIG
if [ "$KUBEVIRT_PROVIDER" = local ] && [ ! -f "$KUBECONFIG" ]; then
  echo "cluster/kubectl.sh: $KUBECONFIG does not exist: start the cluster with cluster/up.sh (make cluster-up)" >&2
fi
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  exec kubectl "$@"
fi
echo "KUBECONFIG=$KUBECONFIG"
