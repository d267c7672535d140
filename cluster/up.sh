#!/usr/bin/env bash
# Starts the development cluster.
#   KUBEVIRT_PROVIDER=local (default): etcd, kube-apiserver and kube-controller-manager as processes on 127.0.0.1
#     (free ports, generated PKI, state in _output/cluster), then the CRDs of hack/crds. Writes
#     _output/cluster/kubeconfig and _output/cluster/endpoint.env (KUBECONFIG=, APISERVER_URL=, ETCD_URL=).
#     Idempotent: a running, healthy cluster is kept (only the CRDs are re-applied). The processes outlive this shell;
#     cluster/down.sh stops them.
#   KUBEVIRT_PROVIDER=external: only checks that the cluster in $KUBECONFIG answers.
set -euo pipefail
# shellcheck source=cluster/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

READY_TIMEOUT=${KMP_READY_TIMEOUT:-60}
step="starting"
on_exit() {
  local rc=$?
  [ "$rc" -eq 0 ] && return
  if [ "$KUBEVIRT_PROVIDER" = local ]; then
    echo "cluster/up.sh: FAILED (exit $rc) while $step (logs: $LOG_DIR)" >&2
  else
    echo "cluster/up.sh: FAILED (exit $rc) while $step" >&2
  fi
  if [ "$KUBEVIRT_PROVIDER" = local ] && [ -d "$PID_DIR" ]; then
    echo "cluster/up.sh: what did start keeps running for a look; cluster/down.sh stops it (up.sh also does)" >&2
  fi
}
trap on_exit EXIT
say() { echo "cluster/up.sh: $*" >&2; }
progress() { step=$1; say "$1"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); } # milliseconds -> seconds, one decimal

crd_files() { find "$CRD_DIR" -maxdepth 1 -name '*.yaml' | sort; }
crd_names() { crd_files | xargs sed -n 's/^  name: \(.*\..*\)$/\1/p'; }

# --- external ---------------------------------------------------------------------------------------------------------
if [ "$KUBEVIRT_PROVIDER" = external ]; then
  step="checking the external cluster"
  kubeconfig=$(cluster_kubeconfig)
  # KUBECONFIG may be a colon-separated list (kubectl merges it); a single path must exist.
  if [[ "$kubeconfig" != *:* ]] && [ ! -f "$kubeconfig" ]; then say "KUBECONFIG=$kubeconfig does not exist"; exit 1; fi
  if ! version=$(KUBECONFIG=$kubeconfig kubectl --request-timeout=15s get --raw /version 2>&1); then
    say "the cluster in $kubeconfig does not answer: $version"
    exit 1
  fi
  say "external cluster in $kubeconfig answers ($(echo "$version" | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p')); nothing installed"
  mapfile -t wanted < <(crd_names)
  missing=()
  for crd in "${wanted[@]}"; do
    KUBECONFIG=$kubeconfig kubectl --request-timeout=15s get crd "$crd" >/dev/null 2>&1 || missing+=("$crd")
  done
  [ "${#missing[@]}" -eq 0 ] || say "note: CRDs not installed there: ${missing[*]} (kubectl apply -f hack/crds/ to add them)"
  exit 0
fi

# --- local ------------------------------------------------------------------------------------------------------------
kc() { kubectl --kubeconfig "$LOCAL_KUBECONFIG" "$@"; }

install_crds() {
  progress "installing the CRDs from hack/crds"
  kc apply -f "$CRD_DIR/" >/dev/null
  kc wait --for=condition=Established --timeout="${READY_TIMEOUT}s" -f "$CRD_DIR/" >/dev/null
}

all_running() {
  local name
  for name in "${CONTROL_PLANE[@]}"; do pid_alive "$name" || return 1; done
}

step="waiting for the cluster lock"
cluster_lock

