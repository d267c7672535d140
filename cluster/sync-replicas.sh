#!/usr/bin/env bash
# `make cluster-sync REPLICAS=N` (N > 1, local provider): N manager processes behind HAProxy, which plays the Service
# and kube-proxy (TCP passthrough, health checks on /readyz). The webhooks call the balancer's fixed port. Idempotent
# like the one-replica sync: the new replicas start (as standbys; the running leader keeps leading) from their own copy
# of the build, the balancer is reloaded onto them once all are ready, then the old ones get SIGTERM (the leader hands
# the Lease over). Each replica gets POD_NAME=kubemacpool-replica-I; cluster/replica.sh restarts one the way its
# Deployment would (the functional tests use it after SIGKILL / SIGTERM).
set -euo pipefail
# shellcheck source=cluster/common.sh
source "$(dirname "$0")/common.sh"
step=start
trap 'echo "cluster/sync-replicas.sh: failed during: $step" >&2' ERR
sync_arguments cluster/sync-replicas.sh "$@"
REPLICAS=${REPLICAS:?REPLICAS}
KUBECTL=(kubectl --kubeconfig "$(cluster_kubeconfig)")
NAMESPACE=kubemacpool-system

mkdir -p "$REPO_ROOT/_output"
exec 9>"$REPO_ROOT/_output/.sync.lock"
flock -w 300 9 || { echo "cluster/sync-replicas.sh: another cluster/sync.sh holds the lock" >&2; exit 1; }

if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then
  step="installing haproxy (Debian)"
  [ "$(id -u)" = 0 ] || { echo "cluster/sync-replicas.sh: haproxy is missing and installing it needs root (apt-get install haproxy)" >&2; exit 1; }
  apt-get install -y --no-install-recommends haproxy >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends haproxy >/dev/null; }
fi
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)

step="starting the local cluster"
"$REPO_ROOT/cluster/up.sh" >/dev/null

stage_manager_build cluster/sync-replicas.sh

# What serves now: an earlier bed's replicas and/or a one-replica manager. They keep serving until the new ones are ready.
old_pids=$(replica_pids)
old_single=
if pid_alive kubemacpool; then old_single=$(pid_of kubemacpool); fi
lb_port=$(sed -n 's/^KMP_LB_PORT=//p' "$ENDPOINT_ENV" | tail -1)
[ -n "$lb_port" ] || lb_port=$(free_port)
lb_url=https://127.0.0.1:$lb_port
current_url=$(sed -n 's/^KMP_WEBHOOK_URL=//p' "$ENDPOINT_ENV" | tail -1)

step="applying config/test"
render() { kubectl kustomize --load-restrictor=LoadRestrictionsNone "$REPO_ROOT/config/test"; }
render | without_disruption_budgets | "${KUBECTL[@]}" create --dry-run=client -o json -f - | with_url_client_config "${current_url:-$lb_url}" | "${KUBECTL[@]}" apply -f - >/dev/null
"${KUBECTL[@]}" -n "$NAMESPACE" delete deployment kubemacpool-mac-controller-manager --ignore-not-found >/dev/null
range_start=$("${KUBECTL[@]}" -n "$NAMESPACE" get configmap kubemacpool-mac-range-config -o jsonpath='{.data.RANGE_START}')
range_end=$("${KUBECTL[@]}" -n "$NAMESPACE" get configmap kubemacpool-mac-range-config -o jsonpath='{.data.RANGE_END}')

step="starting $REPLICAS replicas"
new_pids=()
urls=()
servers=
for i in $(seq 0 $((REPLICAS - 1))); do
  read -r port metrics_port <<<"$(free_ports 2)"
  launcher=$CLUSTER_DIR/replica-$i.sh
  # The launcher is what a Deployment would do for this replica: start it again with the same name, ports and build.
  cat >"$launcher" <<LAUNCH
#!/usr/bin/env bash
[ ! -f "$LOG_DIR/kubemacpool-replica-$i.log" ] || mv -f "$LOG_DIR/kubemacpool-replica-$i.log" "$LOG_DIR/kubemacpool-replica-$i.previous.log"
KUBECONFIG=$(cluster_kubeconfig) POD_NAMESPACE=$NAMESPACE POD_NAME=kubemacpool-replica-$i RANGE_START=$range_start RANGE_END=$range_end \\
  setsid nohup dotnet "$stage/kubemacpool.dll" --v=debug --wait-time="${KMP_WAIT_TIME:-300}" --webhook-address=127.0.0.1 \\
  --webhook-port=$port --metrics-addr=127.0.0.1:$metrics_port --shutdown-drain=2s ${KMP_MANAGER_ARGS:-} \\
  >"$LOG_DIR/kubemacpool-replica-$i.log" 2>&1 </dev/null 9>&- 8>&- &
