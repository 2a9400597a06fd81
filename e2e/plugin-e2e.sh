#!/usr/bin/env bash
# kubectl-modelship against the real API server of the e2e cluster, as users run it: the one file
# `kubectl-plugin/target/kubectl-modelship` copied into a directory on PATH, found by kubectl's
# own plugin lookup, with each user's kubeconfig. The operator runs as a process on this machine
# with the chart's RBAC (as in operator-e2e.sh); kwok plays the kubelet; a Canary through a Gateway
# API HTTPRoute steps without real pods. Everything stays on 127.0.0.1.
#
# Two users, each a ServiceAccount token with its own Role: "viewer" (get, list, watch) and
# "deployer" (also patch ModelDeployments). What it checks:
#   - `kubectl plugin list` finds the plugin; `kubectl modelship list`, `-o json`
#   - `status --watch` follows a Canary from 20 % to its open pause at 50 %
#   - set-weight at the open pause moves the HTTPRoute's weights; refused at a setWeight step, for
#     a bad percent, and where nothing rolls out, each with its exit code
#   - the viewer's promote is refused by RBAC (exit 4) and changes nothing
#   - pause and resume; promote; abort and retry; history with each rollout's outcome and traffic
#   - not found (3), bad credentials (4), usage (2)
# Writes what each command printed into $STATE/plugin-e2e/transcript.txt (docs/kubectl-plugin.md
# quotes it). Prints `plugin-e2e: N passed, N failed`; exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=e2e/cluster.sh
NS=e2e-plugin
JAR=operator/target/quarkus-app/quarkus-run.jar
PLUGIN=kubectl-plugin/target/kubectl-modelship
STATE=${MODELSHIP_E2E_DIR:-/tmp/modelship-e2e}
LOG=$STATE/operator.log
WORK=$STATE/plugin-e2e
MD=iris-gateway

passed=0
failed=0
op_pid=""
was_up=0

# shellcheck source=e2e/lib.sh
source e2e/lib.sh

cleanup() {
  if [ -n "$op_pid" ]; then kill "$op_pid" 2>/dev/null || true; wait "$op_pid" 2>/dev/null || true; fi
  if [ "${E2E_KEEP:-0}" != 1 ] && [ "$was_up" = 0 ]; then "$CLUSTER" down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'echo "plugin-e2e: stopped by a failing command at line $LINENO"; failed=$((failed + 1))' ERR

# as USER ARGS...: `kubectl modelship ARGS...` as USER (through kubectl's plugin lookup); its
# output in $WORK/out, its errors in $WORK/err, both added to the transcript; returns its exit code.
as() {
  local user=$1 rc=0
  shift
  KUBECONFIG=$WORK/$user.kubeconfig PATH=$WORK/bin:$PATH "$STATE/bin/kubectl" modelship "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  {
    echo "\$ kubectl modelship $*        # as $user, exit $rc"
    cat "$WORK/out" "$WORK/err"
    echo
  } >>"$WORK/transcript.txt"
  return $rc
}
# expect_exit CODE USER ARGS...: runs `as`, true when its exit code is CODE.
expect_exit() {
  local want=$1 rc=0
  shift
  as "$@" || rc=$?
  [ "$rc" = "$want" ]
}

route_backends() {
  kubectl -n "$NS" get httproute "$MD" \
    -o jsonpath='{range .spec.rules[*]}{range .backendRefs[*]}{.name}={.weight} {end}| {end}' 2>/dev/null
}
route_is() { [ "$(route_backends)" = "$1" ]; }
annotation() { kubectl -n "$NS" get md "$MD" -o jsonpath="{.metadata.annotations.modelship\.io/$1}"; }
at_open_pause() { [ "$(field "$MD" '{.status.currentStep}')" = 3 ]; }

