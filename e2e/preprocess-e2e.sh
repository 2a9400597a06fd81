#!/usr/bin/env bash
# Pre-processing on the e2e cluster's real node (e2e/cluster.sh), with the project's images:
#   1. examples/iris-preprocess.yaml (card transforms: millimetres divided into centimetres, a
#      default for a left-out feature): Ready, and predictions in millimetres through the Service
#      equal those of the same rows in centimetres sent to examples/iris-rolling.yaml.
#   2. examples/iris-transformer.yaml (the example transformer image in front of the runtime):
#      each pod runs both containers, Ready only with both; the runtime listens on 8081 behind
#      the transformer on 9000 (the pod's annotation tells the router); the Service sends client
#      requests in millimetres and inches through the transformer to the right answers, and the
#      runtime's 422 for a bad request reaches the client.
#   3. A change of the transformer (an env value) and a change of a card transform are each a new
#      revision that rolls out to Healthy, and the pods of the new revision answer.
#   4. A Canary with the transformer: the built-in router reaches each revision's pods on the
#      transformer's port, and at 50 % both revisions answer through their transformers.
# Needs the images (scripts/images.sh build and build iris-transformer; built here if missing,
# which needs the Maven build) and root. Prints `preprocess-e2e: N passed, N failed`; exits
# non-zero if anything failed. E2E_KEEP=1 leaves the cluster up.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=e2e/cluster.sh
SYSTEM_NS=modelship-system
NS=preprocess
STATE=${MODELSHIP_E2E_DIR:-/tmp/modelship-e2e}
WORK=$STATE/preprocess-e2e
# shellcheck source=e2e/lib.sh
source e2e/lib.sh

passed=0
failed=0
was_up=0

