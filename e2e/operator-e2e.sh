#!/usr/bin/env bash
# The operator against a real API server (e2e/cluster.sh): the operator runs as a process on this
# machine with the cluster's kubeconfig, kwok plays the kubelet for the serving pods (they become
# Running and Ready without running anything), and real kube-controller-manager and scheduler turn
# the operator's Deployments into pods. Everything stays on 127.0.0.1.
#
# The operator runs with the token of the Helm chart's ServiceAccount (the chart is installed with
# no operator replica), so it has exactly the chart's RBAC: a missing permission fails the test.
#
# What it checks, as a user would with kubectl:
#   - examples/ apply; `kubectl wait --for=condition=Ready` passes; `kubectl get md` shows the columns
#   - a model change rolls out with RollingUpdate and with Recreate; the old revision goes away
#   - another writer scaling an owned Deployment is put right
#   - a missing ConfigMap is Degraded with its reason, while the stable revision keeps serving
#   - the operator killed (SIGKILL) at several moments of a rollout converges after a restart, with
#     no duplicate or orphaned objects
#   - spec.autoscaling: an HPA per serving revision; its scale changes are not reverted; a model
#     change starts the candidate at the stable's scale and replaces the old revision's HPA
#   - deleting a ModelDeployment garbage-collects everything it owned
# Prints `operator-e2e: N passed, N failed`; exits non-zero if anything failed.
# E2E_KEEP=1 leaves the cluster up.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=e2e/cluster.sh
NS=e2e-operator
JAR=operator/target/quarkus-app/quarkus-run.jar
STATE=${MODELSHIP_E2E_DIR:-/tmp/modelship-e2e}
LOG=$STATE/operator.log

passed=0
failed=0
op_pid=""
was_up=0

WORK=$STATE/operator-e2e
# shellcheck source=e2e/lib.sh
source e2e/lib.sh

