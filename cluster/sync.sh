#!/usr/bin/env bash
# Builds and (re)starts kubemacpool against the development cluster.
#  local:    the manager runs as a process on 127.0.0.1; the webhook configuration from config/test calls it by URL
#            (there is no kubelet to run its pod). The manager makes its own CA and serving certificate (Secrets
#            kubemacpool-mutator-ca and kubemacpool-service, with an IP SAN for 127.0.0.1) and injects caBundle.
#            Idempotent, and a failed run changes nothing that serves: build first, run the new manager from its own
#            copy of the build on new ports next to the old one, and move the webhooks' url over only once it is ready.
#            --no-build (or KMP_MANAGER_DLL=path/kubemacpool.dll) skips the build; KMP_MANAGER_ARGS adds manager flags;
#            KMP_WEBHOOK_PORT / KMP_METRICS_PORT fix the ports (the old manager is then stopped before the new starts).
#  external: the image is built and pushed to $DEV_REGISTRY/$REPO and config/test is applied.
set -euo pipefail
# shellcheck source=cluster/common.sh
source "$(dirname "$0")/common.sh"
step=start
trap 'echo "cluster/sync.sh: failed during: $step" >&2' ERR
sync_arguments cluster/sync.sh "$@"
REPLICAS=${REPLICAS:-1}
[[ "$REPLICAS" =~ ^[1-9][0-9]?$ ]] || { echo "cluster/sync.sh: REPLICAS=$REPLICAS is not a number of replicas (1-99)" >&2; exit 2; }
if [ "$REPLICAS" -gt 1 ] && [ "$KUBEVIRT_PROVIDER" = local ]; then
  exec "$REPO_ROOT/cluster/sync-replicas.sh" "$@"
fi
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

# One sync at a time per checkout (fd 9; the manager is started with 9>&-).
mkdir -p "$REPO_ROOT/_output"
exec 9>"$REPO_ROOT/_output/.sync.lock"
flock -w 300 9 || { echo "cluster/sync.sh: another cluster/sync.sh holds $REPO_ROOT/_output/.sync.lock" >&2; exit 1; }

step="starting the local cluster"
"$REPO_ROOT/cluster/up.sh" >/dev/null

stage_manager_build cluster/sync.sh