echo \$! >"$PID_DIR/kubemacpool-replica-$i.next.pid"
LAUNCH
  chmod +x "$launcher"
  # shellcheck disable=SC1090
  "$launcher"
  new_pids+=("$(cat "$PID_DIR/kubemacpool-replica-$i.next.pid")")
  urls+=("https://127.0.0.1:$port")
  servers+="    server replica-$i 127.0.0.1:$port check
"
  sed -i "s#kubemacpool-replica-$i.next.pid#kubemacpool-replica-$i.pid#" "$launcher"
done
step="waiting for the replicas' /readyz"
for i in "${!urls[@]}"; do
  ok=no
  # Up to 3 min: a replica rebuilding a large pool on a loaded machine takes a while, and nothing waits on it meanwhile.
  for _ in $(seq 1 360); do
    if curl -skf --max-time 5 "${urls[$i]}/readyz" >/dev/null; then ok=yes; break; fi
    kill -0 "${new_pids[$i]}" 2>/dev/null || break # our own child: it may not have exec'd into dotnet yet (see sync.sh)
    sleep 0.5
  done
  if [ "$ok" = no ]; then
    echo "cluster/sync-replicas.sh: replica $i did not become ready; its log ends with:" >&2
    tail -20 "$LOG_DIR/kubemacpool-replica-$i.log" >&2
    for p in "${new_pids[@]}"; do stop_pid kubemacpool "$p" || true; done
    exit 1
  fi
done

step="(re)loading the balancer on 127.0.0.1:$lb_port"
cat >"$CLUSTER_DIR/haproxy.cfg" <<CFG
global
    maxconn 4096
    stats socket $CLUSTER_DIR/haproxy.sock mode 600 level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 120s
    timeout server 120s
    retries 3
    option redispatch
frontend webhooks
    bind 127.0.0.1:$lb_port
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    # A loaded replica may take a few hundred ms to answer /readyz on 2 shared cores: a slow check must not take
    # the last replica out (no server = a refused create); a 503 (draining, not ready) is seen within ~1 s.
    timeout check 3s
    default-server inter 500ms fall 2 rise 2 check-ssl verify none
$servers
CFG
old_lb=
[ -f "$PID_DIR/haproxy.pid" ] && process_is "$(cat "$PID_DIR/haproxy.pid")" haproxy && old_lb=$(cat "$PID_DIR/haproxy.pid")
"$HAPROXY" -c -q -f "$CLUSTER_DIR/haproxy.cfg"
# -sf: the old balancer stops listening and finishes its connections; the new one takes new ones.
"$HAPROXY" -D -p "$PID_DIR/haproxy.pid" -f "$CLUSTER_DIR/haproxy.cfg" ${old_lb:+-sf "$old_lb"} 8>&- 9>&-
for _ in $(seq 1 40); do curl -skf --max-time 2 "$lb_url/readyz" >/dev/null && break; sleep 0.25; done

step="pointing the webhooks at $lb_url"
for kind in mutatingwebhookconfiguration/kubemacpool-mutator validatingwebhookconfiguration/kubemacpool-validator; do
  "${KUBECTL[@]}" patch "$kind" --type=json -p "$("${KUBECTL[@]}" get "$kind" -o json | url_patch "$lb_url")" >/dev/null
done
endpoint_env_drop KMP_WEBHOOK_URL KMP_METRICS_URL KMP_LB_PORT KMP_REPLICA_URLS
{
  echo "KMP_WEBHOOK_URL=$lb_url"
  echo "KMP_LB_PORT=$lb_port"
  echo "KMP_REPLICA_URLS=${urls[*]}"
} >>"$ENDPOINT_ENV"

step="stopping the previous managers"
for p in $old_pids $old_single; do stop_pid kubemacpool "$p" || echo "cluster/sync-replicas.sh: warning: pid $p did not stop" >&2; done
rm -f "$PID_DIR/kubemacpool.pid"
for i in "${!new_pids[@]}"; do echo "${new_pids[$i]}" >"$PID_DIR/kubemacpool-replica-$i.pid"; done
rm -f "$PID_DIR"/kubemacpool-replica-*.next.pid
find "$CLUSTER_DIR/manager" -mindepth 1 -maxdepth 1 ! -path "$stage" -exec rm -rf {} +
echo "kubemacpool: $REPLICAS replicas (${urls[*]}) behind HAProxy at $lb_url; logs $LOG_DIR/kubemacpool-replica-*.log"