if all_running && [ -f "$ENDPOINT_ENV" ] && [ -f "$LOCAL_KUBECONFIG" ]; then
  step="checking the running cluster"
  deadline=$((SECONDS + 20))
  until apiserver_get /readyz >/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ] || ! all_running; then break; fi
    sleep 0.5
  done
  if apiserver_get /readyz >/dev/null; then
    install_crds
    say "the local cluster is already running and healthy"
    for name in "${CONTROL_PLANE[@]}"; do
      # Linux marks the executable of a process "(deleted)" once its file was replaced (e.g. a rebuilt cache).
      if [[ "$(readlink "/proc/$(pid_of "$name")/exe" 2>/dev/null)" == *" (deleted)" ]]; then
        say "note: $name runs a binary that has since been replaced; cluster/down.sh && cluster/up.sh to use the new one"
      fi
    done
    cat "$ENDPOINT_ENV"
    exit 0
  fi
  say "the local cluster runs but is not ready after 20 s: restarting it"
fi
if [ -d "$CLUSTER_DIR" ]; then
  progress "removing a stale cluster"
  stop_local_cluster
fi

started=$(now_ms)
progress "providing the control-plane binaries"
bin_line=$("$REPO_ROOT/hack/control-plane/provide-binaries.sh" 8>&- | grep '^KUBE_BIN_DIR=')
BIN=${bin_line#KUBE_BIN_DIR=}
binaries_ready=$(now_ms)

step="checking the binaries in $BIN"
kube_version=$("$BIN/kube-apiserver" --version 2>&1 | sed -n 's/^Kubernetes \(v[0-9.]*\).*/\1/p')
kube_minor=$(echo "$kube_version" | cut -d. -f2)
[ -n "$kube_minor" ] || { say "cannot tell the version of $BIN/kube-apiserver"; exit 1; }
# Insecure HTTP ports exist (and default to 8080 / 10252) before v1.24: switch them off.
apiserver_legacy=() kcm_legacy=()
if [ "$kube_minor" -lt 24 ]; then apiserver_legacy=(--insecure-port=0) kcm_legacy=(--port=0); fi

mkdir -p "$PKI_DIR" "$PID_DIR" "$LOG_DIR" "$ETCD_DATA_DIR"
chmod 700 "$PKI_DIR" "$ETCD_DATA_DIR"

progress "generating the PKI in $PKI_DIR"
(
  cd "$PKI_DIR"
  umask 077
  cat >openssl.cnf <<'CNF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost, IP:10.0.0.1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
CNF
  quiet() { # runs openssl quietly, showing its messages when it fails
    local err
    err=$(mktemp openssl.XXXXXX)
    "$@" 2>"$err" || { cat "$err" >&2; rm -f "$err"; return 1; }
    rm -f "$err"
  }
  # The four RSA keys in parallel (the slow part).
  pids=()
  for key in ca apiserver admin sa; do
    quiet openssl genrsa -out "$key.key" 2048 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  quiet openssl req -x509 -new -key ca.key -days 3650 -subj "/CN=kubemacpool-local-ca" \
    -config openssl.cnf -extensions ca -out ca.crt
  issue() { # name subject extensions
    quiet openssl req -new -key "$1.key" -subj "$2" -config openssl.cnf -out "$1.csr"
    quiet openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 \
      -extfile openssl.cnf -extensions "$3" -out "$1.crt"
    rm -f "$1.csr"
  }
  issue apiserver "/CN=kube-apiserver" server
  issue admin "/O=system:masters/CN=kubemacpool-admin" client
  quiet openssl rsa -in sa.key -pubout -out sa.pub
  chmod 644 ca.crt
)

step="picking free ports"
read -r etcd_port etcd_peer_port api_port < <(free_ports 3)
ETCD_URL=http://127.0.0.1:$etcd_port
APISERVER_URL=https://127.0.0.1:$api_port

# Starts $1 (argv from $2 on) in its own session, detached from this shell, logging to logs/$1.log.
start_daemon() {
  local name=$1
  shift
  # shellcheck disable=SC2046
  (
    # ETCD_* variables of the caller (e.g. from endpoint.env) would be read by etcd as flags.
    unset $(compgen -e | grep '^ETCD_' || true)
    # Inherit no descriptor but the log: not our lock (fd 8), not a pipe a caller waits on to see us finish.
    for fd in /proc/"$BASHPID"/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ] && [ -e "/proc/$BASHPID/fd/$fd" ]; then eval "exec $fd>&-"; fi
    done
    exec setsid nohup "$@" >"$LOG_DIR/$name.log" 2>&1 </dev/null
  ) &
  local pid=$! _
  echo "$pid" >"$PID_DIR/$name.pid"
  # Until the subshell has become the daemon (exec), so that liveness checks see the right command line.
  for _ in $(seq 1 50); do
    if process_is "$pid" "$name" || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
}

