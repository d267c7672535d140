#!/usr/bin/env bash
# kubectl against the development cluster. Sourced (". cluster/kubectl.sh"), it exports KUBECONFIG instead.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
KUBECONFIG=$(cluster_kubeconfig)
export KUBECONFIG
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  exec kubectl "$@"
fi
echo "KUBECONFIG=$KUBECONFIG"
