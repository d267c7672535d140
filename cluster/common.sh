# shellcheck shell=bash disable=SC2034 # (the variables are used by the scripts that source this file)
# Shared settings and helpers of the cluster scripts. Sourced, not run.
#   KUBEVIRT_PROVIDER=local (default): etcd + kube-apiserver + kube-controller-manager as local processes on
#     127.0.0.1 (free ports), all state under _output/cluster. See docs/control-plane.md.
#   KUBEVIRT_PROVIDER=external: the cluster in $KUBECONFIG; nothing is installed, started or stopped.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KUBEVIRT_PROVIDER=${KUBEVIRT_PROVIDER:-local}
CLUSTER_DIR=$REPO_ROOT/_output/cluster
PKI_DIR=$CLUSTER_DIR/pki
ETCD_DATA_DIR=$CLUSTER_DIR/etcd
PID_DIR=$CLUSTER_DIR/pids
LOG_DIR=$CLUSTER_DIR/logs
ENDPOINT_ENV=$CLUSTER_DIR/endpoint.env
LOCAL_KUBECONFIG=$CLUSTER_DIR/kubeconfig
# Outside CLUSTER_DIR: down.sh removes that folder while it holds the lock.
CLUSTER_LOCK=$REPO_ROOT/_output/.cluster.lock
CRD_DIR=$REPO_ROOT/hack/crds
# What up.sh starts, in start order.
CONTROL_PLANE=(etcd kube-apiserver kube-controller-manager)

case "$KUBEVIRT_PROVIDER" in
  local | external) ;;
  *)
    echo "KUBEVIRT_PROVIDER=$KUBEVIRT_PROVIDER is not supported here: use local (default) or external (+ KUBECONFIG)" >&2
    return 1
    ;;
esac

cluster_kubeconfig() {
  if [ "$KUBEVIRT_PROVIDER" = local ]; then
    echo "$LOCAL_KUBECONFIG"
  else
    echo "${KUBECONFIG:?KUBEVIRT_PROVIDER=external needs KUBECONFIG}"
  fi
}

# Serialises up.sh and down.sh (fd 8). Processes started while holding it must get "8>&-".
cluster_lock() {
  mkdir -p "$(dirname "$CLUSTER_LOCK")"
  exec 8>"$CLUSTER_LOCK"
  if ! flock -n 8; then
    echo "cluster/$(basename "$0"): another cluster/up.sh or down.sh is running; waiting (up to 5 min)" >&2
    flock -w 300 8 || { echo "cluster/$(basename "$0"): gave up waiting for $CLUSTER_LOCK" >&2; return 1; }
  fi
}

# $1 distinct TCP ports (default 1) nothing listens on now, separated by spaces.
free_ports() {
  local n=${1:-1}
  if command -v python3 >/dev/null 2>&1; then
    python3 -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$n"
    return
  fi
  local ports=() p
  while [ "${#ports[@]}" -lt "$n" ]; do
    p=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi # something listens there
    case " ${ports[*]} " in *" $p "*) continue ;; esac
    ports+=("$p")
  done
  echo "${ports[*]}"
}
free_port() { free_ports 1; }

