#!/usr/bin/env bash
# The operator's web dashboard (docs/dashboard.md) against a real API server (e2e/cluster.sh,
# kwok nodes only unless a cluster with the real node is already up), in headless Chromium from
# Debian's package driven by playwright-core (scripts/browser.sh installs both; no browser is
# downloaded). Everything stays on 127.0.0.1.
#
# The operator runs as a process on this machine with the cluster's ADMIN kubeconfig (a client
# certificate): had the dashboard used any of the operator's credentials, the viewer below would
# be allowed to promote, and the test would fail.
#
# What it checks:
#   - dashboard on: the API answers 401 without a token, and with a token the API server refuses
#   - two ServiceAccounts with Roles: a viewer (get/list/watch) and a deployer (also patch), tokens
#     from `kubectl create token`
#   - in the browser, as the viewer: the list of ModelDeployments; the canary of
#     examples/iris-gateway-canary.yaml (no router, no real pods needed) advancing from 20 % to 50 %
#     and its open pause highlighted; promote refused with "you may not patch modeldeployments in
#     namespace ..." and the rollout unchanged (kubectl)
#   - status.history in the page: the rollout in progress, then Promoted
#   - as the deployer: promote, and the page shows the new revision at 100 % (kubectl agrees)
#   - the analysis gates of examples/iris-canary.yaml against their limits (the live figures need
#     the router's counters, so real pods: not here)
#   - dashboard off (the default): its page, files and API are 404
# Screenshots (list, canary at 50 %, permission error, after promote) go to $DASHBOARD_SCREENSHOTS
# (default target/dashboard-e2e, which outlives the cluster's state directory).
# Prints `dashboard-e2e: N passed, N failed`; exits non-zero if anything failed.
# E2E_KEEP=1 leaves the cluster up.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=e2e/cluster.sh
NS=e2e-dashboard
MD=iris-gateway
JAR=operator/target/quarkus-app/quarkus-run.jar
STATE=${MODELSHIP_E2E_DIR:-/tmp/modelship-e2e}
WORK=$STATE/dashboard-e2e
LOG=$WORK/operator.log
SHOTS=${DASHBOARD_SCREENSHOTS:-target/dashboard-e2e}
export E2E_REAL_NODE=${E2E_REAL_NODE:-0}

passed=0
failed=0
op_pid=""
port=""
was_up=0

# shellcheck source=e2e/lib.sh
source e2e/lib.sh
# shellcheck source=scripts/browser.sh
source scripts/browser.sh