# Waits up to $2 s for "$3..." to succeed while process $1 lives.
wait_for() {
  local name=$1 timeout=$2 deadline
  shift 2
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! pid_alive "$name"; then
      say "$name exited; last lines of $LOG_DIR/$name.log:"
      tail -n 20 "$LOG_DIR/$name.log" | sed 's/^/    /' >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "gave up after $timeout s: $step. See $LOG_DIR/$name.log; last lines:"
      tail -n 20 "$LOG_DIR/$name.log" | sed 's/^/    /' >&2
      return 1
    fi
    sleep 0.25
  done
}

progress "starting etcd on $ETCD_URL"
start_daemon etcd "$BIN/etcd" --name local --data-dir "$ETCD_DATA_DIR" \
  --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster "local=http://127.0.0.1:$etcd_peer_port" --initial-cluster-state new --log-level warn
step="waiting for etcd $ETCD_URL/health"
wait_for etcd 30 curl -sf --max-time 2 "$ETCD_URL/health"

progress "starting kube-apiserver $kube_version on $APISERVER_URL"
start_daemon kube-apiserver "$BIN/kube-apiserver" --etcd-servers="$ETCD_URL" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" "${apiserver_legacy[@]}" \
  --cert-dir="$PKI_DIR" --tls-cert-file="$PKI_DIR/apiserver.crt" --tls-private-key-file="$PKI_DIR/apiserver.key" \
  --client-ca-file="$PKI_DIR/ca.crt" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI_DIR/sa.pub" --service-account-signing-key-file="$PKI_DIR/sa.key" \
  --service-cluster-ip-range=10.0.0.0/24 --authorization-mode=RBAC --endpoint-reconciler-type=none \
  --allow-privileged=true

step="writing $LOCAL_KUBECONFIG"
cat >"$LOCAL_KUBECONFIG" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: kubemacpool-local
  cluster:
    server: $APISERVER_URL
    certificate-authority: $PKI_DIR/ca.crt
users:
- name: kubemacpool-admin
  user:
    client-certificate: $PKI_DIR/admin.crt
    client-key: $PKI_DIR/admin.key
contexts:
- name: kubemacpool-local
  context:
    cluster: kubemacpool-local
    user: kubemacpool-admin
current-context: kubemacpool-local
KUBECONFIG
chmod 600 "$LOCAL_KUBECONFIG"

progress "waiting for kube-apiserver $APISERVER_URL/readyz"
wait_for kube-apiserver "$READY_TIMEOUT" apiserver_get /readyz
apiserver_ready=$(now_ms)

progress "starting kube-controller-manager"
start_daemon kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig="$LOCAL_KUBECONFIG" \
  --controllers=garbagecollector,namespace,serviceaccount,serviceaccount-token \
  --service-account-private-key-file="$PKI_DIR/sa.key" --root-ca-file="$PKI_DIR/ca.crt" \
  --leader-elect=false --bind-address=127.0.0.1 --secure-port=0 "${kcm_legacy[@]}"

install_crds

progress "waiting for ServiceAccount default/default (created by kube-controller-manager; Pods need it)"
wait_for kube-controller-manager "$READY_TIMEOUT" kc -n default get serviceaccount default

step="writing $ENDPOINT_ENV"
printf 'KUBECONFIG=%s\nAPISERVER_URL=%s\nETCD_URL=%s\n' "$LOCAL_KUBECONFIG" "$APISERVER_URL" "$ETCD_URL" >"$ENDPOINT_ENV.tmp"
mv "$ENDPOINT_ENV.tmp" "$ENDPOINT_ENV"

step="done"
done_ms=$(now_ms)
say "local control plane $kube_version ready in $(secs $((done_ms - started))) s" \
  "(binaries $(secs $((binaries_ready - started))) s, until /readyz $(secs $((apiserver_ready - binaries_ready))) s," \
  "controller-manager + CRDs $(secs $((done_ms - apiserver_ready))) s); logs in $LOG_DIR"
cat "$ENDPOINT_ENV"