main() {
  "$CLUSTER" status >/dev/null 2>&1 && was_up=1
  [ -f "$JAR" ] && [ -f "$PLUGIN" ] || ./mvnw -q -B package -DskipTests -pl operator,kubectl-plugin
  E2E_REAL_NODE=${E2E_REAL_NODE:-0} "$CLUSTER" up
  mkdir -p "$STATE" "$WORK/bin"
  : >"$LOG"
  : >"$WORK/transcript.txt"

  # Installing the plugin is copying one file onto PATH.
  cp "$PLUGIN" "$WORK/bin/kubectl-modelship"
  if PATH=$WORK/bin:$PATH "$STATE/bin/kubectl" plugin list 2>/dev/null | grep -q "$WORK/bin/kubectl-modelship"; then
    ok "kubectl plugin list finds kubectl-modelship on PATH ($(du -h "$PLUGIN" | cut -f1), one file)"
  else
    fail "kubectl plugin list does not find the plugin" "$(PATH=$WORK/bin:$PATH "$STATE/bin/kubectl" plugin list 2>&1)"
  fi

  operator_on_kwok
  md_user viewer "get, list, watch"
  md_user deployer "get, list, watch, patch"
  sa_kubeconfig "$WORK/viewer.kubeconfig" "$NS" viewer
  sa_kubeconfig "$WORK/deployer.kubeconfig" "$NS" deployer

  kubectl -n "$NS" apply -f examples/iris-model-configmap.yaml -f examples/iris-gateway-canary.yaml >/dev/null
  if ! kubectl -n "$NS" wait --for=condition=Ready "md/$MD" --timeout=120s >/dev/null 2>&1; then
    fail "$MD never Ready" "$(kubectl -n "$NS" get md "$MD" -o yaml | sed -n '/^status:/,$p'; tail -20 "$LOG")"
    echo "plugin-e2e: $passed passed, $failed failed"
    return 1
  fi
  local v1 v2 rc
  v1=$(field "$MD" '{.status.stableRevision}')

  if as viewer list && grep -Eq "^$MD +Canary +Healthy +$v1 +- +100 +2/2" "$WORK/out"; then
    ok "list: $(sed -n 2p "$WORK/out" | tr -s ' ')"
  else
    fail "list" "$(cat "$WORK/out" "$WORK/err")"
  fi
  if as viewer list -o json && [ "$(jq -r '.[0].stableRevision' "$WORK/out")" = "$v1" ]; then
    ok "list -o json: stableRevision $v1"
  else
    fail "list -o json" "$(cat "$WORK/out" "$WORK/err")"
  fi
  if expect_exit 5 deployer promote "$MD" && grep -q "has no rollout in progress" "$WORK/err"; then
    ok "promote with nothing rolling out: exit 5, $(cat "$WORK/err")"
  else
    fail "promote with nothing rolling out" "$(cat "$WORK/out" "$WORK/err")"
  fi
  if expect_exit 4 viewer list -A && grep -q "forbidden" "$WORK/err"; then
    ok "list -A without cluster-wide rights: exit 4 (forbidden)"
  else
    fail "list -A as viewer" "$(cat "$WORK/out" "$WORK/err")"
  fi

  # A model change; `status --watch` follows the Canary to its open pause.
  KUBECONFIG=$WORK/viewer.kubeconfig PATH=$WORK/bin:$PATH \
    timeout 150 "$STATE/bin/kubectl" modelship status "$MD" --watch --timeout 120s >"$WORK/watch.txt" 2>&1 &
  local watch_pid=$!
  sleep 3
  roll_to_v2 "$MD"
  until_true 60 candidate_named "$MD" || true
  v2=$(field "$MD" '{.status.candidateRevision}')
  if until_true 90 at_open_pause && until_true 10 grep -q "► 4. pause (until promoted)" "$WORK/watch.txt"; then
    ok "status --watch followed the Canary to the open pause ($(grep -c '^--- ' "$WORK/watch.txt") redraws)"
  else
    fail "the Canary never reached the open pause in the watch" "$(tail -40 "$WORK/watch.txt")"
  fi
  kill "$watch_pid" 2>/dev/null || true
  wait "$watch_pid" 2>/dev/null || true
  if grep -q "stable 80 % · candidate 20 %" "$WORK/watch.txt" && grep -q "stable 50 % · candidate 50 %" "$WORK/watch.txt"; then
    ok "status --watch showed the traffic bar at 80/20, then 50/50"
  else
    fail "status --watch missed a step" "$(grep -E '^(Traffic|Phase)' "$WORK/watch.txt" | sort | uniq -c)"
  fi
  {
    echo "\$ kubectl modelship status $MD --watch        # as viewer (the last view)"
    awk '/^--- /{buf=""; next} {buf = buf $0 "\n"} END {printf "%s", buf}' "$WORK/watch.txt"
    echo
  } >>"$WORK/transcript.txt"
  if as viewer status "$MD" && grep -q "^  $v1 .*stable .*2/2 ready .*50 % of traffic" "$WORK/out" &&
    grep -q "^  $v2 .*candidate .*50 % of traffic" "$WORK/out"; then
    ok "status: revisions with their pods ready and their share"
  else
    fail "status" "$(cat "$WORK/out" "$WORK/err")"
  fi
  if as viewer status "$MD" -o json && [ "$(jq -r '.steps[3].state' "$WORK/out")" = current ] &&
    [ "$(jq -r '.traffic.candidate' "$WORK/out")" = 50 ]; then
    ok "status -o json: step 4 current, candidate 50 %"
  else
    fail "status -o json" "$(cat "$WORK/out" "$WORK/err")"
  fi

  # RBAC: the viewer may read but not drive.
  if expect_exit 4 viewer promote "$MD" && grep -q "forbidden: you may not patch modeldeployments" "$WORK/err" &&
    [ -z "$(annotation action)" ] && at_open_pause; then
    ok "viewer's promote: exit 4, $(cut -c1-90 "$WORK/err")…; nothing changed"
  else
    fail "viewer's promote was not refused" "$(cat "$WORK/out" "$WORK/err")"
  fi

  # set-weight at the open pause: the operator moves the HTTPRoute to 30/70.
  if as deployer set-weight "$MD" 70 &&
    until_true 30 route_is "$MD-$v2=1 | $MD-$v1=30 $MD-$v2=70 | " &&
    [ "$(field "$MD" '{.status.manualWeight}')" = 70 ] && [ -z "$(annotation set-weight)" ]; then
    ok "set-weight 70 at the open pause: HTTPRoute $v1 30 / $v2 70, status.manualWeight 70, annotation consumed"
  else
    fail "set-weight 70" "$(cat "$WORK/out" "$WORK/err"; route_backends; kubectl -n "$NS" get md "$MD" -o yaml | sed -n '/^status:/,$p' | head -30)"
  fi
  if expect_exit 2 deployer set-weight "$MD" 150 && expect_exit 3 deployer set-weight nope 10; then
    ok "set-weight 150: exit 2 (usage); a missing ModelDeployment: exit 3"
  else
    fail "set-weight's usage and not-found exits" "$(cat "$WORK/out" "$WORK/err")"
  fi

  # pause and resume: spec.paused, and the phase the operator reports; the rollout keeps its step
  # and its share while paused.
  if as deployer pause "$MD" && [ "$(kubectl -n "$NS" get md "$MD" -o jsonpath='{.spec.paused}')" = true ] &&
    until_true 30 eval '[ "$(field "$MD" "{.status.phase}")" = Paused ]' && sleep 3 &&
    route_is "$MD-$v2=1 | $MD-$v1=30 $MD-$v2=70 | " && at_open_pause; then
    ok "pause: phase Paused, still at step 4 with $v1 30 / $v2 70"
  else
    fail "pause" "$(cat "$WORK/out" "$WORK/err"; field "$MD" '{.status.phase}'; route_backends)"
  fi
  if expect_exit 5 deployer set-weight "$MD" 40 && grep -q "paused by spec.paused; resume it first" "$WORK/err"; then
    ok "set-weight while paused: exit 5, $(cat "$WORK/err")"
  else
    fail "set-weight while paused" "$(cat "$WORK/out" "$WORK/err")"
  fi
  if as deployer resume "$MD" && [ -z "$(kubectl -n "$NS" get md "$MD" -o jsonpath='{.spec.paused}')" ] &&
    until_true 30 eval '[ "$(field "$MD" "{.status.phase}")" = Progressing ]' && at_open_pause; then
    ok "resume: Progressing again, from the same step"
  else
    fail "resume" "$(cat "$WORK/out" "$WORK/err"; field "$MD" '{.status.phase}')"
  fi

  # promote as the deployer: the new revision takes everything.
  if as deployer promote "$MD" && until_true 90 stable_changed "$MD" "$v1" &&
    until_true 30 route_is "$MD-$v2=1 | "; then
    ok "promote: $v2 serves everything ($(cat "$WORK/out"))"
  else
    fail "promote did not finish" "$(cat "$WORK/out" "$WORK/err"; route_backends)"
  fi
  if expect_exit 5 deployer set-weight "$MD" 10 && grep -q "no Canary rollout is in progress" "$WORK/err"; then
    ok "set-weight with nothing rolling out: exit 5"
  else
    fail "set-weight after the rollout" "$(cat "$WORK/out" "$WORK/err")"
  fi

  # Back to v1's model: at the first step, abort; then retry.
  kubectl -n "$NS" patch md "$MD" --type merge -p \
    "{\"spec\":{\"model\":{\"uri\":\"configmap://iris-model/iris.onnx\",\"sha256\":\"$(sha256sum examples/models/iris.onnx | cut -c1-64)\",\"version\":\"1\"}}}" >/dev/null
  until_true 60 eval '[ "$(field "$MD" "{.status.candidateRevision}")" = "$v1" ]' || true
  if as deployer abort "$MD" && until_true 60 eval '[ "$(field "$MD" "{.status.rejectedRevision}")" = "$v1" ]' &&
    until_true 30 route_is "$MD-$v2=1 | "; then
    ok "abort: $v1 rejected, $v2 keeps everything"
  else
    fail "abort" "$(cat "$WORK/out" "$WORK/err"; route_backends)"
  fi
  if as deployer retry "$MD" && until_true 60 eval '[ "$(field "$MD" "{.status.candidateRevision}")" = "$v1" ]'; then
    ok "retry: $v1 rolls out again"
  else
    fail "retry" "$(cat "$WORK/out" "$WORK/err"; field "$MD" '{.status}')"
  fi
  until_true 60 at_open_pause || true
  as deployer promote "$MD" >/dev/null || true
  until_true 90 stable_changed "$MD" "$v2" || true

  if as viewer history "$MD" &&
    [ "$(awk 'NR > 1 {print $1 ":" $6}' "$WORK/out" | tr '\n' ' ')" = "$v1:Promoted $v2:Promoted $v1:Aborted $v1:Promoted " ] &&
    grep -q "^$v2 .* 0→20→50→70→100 " "$WORK/out"; then
    ok "history: $v1 Promoted, $v2 Promoted (0→20→50→70→100), $v1 Aborted, $v1 Promoted"
  else
    fail "history" "$(cat "$WORK/out" "$WORK/err")"
  fi
  if as viewer history "$MD" -o json && [ "$(jq -r '.[2].outcome' "$WORK/out")" = Aborted ]; then
    ok "history -o json: the abort recorded with its reason ($(jq -r '.[2].reason' "$WORK/out"))"
  else
    fail "history -o json" "$(cat "$WORK/out" "$WORK/err")"
  fi

  # Errors a script can tell apart.
  if expect_exit 3 viewer status nope && grep -q "modeldeployment \"nope\" not found in namespace \"$NS\"" "$WORK/err"; then
    ok "status of a missing ModelDeployment: exit 3, $(cat "$WORK/err")"
  else
    fail "status nope" "$(cat "$WORK/out" "$WORK/err")"
  fi
  sed 's/token: ".*"/token: "not-a-token"/' "$WORK/viewer.kubeconfig" >"$WORK/stranger.kubeconfig"
  if expect_exit 4 stranger list && grep -q "unauthorized" "$WORK/err"; then
    ok "a bad token: exit 4, $(cat "$WORK/err")"
  else
    fail "bad token" "$(cat "$WORK/out" "$WORK/err")"
  fi
  rc=0
  as viewer promote >/dev/null 2>&1 || rc=$?
  if [ "$rc" = 2 ]; then ok "promote without a name: exit 2 ($(cat "$WORK/err"))"; else fail "usage exit $rc"; fi

  info "what each command printed: $WORK/transcript.txt"
  echo "plugin-e2e: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

main "$@"