# Whether PID $1 is a live process started as $2 (the file name of argv[0] or argv[1], ".dll" dropped), so that a
# recycled PID is never taken for ours. Zombies have an empty cmdline: not alive.
process_is() {
  local pid=$1 name=$2 arg i=0
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [ -d /proc ] || return 0
  [ -r "/proc/$pid/cmdline" ] || return 1
  while IFS= read -r -d '' arg && [ "$i" -lt 2 ]; do
    arg=${arg##*/}
    [ "${arg%.dll}" = "$name" ] && return 0
    i=$((i + 1))
  done 2>/dev/null <"/proc/$pid/cmdline"
  return 1
}

pid_of() { [ -f "$PID_DIR/$1.pid" ] && cat "$PID_DIR/$1.pid"; }
pid_alive() {
  local pid
  pid=$(pid_of "$1") || return 1
  process_is "$pid" "$1"
}

# Stops the named processes of this cluster (by their pid files, nothing else): SIGTERM to all of them, up to 10 s
# to exit, then SIGKILL. Fails when one survives.
stop_processes() {
  local name pid deadline left=() survivors=()
  for name in "$@"; do
    pid=$(pid_of "$name") || continue
    if process_is "$pid" "$name"; then
      echo "  stopping $name (pid $pid)" >&2
      kill -TERM "$pid" 2>/dev/null || true
      left+=("$name:$pid")
    else
      rm -f "$PID_DIR/$name.pid"
    fi
  done
  deadline=$((SECONDS + 10))
  while [ "${#left[@]}" -gt 0 ]; do
    survivors=()
    for entry in "${left[@]}"; do
      if process_is "${entry#*:}" "${entry%%:*}"; then survivors+=("$entry"); else rm -f "$PID_DIR/${entry%%:*}.pid"; fi
    done
    left=("${survivors[@]+"${survivors[@]}"}")
    [ "${#left[@]}" -gt 0 ] || break
    if [ "$SECONDS" -ge "$deadline" ]; then
      for entry in "${left[@]}"; do
        echo "  ${entry%%:*} (pid ${entry#*:}) ignored SIGTERM for 10 s: SIGKILL" >&2
        kill -KILL "${entry#*:}" 2>/dev/null || true
      done
      sleep 1
      survivors=()
      for entry in "${left[@]}"; do
        if process_is "${entry#*:}" "${entry%%:*}"; then survivors+=("$entry"); else rm -f "$PID_DIR/${entry%%:*}.pid"; fi
      done
      if [ "${#survivors[@]}" -gt 0 ]; then
        echo "  still running after SIGKILL: ${survivors[*]}" >&2
        return 1
      fi
      break
    fi
    sleep 0.2
  done
}

# Stops one process (PID $2, started as $1; see process_is): SIGTERM, up to 10 s to exit, then SIGKILL. A PID that is
# not (or no longer) that program is left alone. Fails when it survives SIGKILL.
stop_pid() {
  local name=$1 pid=$2 deadline
  process_is "$pid" "$name" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while process_is "$pid" "$name"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "  $name (pid $pid) ignored SIGTERM for 10 s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      if process_is "$pid" "$name"; then echo "  $name (pid $pid) still running after SIGKILL" >&2; return 1; fi
      return 0
    fi
    sleep 0.2
  done
}

# Removes the NAME= lines of endpoint.env for the given names (atomically; the cluster's own lines stay).
endpoint_env_drop() {
  [ -f "$ENDPOINT_ENV" ] || return 0
  local pattern tmp
  pattern="^($(IFS='|'; echo "$*"))="
  tmp=$(mktemp "$ENDPOINT_ENV.XXXXXX")
  grep -Ev "$pattern" "$ENDPOINT_ENV" >"$tmp" || true
  mv -f "$tmp" "$ENDPOINT_ENV"
}

# Stops everything this cluster runs (kubemacpool from cluster/sync.sh and the API clients first, etcd last) and
# removes the state folder.
stop_local_cluster() {
  stop_processes kubemacpool kube-controller-manager kube-apiserver
  stop_processes etcd
  rm -rf "$CLUSTER_DIR"
}

# Processes whose command line names this cluster's folder (for a warning only; never killed by name).
leftover_processes() {
  local f pid
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    [ "$pid" != "$$" ] || continue
    if tr '\0' ' ' 2>/dev/null <"$f" | grep -F -- "$CLUSTER_DIR/" >/dev/null; then
      echo "$pid $(tr '\0' ' ' 2>/dev/null <"$f" | cut -c1-120)"
    fi
  done
}

# GET $1 on the local apiserver as the admin (silent; fails unless HTTP 2xx).
apiserver_get() {
  local url
  url=$(sed -n 's/^APISERVER_URL=//p' "$ENDPOINT_ENV" 2>/dev/null || true)
  url=${url:-${APISERVER_URL:-}}
  [ -n "$url" ] || return 1
  curl -sf --max-time 5 --cacert "$PKI_DIR/ca.crt" --cert "$PKI_DIR/admin.crt" --key "$PKI_DIR/admin.key" "$url$1"
}

# Turns kubectl's JSON objects (stdin, one after another) into one List in which every webhook's clientConfig is
# {url: $1 + its service path}. So apply never merges the manifest's service into a url, and caBundle (the manager's)
# is never part of what we apply.
with_url_client_config() {
  python3 -c '
import json, sys
base = sys.argv[1]
text, items, at = sys.stdin.read(), [], 0
decoder = json.JSONDecoder()
while text[at:].strip():
    at += len(text[at:]) - len(text[at:].lstrip())
    item, at = decoder.raw_decode(text, at)
    items.extend(item["items"] if item.get("kind") == "List" else [item])
for item in items:
    if item.get("kind") not in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
        continue
    for hook in item.get("webhooks", []):
        path = (hook.get("clientConfig", {}).get("service") or {}).get("path")
        if path is None:
            sys.exit("webhook %s has no clientConfig.service.path to turn into a url" % hook.get("name"))
        hook["clientConfig"] = {"url": base + path}
json.dump({"apiVersion": "v1", "kind": "List", "items": items}, sys.stdout)' "$1"
}

# JSON patch (stdin: a webhook configuration) that moves every webhook's url to base $1 + its path; the name tests
# guard the indexes against a concurrent edit.
url_patch() {
  python3 -c '
import json, sys
from urllib.parse import urlsplit
base = sys.argv[1]
ops = []
for i, hook in enumerate(json.load(sys.stdin).get("webhooks", [])):
    url = hook.get("clientConfig", {}).get("url")
    if url is None:
        sys.exit("webhook %s has no clientConfig.url" % hook.get("name"))
    ops.append({"op": "test", "path": "/webhooks/%d/name" % i, "value": hook["name"]})
    ops.append({"op": "replace", "path": "/webhooks/%d/clientConfig/url" % i, "value": base + urlsplit(url).path})
json.dump(ops, sys.stdout)' "$1"
}

# The REPLICAS>1 bed (cluster/sync-replicas.sh): replicas kubemacpool-replica-N and the balancer in front of them.
replica_pids() { cat "$PID_DIR"/kubemacpool-replica-*.pid 2>/dev/null || true; }
stop_replica_bed() {
  local f pid
  for f in "$PID_DIR"/kubemacpool-replica-*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if process_is "$pid" kubemacpool; then stop_pid kubemacpool "$pid" || true; fi
    rm -f "$f"
  done
  if [ -f "$PID_DIR/haproxy.pid" ]; then
    pid=$(cat "$PID_DIR/haproxy.pid")
    if process_is "$pid" haproxy; then kill -TERM "$pid" 2>/dev/null || true; fi
    rm -f "$PID_DIR/haproxy.pid"
  fi
  endpoint_env_drop KMP_LB_PORT KMP_REPLICA_URLS
}

# Drops the PodDisruptionBudget from a rendered YAML stream (stdin): no kubelet runs pods on the local cluster, so it
# protects nothing there, and the local v1.20 API server predates policy/v1 (client dry runs would fail on it).
without_disruption_budgets() {
  python3 -c '
import sys
docs = sys.stdin.read().split("\n---\n")
print("\n---\n".join(d for d in docs if "\nkind: PodDisruptionBudget\n" not in "\n" + d + "\n"))'
}

# The one flag both sync scripts take; sets build=yes|no. $1 names the script in the error.
sync_arguments() {
  local script=$1 arg
  shift
  build=yes
  for arg in "$@"; do
    case "$arg" in
      --no-build) build=no ;;
      *) echo "$script: unknown argument $arg (known: --no-build)" >&2; exit 2 ;;
    esac
  done
}