cleanup() {
  stop_operator
  if [ "${E2E_KEEP:-0}" != 1 ] && [ "$was_up" = 0 ]; then "$CLUSTER" down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'echo "dashboard-e2e: stopped by a failing command at line $LINENO"; failed=$((failed + 1))' ERR

# run_operator true|false: the operator on a free loopback port, with the dashboard on or off, as
# the cluster admin (lib.sh's start_operator runs it with the chart's RBAC instead).
run_operator() {
  port=18890
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  # The admin kubeconfig names no namespace: the leader-election Lease goes to "default".
  KUBECONFIG=$STATE/admin.kubeconfig QUARKUS_KUBERNETES_CLIENT_NAMESPACE=default \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$port MODELSHIP_DASHBOARD_ENABLED=$1 \
    java -jar "$JAR" >>"$LOG" 2>&1 &
  op_pid=$!
  until_true 60 curl -fsS "http://127.0.0.1:$port/q/health/live" && return 0
  fail "the operator did not start (dashboard $1)" "$(grep -m3 -E 'Exception|ERROR' "$LOG")"
  return 1
}
finish() {
  info "took $((SECONDS - t0)) s"
  echo "dashboard-e2e: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
stop_operator() {
  [ -n "$op_pid" ] || return 0
  kill -TERM "$op_pid" 2>/dev/null || true
  wait "$op_pid" 2>/dev/null || true
  op_pid=""
}

# http_code METHOD PATH [TOKEN]: the status code the operator answers.
http_code() {
  local args=(-s -o /dev/null -w '%{http_code}' -X "$1" --max-time 20)
  [ -n "${3:-}" ] && args+=(-H "Authorization: Bearer $3")
  curl "${args[@]}" "http://127.0.0.1:$port$2"
}
expect_code() {
  local name=$1 want=$2 got
  shift 2
  got=$(http_code "$@")
  if [ "$got" = "$want" ]; then ok "$name ($got)"; else fail "$name: got $got, want $want"; fi
}

# The two users, as a cluster admin would give them out: Roles in the namespace, ServiceAccounts
# bound to them, short-lived tokens.
make_users() {
  md_user md-viewer "get, list, watch"
  md_user md-deployer "get, list, watch, patch"
  viewer_token=$(kubectl -n "$NS" create token md-viewer --duration=1h)
  deployer_token=$(kubectl -n "$NS" create token md-deployer --duration=1h)
}

main() {
  local node_modules
  t0=$SECONDS
  "$CLUSTER" status >/dev/null 2>&1 && was_up=1
  [ -f "$JAR" ] || ./mvnw -q -B package -DskipTests -pl operator -am
  node_modules=$(browser_ensure)
  "$CLUSTER" up
  rm -rf "$WORK"
  mkdir -p "$WORK" "$SHOTS"
  SHOTS=$(cd "$SHOTS" && pwd)
  rm -f "$SHOTS"/*.png

  kubectl apply --server-side -f crds/ >/dev/null
  kubectl wait --for condition=established --timeout=60s crd/modeldeployments.modelship.io >/dev/null
  "$CLUSTER" fake-namespace "$NS"
  make_users
  # A cluster kept from an earlier run (E2E_KEEP=1) may hold the rollout already done.
  kubectl -n "$NS" delete md "$MD" --ignore-not-found --wait=true >/dev/null
  kubectl -n "$NS" apply -f examples/iris-model-configmap.yaml -f examples/iris-gateway-canary.yaml \
    -f examples/iris-canary.yaml >/dev/null

  run_operator true || { finish; return; }
  local api=/dashboard/api/namespaces/$NS/modeldeployments
  expect_code "dashboard on: the API without a token is refused" 401 GET "$api"
  expect_code "dashboard on: a token the API server does not know is refused" 401 GET "$api" not-a-real-token
  expect_code "dashboard on: the viewer's token lists ModelDeployments" 200 GET "$api" "$viewer_token"
  expect_code "dashboard on: the viewer may not list other namespaces' ModelDeployments" 403 GET \
    /dashboard/api/namespaces/default/modeldeployments "$viewer_token"
  expect_code "dashboard on: the viewer's promote through the API is forbidden" 403 POST "$api/$MD/actions/promote" "$viewer_token"

  if kubectl -n "$NS" wait --for=condition=Ready "md/$MD" --timeout=120s >/dev/null 2>&1; then
    ok "$MD Ready on revision $(field "$MD" '{.status.stableRevision}')"
    if DASHBOARD_URL="http://127.0.0.1:$port/dashboard/" NS=$NS MD=$MD \
      VIEWER_TOKEN=$viewer_token DEPLOYER_TOKEN=$deployer_token SHOTS=$SHOTS \
      USER_DATA_DIR="$WORK/chromium-profile" KUBECTL="$CLUSTER kubectl" NODE_PATH="$node_modules" \
      ROLL_PATCH="{\"spec\":{\"model\":{\"uri\":\"configmap://iris-model/iris-v2.onnx\",\"sha256\":\"$V2_SHA\",\"version\":\"2\"}}}" \
      node e2e/dashboard.mjs >"$WORK/browser.out" 2>&1; then :; fi
    cat "$WORK/browser.out"
    passed=$((passed + $(grep -c '^ok ' "$WORK/browser.out" || true)))
    failed=$((failed + $(grep -c '^FAIL ' "$WORK/browser.out" || true)))
    grep -qE '^(ok|FAIL) ' "$WORK/browser.out" || fail "the browser run printed no result"
  else
    fail "$MD never Ready" "$(kubectl -n "$NS" get md "$MD" -o yaml | sed -n '/^status:/,$p'; tail -20 "$LOG")"
  fi
  local shots
  shots=$(cd "$SHOTS" && find . -name '*.png' -printf '%f\n' | sort | tr '\n' ' ')
  if [ "$(wc -w <<<"$shots")" -eq 4 ]; then ok "screenshots in $SHOTS: $shots"; else fail "screenshots: $shots"; fi

  stop_operator
  run_operator false || { finish; return; }
  local path
  for path in /dashboard /dashboard/ /dashboard/dashboard.js "$api"; do
    expect_code "dashboard off: GET $path is not found" 404 GET "$path" "$deployer_token"
  done
  expect_code "dashboard off: POST of an action is not found" 404 POST "$api/$MD/actions/abort" "$deployer_token"
  expect_code "dashboard off: the operator's health still answers" 200 GET /q/health/live

  finish
}

main "$@"
