#!/usr/bin/env bash
# Smoke test against a real API server (e2e/cluster.sh: etcd, kube-apiserver, controllers, kwok):
#   1. the CRD in crds/ is accepted by the API server (CEL rules compile, stay within the cost
#      budget) and becomes Established;
#   2. every e2e/malformed/*.yaml is REFUSED by the API server's validation (OpenAPI schema, CEL
#      rules, kubectl's strict field validation) with the message its `# expect:` line names;
#   3. every e2e/valid/*.yaml and the ModelDeployments in examples/ are ACCEPTED;
#   (2 and 3 use `kubectl apply --dry-run=server`: the full server-side validation, nothing stored)
#   4. the Helm chart installs: its objects, RBAC included, are created and the operator's service
#      account gets the permissions it needs (the operator itself does not run: its namespace
#      sends its pod to a kwok node, which only pretends it runs; e2e/node-e2e.sh runs it for
#      real); then it uninstalls cleanly.
# The cluster is started if needed and stopped at the end, unless E2E_KEEP=1 (or it was already up,
# in which case it is left up). E2E_VERBOSE=1 shows the API server's message for every refusal.
# E2E_CRDS names another directory of CRDs to apply instead of crds/ (to try a changed CRD
# before regenerating it).
# Prints `malformed: N passed, N failed` and ends with `smoke: N passed, N failed`; exits non-zero
# if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=e2e/cluster.sh
CRD=modeldeployments.modelship.io
CRDS=${E2E_CRDS:-crds}
NAMESPACE=modelship-system
RELEASE=modelship

passed=0
failed=0
out=$(mktemp -d)

ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() {
  failed=$((failed + 1))
  echo "FAIL - $1"
  if [ -n "${2:-}" ] && [ -s "$2" ]; then sed 's/^/       | /' "$2" | head -40; fi
}

kubectl() { "$CLUSTER" kubectl "$@"; }
helm() { "$CLUSTER" helm "$@"; }

# check NAME CMD...: passes when CMD succeeds.
check() {
  local name=$1 log="$out/log"
  shift
  if "$@" >"$log" 2>&1; then ok "$name"; else fail "$name" "$log"; fi
}

# The API server's message, without kubectl's preamble, on one line.
message() {
  sed -e 's/^Error from server ([A-Za-z]*): //' -e 's/^error: //' "$1" | tr '\n' ' ' | sed 's/ *$//'
}

# refused FILE: passes when the API server refuses FILE and says what its `# expect:` line says.
refused() {
  local file=$1 name expect log="$out/refused"
  name=$(basename "$file" .yaml)
  expect=$(sed -n 's/^# expect: //p' "$file" | head -n 1)
  if [ -z "$expect" ]; then
    fail "malformed/$name: no '# expect: <part of the error message>' line"
    return 1
  fi
  if kubectl apply --dry-run=server -f "$file" >"$log" 2>&1; then
    fail "malformed/$name: ACCEPTED, want refused with \"$expect\"" "$log"
    return 1
  elif grep -qF -- "$expect" "$log"; then
    ok "malformed/$name"
    if [ "${E2E_VERBOSE:-0}" = 1 ]; then echo "       | $(message "$log")"; fi
  else
    fail "malformed/$name: refused, but the message lacks \"$expect\"" "$log"
    return 1
  fi
}

# accepted FILE: passes when the API server accepts FILE.
accepted() {
  local file=$1 log="$out/accepted"
  if kubectl apply --dry-run=server -f "$file" >"$log" 2>&1; then
    ok "accepted: $file"
  else
    fail "refused: $file" "$log"
  fi
}

# Stops the cluster unless asked to keep it or it was up before; always removes the temp files.
cleanup() {
  local rc=$?
  if [ "${E2E_KEEP:-0}" = 1 ] || [ "${was_up:-1}" = 1 ]; then
    echo "(cluster left up: e2e/cluster.sh down stops it)"
  else
    "$CLUSTER" down || rc=1
  fi
  rm -rf "$out"
  exit $rc
}
trap cleanup EXIT

# --- the cluster ------------------------------------------------------------------------------
was_up=0
if "$CLUSTER" status >/dev/null 2>&1; then was_up=1; fi
start=$SECONDS
"$CLUSTER" up
echo "cluster up in $((SECONDS - start))s"

# --- the CRD ----------------------------------------------------------------------------------
# Server-side apply: the CRD is too large for the last-applied annotation of client-side apply.
# A CEL rule that does not compile or exceeds the cost budget makes the API server refuse the
# whole CRD; its message names the rule.
if kubectl apply --server-side --force-conflicts -f "$CRDS" >"$out/crd" 2>&1; then
  ok "the API server accepts $CRDS"
  check "$CRD is Established" kubectl wait --for condition=established --timeout=60s "crd/$CRD"
  check "modelbatchjobs.modelship.io is Established" \
    kubectl wait --for condition=established --timeout=60s crd/modelbatchjobs.modelship.io
else
  fail "the API server refuses $CRDS" "$out/crd"
  echo
  echo "smoke: $passed passed, $failed failed (the other checks need the CRD and did not run)"
  exit 1