cleanup() {
  if [ "${E2E_KEEP:-0}" != 1 ] && [ "$was_up" = 0 ]; then "$CLUSTER" down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'echo "preprocess-e2e: stopped by a failing command at line $LINENO"; failed=$((failed + 1))' ERR

ROW_CM='{"sepal_length":5.8,"sepal_width":2.7,"petal_length":4.1,"petal_width":1.3}'
ROW_MM='{"sepal_length_mm":58,"sepal_width_mm":27,"petal_length_mm":41,"petal_width_mm":13}'
ROW_MM_DEFAULT='{"sepal_length_mm":58,"sepal_width_mm":27,"petal_length_mm":41}'
# Millimetres, inches and centimetres in one row for the transformer, and the row in centimetres.
ROW_MIXED='{"sepal_length_mm":58,"sepal_width_in":1,"petal_length":4.1,"petal_width_mm":13}'
ROW_MIXED_CM='{"sepal_length":5.8,"sepal_width":2.54,"petal_length":4.1,"petal_width":1.3}'

# post URL BODY: the answer's body (status line appended) from inside the cluster's network.
post() {
  "$CLUSTER" exec curl -s -m 10 -w ' %{http_code}' -H 'Content-Type: application/json' -d "$2" "$1" 2>&1
}
url_of() { echo "http://$(kubectl -n "$NS" get svc "$1" -o jsonpath='{.spec.clusterIP}'):8080$2"; }
probabilities() { sed -n 's/.*"probabilities":\({[^}]*}\).*/\1/p' <<<"$1"; }
weight_is() { [ "$(field "$1" '{.status.traffic.candidate}')" = "$2" ]; }
ready_md() { kubectl -n "$NS" wait --for=condition=Ready "md/$1" --timeout="${2:-240}s" >/dev/null 2>&1; }

main() {
  images
  [ -f target/images/iris-transformer.tar ] || scripts/images.sh build iris-transformer
  "$CLUSTER" status >/dev/null 2>&1 && was_up=1
  "$CLUSTER" up
  "$CLUSTER" load-images
  mkdir -p "$WORK"

  kubectl apply --server-side -f crds/ >/dev/null
  kubectl wait --for condition=established --timeout=60s crd/modeldeployments.modelship.io >/dev/null
  local ns
  for ns in "$SYSTEM_NS" "$NS"; do
    kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
    kubectl label --overwrite namespace "$ns" pod-security.kubernetes.io/enforce=restricted \
      pod-security.kubernetes.io/enforce-version=latest >/dev/null
  done
  if ! kubectl -n "$SYSTEM_NS" get deploy modelship >/dev/null 2>&1; then
    "$CLUSTER" helm install modelship helm/modelship -n "$SYSTEM_NS" --wait --timeout 240s >"$WORK/helm.out" 2>&1 ||
      fail "helm install: the operator never became Ready" "$(cat "$WORK/helm.out")"
  fi

  # 1. Card transforms, compared with the plain example fed centimetres.
  kubectl -n "$NS" apply -f examples/iris-model-configmap.yaml -f examples/iris-rolling.yaml \
    -f examples/iris-preprocess.yaml -f examples/iris-transformer.yaml >/dev/null
  if ready_md iris-rolling && ready_md iris-preprocess; then
    ok "iris-preprocess and iris-rolling Ready on the real node"
  else
    fail "iris-preprocess or iris-rolling never Ready" "$(diagnose)"
  fi
  local plain mm dflt
  plain=$(post "$(url_of iris-rolling /models/iris/predict)" "$ROW_CM")
  mm=$(post "$(url_of iris-preprocess /models/iris/predict)" "$ROW_MM")
  dflt=$(post "$(url_of iris-preprocess /models/iris/predict)" "$ROW_MM_DEFAULT")
  if [ -n "$(probabilities "$plain")" ] && [ "$(probabilities "$mm")" = "$(probabilities "$plain")" ] &&
    [ "$(probabilities "$dflt")" = "$(probabilities "$plain")" ]; then
    ok "card transforms: millimetres (and a defaulted petal_width_mm) answer exactly as centimetres ($(probabilities "$mm"))"
  else
    fail "card transforms answer differently" "plain: $plain
mm: $mm
default: $dflt"
  fi
  local refused
  refused=$(post "$(url_of iris-preprocess /models/iris/predict)" '{"sepal_length_mm":580,"sepal_width_mm":27,"petal_length_mm":41}')
  if [[ "$refused" == *"must be at most 100 (got 580)"*" 422" ]]; then
    ok "the raw millimetres are validated before the transform (422 for 580 mm)"
  else
    fail "an out-of-range raw value was not refused" "$refused"
  fi

  # 2. The transformer container in front of the runtime.
  if ready_md iris-transformer; then
    ok "iris-transformer Ready on the real node"
  else
    fail "iris-transformer never Ready" "$(diagnose; kubectl -n "$NS" logs -l modelship.io/name=iris-transformer -c transformer --tail=20)"
  fi
  local pod containers ready
  pod=$(pods_of iris-transformer -o jsonpath='{.items[0].metadata.name}')
  containers=$(kubectl -n "$NS" get pod "$pod" -o jsonpath='{range .status.containerStatuses[*]}{.name}={.ready} {end}')
  ready=$(kubectl -n "$NS" get pod "$pod" -o jsonpath='{.spec.containers[0].ports[0].containerPort}/{.spec.containers[1].ports[0].containerPort} {.metadata.annotations.modelship\.io/serving-port}')
  if [ "$containers" = "runtime=true transformer=true " ] && [ "$ready" = "8081/9000 9000" ]; then
    ok "the pod runs runtime (8081) and transformer (9000), both ready; serving-port annotation 9000"
  else
    fail "transformer pod: containers '$containers', ports '$ready'" "$(kubectl -n "$NS" describe pod "$pod" | tail -30)"
  fi
  local through mixed
  through=$(post "$(url_of iris-transformer /models/iris/predict)" "$ROW_MIXED")
  mixed=$(post "$(url_of iris-rolling /models/iris/predict)" "$ROW_MIXED_CM")
  if [ -n "$(probabilities "$mixed")" ] && [ "$(probabilities "$through")" = "$(probabilities "$mixed")" ] && [[ "$through" == *" 200" ]]; then
    ok "through the Service and the transformer: mm and inches give the centimetre answer"
  else
    fail "the transformer's answer differs" "transformer: $through
plain: $mixed"
  fi
  refused=$(post "$(url_of iris-transformer /models/iris/predict)" '{"sepal_length_mm":58}')
  if [[ "$refused" == *"sepal_width"*" 422" ]]; then
    ok "the runtime's 422 reaches the client through the transformer"
  else
    fail "a bad request through the transformer" "$refused"
  fi

  # 3. A transformer change and a transform change are new revisions, rolled out.
  local before
  before=$(field iris-transformer '{.status.stableRevision}')
  kubectl -n "$NS" patch md iris-transformer --type merge \
    -p '{"spec":{"transformer":{"env":[{"name":"EXAMPLE_CHANGE","value":"2"}]}}}' >/dev/null
  if until_true 240 stable_changed iris-transformer "$before" &&
    [[ "$(post "$(url_of iris-transformer /models/iris/predict)" "$ROW_MIXED")" == *" 200" ]]; then
    ok "a transformer env change rolled out as revision $(field iris-transformer '{.status.stableRevision}') (from $before), answering"
  else
    fail "the transformer change did not roll out" "$(diagnose)"
  fi
  before=$(field iris-preprocess '{.status.stableRevision}')
  # Millimetres to inches: the same model behind a different transform (cm = in / 0.3937...).
  local inch='{"min": 0, "max": 4, "transform": {"standardize": {"mean": 0, "std": 0.39370078740157477}}}'
  kubectl -n "$NS" patch md iris-preprocess --type merge -p "{\"spec\":{\"model\":{\"inputs\":[
    {\"name\": \"sepal_length_in\", ${inch:1}, {\"name\": \"sepal_width_in\", ${inch:1},
    {\"name\": \"petal_length_in\", ${inch:1}, {\"name\": \"petal_width_in\", ${inch:1}]}}}" >/dev/null
  local inches
  if until_true 240 stable_changed iris-preprocess "$before"; then
    inches=$(post "$(url_of iris-preprocess /models/iris/predict)" \
      '{"sepal_length_in":2.2834645669,"sepal_width_in":1.062992126,"petal_length_in":1.6141732283,"petal_width_in":0.5118110236}')
    if [[ "$inches" == *'"label":"versicolor"'*" 200" ]]; then
      ok "a card transform change (mm -> inches) rolled out as a new revision, which takes inches"
    else
      fail "the new revision's answer in inches" "$inches (centimetres: $plain)"
    fi
  else
    fail "the transform change did not roll out" "$(diagnose)"
  fi

  # 4. Canary through the built-in router: it reaches each revision's pods on the transformer's
  #    port (their serving-port annotation), and both revisions answer at 50 %.
  sed -e 's/^  name: iris-transformer$/  name: iris-transformer-canary/' \
    -e 's/^    type: RollingUpdate$/    type: Canary\n    canary: {steps: [{setWeight: 50}, {pause: {}}]}/' \
    examples/iris-transformer.yaml >"$WORK/canary.yaml"
  kubectl -n "$NS" apply -f "$WORK/canary.yaml" >/dev/null
  if ready_md iris-transformer-canary; then
    ok "iris-transformer-canary Ready behind its router"
  else
    fail "iris-transformer-canary never Ready" "$(diagnose)"
  fi
  kubectl -n "$NS" patch md iris-transformer-canary --type merge \
    -p '{"spec":{"transformer":{"env":[{"name":"EXAMPLE_CHANGE","value":"2"}]}}}' >/dev/null
  local answers revisions
  if until_true 240 weight_is iris-transformer-canary 50; then
    answers=$("$CLUSTER" exec bash -c 'for i in $(seq 40); do
        curl -s -m 5 -D - -o /dev/null -w "%{http_code}\n" -H "Content-Type: application/json" -d "$2" "$1" |
          tr -d "\r" | sed -n "s/^x-modelship-revision: //Ip; /^[0-9][0-9][0-9]$/p" | paste -sd" "
      done' _ "$(url_of iris-transformer-canary /models/iris/predict)" "$ROW_MIXED" 2>&1)
    revisions=$(awk '$2 == 200 { print $1 }' <<<"$answers" | sort -u | wc -l)
    if [ "$(awk '$2 == 200' <<<"$answers" | wc -l)" = 40 ] && [ "$revisions" = 2 ]; then
      ok "canary at 50 % through the router and the transformers: 40 of 40 answered, by both revisions"
    else
      fail "canary through the router: answers by revision and status" "$answers"
    fi
  else
    fail "the canary never reached 50 %" "$(diagnose)"
  fi

  kubectl delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
  echo "preprocess-e2e: $passed passed, $failed failed"
  [ "$failed" = 0 ]
}

main "$@"
