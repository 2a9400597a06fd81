#!/usr/bin/env bash
# Modelship on the e2e cluster's real node (e2e/cluster.sh: kubelet, containerd, runc, CNI bridge,
# kube-proxy, in a network namespace of its own): the images built by scripts/images.sh run as
# real containers, as they would on a cloud cluster.
#
# What it checks, as a user would:
#   1. `helm install` starts the operator as a real pod from its image, with the chart's RBAC, in
#      a namespace that enforces Pod Security "restricted"; it becomes Ready and elects itself.
#   2. examples/iris-rolling.yaml: the fetch init container copies the model, the runtime pods
#      become Ready on their readiness probes, and a client in the cluster's network gets correct
#      Iris predictions through the Service.
#   3. The model change rolls through real pods under a bounded load (20 requests/s, a new
#      connection each, no retries) with zero failed requests, and the answers move from the old
#      revision to the new one.
#   4. Pod Security "restricted" is enforced on the namespace (a privileged pod is refused) and
#      the operator's pods run there.
#   5. A runtime container killed (SIGKILL) under load: the kubelet restarts it, the Service routes
#      around it, and no request fails that a retry policy saves (up to 5 retries on a refused or
#      reset connection or a 502/503/504, backing off 100 ms, doubling: 3.1 s in all; the kubelet
#      and kube-proxy take a second or two to take the dead endpoint out of the Service).
#  5b. spec.runtime.batching added to iris-rolling: a new revision rolls out whose runtimes run
#      with the batching flags; 8 concurrent clients get every answer right, and the runtimes'
#      modelship_batch_size_rows shows fewer model calls than rows.
#   6. examples/iris-canary.yaml, Canary through the built-in router: the operator deploys the
#      router, the model change moves 25 % -> 50 % -> 100 % through pauses and analysis steps under
#      load with zero failed requests; then examples/iris-canary-rollback.yaml, a deliberately
#      broken model, is rolled back by the analysis on its own (rejectedRevision set), again with
#      zero failed requests (its wrong answers while it had 25 % are counted, not failed).
#   7. examples/iris-shadow.yaml: the model change is mirrored (100 %) for 20 s while users get
#      only the stable answers, then promoted on the agreement gate, with zero failed requests.
#   8. examples/iris-ab.yaml: requests with x-user-group=beta all go to the candidate, all others
#      to the stable revision, until modelship.io/action=promote.
#   9. examples/iris-bluegreen.yaml, with two routers: the new revision serves only the preview
#      Service until modelship.io/action=promote; the analysis counts the preview's requests
#      summed over both routers; the promotion switches every client at once (time measured), the
#      old revision stays for scaleDownDelaySeconds, and no client request fails.
#  10. `e2e/cluster.sh down` leaves no process, mount, cgroup or network namespace behind.
# Also prints what it measured: image sizes, the time from `kubectl apply` to Ready, and the
# runtime's own start-up time in a pod.
#
# Needs the images (scripts/images.sh build; built here if missing, which needs the Maven build)
# and root. Prints `node-e2e: N passed, N failed`; exits non-zero if anything failed.
# E2E_KEEP=1 leaves the cluster up.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=e2e/cluster.sh
SYSTEM_NS=modelship-system
NS=models
STATE=${MODELSHIP_E2E_DIR:-/tmp/modelship-e2e}
WORK=$STATE/node-e2e
# shellcheck source=e2e/lib.sh
source e2e/lib.sh

passed=0
failed=0
was_up=0