# Builds the manager (not with --no-build or KMP_MANAGER_DLL=path/kubemacpool.dll) before anything is touched, so a
# failing build leaves what serves as it is, then copies the build to a directory of its own: the next build rewrites
# the DLLs in place, under a process still serving. Sets stage to that directory. $1 names the script in errors.
stage_manager_build() {
  local script=$1 binary build_output
  if [ -n "${KMP_MANAGER_DLL:-}" ]; then
    binary=$KMP_MANAGER_DLL
  else
    binary=$REPO_ROOT/_output/artifacts/bin/KubeMacPool.Manager/release/kubemacpool.dll
    if [ "$build" = yes ]; then
      step="building the manager"
      if ! build_output=$(dotnet build "$REPO_ROOT/src/KubeMacPool.Manager" -c Release -v quiet -nologo 2>&1); then
        grep -E ': (error|warning) ' <<<"$build_output" | sort -u | tail -20 >&2 || tail -20 <<<"$build_output" >&2
        echo "$script: failed during: $step (nothing was changed)" >&2
        exit 1
      fi
    fi
  fi
  [ -f "$binary" ] || { echo "$script: no manager build at $binary" >&2; exit 1; }
  step="copying the build"
  stage=$CLUSTER_DIR/manager/$(date +%Y%m%d-%H%M%S)-$$
  mkdir -p "$stage"
  cp -R "$(dirname "$binary")/." "$stage/"
}
