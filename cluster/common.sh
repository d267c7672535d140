# Shared settings of the cluster scripts. Sourced, not run.
# KUBEVIRT_PROVIDER=local (default): etcd + kube-apiserver + kube-controller-manager as local processes on
# 127.0.0.1, state under _output/cluster. KUBEVIRT_PROVIDER=external: the cluster in $KUBECONFIG.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KUBEVIRT_PROVIDER=${KUBEVIRT_PROVIDER:-local}
CLUSTER_DIR=$REPO_ROOT/_output/cluster
PKI_DIR=$CLUSTER_DIR/pki
PID_DIR=$CLUSTER_DIR/pids
LOG_DIR=$CLUSTER_DIR/logs
ENDPOINT_ENV=$CLUSTER_DIR/endpoint.env
LOCAL_KUBECONFIG=$CLUSTER_DIR/kubeconfig

cluster_kubeconfig() {
  if [ "$KUBEVIRT_PROVIDER" = local ]; then echo "$LOCAL_KUBECONFIG"; else echo "${KUBECONFIG:?KUBEVIRT_PROVIDER=external needs KUBECONFIG}"; fi
}

# A TCP port nothing listens on now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

pid_alive() { [ -f "$PID_DIR/$1.pid" ] && kill -0 "$(cat "$PID_DIR/$1.pid")" 2>/dev/null; }