fi

# --- malformed specs must be refused ----------------------------------------------------------
m_passed=0 m_failed=0
for f in e2e/malformed/*.yaml; do
  if refused "$f"; then m_passed=$((m_passed + 1)); else m_failed=$((m_failed + 1)); fi
done
echo "malformed: $m_passed passed, $m_failed failed"

# --- valid specs must be accepted -------------------------------------------------------------
for f in e2e/valid/*.yaml; do accepted "$f"; done
# The examples are what users copy first: they must stay valid (a ConfigMap among them is
# checked too, which costs nothing).
for f in examples/*.yaml; do accepted "$f"; done

# --- the Helm chart ---------------------------------------------------------------------------
# What must hold once the chart is installed, then its uninstall.
helm_checks() {
  check "the operator's Deployment exists" kubectl -n "$NAMESPACE" get deployment "$RELEASE"
  check "the operator's ServiceAccount exists" kubectl -n "$NAMESPACE" get serviceaccount "$RELEASE"
  check "the metrics Service exists" kubectl -n "$NAMESPACE" get service "$RELEASE-metrics"
  check "the ClusterRole and ClusterRoleBinding exist" \
    kubectl get clusterrole,clusterrolebinding "$RELEASE"
  check "the leader-election Role and RoleBinding exist" \
    kubectl -n "$NAMESPACE" get role,rolebinding "$RELEASE-leader-election"
  # The scheduler placed the pod on a kwok node, which reports it Running.
  check "the operator's pod is scheduled and reported Running (by kwok)" \
    kubectl -n "$NAMESPACE" wait --for=jsonpath='{.status.phase}'=Running pod \
    -l app.kubernetes.io/instance="$RELEASE" --timeout=60s

  # What the operator will do, asked of the RBAC authorizer as its service account...
  local sa="system:serviceaccount:$NAMESPACE:$RELEASE" perm
  for perm in \
    "watch modeldeployments.modelship.io -A" \
    "update modeldeployments.modelship.io/status -n default" \
    "update modeldeployments.modelship.io/finalizers -n default" \
    "create deployments.apps -n default" \
    "delete services -n default" \
    "create configmaps -n default" \
    "list pods -A" \
    "patch horizontalpodautoscalers.autoscaling -n default" \
    "delete horizontalpodautoscalers.autoscaling -n default" \
    "get secrets -n default" \
    "create secrets -n default" \
    "create events -n default" \
    "update leases.coordination.k8s.io -n $NAMESPACE"; do
    # shellcheck disable=SC2086 # perm is a verb, a resource and a namespace flag
    check "RBAC: the operator may $perm" kubectl auth can-i $perm --as="$sa"
  done
  # ... and what it must not.
  for perm in "list secrets -n default" "delete pods -n default" \
    "update leases.coordination.k8s.io -n default"; do
    # shellcheck disable=SC2086
    if kubectl auth can-i $perm --as="$sa" >"$out/log" 2>&1; then
      fail "RBAC: the operator may $perm, and should not"
    else
      ok "RBAC: the operator may not $perm"
    fi
  done

  check "helm uninstall $RELEASE" helm uninstall "$RELEASE" -n "$NAMESPACE" --wait --timeout 60s
  check "the chart's objects are gone" chart_gone
  # helm leaves CRDs (from the chart's crds/) in place by design; the one applied above stays.
  check "the CRD is still there after uninstall" kubectl get "crd/$CRD"
}

# Fails while any object labelled with the release is left.
chart_gone() {
  local left
  # Pods go last (the garbage collector deletes them after their ReplicaSet; kwok then removes
  # them at once, as a kubelet would after the grace period).
  kubectl -n "$NAMESPACE" wait --for=delete pod -l app.kubernetes.io/instance="$RELEASE" \
    --timeout=60s >/dev/null 2>&1 || true
  left=$(kubectl get clusterrole,clusterrolebinding -l app.kubernetes.io/instance="$RELEASE" -o name
    kubectl -n "$NAMESPACE" get deployment,service,serviceaccount,role,rolebinding,pod \
      -l app.kubernetes.io/instance="$RELEASE" -o name)
  [ -z "$left" ] || { echo "left behind: $left"; return 1; }
}

# --wait=false: the operator's pod goes to a kwok node (the namespace sends it there, see
# `cluster.sh fake-namespace`) and is reported Running, but no container runs, so nothing would ever become truly ready; what is checked is that the API
# server takes every object of the chart. If the chart's CRD (helm/modelship/crds) is refused,
# helm fails here even though the same CRD exists: the API server validates a create before it
# finds the name taken.
"$CLUSTER" fake-namespace "$NAMESPACE"
if ! helm install "$RELEASE" helm/modelship -n "$NAMESPACE" --create-namespace \
  --set image.tag=dev --wait=false >"$out/helm" 2>&1; then
  fail "helm install $RELEASE (the chart's other checks are skipped)" "$out/helm"
else
  ok "helm install $RELEASE"
  helm_checks
fi
echo
echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
