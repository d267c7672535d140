#!/usr/bin/env bash
# Checks that the development cluster (cluster/up.sh, or KUBEVIRT_PROVIDER=external + KUBECONFIG) does what the
# functional tests rely on. Works in a namespace of its own, which it deletes again. Prints one line per check.
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
k() { "$REPO_ROOT/cluster/kubectl.sh" "$@"; }
NS=kmp-smoke-$$
failures=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
# Polls "$@" for up to 60 s.
eventually() {
  local deadline=$((SECONDS + 60))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}
cleanup() { k delete namespace "$NS" --ignore-not-found --wait=false >/dev/null 2>&1 || true; }
trap cleanup EXIT

if k get --raw /readyz >/dev/null; then
  pass "apiserver /readyz ($(k get --raw /version | sed -n 's/.*"gitVersion": *"\(v[^"]*\)".*/\1/p'))"
else
  fail "apiserver /readyz"
fi
for crd in virtualmachines.kubevirt.io virtualmachineinstances.kubevirt.io \
  network-attachment-definitions.k8s.cni.cncf.io ipamclaims.k8s.cni.cncf.io; do
  if k wait --for=condition=Established --timeout=10s "crd/$crd" >/dev/null 2>&1; then pass "CRD $crd Established"; else fail "CRD $crd"; fi
done

k create namespace "$NS" >/dev/null
if eventually k -n "$NS" get serviceaccount default; then pass "ServiceAccount default created in a new namespace"; else fail "no default ServiceAccount in $NS"; fi

# A VirtualMachine keeps fields no schema knows.
k -n "$NS" apply -f - >/dev/null <<'YAML'
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: vm1}
spec:
  running: false
  madeUp: {list: [1, "two", {deep: true}]}
  template:
    spec:
      domain: {devices: {interfaces: [{name: default, masquerade: {}}]}}
      networks: [{name: default, pod: {}}]
YAML
got=$(k -n "$NS" get vm vm1 -o jsonpath='{.spec.madeUp}')
if [ "$got" = '{"list":[1,"two",{"deep":true}]}' ]; then pass "VirtualMachine keeps unknown fields"; else fail "VirtualMachine spec.madeUp = $got"; fi
if k -n "$NS" patch vm vm1 --subresource=status --type=merge -p '{"status":{"ready":true}}' >/dev/null 2>&1 \
  && [ "$(k -n "$NS" get vm vm1 -o jsonpath='{.status.ready}')" = true ]; then pass "VirtualMachine status subresource"; else fail "VirtualMachine status subresource"; fi

# The IPAMClaim schema is enforced by the server (client-side validation off).
if err=$(k -n "$NS" create --validate=false -f - 2>&1 <<'YAML'
apiVersion: k8s.cni.cncf.io/v1alpha1
kind: IPAMClaim
metadata: {name: vm1.net1}
spec: {network: net1}
YAML
); then fail "IPAMClaim without spec.interface was accepted"; else
  case "$err" in *spec.interface*) pass "IPAMClaim without spec.interface refused" ;; *) fail "IPAMClaim refused, but: $err" ;; esac
fi
k -n "$NS" create -f - >/dev/null <<'YAML'
apiVersion: k8s.cni.cncf.io/v1alpha1
kind: IPAMClaim
metadata: {name: vm1.net1}
spec: {network: net1, interface: pod16367aadb6e}
YAML
# Status through its subresource, with an empty string (a v1.20 apiserver built with Go >= 1.16 and without the
# zero-value fix refuses "" in every typed field of a custom resource).
status='{"status":{"ips":["10.10.0.5/24"],"ownerPod":"virt-launcher-vm1-x","conditions":[{"type":"IPsAllocated",'
status+='"status":"True","reason":"Allocated","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}'
if err=$(k -n "$NS" patch ipamclaim vm1.net1 --subresource=status --type=merge -p "$status" 2>&1) \
  && [ "$(k -n "$NS" get ipamclaim vm1.net1 -o jsonpath='{.status.ips[0]}/{.status.conditions[0].message}')" = 10.10.0.5/24/ ]; then
  pass "IPAMClaim status subresource (empty strings allowed)"
else
  fail "IPAMClaim status: $err"
fi
k -n "$NS" create -f - >/dev/null <<'YAML'
apiVersion: k8s.cni.cncf.io/v1
kind: NetworkAttachmentDefinition
metadata: {name: br1}
spec: {config: '{"cniVersion":"0.3.1","type":"bridge","bridge":"br1"}'}
YAML
pass "NetworkAttachmentDefinition created"

# A Pod is admitted (ServiceAccount admission works) and stays Pending (no scheduler, no kubelet).
k -n "$NS" run p1 --image=registry.invalid/none --restart=Never >/dev/null
phase=$(k -n "$NS" get pod p1 -o jsonpath='{.status.phase}')
if [ "$phase" = Pending ]; then pass "Pod admitted, Pending"; else fail "Pod phase $phase"; fi

# Garbage collection of an ownerReference dependent.
k -n "$NS" create configmap owner >/dev/null
uid=$(k -n "$NS" get configmap owner -o jsonpath='{.metadata.uid}')
k -n "$NS" create -f - >/dev/null <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: dependent
  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner, uid: $uid}]
YAML
k -n "$NS" delete configmap owner >/dev/null
gone() { ! k -n "$NS" get configmap dependent >/dev/null 2>&1; }
if eventually gone; then pass "ownerReference garbage collection"; else fail "dependent ConfigMap not collected"; fi

# Namespace deletion completes (namespace controller), custom resources included.
start=$SECONDS
if k delete namespace "$NS" --timeout=90s >/dev/null 2>&1; then pass "namespace deletion completed in $((SECONDS - start)) s"; else fail "namespace $NS not deleted"; fi

trap - EXIT
if [ "$failures" -eq 0 ]; then echo "smoke test: all checks passed"; else echo "smoke test: $failures check(s) failed"; exit 1; fi