# Until the new manager serves, a failure or an interrupt stops it and leaves the previous one as it was.
new_pid=
old_pid=
old_url=
committed=no
next_log=$LOG_DIR/kubemacpool.next.log
on_exit() {
  if [ "$committed" = no ]; then
    [ -z "$new_pid" ] || stop_pid kubemacpool "$new_pid" || true
    [ ! -f "$next_log" ] || mv -f "$next_log" "$LOG_DIR/kubemacpool.failed.log"
    rm -rf "$stage"
    if [ -n "$old_url" ] && process_is "$old_pid" kubemacpool; then
      echo "cluster/sync.sh: the previous manager (pid $old_pid) still serves; the webhooks still call $old_url" >&2
    fi
  fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM HUP

# The manager now serving, if any: it keeps serving until the new one is ready.
old_listen_url=
old_metrics_port=
if pid_alive kubemacpool; then
  old_pid=$(pid_of kubemacpool)
  old_listen_url=$(sed -n 's/^KMP_WEBHOOK_URL=//p' "$ENDPOINT_ENV" | tail -1)
  old_url=$old_listen_url
  old_metrics_port=$(sed -n 's#^KMP_METRICS_URL=https://127.0.0.1:\([0-9]*\)/metrics$#\1#p' "$ENDPOINT_ENV" | tail -1)
  if [ -z "$old_url" ] || ! curl -skf --max-time 5 "$old_url/readyz" >/dev/null; then
    echo "cluster/sync.sh: the running manager (pid $old_pid) is not ready; it is replaced without overlap" >&2
    old_url=
  fi
fi
read -r port metrics_port <<<"$(free_ports 2)"
port=${KMP_WEBHOOK_PORT:-$port}
metrics_port=${KMP_METRICS_PORT:-$metrics_port}
overlap=yes
if [ -n "$old_pid" ] && { [ "$old_listen_url" = "https://127.0.0.1:$port" ] || [ "$old_metrics_port" = "$metrics_port" ]; }; then
  echo "cluster/sync.sh: KMP_WEBHOOK_PORT/KMP_METRICS_PORT are the running manager's: it is stopped before the new one starts" >&2
  overlap=no
  old_url=
fi
new_url=https://127.0.0.1:$port


step="rendering config/test"
manifests=$(render | without_disruption_budgets | "${KUBECTL[@]}" create --dry-run=client -o json -f - | with_url_client_config "${old_url:-$new_url}")

step="applying config/test (namespace, RBAC, range ConfigMap, webhook configuration)"
"${KUBECTL[@]}" apply -f - >/dev/null <<<"$manifests"
# No kubelet here: the Deployment and Service are not what serves; the process below is.
"${KUBECTL[@]}" -n "$NAMESPACE" delete deployment kubemacpool-mac-controller-manager --ignore-not-found >/dev/null

if [ "$overlap" = no ]; then
  step="stopping the previous manager (fixed ports)"
  stop_pid kubemacpool "$old_pid"
  old_pid=
fi

step="starting the manager"
range_start=$("${KUBECTL[@]}" -n "$NAMESPACE" get configmap kubemacpool-mac-range-config -o jsonpath='{.data.RANGE_START}')
range_end=$("${KUBECTL[@]}" -n "$NAMESPACE" get configmap kubemacpool-mac-range-config -o jsonpath='{.data.RANGE_END}')
# shellcheck disable=SC2086 # KMP_MANAGER_ARGS is a list of flags
KUBECONFIG=$(cluster_kubeconfig) POD_NAMESPACE=$NAMESPACE RANGE_START=$range_start RANGE_END=$range_end \
  setsid nohup dotnet "$stage/kubemacpool.dll" --v=debug --wait-time="${KMP_WAIT_TIME:-300}" --webhook-address=127.0.0.1 \
  --webhook-port="$port" --metrics-addr="127.0.0.1:$metrics_port" ${KMP_MANAGER_ARGS:-} >"$next_log" 2>&1 </dev/null 9>&- &
new_pid=$!
disown "$new_pid" # its crash is reported below with its log, not as a bash job notice

# /readyz includes the certificate manager: ready means the served certificate's CA is in caBundle.
step="waiting for /readyz (log: $next_log)"
ready=no
for _ in $(seq 1 120); do
  if curl -skf --max-time 5 "$new_url/readyz" >/dev/null; then ready=yes; break; fi
  # Alive is enough for our own child: right after the fork it may still be setsid or nohup, not yet exec'd into
  # dotnet, and process_is would call it gone (the sync then failed now and then with an empty log).
  kill -0 "$new_pid" 2>/dev/null || break
  sleep 0.5
done
if [ "$ready" = no ]; then
  echo "cluster/sync.sh: the new manager did not become ready; its log ($LOG_DIR/kubemacpool.failed.log) ends with:" >&2
  tail -20 "$next_log" >&2
  exit 1
fi

# Only the url changes (caBundle stays).
step="pointing the webhooks at $new_url"
for kind in mutatingwebhookconfiguration/kubemacpool-mutator validatingwebhookconfiguration/kubemacpool-validator; do
  "${KUBECTL[@]}" patch "$kind" --type=json -p "$("${KUBECTL[@]}" get "$kind" -o json | url_patch "$new_url")" >/dev/null
done

# The switch is done: from here on the new manager is the one (pid file, log, endpoint.env), the old one goes.
committed=yes
echo "$new_pid" >"$PID_DIR/kubemacpool.pid"
[ ! -f "$LOG_DIR/kubemacpool.log" ] || mv -f "$LOG_DIR/kubemacpool.log" "$LOG_DIR/kubemacpool.previous.log"
mv -f "$next_log" "$LOG_DIR/kubemacpool.log"
endpoint_env_drop KMP_WEBHOOK_URL KMP_METRICS_URL
echo "KMP_WEBHOOK_URL=$new_url" >>"$ENDPOINT_ENV"
echo "KMP_METRICS_URL=https://127.0.0.1:$metrics_port/metrics" >>"$ENDPOINT_ENV"
if [ -n "$old_pid" ]; then
  step="stopping the previous manager (pid $old_pid)"
  stop_pid kubemacpool "$old_pid" || echo "cluster/sync.sh: warning: the previous manager (pid $old_pid) did not stop" >&2
fi
stop_replica_bed # a REPLICAS>1 bed of an earlier run, if any (the webhooks no longer call it)
# Copies of earlier builds (the previous manager's among them) are no longer run.
find "$CLUSTER_DIR/manager" -mindepth 1 -maxdepth 1 ! -path "$stage" -exec rm -rf {} +
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
