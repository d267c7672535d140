#!/usr/bin/env bash
# Builds and (re)starts kubemacpool against the development cluster.
#  local:    the manager runs as a process on 127.0.0.1; the webhook configuration from config/test calls it by URL
#            (there is no kubelet to run its pod). The manager makes its own CA and serving certificate (Secrets
#            kubemacpool-mutator-ca and kubemacpool-service, with an IP SAN for 127.0.0.1) and injects caBundle.
#  external: the image is built and pushed to $DEV_REGISTRY/$REPO and config/test is applied.
set -euo pipefail
# shellcheck source=cluster/common.sh
source "$(dirname "$0")/common.sh"
step=start
trap 'echo "cluster/sync.sh: failed during: $step" >&2' ERR
KUBECTL=(kubectl --kubeconfig "$(cluster_kubeconfig)")
NAMESPACE=kubemacpool-system

render() { kubectl kustomize --load-restrictor=LoadRestrictionsNone "$REPO_ROOT/config/test"; }

if [ "$KUBEVIRT_PROVIDER" = external ]; then
  : "${DEV_REGISTRY:?KUBEVIRT_PROVIDER=external needs DEV_REGISTRY (and a container engine)}"
  image="$DEV_REGISTRY/${REPO:-kubevirt}/kubemacpool:devel"
  step="building and pushing $image"
  oci=$(command -v podman || command -v docker) || { echo "cluster/sync.sh: no podman or docker to build the image" >&2; exit 1; }
  "$oci" build -t "$image" "$REPO_ROOT" && "$oci" push "$image"
  step="applying config/test"
  render | sed "s#registry:5000/kubevirt/kubemacpool:devel#$image#" | "${KUBECTL[@]}" apply -f -
  "${KUBECTL[@]}" -n "$NAMESPACE" rollout status deployment/kubemacpool-mac-controller-manager --timeout=5m
  exit 0
fi

step="starting the local cluster"
"$REPO_ROOT/cluster/up.sh" >/dev/null

step="building the manager"
dotnet build "$REPO_ROOT/src/KubeMacPool.Manager" -c Release -v quiet -nologo >/dev/null
binary=$REPO_ROOT/_output/artifacts/bin/KubeMacPool.Manager/release/kubemacpool.dll

step="stopping a previous manager"
if pid_alive kubemacpool; then kill "$(cat "$PID_DIR/kubemacpool.pid")"; sleep 1; fi

step="applying config/test (namespace, RBAC, range ConfigMap, webhook configuration)"
port=${KMP_WEBHOOK_PORT:-$(free_port)}
metrics_port=${KMP_METRICS_PORT:-$(free_port)}
render | "${KUBECTL[@]}" apply -f - >/dev/null
# No kubelet here: the Deployment and Service are not what serves; the process below is.
"${KUBECTL[@]}" -n "$NAMESPACE" delete deployment kubemacpool-mac-controller-manager --ignore-not-found >/dev/null
# URLs instead of the Service; caBundle is the manager's to inject (it starts over with a new CA, keeping the old).
"${KUBECTL[@]}" patch mutatingwebhookconfiguration kubemacpool-mutator --type=json -p "[
  {\"op\":\"replace\",\"path\":\"/webhooks/0/clientConfig\",\"value\":{\"url\":\"https://127.0.0.1:$port/mutate-pods\"}},
  {\"op\":\"replace\",\"path\":\"/webhooks/1/clientConfig\",\"value\":{\"url\":\"https://127.0.0.1:$port/mutate-virtualmachines\"}},
  {\"op\":\"replace\",\"path\":\"/webhooks/2/clientConfig\",\"value\":{\"url\":\"https://127.0.0.1:$port/mutate-launcher-pods\"}}]" >/dev/null
"${KUBECTL[@]}" patch validatingwebhookconfiguration kubemacpool-validator --type=json -p "[
  {\"op\":\"replace\",\"path\":\"/webhooks/0/clientConfig\",\"value\":{\"url\":\"https://127.0.0.1:$port/validate-ippools\"}},
  {\"op\":\"replace\",\"path\":\"/webhooks/1/clientConfig\",\"value\":{\"url\":\"https://127.0.0.1:$port/validate-virtualmachine-pinned-ips\"}}]" >/dev/null

step="starting the manager"
range_start=$("${KUBECTL[@]}" -n "$NAMESPACE" get configmap kubemacpool-mac-range-config -o jsonpath='{.data.RANGE_START}')
range_end=$("${KUBECTL[@]}" -n "$NAMESPACE" get configmap kubemacpool-mac-range-config -o jsonpath='{.data.RANGE_END}')
KUBECONFIG=$(cluster_kubeconfig) POD_NAMESPACE=$NAMESPACE RANGE_START=$range_start RANGE_END=$range_end \
  setsid nohup dotnet "$binary" --v=debug --wait-time="${KMP_WAIT_TIME:-300}" --webhook-address=127.0.0.1 \
  --webhook-port="$port" --metrics-addr="127.0.0.1:$metrics_port" >"$LOG_DIR/kubemacpool.log" 2>&1 < /dev/null &
echo $! > "$PID_DIR/kubemacpool.pid"

# /readyz includes the certificate manager: ready means the served certificate's CA is in caBundle.
step="waiting for /readyz (log: $LOG_DIR/kubemacpool.log)"
for _ in $(seq 1 120); do
  curl -skf "https://127.0.0.1:$port/readyz" >/dev/null && break
  pid_alive kubemacpool || { tail -20 "$LOG_DIR/kubemacpool.log" >&2; exit 1; }
  sleep 0.5
done
curl -skf "https://127.0.0.1:$port/readyz" >/dev/null
echo "KMP_WEBHOOK_URL=https://127.0.0.1:$port" >> "$ENDPOINT_ENV"
echo "KMP_METRICS_URL=https://127.0.0.1:$metrics_port/metrics" >> "$ENDPOINT_ENV"
cat <<MSG
kubemacpool is running (pid $(cat "$PID_DIR/kubemacpool.pid")), webhooks at https://127.0.0.1:$port,
metrics at https://127.0.0.1:$metrics_port/metrics (bearer token with get on /metrics), log $LOG_DIR/kubemacpool.log
Try it:
  . cluster/kubectl.sh
  kubectl create namespace demo
  kubectl -n demo create -f config/sample/vm.yaml      # gets a MAC in its interfaces
  kubectl -n kubemacpool-system edit configmap kubemacpool-mac-range-config   # change the range live
  kubectl create clusterrole metrics-demo --non-resource-url=/metrics --verb=get
  kubectl create clusterrolebinding metrics-demo --clusterrole=metrics-demo --serviceaccount=default:default
  curl -sk -H "Authorization: Bearer \$(kubectl create token default)" https://127.0.0.1:$metrics_port/metrics
MSG