cleanup() {
  if [ -n "$load_pid" ]; then kill "$load_pid" 2>/dev/null || true; fi
  if [ -n "$probe_pid" ]; then kill "$probe_pid" 2>/dev/null || true; fi
  if [ "${E2E_KEEP:-0}" != 1 ] && [ "$was_up" = 0 ]; then "$CLUSTER" down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'echo "node-e2e: stopped by a failing command at line $LINENO"; failed=$((failed + 1))' ERR

main() {
  images
  "$CLUSTER" status >/dev/null 2>&1 && was_up=1
  "$CLUSTER" up
  [ "$was_up" = 0 ] || "$CLUSTER" load-images
  mkdir -p "$WORK"

  local a
  for a in runtime operator pause; do
    info "image $a: $(du -h "target/images/$a.tar" | cut -f1) compressed ($(tar -xOf "target/images/$a.tar" ./index.json | sed 's/.*"io.containerd.image.name":"\([^"]*\)".*/\1/'))"
  done

  # 1. The operator as a real pod, from the chart, in a restricted namespace.
  kubectl apply --server-side -f crds/ >/dev/null
  kubectl wait --for condition=established --timeout=60s crd/modeldeployments.modelship.io >/dev/null
  local ns
  for ns in "$SYSTEM_NS" "$NS"; do
    kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
    kubectl label --overwrite namespace "$ns" pod-security.kubernetes.io/enforce=restricted \
      pod-security.kubernetes.io/enforce-version=latest >/dev/null
  done
  local t0=$SECONDS
  if "$CLUSTER" helm install modelship helm/modelship -n "$SYSTEM_NS" --wait --timeout 180s >"$WORK/helm.out" 2>&1; then
    local node image
    node=$(kubectl -n "$SYSTEM_NS" get pods -l app.kubernetes.io/name=modelship -o jsonpath='{.items[0].spec.nodeName}')
    image=$(kubectl -n "$SYSTEM_NS" get pods -l app.kubernetes.io/name=modelship -o jsonpath='{.items[0].status.containerStatuses[0].imageID}')
    if [ "$node" = e2e-node ]; then
      ok "helm install: the operator runs as a real pod on e2e-node and is Ready ($((SECONDS - t0)) s; image $image)"
    else
      fail "the operator pod is on node '$node', not e2e-node"
    fi
  else
    fail "helm install: the operator never became Ready" "$(cat "$WORK/helm.out"; kubectl -n "$SYSTEM_NS" get pods -o wide; kubectl -n "$SYSTEM_NS" logs deploy/modelship --tail=20)"
  fi
  if until_true 60 grep_log "$SYSTEM_NS" deploy/modelship "New leader with identity"; then
    ok "the operator pod talks to the API server through the kubernetes Service and leads"
  else
    fail "the operator pod did not become leader" "$(kubectl -n "$SYSTEM_NS" logs deploy/modelship --tail=30)"
  fi

  # 2. The rolling example, for real.
  t0=$SECONDS
  kubectl -n "$NS" apply -f examples/iris-model-configmap.yaml -f examples/iris-rolling.yaml >/dev/null
  if kubectl -n "$NS" wait --for=condition=Ready md/iris-rolling --timeout=180s >/dev/null 2>&1; then
    ok "iris-rolling: Ready with real pods, $((SECONDS - t0)) s after kubectl apply"
  else
    fail "iris-rolling never Ready" "$(diagnose)"
  fi
  local fetched started
  fetched=$(pods_of iris-rolling -o jsonpath='{range .items[*]}{.status.initContainerStatuses[0].state.terminated.exitCode}{" "}{end}')
  if [ "$fetched" = "0 0 " ]; then
    ok "both pods' fetch init containers copied the model and exited 0"
  else
    fail "fetch init containers: exit codes '$fetched'" "$(diagnose)"
  fi
  started=$(kubectl -n "$NS" logs "$(pods_of iris-rolling -o name | head -n 1)" -c runtime | sed -n 's/.*started in \([0-9.]*s\).*/\1/p')
  info "runtime start-up in a pod (Quarkus' own figure): ${started:-?}"
  local url
  url=$(predict_url iris-rolling)
  if "$CLUSTER" exec java e2e/PredictLoad.java --url "$url" --rate 30 --max-requests 30 >"$WORK/check.out" 2>&1; then
    ok "30 predictions through $url: all 200 and the right Iris labels ($(head -n 1 "$WORK/check.out"))"
  else
    fail "predictions through the Service" "$(cat "$WORK/check.out")"
  fi

  # 3. The model change, rolled through real pods under load, without retries.
  local before
  before=$(field iris-rolling '{.status.stableRevision}')
  start_load "$url" 0 rollout
  roll_to_v2 iris-rolling
  if until_true 180 stable_changed iris-rolling "$before"; then
    # The old pods drain (QUARKUS_SHUTDOWN_DELAY) while the load goes on.
    until_true 60 old_pods_gone iris-rolling "$before" || true
    sleep 3
    if stop_load rollout; then
      ok "rolling update under load: zero failed requests ($(head -n 1 "$WORK/rollout.out"))"
    else
      fail "rolling update under load: requests failed" "$(cat "$WORK/rollout.out")"
    fi
    if grep -q "revisions=.*$before.*,.*" "$WORK/rollout.out" || grep -q "revisions=.*,.*$before" "$WORK/rollout.out"; then
      ok "answers came from the old revision, then the new one ($(sed -n 's/.*\(revisions=[^ ]*\).*/\1/p' "$WORK/rollout.out"))"
    else
      fail "answers did not move between revisions" "$(cat "$WORK/rollout.out")"
    fi
  else
    stop_load rollout || true
    fail "the model change never finished" "$(diagnose)"
  fi

  # 4. Pod Security "restricted" is enforced here, and the pods above run under it.
  if kubectl -n "$NS" run privileged --image=registry.k8s.io/pause:3.10.1 --restart=Never \
    --overrides='{"spec":{"containers":[{"name":"privileged","image":"registry.k8s.io/pause:3.10.1","securityContext":{"privileged":true}}]}}' \
    >"$WORK/psa.out" 2>&1; then
    fail "a privileged pod was admitted to the restricted namespace"
    kubectl -n "$NS" delete pod privileged --wait=false >/dev/null 2>&1 || true
  elif grep -q 'violates PodSecurity "restricted' "$WORK/psa.out"; then
    ok "Pod Security restricted enforced: a privileged pod is refused, the operator's pods run"
  else
    fail "a privileged pod was refused, but not by Pod Security" "$(cat "$WORK/psa.out")"
  fi

  # 5. A runtime container killed under load: restarted by the kubelet, routed around.
  local pod cid pid restarts
  pod=$(pods_of iris-rolling -o jsonpath='{.items[0].metadata.name}')
  cid=$("$CLUSTER" crictl ps -q --name '^runtime$' --label "io.kubernetes.pod.name=$pod")
  pid=$("$CLUSTER" crictl inspect -o go-template --template '{{.info.pid}}' "$cid")
  start_load "$url" 5 kill
  kill -KILL "$pid"
  if until_true 90 restarted_and_ready "$pod"; then
    sleep 2
    restarts=$(kubectl -n "$NS" get pod "$pod" -o jsonpath='{.status.containerStatuses[0].restartCount}')
    ok "killed the runtime container of $pod (pid $pid): the kubelet restarted it (restarts: $restarts) and it is Ready again"
  else
    fail "the killed container was not restarted" "$(diagnose)"
  fi
  if stop_load kill; then
    ok "no request failed with a retry policy while a container was down ($(head -n 1 "$WORK/kill.out"))"
  else
    fail "requests failed while a container was down, despite retries" "$(cat "$WORK/kill.out")"
  fi

  batching
  canary
  shadow
  ab
  bluegreen

  if [ "$(kubectl -n "$SYSTEM_NS" logs deploy/modelship | grep -c Forbidden)" = 0 ]; then
    ok "the operator pod needed nothing beyond the chart's RBAC (no Forbidden in its log)"
  else
    fail "the operator pod hit RBAC refusals" "$(kubectl -n "$SYSTEM_NS" logs deploy/modelship | grep -m5 Forbidden)"
  fi

  # 6. `down` removes every container, mount, cgroup and network namespace (it checks itself).
  if [ "${E2E_KEEP:-0}" != 1 ] && [ "$was_up" = 0 ]; then
    local down_log
    down_log=$(mktemp)
    if "$CLUSTER" down >"$down_log" 2>&1; then
      ok "cluster.sh down left no process, mount, cgroup or network namespace behind"
    else
      fail "cluster.sh down left something behind" "$(cat "$down_log")"
    fi
    rm -f "$down_log"
    was_up=1 # nothing left for cleanup to take down
  fi

  echo "node-e2e: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# 6. Canary through the built-in router: the weight moves in steps under load with zero failed
# requests; then a deliberately broken model is rolled back by the analysis on its own.
# 5b. spec.runtime.batching through the operator: a new revision whose runtimes gather concurrent
# requests into model calls of several rows, and still answer each request correctly.
batch_metric() { # batch_metric POD-IP SUFFIX: modelship_batch_size_rows_SUFFIX summed over models
  "$CLUSTER" exec curl -s -m 5 "http://$1:8080/q/metrics" |
    awk -v m="modelship_batch_size_rows_$2" '$1 ~ "^" m "(\\{|$)" { n += $NF } END { printf "%d", n }'
}
batching() {
  local before url args ips ip calls=0 rows=0
  before=$(field iris-rolling '{.status.stableRevision}')
  kubectl -n "$NS" patch md iris-rolling --type merge \
    -p '{"spec":{"runtime":{"batching":{"maxBatchSize":8,"maxDelayMs":20}}}}' >/dev/null
  if ! until_true 180 stable_changed iris-rolling "$before"; then
    fail "batching: the new revision never became stable" "$(diagnose)"
    return
  fi
  until_true 60 old_pods_gone iris-rolling "$before" || true
  args=$(pods_of iris-rolling -o jsonpath='{.items[0].spec.containers[?(@.name=="runtime")].args}')
  if [[ "$args" == *'"--max-batch-size","8"'* && "$args" == *'"--max-batch-delay-ms","20"'* ]]; then
    ok "spec.runtime.batching rolled out a new revision whose runtimes run with --max-batch-size 8 --max-batch-delay-ms 20"
  else
    fail "batching: the runtime's arguments do not carry the batching flags" "$args"
  fi
  # 8 clients at once, 25 requests each on one keep-alive connection, each checking its answers.
  url=$(predict_url iris-rolling)
  "$CLUSTER" exec bash -c '
    body="{\"sepal_length\":6.0,\"sepal_width\":2.9,\"petal_length\":4.5,\"petal_width\":1.5}"
    for c in $(seq 8); do
      (for _ in $(seq 25); do printf "%s\n" "$1"; done | xargs curl -s -m 10 -H "Content-Type: application/json" -d "$body" -w "\n" |
        grep -c "\"label\":\"versicolor\"" >"$2.$c") &
    done
    wait' _ "$url" "$WORK/batching" >/dev/null 2>&1
  local right
  right=$(cat "$WORK"/batching.[1-8] 2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
  ips=$(pods_of iris-rolling -o jsonpath='{.items[*].status.podIP}')
  for ip in $ips; do
    calls=$((calls + $(batch_metric "$ip" count)))
    rows=$((rows + $(batch_metric "$ip" sum)))
  done
  if [ "$right" = 200 ] && [ "$calls" -gt 0 ] && [ "$rows" -ge 200 ] && [ "$calls" -lt "$rows" ]; then
    ok "batching under 8 concurrent clients: 200 of 200 answers right, $rows rows in $calls model calls ($(awk -v r="$rows" -v c="$calls" 'BEGIN { printf "%.1f", r / c }') rows a call, modelship_batch_size_rows)"
  else
    fail "batching: $right of 200 answers right, $rows rows in $calls model calls" "$(diagnose)"
  fi
}

weight_seen() { kubectl -n "$NS" get md iris-canary -o jsonpath='{.status.traffic.candidate}' >>"$WORK/weights" 2>/dev/null; echo >>"$WORK/weights"; }
canary_done() { weight_seen; stable_changed iris-canary "$1"; }
rolled_back() { [ "$(kubectl -n "$NS" get md iris-canary -o jsonpath='{.status.phase}')" = RolledBack ]; }
canary() {
  local t0=$SECONDS url before
  kubectl -n "$NS" apply -f examples/iris-model-configmap.yaml -f examples/iris-canary.yaml >/dev/null
  if kubectl -n "$NS" wait --for=condition=Ready md/iris-canary --timeout=180s >/dev/null 2>&1; then
    ok "iris-canary: Ready behind its router ($((SECONDS - t0)) s; Service selects $(kubectl -n "$NS" get svc iris-canary -o jsonpath='{.spec.selector.modelship\.io/component}') pods)"
  else
    fail "iris-canary never Ready" "$(diagnose)"
    return
  fi
  url=$(predict_url iris-canary)
  before=$(field iris-canary '{.status.stableRevision}')
  : >"$WORK/weights"
  start_load "$url" 0 canary
  t0=$SECONDS
  roll_to_v2 iris-canary
  if until_true 240 canary_done iris-canary "$before"; then
    sleep 2
    if stop_load canary; then
      ok "canary rollout through the router under load ($((SECONDS - t0)) s): zero failed requests ($(head -n 1 "$WORK/canary.out"))"
    else
      fail "canary rollout: requests failed" "$(cat "$WORK/canary.out")"
    fi
    if grep -qx 25 "$WORK/weights" && grep -qx 50 "$WORK/weights"; then
      ok "the candidate's weight went through the steps: $(grep -v '^$' "$WORK/weights" | uniq | tr '\n' ' ')"
    else
      fail "the weight did not go through 25 and 50 %" "$(uniq "$WORK/weights")"
    fi
  else
    stop_load canary || true
    fail "the canary rollout never finished" "$(diagnose; kubectl -n "$NS" get md iris-canary -o yaml | sed -n '/^status:/,$p')"
    return
  fi

  start_load "$url" 0 rollback
  probe_start "$url" rollback
  t0=$SECONDS
  local applied
  applied=$(now_ms)
  kubectl -n "$NS" apply -f examples/iris-canary-rollback.yaml >/dev/null
  if until_true 180 rolled_back; then
    sleep 2
    probe_stop rollback
    local msg bad first last decided
    msg=$(kubectl -n "$NS" get md iris-canary -o jsonpath='{.status.conditions[?(@.type=="Degraded")].message}')
    ok "the broken model was rolled back by the analysis in $((SECONDS - t0)) s: $msg"
    bad=$(field iris-canary '{.status.rejectedRevision}')
    first=$(probe_first rollback "$bad")
    last=$(probe_last rollback "$bad")
    decided=$(date -d "$(field iris-canary '{.status.conditions[?(@.type=="Degraded")].lastTransitionTime}')" +%s%3N)
    if [ -n "$first" ] && [ -n "$last" ]; then
      info "rollback timeline from kubectl apply: candidate's first answer +$((first - applied)) ms, RolledBack recorded +$((decided - applied)) ms (second resolution), its last answer +$((last - applied)) ms: traffic back $((last - decided)) ms after the verdict's second began"
    fi
    if [ -n "$(field iris-canary '{.status.rejectedRevision}')" ] && [ "$(field iris-canary '{.status.stableRevision}')" != "" ]; then
      ok "rejectedRevision $(field iris-canary '{.status.rejectedRevision}'), stable $(field iris-canary '{.status.stableRevision}') keeps serving"
    else
      fail "no rejectedRevision after the rollback"
    fi
  else
    fail "the broken model was not rolled back" "$(diagnose; kubectl -n "$NS" get md iris-canary -o yaml | sed -n '/^status:/,$p')"
  fi
  # The broken candidate answers wrongly while it has its 25 %: counted, not failed.
  if stop_load rollback; then
    ok "no request failed during the rollback ($(head -n 1 "$WORK/rollback.out"))"
  else
    fail "requests failed during the rollback" "$(cat "$WORK/rollback.out")"
  fi
}

# 7. Shadow: the new model gets copies of live requests, users only ever get the stable answers,
# and it is promoted once the duration is over and the copies agree.
shadow_done() { kubectl -n "$NS" get md iris-shadow -o jsonpath='{.status.traffic.mirrored}' >>"$WORK/mirrored" 2>/dev/null; echo >>"$WORK/mirrored"; stable_changed iris-shadow "$1"; }
shadow() {
  local url before v1 t0
  kubectl -n "$NS" apply -f examples/iris-shadow.yaml >/dev/null
  if ! kubectl -n "$NS" wait --for=condition=Ready md/iris-shadow --timeout=180s >/dev/null 2>&1; then
    fail "iris-shadow never Ready" "$(diagnose)"
    return
  fi
  url=$(predict_url iris-shadow)
  before=$(field iris-shadow '{.status.stableRevision}')
  : >"$WORK/mirrored"
  start_load "$url" 0 shadow
  t0=$SECONDS
  roll_to_v2 iris-shadow
  if until_true 240 shadow_done "$before"; then
    sleep 2
    local agreement
    agreement=$(field iris-shadow '{.status.analysis.agreement}')
    if stop_load shadow; then
      ok "shadow rollout under load ($((SECONDS - t0)) s): zero failed requests, promoted at agreement $agreement ($(head -n 1 "$WORK/shadow.out"))"
    else
      fail "shadow rollout: requests failed" "$(cat "$WORK/shadow.out")"
    fi
    if grep -qx 100 "$WORK/mirrored"; then
      ok "status showed 100 % of requests mirrored while the candidate was in the shadow"
    else
      fail "status never showed the mirrored share" "$(uniq "$WORK/mirrored")"
    fi
  else
    stop_load shadow || true
    fail "the shadow rollout never finished" "$(diagnose; kubectl -n "$NS" get md iris-shadow -o yaml | sed -n '/^status:/,$p')"
  fi
}

# 8. A/B: the candidate answers exactly the requests of the matched user group, until promoted.
ab_split() {
  "$CLUSTER" exec java e2e/PredictLoad.java --url "$1" --rate 50 --max-requests "$2" ${3:+--header "$3"} 2>&1 | head -n 1
}
beta_on_candidate() { ab_split "$1" 10 x-user-group=beta | grep -q "revisions=$2:10 "; }
ab() {
  local url before cand t0 beta plain
  kubectl -n "$NS" apply -f examples/iris-ab.yaml >/dev/null
  if ! kubectl -n "$NS" wait --for=condition=Ready md/iris-ab --timeout=180s >/dev/null 2>&1; then
    fail "iris-ab never Ready" "$(diagnose)"
    return
  fi
  url=$(predict_url iris-ab)
  before=$(field iris-ab '{.status.stableRevision}')
  roll_to_v2 iris-ab
  until_true 120 candidate_named iris-ab || true
  cand=$(field iris-ab '{.status.candidateRevision}')
  if [ -n "$cand" ] && until_true 120 beta_on_candidate "$url" "$cand"; then
    beta=$(ab_split "$url" 200 x-user-group=beta)
    plain=$(ab_split "$url" 200)
    if grep -q "revisions=$cand:200 " <<<"$beta" && grep -q "revisions=$before:200 " <<<"$plain"; then
      ok "A/B: all 200 requests of x-user-group=beta answered by $cand, all 200 others by $before"
    else
      fail "A/B split wrong" "beta: $beta"$'\n'"others: $plain"
    fi
  else
    fail "A/B: the candidate never answered the beta group" "$(diagnose)"
    return
  fi
  t0=$SECONDS
  kubectl -n "$NS" annotate md iris-ab modelship.io/action=promote >/dev/null
  if until_true 120 stable_changed iris-ab "$before"; then
    ok "A/B: promoted by modelship.io/action=promote in $((SECONDS - t0)) s; $cand serves everyone"
  else
    fail "A/B: promote did not finish" "$(diagnose)"
  fi
}
# 9. BlueGreen: the new revision is previewed at full size, then every client switches at once.
preview_on() { ab_split "$1" 10 | grep -q "revisions=$2:10 "; }
samples_at_least() { [ "$(field iris-bluegreen '{.status.analysis.samples}')" -ge "$1" ] 2>/dev/null; }
bluegreen() {
  local url purl before cand t0 routers promoted switched answers
  kubectl -n "$NS" apply -f examples/iris-bluegreen.yaml >/dev/null
  if ! kubectl -n "$NS" wait --for=condition=Ready md/iris-bluegreen --timeout=180s >/dev/null 2>&1; then
    fail "iris-bluegreen never Ready" "$(diagnose)"
    return
  fi
  # Ready needs one router; the check of the summed counters needs both.
  kubectl -n "$NS" rollout status deploy/iris-bluegreen-router --timeout=120s >/dev/null 2>&1 || true
  routers=$(kubectl -n "$NS" get deploy iris-bluegreen-router -o jsonpath='{.status.readyReplicas}')
  url=$(predict_url iris-bluegreen)
  purl=$(predict_url iris-bluegreen-preview)
  before=$(field iris-bluegreen '{.status.stableRevision}')
  start_load "$url" 0 bluegreen
  t0=$SECONDS
  roll_to_v2 iris-bluegreen
  until_true 120 candidate_named iris-bluegreen || true
  cand=$(field iris-bluegreen '{.status.candidateRevision}')
  if [ -z "$cand" ] || ! until_true 180 preview_on "$purl" "$cand"; then
    stop_load bluegreen || true
    fail "BlueGreen: the preview never answered with the new revision" "$(diagnose)"
    return
  fi
  answers=$(ab_split "$url" 100)
  info "during the preview: $(kubectl -n "$NS" get md iris-bluegreen --no-headers | tr -s ' ')"
  if grep -q "revisions=$before:100 " <<<"$answers"; then
    ok "BlueGreen: $cand previewed at full size ($((SECONDS - t0)) s) behind iris-bluegreen-preview; all 100 client requests still answered by $before"
  else
    fail "BlueGreen: clients reached the preview before the promotion" "$answers"
  fi
  # The preview's requests reach both routers (the Service spreads them); the analysis sums them.
  ab_split "$purl" 120 >/dev/null
  if until_true 30 samples_at_least 100; then
    ok "BlueGreen: the analysis counted $(field iris-bluegreen '{.status.analysis.samples}') preview requests summed over $routers routers"
  else
    fail "BlueGreen: the analysis did not count the preview's requests" "$(kubectl -n "$NS" get md iris-bluegreen -o yaml | sed -n '/^status:/,$p')"
  fi
  probe_start "$url" bluegreen
  sleep 1
  promoted=$(now_ms)
  kubectl -n "$NS" annotate md iris-bluegreen modelship.io/action=promote >/dev/null
  if until_true 60 stable_changed iris-bluegreen "$before"; then
    sleep 1
    probe_stop bluegreen
    info "after the switch: $(kubectl -n "$NS" get md iris-bluegreen --no-headers | tr -s ' ')"
    switched=$(probe_first bluegreen "$cand" "$promoted")
    if [ -n "$switched" ] && [ -z "$(awk -v t="$switched" -v r="$before" '$1 > t && $2 == r' "$WORK/bluegreen.probe")" ]; then
      ok "BlueGreen: promote switched every client to $cand $((switched - promoted)) ms after kubectl annotate (none answered by $before after that)"
    else
      fail "BlueGreen: clients did not switch at once" "$(tail -n 40 "$WORK/bluegreen.probe")"
    fi
    if [ -n "$(kubectl -n "$NS" get pods -l "modelship.io/name=iris-bluegreen,modelship.io/revision=$before" -o name)" ] &&
      [ -n "$(field iris-bluegreen '{.status.scaleDownAt}')" ]; then
      ok "BlueGreen: $before kept after the switch until $(field iris-bluegreen '{.status.scaleDownAt}') (scaleDownDelaySeconds)"
    else
      fail "BlueGreen: the old revision was not kept for the delay" "$(diagnose)"
    fi
    if until_true 90 old_pods_gone iris-bluegreen "$before"; then
      info "BlueGreen: $before removed $((SECONDS - t0)) s after the update began"
    else
      fail "BlueGreen: the old revision was never removed" "$(diagnose)"
    fi
  else
    probe_stop bluegreen
    fail "BlueGreen: promote did not finish" "$(diagnose; kubectl -n "$NS" get md iris-bluegreen -o yaml | sed -n '/^status:/,$p')"
  fi
  if stop_load bluegreen; then
    ok "BlueGreen: zero failed client requests through preview, switch and scale-down ($(head -n 1 "$WORK/bluegreen.out"))"
  else
    fail "BlueGreen: client requests failed" "$(cat "$WORK/bluegreen.out")"
  fi
}
grep_log() { kubectl -n "$1" logs "$2" 2>/dev/null | grep -q "$3"; }
restarted_and_ready() {
  [ "$(kubectl -n "$NS" get pod "$1" -o jsonpath='{.status.containerStatuses[0].restartCount}')" -ge 1 ] &&
    [ "$(kubectl -n "$NS" get pod "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

main "$@"
