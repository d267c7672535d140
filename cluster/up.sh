#!/usr/bin/env bash
# Starts a local control plane (etcd, kube-apiserver, kube-controller-manager on 127.0.0.1, free ports) and
# installs the CRDs the product needs. Idempotent: a running, healthy cluster is left as it is.
set -euo pipefail
source "$(dirname "$0")/common.sh"
step=start
trap 'echo "cluster/up.sh: failed during: $step (logs: $LOG_DIR)" >&2' ERR
progress() { step=$1; echo "cluster/up.sh: $1" >&2; }

if [ "$KUBEVIRT_PROVIDER" = external ]; then
  kubeconfig=$(cluster_kubeconfig)
  kubectl --kubeconfig "$kubeconfig" version >/dev/null || { echo "cluster/up.sh: the cluster in $kubeconfig is not reachable" >&2; exit 1; }
  echo "cluster/up.sh: using the external cluster in $kubeconfig (nothing installed)"
  exit 0
fi

if pid_alive etcd && pid_alive kube-apiserver && pid_alive kube-controller-manager \
  && kubectl --kubeconfig "$LOCAL_KUBECONFIG" get --raw /readyz >/dev/null 2>&1; then
  echo "cluster/up.sh: the local cluster is already running"
  cat "$ENDPOINT_ENV"
  exit 0
fi
"$(dirname "$0")/down.sh" >/dev/null 2>&1 || true

progress "providing the control-plane binaries"
bin_line=$("$REPO_ROOT/hack/control-plane/provide-binaries.sh" | grep '^KUBE_BIN_DIR=')
BIN=${bin_line#KUBE_BIN_DIR=}
started=$(date +%s.%N)
mkdir -p "$PKI_DIR" "$PID_DIR" "$LOG_DIR" "$CLUSTER_DIR/etcd"

progress "generating the PKI"
(
  cd "$PKI_DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=kubemacpool-local-ca" -keyout ca.key -out ca.crt 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout apiserver.key -out apiserver.csr 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.0.0.1\nextendedKeyUsage=serverAuth\n' > apiserver.ext
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -extfile apiserver.ext -out apiserver.crt 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=kubernetes-admin" -keyout admin.key -out admin.csr 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' > admin.ext
  openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -extfile admin.ext -out admin.crt 2>/dev/null
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
)

etcd_port=$(free_port); etcd_peer_port=$(free_port); api_port=$(free_port)
ETCD_URL=http://127.0.0.1:$etcd_port
APISERVER_URL=https://127.0.0.1:$api_port

progress "starting etcd"
setsid nohup "$BIN/etcd" --name local --data-dir "$CLUSTER_DIR/etcd" \
  --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster "local=http://127.0.0.1:$etcd_peer_port" --log-level warn \
  >"$LOG_DIR/etcd.log" 2>&1 < /dev/null &
echo $! > "$PID_DIR/etcd.pid"

progress "starting kube-apiserver"
setsid nohup "$BIN/kube-apiserver" --etcd-servers="$ETCD_URL" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
  --tls-cert-file="$PKI_DIR/apiserver.crt" --tls-private-key-file="$PKI_DIR/apiserver.key" \
  --client-ca-file="$PKI_DIR/ca.crt" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI_DIR/sa.pub" --service-account-signing-key-file="$PKI_DIR/sa.key" \
  --service-cluster-ip-range=10.0.0.0/24 --authorization-mode=RBAC --endpoint-reconciler-type=none \
  --allow-privileged=true --cert-dir="$PKI_DIR" --insecure-port=0 \
  >"$LOG_DIR/kube-apiserver.log" 2>&1 < /dev/null &
echo $! > "$PID_DIR/kube-apiserver.pid"

cat > "$LOCAL_KUBECONFIG" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $APISERVER_URL
    certificate-authority: $PKI_DIR/ca.crt
users:
- name: admin
  user:
    client-certificate: $PKI_DIR/admin.crt
    client-key: $PKI_DIR/admin.key
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
KUBECONFIG

progress "waiting for kube-apiserver /readyz (log: $LOG_DIR/kube-apiserver.log)"
for _ in $(seq 1 120); do
  if kubectl --kubeconfig "$LOCAL_KUBECONFIG" get --raw /readyz >/dev/null 2>&1; then break; fi
  pid_alive kube-apiserver || { echo "kube-apiserver exited:" >&2; tail -20 "$LOG_DIR/kube-apiserver.log" >&2; exit 1; }
  sleep 0.5
done
kubectl --kubeconfig "$LOCAL_KUBECONFIG" get --raw /readyz >/dev/null

progress "starting kube-controller-manager"
setsid nohup "$BIN/kube-controller-manager" --kubeconfig="$LOCAL_KUBECONFIG" \
  --controllers=garbagecollector,namespace,serviceaccount,serviceaccount-token \
  --service-account-private-key-file="$PKI_DIR/sa.key" --root-ca-file="$PKI_DIR/ca.crt" \
  --leader-elect=false --bind-address=127.0.0.1 --secure-port=0 --port=0 \
  >"$LOG_DIR/kube-controller-manager.log" 2>&1 < /dev/null &
echo $! > "$PID_DIR/kube-controller-manager.pid"

progress "installing the CRDs"
kubectl --kubeconfig "$LOCAL_KUBECONFIG" apply -f "$REPO_ROOT/hack/crds/" >/dev/null
kubectl --kubeconfig "$LOCAL_KUBECONFIG" wait --for=condition=Established --timeout=60s -f "$REPO_ROOT/hack/crds/" >/dev/null

progress "waiting for the default ServiceAccount (pods need it)"
for _ in $(seq 1 120); do
  kubectl --kubeconfig "$LOCAL_KUBECONFIG" -n default get serviceaccount default >/dev/null 2>&1 && break
  sleep 0.5
done
kubectl --kubeconfig "$LOCAL_KUBECONFIG" -n default get serviceaccount default >/dev/null

printf 'KUBECONFIG=%s\nAPISERVER_URL=%s\nETCD_URL=%s\n' "$LOCAL_KUBECONFIG" "$APISERVER_URL" "$ETCD_URL" > "$ENDPOINT_ENV"
echo "cluster/up.sh: local cluster ready in $(python3 -c "print(round($(date +%s.%N) - $started, 1))") s"
cat "$ENDPOINT_ENV"