cleanup() {
  stop_operator KILL
  if [ "${E2E_KEEP:-0}" != 1 ] && [ "$was_up" = 0 ]; then "$CLUSTER" down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'echo "operator-e2e: stopped by a failing command at line $LINENO"; failed=$((failed + 1))' ERR

stop_operator() {
  [ -n "$op_pid" ] || return 0
  kill -"${1:-TERM}" "$op_pid" 2>/dev/null || true
  wait "$op_pid" 2>/dev/null || true
  op_pid=""
}

deployments_of() { kubectl -n "$NS" get deploy -l "modelship.io/name=$1" -o name | wc -l; }
one_deployment() { [ "$(deployments_of "$1")" -eq 1 ]; }
replicas_are() { [ "$(kubectl -n "$NS" get deploy "$1" -o jsonpath='{.spec.replicas}')" = "$2" ]; }
degraded_reason_is() { [ "$(field "$1" '{.status.conditions[?(@.type=="Degraded")].reason}')" = "$2" ]; }
nothing_owned() { [ -z "$(kubectl -n "$NS" get deploy,configmap,service,pods -l "modelship.io/name=$1" -o name)" ]; }

# traffic.provider GatewayAPI: the Canary's split lives in an HTTPRoute, on the API server's real
# Gateway API CRDs (installed by cluster.sh; no Gateway implementation runs here, so the check is
# what the route says, step by step).
route_backends() {
  kubectl -n "$NS" get httproute iris-gateway \
    -o jsonpath='{range .spec.rules[*]}{range .backendRefs[*]}{.name}={.weight} {end}| {end}' 2>/dev/null
}
route_is() { [ "$(route_backends)" = "$1" ]; }
gateway_canary() {
  local v1 v2 match
  kubectl -n "$NS" apply -f examples/iris-gateway-canary.yaml >/dev/null
  if ! kubectl -n "$NS" wait --for=condition=Ready md/iris-gateway --timeout=120s >/dev/null 2>&1; then
    fail "iris-gateway never Ready" "$(kubectl -n "$NS" get md iris-gateway -o yaml | sed -n '/^status:/,$p'; tail -20 "$LOG")"
    return
  fi
  v1=$(field iris-gateway '{.status.stableRevision}')
  if until_true 30 route_is "iris-gateway-$v1=1 | "; then
    ok "GatewayAPI: HTTPRoute iris-gateway sends everything to Service iris-gateway-$v1"
  else
    fail "GatewayAPI: no route to the first revision" "$(route_backends; tail -20 "$LOG")"
  fi
  roll_to_v2 iris-gateway
  until_true 60 candidate_named iris-gateway || true
  v2=$(field iris-gateway '{.status.candidateRevision}')
  if until_true 60 route_is "iris-gateway-$v2=1 | iris-gateway-$v1=80 iris-gateway-$v2=20 | "; then
    match=$(kubectl -n "$NS" get httproute iris-gateway -o jsonpath='{.spec.rules[0].matches[0].headers[0].name}={.spec.rules[0].matches[0].headers[0].value}')
    ok "GatewayAPI: step 1 in the HTTPRoute: $v1 80 / $v2 20, and $match to $v2"
  else
    fail "GatewayAPI: the route never took the first step" "$(route_backends; kubectl -n "$NS" get md iris-gateway -o yaml | sed -n '/^status:/,$p')"
  fi
  if until_true 60 route_is "iris-gateway-$v2=1 | iris-gateway-$v1=50 iris-gateway-$v2=50 | "; then
    ok "GatewayAPI: after the 10 s pause: $v1 50 / $v2 50; waiting at the open pause ($(field iris-gateway '{.status.conditions[?(@.type=="Progressing")].message}'))"
  else
    fail "GatewayAPI: the route never reached 50 %" "$(route_backends)"
  fi
  kubectl -n "$NS" annotate md iris-gateway modelship.io/action=promote >/dev/null
  if until_true 90 stable_changed iris-gateway "$v1" && until_true 30 route_is "iris-gateway-$v2=1 | " &&
    until_true 60 one_deployment iris-gateway; then
    if [ -z "$(kubectl -n "$NS" get service "iris-gateway-$v1" -o name 2>/dev/null)" ]; then
      ok "GatewayAPI: promoted; the route sends everything to $v2, and $v1's Deployment and Service are gone"
    else
      fail "GatewayAPI: Service iris-gateway-$v1 left behind"
    fi
  else
    fail "GatewayAPI: promotion did not finish" "$(route_backends; kubectl -n "$NS" get md,deploy,svc; tail -20 "$LOG")"
  fi
}

# spec.autoscaling (examples/iris-autoscaling.yaml): a HorizontalPodAutoscaler per serving revision
# on the real API server. No metrics-server runs here, so `kubectl scale` stands in for the
# autoscaler's scale changes: the operator must leave them alone, and size a rollout from them.
hpa_of() {
  kubectl -n "$NS" get hpa "iris-autoscaling-$1" -o jsonpath='{.spec.scaleTargetRef.kind}/{.spec.scaleTargetRef.name} {.spec.minReplicas}-{.spec.maxReplicas}{range .spec.metrics[*]} {.type}:{.resource.name}{.pods.metric.name}={.resource.target.averageUtilization}{.pods.target.averageValue}{end}' 2>/dev/null
}
hpa_is() { [ "$(hpa_of "$1")" = "$2" ]; }
hpas() { kubectl -n "$NS" get hpa -l modelship.io/name=iris-autoscaling -o jsonpath='{.items[*].metadata.name}'; }
hpas_are() { [ "$(hpas)" = "$1" ]; }
status_replicas_are() { [ "$(field iris-autoscaling '{.status.replicas}')" = "$1" ]; }
autoscaling() {
  local rev rev2 seen
  kubectl -n "$NS" apply -f examples/iris-autoscaling.yaml >/dev/null
  if ! kubectl -n "$NS" wait --for=condition=Ready md/iris-autoscaling --timeout=120s >/dev/null 2>&1; then
    fail "iris-autoscaling never Ready" "$(kubectl -n "$NS" get md iris-autoscaling -o yaml | sed -n '/^status:/,$p'; tail -20 "$LOG")"
    return
  fi
  rev=$(field iris-autoscaling '{.status.stableRevision}')
  if until_true 30 hpa_is "$rev" "Deployment/iris-autoscaling-$rev 2-6 Resource:cpu=70"; then
    ok "autoscaling: HPA iris-autoscaling-$rev scales Deployment iris-autoscaling-$rev, 2-6 replicas, cpu at 70 %"
  else
    fail "autoscaling: no HPA as the spec says" "$(hpa_of "$rev"; kubectl -n "$NS" get hpa -o yaml | head -60)"
  fi
  # The Deployment, applied without replicas once its HPA sizes it, kept its 2 (a share of the
  # field was handed to a second field manager first).
  if replicas_are "iris-autoscaling-$rev" 2 &&
    [[ "$(kubectl -n "$NS" get deploy "iris-autoscaling-$rev" -o jsonpath='{.metadata.managedFields[*].manager}')" == *modelship-operator-replicas* ]]; then
    ok "autoscaling: the Deployment handed its replicas over at 2 (modelship-operator-replicas holds a share)"
  else
    fail "autoscaling: replicas not handed over" "$(kubectl -n "$NS" get deploy "iris-autoscaling-$rev" -o yaml --show-managed-fields | head -80)"
  fi

  # The autoscaler's scale (kubectl scale in its place) survives the operator's reconciles: after
  # it, a change of maxReplicas (a reconcile that rewrites the HPA) and a restart of the operator.
  kubectl -n "$NS" scale deploy "iris-autoscaling-$rev" --replicas=4 >/dev/null
  until_true 30 status_replicas_are 4 || true
  kubectl -n "$NS" patch md iris-autoscaling --type merge -p '{"spec":{"autoscaling":{"maxReplicas":7}}}' >/dev/null
  until_true 30 hpa_is "$rev" "Deployment/iris-autoscaling-$rev 2-7 Resource:cpu=70" || true
  stop_operator TERM
  start_operator
  sleep 10
  if replicas_are "iris-autoscaling-$rev" 4 && hpa_is "$rev" "Deployment/iris-autoscaling-$rev 2-7 Resource:cpu=70" &&
    [ "$(field iris-autoscaling '{.status.stableRevision}')" = "$rev" ] && one_deployment iris-autoscaling; then
    ok "autoscaling: a scale to 4 by another writer stays through a new maxReplicas and an operator restart; no rollout"
  else
    fail "autoscaling: the operator fought the scale" "$(kubectl -n "$NS" get deploy,hpa; tail -20 "$LOG")"
  fi

  # Another target: the HPA changes, the revision does not.
  kubectl -n "$NS" patch md iris-autoscaling --type merge -p \
    '{"spec":{"autoscaling":{"targetCPUUtilization":null,"targetInflightRequests":20}}}' >/dev/null
  if until_true 30 hpa_is "$rev" "Deployment/iris-autoscaling-$rev 2-7 Pods:modelship_inflight_requests=20" &&
    [ "$(field iris-autoscaling '{.status.stableRevision}')" = "$rev" ] && one_deployment iris-autoscaling; then
    ok "autoscaling: targetInflightRequests becomes a Pods metric on modelship_inflight_requests; no rollout"
  else
    fail "autoscaling: the in-flight target" "$(hpa_of "$rev"; kubectl -n "$NS" get md,deploy)"
  fi

  # A model change: the candidate starts from the stable's 4 (not minReplicas 2); the old
  # revision's HPA goes with it, and the new revision gets its own.
  roll_to_v2 iris-autoscaling
  seen=""
  for _ in $(seq 1 120); do
    seen="$seen $(field iris-autoscaling '{.status.rolloutReplicas}')"
    stable_changed iris-autoscaling "$rev" && one_deployment iris-autoscaling && break
    sleep 1
  done
  rev2=$(field iris-autoscaling '{.status.stableRevision}')
  if [ "$rev2" != "$rev" ] && one_deployment iris-autoscaling && replicas_are "iris-autoscaling-$rev2" 4 &&
    [[ "$seen" == *4* ]]; then
    ok "autoscaling: the model change rolled out at the stable's scale ($rev x4 -> $rev2 x4, status.rolloutReplicas 4)"
  else
    fail "autoscaling: rollout not sized from the stable" "rolloutReplicas seen:$seen; $(kubectl -n "$NS" get md,deploy,hpa)"
  fi
  if until_true 30 hpas_are "iris-autoscaling-$rev2" &&
    hpa_is "$rev2" "Deployment/iris-autoscaling-$rev2 2-7 Pods:modelship_inflight_requests=20"; then
    ok "autoscaling: the old revision's HPA is gone, $rev2 has its own"
  else
    fail "autoscaling: HPAs after the rollout: $(hpas)"
  fi
  kubectl -n "$NS" delete md iris-autoscaling --wait=true >/dev/null
}

main() {
  "$CLUSTER" status >/dev/null 2>&1 && was_up=1
  [ -f "$JAR" ] || ./mvnw -q -B package -DskipTests -pl operator -am
  "$CLUSTER" up
  mkdir -p "$STATE"
  : >"$LOG"

  # Both namespaces send their pods to the kwok nodes: this suite drives many rollouts and kills
  # the operator; the pods only need to exist (e2e/node-e2e.sh runs them for real).
  operator_on_kwok

  kubectl -n "$NS" apply -f examples/iris-model-configmap.yaml -f examples/iris-rolling.yaml -f examples/iris-recreate.yaml >/dev/null
  for md in iris-rolling iris-recreate; do
    if kubectl -n "$NS" wait --for=condition=Ready "md/$md" --timeout=120s >/dev/null 2>&1; then
      ok "$md: kubectl wait --for=condition=Ready"
    else
      fail "$md: never Ready" "$(kubectl -n "$NS" get md "$md" -o yaml | sed -n '/^status:/,$p'; tail -20 "$LOG")"
    fi
  done
  local header
  header=$(kubectl -n "$NS" get md >"$STATE/get-md.txt" && head -1 "$STATE/get-md.txt" | tr -s ' ')
  if [ "$header" = "NAME PHASE STRATEGY STABLE CANDIDATE WEIGHT READY AGE" ]; then ok "kubectl get md columns"; else fail "kubectl get md columns: $header"; fi

  for md in iris-rolling iris-recreate; do
    local before
    before=$(field "$md" '{.status.stableRevision}')
    roll_to_v2 "$md"
    if until_true 120 stable_changed "$md" "$before" && until_true 60 one_deployment "$md"; then
      ok "$md: model change rolled out ($before -> $(field "$md" '{.status.stableRevision}')), old revision removed"
    else
      fail "$md: rollout did not finish" "$(kubectl -n "$NS" get md,deploy,pods -o wide; tail -20 "$LOG")"
    fi
  done

  # Another writer scales an owned Deployment: the operator puts it back.
  local rev
  rev=$(field iris-rolling '{.status.stableRevision}')
  kubectl -n "$NS" scale deploy "iris-rolling-$rev" --replicas=5 >/dev/null
  if until_true 60 replicas_are "iris-rolling-$rev" 2; then
    ok "a second writer's scale of iris-rolling-$rev is put right (5 -> 2)"
  else
    fail "drift not corrected" "$(kubectl -n "$NS" get deploy)"
  fi

  # A source that does not exist: Degraded, and the stable revision keeps serving.
  local stable before
  stable=$(field iris-rolling '{.status.stableRevision}')
  kubectl -n "$NS" patch md iris-rolling --type merge -p '{"spec":{"model":{"uri":"configmap://no-such-map/m.onnx","sha256":null}}}' >/dev/null
  if until_true 60 degraded_reason_is iris-rolling ModelSourceMissing; then
    if [ "$(field iris-rolling '{.status.stableRevision}')" = "$stable" ] && [ "$(kubectl -n "$NS" get deploy "iris-rolling-$stable" -o jsonpath='{.status.readyReplicas}')" = 2 ]; then
      ok "missing ConfigMap: Degraded/ModelSourceMissing, revision $stable still serves 2/2"
    else
      fail "missing ConfigMap: stable revision disturbed" "$(kubectl -n "$NS" get md,deploy)"
    fi
  else
    fail "missing ConfigMap: not Degraded" "$(kubectl -n "$NS" get md iris-rolling -o yaml | sed -n '/^status:/,$p')"
  fi
  local warnings
  warnings=$(kubectl -n "$NS" get events --field-selector involvedObject.name=iris-rolling,type=Warning -o jsonpath='{.items[*].message}')
  if [[ "$warnings" == *no-such-map* ]]; then
    ok "a Warning event names the missing ConfigMap"
  else
    fail "no Warning event about the missing ConfigMap"
  fi

  # Kill the operator at several moments of a rollout, then start it again.
  before=$(field iris-recreate '{.status.stableRevision}')
  kubectl -n "$NS" patch md iris-recreate --type merge -p \
    '{"spec":{"model":{"uri":"configmap://iris-model/iris.onnx","sha256":null,"version":"3"}}}' >/dev/null
  for pause in 0 1 2; do
    sleep "$pause"
    stop_operator KILL
    start_operator
  done
  stop_operator KILL
  start_operator
  if until_true 120 stable_changed iris-recreate "$before" && until_true 60 one_deployment iris-recreate; then
    local owned
    owned=$(kubectl -n "$NS" get deploy,configmap,service -l modelship.io/name=iris-recreate -o name | sort | tr '\n' ' ')
    if [ "$(wc -w <<<"$owned")" -eq 3 ]; then
      ok "operator SIGKILLed 4 times mid-rollout: converged, no duplicate or orphan ($owned)"
    else
      fail "operator restarts left extra objects: $owned"
    fi
  else
    fail "operator restart: did not converge" "$(kubectl -n "$NS" get md,deploy; tail -20 "$LOG")"
  fi

  gateway_canary
  autoscaling

  # Deleting the ModelDeployment: the garbage collector removes what it owned (pods go after their
  # 40 s termination grace period).
  kubectl -n "$NS" delete md iris-recreate --wait=true >/dev/null
  if until_true 150 nothing_owned iris-recreate; then
    ok "deleted iris-recreate: its Deployments, ConfigMaps, Service and pods were garbage-collected"
  else
    fail "garbage left after delete" "$(kubectl -n "$NS" get deploy,configmap,service,pods -l modelship.io/name=iris-recreate)"
  fi
  if grep -q "Forbidden" "$LOG"; then
    fail "the operator hit RBAC refusals with the chart's ServiceAccount" "$(grep -m5 Forbidden "$LOG")"
  else
    ok "the chart's RBAC was enough: no Forbidden in the operator log"
  fi

  echo "operator-e2e: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

main "$@"
