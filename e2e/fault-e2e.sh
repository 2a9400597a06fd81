#!/usr/bin/env bash
# Faults on the e2e cluster's real node (e2e/cluster.sh): the operator, the API server and etcd
# fail in the middle of rollouts that real routers and real runtime pods carry, under client load.
# The operator runs as processes inside the cluster's network namespace (as a pod would see the
# network: it reaches the routers' pod IPs), with the token of the Helm chart's ServiceAccount, so
# it can be SIGKILLed and restarted at once, as many times as the test wants (a pod would wait in
# CrashLoopBackOff); a small supervisor restarts an operator that exits, as the kubelet would.
#
# What it checks:
#   1. examples/iris-canary.yaml, iris-bluegreen.yaml and iris-recreate.yaml roll out a model change
#      together while the operator is SIGKILLed 20 times at random moments (0.5-6 s apart, start-up
#      included) and BlueGreen is promoted between two kills: every ModelDeployment ends Healthy on
#      the new revision; the canary's weight never stepped back and it was never rolled back; no
#      client saw the BlueGreen candidate before the promotion; zero failed client requests on the
#      canary; no orphaned or duplicated Deployment, ReplicaSet, ConfigMap or Service.
#   2. Two operator replicas with leader election: the leader is SIGKILLed mid-rollout; the other
#      takes the Lease over and finishes the rollout. Prints the failover time.
#   3. etcd, then the API server, killed and restarted during a rollout: the operator reconnects
#      and the rollout converges; clients of the router see no failure.
#   4. Candidates that cannot serve, both at once under client load: iris-canary moves to
#      examples/models/iris-slow.onnx (v1's answers, about 120 ms of CPU a request) with a p99 gate
#      of SLOW_GATE_MS (and 15 samples); iris-rolling (examples/iris-rolling.yaml) to a file that is not a model but
#      whose sha256 is pinned right, so the fetch passes and the runtime exits 3 at load. Each is rolled back with a status that says why (the latency; the runtime's load
#      error, at its first exit) and rejectedRevision set; the stable revision answered every client
#      request; the failed revision's objects are removed, and over the next 30 s nothing of it is
#      created again and the operator writes the ModelDeployment at most a few times.
# Prints `fault-e2e: N passed, N failed`; exits non-zero if anything failed. E2E_KEEP=1 leaves the
# cluster up; FAULT_KILLS (20) and FAULT_SEED (random) set the kill series; FAULT_ONLY=candidates
# runs only 4 (for working on it; CI runs everything).
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=e2e/cluster.sh
SYSTEM_NS=modelship-system
NS=faults
STATE=${MODELSHIP_E2E_DIR:-/tmp/modelship-e2e}
WORK=$STATE/fault-e2e
JAR=operator/target/quarkus-app/quarkus-run.jar
KILLS=${FAULT_KILLS:-20}
SEED=${FAULT_SEED:-$RANDOM}
ONLY=${FAULT_ONLY:-}
# The slow candidate's p99 gate. The router's latency buckets end at 50 and 100 ms, so it passes a
# p99 in the 50 ms bucket and fails one in the 100 ms bucket or above: iris-slow costs about 120 ms
# of CPU a request. Warm v1 pods answered this suite's clients in 6-7 ms at the median, but with a
# p99 of 120-130 ms while other work saturated the node, which a fast candidate would not pass.
SLOW_GATE_MS=60
SLOW_SHA=$(sha256sum examples/models/iris-slow.onnx | cut -c1-64)
# shellcheck source=e2e/lib.sh
source e2e/lib.sh

passed=0
failed=0
was_up=0
declare -A supervisor=()
# Loads and watches running beside load_pid (scenario 4 runs two at once).
declare -A background=()

cleanup() {
  local name
  for name in "${!supervisor[@]}"; do operator_stop "$name"; done
  if [ -n "$load_pid" ]; then kill "$load_pid" 2>/dev/null || true; fi
  for name in "${!background[@]}"; do kill "${background[$name]}" 2>/dev/null || true; done
  if [ -n "$probe_pid" ]; then kill "$probe_pid" 2>/dev/null || true; fi
  if [ "${E2E_KEEP:-0}" != 1 ] && [ "$was_up" = 0 ]; then "$CLUSTER" down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'echo "fault-e2e: stopped by a failing command at line $LINENO"; failed=$((failed + 1))' ERR

# operator_start NAME PORT: an operator replica with the identity NAME (its leader-election
# identity, as a pod's name would be), under a supervisor that restarts it when it exits (at most
# 50 times, a second apart) and appends a line to $WORK/NAME.exits each time.
operator_start() {
  local name=$1 port=$2
  : >"$WORK/$name.exits"
  "$CLUSTER" exec env HOSTNAME="$name" KUBECONFIG="$WORK/operator.kubeconfig" \
    MODELSHIP_RUNTIME_IMAGE=ghcr.io/modelship/model-runtime:0.1.0 \
    QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT="$port" \
    bash -c '
      for _ in $(seq 50); do
        java -XX:MaxRAM=512m -jar "$1" >>"$2.log" 2>&1 &
        echo $! >"$2.pid"
        wait $! || true
        [ -e "$2.stop" ] && exit 0
        echo "$(date +%s%3N)" >>"$2.exits"
        sleep 1
      done' _ "$JAR" "$WORK/$name" >/dev/null 2>&1 &
  supervisor[$name]=$!
  rm -f "$WORK/$name.stop"
  until [ -s "$WORK/$name.pid" ]; do sleep 0.1; done
}
operator_pid() { cat "$WORK/$1.pid"; }
# operator_kill NAME: SIGKILL the replica's JVM; its supervisor starts a new one a second later.
operator_kill() {
  local pid
  pid=$(operator_pid "$1")
  : >"$WORK/$1.pid"
  kill -KILL "$pid" 2>/dev/null || true
  until [ -s "$WORK/$1.pid" ] && [ "$(operator_pid "$1")" != "$pid" ]; do sleep 0.1; done
}
operator_stop() {
  local name=$1 pid
  touch "$WORK/$name.stop"
  pid=$(cat "$WORK/$name.pid" 2>/dev/null || true)
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  wait "${supervisor[$name]}" 2>/dev/null || true
  unset "supervisor[$name]"
}
lease_holder() { kubectl -n "$SYSTEM_NS" get lease modelship-operator -o jsonpath='{.spec.holderIdentity}' 2>/dev/null; }
holder_is() { [ "$(lease_holder)" = "$1" ]; }

healthy_on_new() { stable_changed "$1" "$2" && [ -z "$(field "$1" '{.status.candidateRevision}')" ]; }
# owned NAME: the kinds and names of what the operator keeps for NAME, one per line, sorted.
owned() { kubectl -n "$NS" get deploy,configmap,service -l "modelship.io/name=$1" -o name | sort; }
replicasets() { kubectl -n "$NS" get rs -l "modelship.io/name=$1" -o jsonpath='{range .items[*]}{.metadata.name}={.spec.replicas}{"\n"}{end}'; }
# expect_owned NAME ROUTED PREVIEW: exactly the stable revision's Deployment and card, the Service,
# and with the router its Deployment, table and (BlueGreen) preview Service; nothing else.
expect_owned() {
  local name=$1 rev
  rev=$(field "$name" '{.status.stableRevision}')
  {
    echo "configmap/$name-$rev"
    echo "deployment.apps/$name-$rev"
    echo "service/$name"
    if [ "$2" = 1 ]; then
      echo "configmap/$name-router"
      echo "deployment.apps/$name-router"
    fi
    if [ "$3" = 1 ]; then echo "service/$name-preview"; fi
  } | sort
}
phases_of() { kubectl -n "$NS" get md -o jsonpath='{range .items[*]}{.metadata.name}={.status.phase}/{.status.traffic.candidate}{"\n"}{end}' >>"$WORK/trajectory" 2>/dev/null || true; }
preview_traffic() { "$CLUSTER" exec java e2e/PredictLoad.java --url "$1" --rate 50 --max-requests 60 >/dev/null 2>&1 || true; }

main() {
  images
  "$CLUSTER" status >/dev/null 2>&1 && was_up=1
  "$CLUSTER" up
  [ "$was_up" = 0 ] || "$CLUSTER" load-images
  rm -rf "$WORK"
  mkdir -p "$WORK"
  [ -f "$JAR" ] || ./mvnw -q -B package -DskipTests -pl operator -am

  kubectl apply --server-side -f crds/ >/dev/null
  kubectl wait --for condition=established --timeout=60s crd/modeldeployments.modelship.io >/dev/null
  local ns
  for ns in "$SYSTEM_NS" "$NS"; do
    kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
    kubectl label --overwrite namespace "$ns" pod-security.kubernetes.io/enforce=restricted >/dev/null
  done
  # The chart for its RBAC and ServiceAccount; the operator replicas are the processes below.
  "$CLUSTER" helm upgrade --install modelship helm/modelship -n "$SYSTEM_NS" --set replicaCount=0 >/dev/null
  sa_kubeconfig "$WORK/operator.kubeconfig" "$SYSTEM_NS"
  operator_start op-a 18990

  local t0=$SECONDS md
  kubectl -n "$NS" apply -f examples/iris-model-configmap.yaml -f examples/iris-canary.yaml \
    -f examples/iris-bluegreen.yaml -f examples/iris-recreate.yaml >/dev/null
  for md in iris-canary iris-bluegreen iris-recreate; do
    if ! kubectl -n "$NS" wait --for=condition=Ready "md/$md" --timeout=240s >/dev/null 2>&1; then
      fail "$md never Ready" "$(diagnose; tail -n 20 "$WORK/op-a.log")"
      finish
      return
    fi
  done
  kubectl -n "$NS" rollout status deploy/iris-bluegreen-router --timeout=120s >/dev/null 2>&1 || true
  ok "iris-canary, iris-bluegreen and iris-recreate Ready on real pods ($((SECONDS - t0)) s)"
  # What is tested here is the operator under faults, not the candidate's latency: on a node as
  # busy as this one (a JVM restarted every few seconds beside a dozen others), a new revision's
  # first answers can pass the examples' 500 ms p99 gate, and the analysis would rightly roll it
  # back (node-e2e tests that gate). The error-rate and sample gates stay.
  for md in iris-canary iris-bluegreen; do
    kubectl -n "$NS" patch md "$md" --type merge -p '{"spec":{"analysis":{"maxLatencyP99Ms":10000}}}' >/dev/null
  done

  if [ "$ONLY" != candidates ]; then
    kills
    failover
    control_plane
  fi
  bad_candidates
  finish
}

# 1. Twenty SIGKILLs of the operator during three rollouts at once, a promote among them.
kills() {
  local canary_before bg_before recreate_before url purl cand promoted t0 i pause md
  canary_before=$(field iris-canary '{.status.stableRevision}')
  bg_before=$(field iris-bluegreen '{.status.stableRevision}')
  recreate_before=$(field iris-recreate '{.status.stableRevision}')
  url=$(predict_url iris-canary)
  purl=$(predict_url iris-bluegreen-preview)
  : >"$WORK/trajectory"
  start_load "$url" 0 kills
  probe_start "$(predict_url iris-bluegreen)" kills
  t0=$SECONDS
  for md in iris-canary iris-bluegreen iris-recreate; do roll_to_v2 "$md"; done
  RANDOM=$SEED
  for ((i = 1; i <= KILLS; i++)); do
    # 0.5 to 6 s: some kills land while the JVM starts, some mid-reconcile, some while idle.
    pause=$((5 + RANDOM % 56))
    sleep "$((pause / 10)).$((pause % 10))"
    phases_of
    operator_kill op-a
    if [ "$i" = $((KILLS / 2)) ]; then
      # BlueGreen: wait (bounded) for the preview, give it the analysis' samples, then promote.
      until_true 120 candidate_named iris-bluegreen || true
      cand=$(field iris-bluegreen '{.status.candidateRevision}')
      until_true 120 preview_on "$purl" "$cand" || true
      preview_traffic "$purl"
      promoted=$(now_ms)
      kubectl -n "$NS" annotate --overwrite md iris-bluegreen modelship.io/action=promote >/dev/null
    fi
  done
  info "operator SIGKILLed $KILLS times in $((SECONDS - t0)) s (seed $SEED; replay with FAULT_SEED=$SEED)"
  local done_all=1
  for md in iris-canary:"$canary_before" iris-bluegreen:"$bg_before" iris-recreate:"$recreate_before"; do
    until_true 240 healthy_on_new "${md%%:*}" "${md#*:}" || done_all=0
  done
  phases_of
  sleep 2
  local load_ok=0
  stop_load kills && load_ok=1
  probe_stop kills
  if [ "$done_all" = 1 ]; then
    ok "after $KILLS SIGKILLs: all three Healthy on the new revision ($((SECONDS - t0)) s from the change)"
  else
    fail "after $KILLS SIGKILLs: not all rolled out" "$(diagnose; tail -n 30 "$WORK/op-a.log")"
  fi
  if [ "$load_ok" = 1 ]; then
    ok "canary under kills: zero failed client requests ($(head -n 1 "$WORK/kills.out"))"
  else
    fail "canary under kills: requests failed" "$(cat "$WORK/kills.out")"
  fi
  # No wrong promotion: the canary's weight only grew and it never rolled back; nobody rolled back.
  local weights
  weights=$(awk -F'[=/]' '$1 == "iris-canary" && ($2 == "Progressing" || $2 == "Paused") && $3 != "" { print $3 }' "$WORK/trajectory" | uniq | tr '\n' ' ')
  if grep -q RolledBack "$WORK/trajectory" || [ -n "$(field iris-canary '{.status.rejectedRevision}')" ]; then
    fail "a rollout was rolled back under kills" "$(sort -u "$WORK/trajectory")"
  elif [ "$(tr ' ' '\n' <<<"$weights" | grep -v '^$' | sort -n -c 2>&1)" != "" ]; then
    fail "the canary's weight stepped back under kills: $weights"
  else
    ok "no wrong step: the canary's weight only grew (${weights:-none seen}), nothing rolled back"
  fi
  local new_bg first_new
  new_bg=$(field iris-bluegreen '{.status.stableRevision}')
  first_new=$(probe_first kills "$new_bg")
  if [ -n "${promoted:-}" ] && [ -n "$first_new" ] && [ "$first_new" -ge "$promoted" ]; then
    ok "BlueGreen under kills: no client got $new_bg before the promote; first answer $((first_new - promoted)) ms after it"
  else
    fail "BlueGreen under kills: a client got the candidate before the promote (or it never answered)" "promoted=${promoted:-none} first=$first_new"
  fi
  # Each keeps exactly what its strategy needs, once BlueGreen's scale-down delay is over.
  until_true 90 old_pods_gone iris-bluegreen "$bg_before" || true
  local bad="" got want rs
  for md in iris-canary:1:0 iris-bluegreen:1:1 iris-recreate:0:0; do
    IFS=: read -r name routed preview <<<"$md"
    got=$(owned "$name")
    want=$(expect_owned "$name" "$routed" "$preview")
    [ "$got" = "$want" ] || bad+="$name: has [$(tr '\n' ' ' <<<"$got")], expected [$(tr '\n' ' ' <<<"$want")]"$'\n'
    rs=$(replicasets "$name" | awk -F= '$2 != 0' | wc -l)
    [ "$rs" -eq $((1 + routed)) ] || bad+="$name: $rs ReplicaSets with pods: $(replicasets "$name" | tr '\n' ' ')"$'\n'
  done
  if [ -z "$bad" ]; then
    ok "no orphaned or duplicated object: each keeps its stable revision (and router) only"
  else
    fail "objects left over after the kills" "$bad"
  fi
}

# 2. Two replicas, leader election: the leader dies mid-rollout and the other finishes it.
failover() {
  operator_start op-b 18991
  local leader standby before killed taken t0
  until_true 60 holder_is op-a || true
  leader=$(lease_holder)
  if [ "$leader" != op-a ] && [ "$leader" != op-b ]; then
    fail "leader election: no replica holds the Lease ('$leader')"
    return
  fi
  standby=$([ "$leader" = op-a ] && echo op-b || echo op-a)
  before=$(field iris-recreate '{.status.stableRevision}')
  kubectl -n "$NS" patch md iris-recreate --type merge -p '{"spec":{"model":{"version":"3"}}}' >/dev/null
  sleep 2
  # The supervisor would restart the leader; stop it for good, as a lost node would.
  touch "$WORK/$leader.stop"
  killed=$(now_ms)
  kill -KILL "$(operator_pid "$leader")"
  wait "${supervisor[$leader]}" 2>/dev/null || true
  unset "supervisor[$leader]"
  if until_true 60 holder_is "$standby"; then
    taken=$(now_ms)
    info "failover: $standby holds the Lease $((taken - killed)) ms after $leader was SIGKILLed (lease duration 15 s, retry period 2 s)"
    t0=$SECONDS
    if until_true 180 healthy_on_new iris-recreate "$before"; then
      ok "leader $leader SIGKILLed mid-rollout: $standby took over in $((taken - killed)) ms and finished the rollout $((SECONDS - t0)) s later"
    else
      fail "after the failover the rollout did not finish" "$(diagnose; tail -n 30 "$WORK/$standby.log")"
    fi
  else
    fail "the standby never took the Lease ($(lease_holder))" "$(tail -n 30 "$WORK/$standby.log")"
  fi
  # The survivor is op-b or op-a: the control-plane test uses whichever is left.
  survivor=$standby
}

# 3. etcd, then the API server, crash during a Canary; the operator comes back to it.
control_plane() {
  local before url t0 exits0
  before=$(field iris-canary '{.status.stableRevision}')
  url=$(predict_url iris-canary)
  exits0=$(wc -l <"$WORK/$survivor.exits")
  start_load "$url" 0 controlplane
  t0=$SECONDS
  kubectl -n "$NS" patch md iris-canary --type merge -p '{"spec":{"model":{"version":"4"}}}' >/dev/null
  sleep 4
  "$CLUSTER" restart etcd >/dev/null 2>&1 && info "etcd killed and restarted $((SECONDS - t0)) s into the rollout"
  sleep 6
  local from
  from=$(date +%H:%M:%S.%3N)
  "$CLUSTER" restart kube-apiserver >/dev/null 2>&1 && info "kube-apiserver killed and restarted $((SECONDS - t0)) s into the rollout"
  # A freshly started API server once answered the operator's read of its Lease with Forbidden
  # (its RBAC authorizer not yet in step), although the role allows it before and after: finish()
  # reports the refusals of this window, until 5 s after /readyz, and fails on any other.
  restart_window="$from $(date -d '+5 seconds' +%H:%M:%S.%3N)"
  if until_true 240 healthy_on_new iris-canary "$before"; then
    ok "etcd and the API server crashed mid-canary: the operator reconnected and finished it ($((SECONDS - t0)) s; operator exits: $(($(wc -l <"$WORK/$survivor.exits") - exits0)))"
  else
    fail "after the control-plane restarts the canary did not finish" "$(diagnose; tail -n 40 "$WORK/$survivor.log")"
  fi
  sleep 2
  if stop_load controlplane; then
    ok "clients of the router saw no failure while etcd and the API server were down ($(head -n 1 "$WORK/controlplane.out"))"
  else
    fail "client requests failed while the control plane was down" "$(cat "$WORK/controlplane.out")"
  fi
}

# 4. Two candidates that cannot serve, at once: iris-canary's is slow, iris-rolling's does not load.
bad_candidates() {
  # Done with these two: their pods would only crowd the node.
  kubectl -n "$NS" delete md iris-bluegreen iris-recreate --ignore-not-found --wait=false >/dev/null
  kubectl -n "$NS" apply -f examples/iris-rolling.yaml >/dev/null
  slow_start
  crash_start
  slow_check
  crash_check
}

# load_start NAME URL RATE: a client load (lib.sh's) that runs beside others; load_stop NAME ends it.
load_start() {
  start_load "$2" 0 "$1" "$3"
  background[$1]=$load_pid
  load_pid=""
}
load_stop() {
  local rc=0
  touch "$WORK/$1.stop"
  wait "${background[$1]}" || rc=$?
  unset "background[$1]"
  return $rc
}
# revision_objects NAME REVISION: what exists of a revision (Deployment, pods, card), one per line.
revision_objects() { kubectl -n "$NS" get deploy,pods,configmap -l "modelship.io/name=$1,modelship.io/revision=$2" -o name; }
revision_gone() { [ -z "$(revision_objects "$1" "$2")" ]; }
# watch_start NAME KIND SELECTOR...: every change of those objects kubectl sees for 30 s, into
# $WORK/NAME.watch (one line per event; the first ones list what exists when it starts).
watch_start() {
  local name=$1
  shift
  "$CLUSTER" exec timeout 30 kubectl -n "$NS" get "$@" -w --output-watch-events --no-headers \
    >"$WORK/$name.watch" 2>&1 &
  background[$name]=$!
}
watch_wait() { wait "${background[$1]}" 2>/dev/null || true; unset "background[$1]"; }
events_of() { grep -c "^$2 " "$WORK/$1.watch" || true; }
# decided NAME: epoch ms of the Degraded condition's last transition (second resolution).
decided() { date -d "$(field "$1" '{.status.conditions[?(@.type=="Degraded")].lastTransitionTime}')" +%s%3N; }
degraded() { field "$1" '{.status.conditions[?(@.type=="Degraded")].reason}: {.status.conditions[?(@.type=="Degraded")].message}'; }

# The slow candidate: v1's answers after about 120 ms of CPU each; the canary's p99 gate rolls it
# back.
slow_start() {
  slow_before=$(field iris-canary '{.status.stableRevision}')
  kubectl -n "$NS" patch md iris-canary --type merge \
    -p "{\"spec\":{\"analysis\":{\"maxLatencyP99Ms\":$SLOW_GATE_MS,\"minSamples\":15}}}" >/dev/null
  # 4 requests a second, so the candidate gets 1 (an eighth of a core). More than its share of the
  # node's CPU can answer queues requests on its event loops: on a node saturated by other work
  # (load average 20-25 on 2 CPUs) its answers then took over 5 s (client timeouts) at 1.5 and 2 a
  # second, and at 5 the liveness probe, which waits there too, failed until the kubelet restarted
  # it.
  load_start slow "$(predict_url iris-canary)" 4
  slow_applied=$(now_ms)
  kubectl -n "$NS" patch md iris-canary --type merge -p \
    "{\"spec\":{\"model\":{\"uri\":\"configmap://iris-model/iris-slow.onnx\",\"sha256\":\"$SLOW_SHA\",\"version\":\"slow\"}}}" >/dev/null
}
slow_rolled_back() { [ "$(field iris-canary '{.status.phase}')" = RolledBack ]; }
# latencies NAME: what the load's clients waited for the right answers, per revision.
latencies() { sed -n 's/^  latency //p' "$WORK/$1.out" | tr '\n' ';' | sed 's/;$//; s/;/; /g'; }
slow_check() {
  local rejected msg took
  if ! until_true 150 slow_rolled_back; then
    load_stop slow || true
    fail "the slow candidate was not rolled back" "$(diagnose; kubectl -n "$NS" get md iris-canary -o yaml | sed -n '/^status:/,$p')"
    return
  fi
  took=$(($(decided iris-canary) - slow_applied))
  rejected=$(field iris-canary '{.status.rejectedRevision}')
  msg=$(degraded iris-canary)
  if grep -q "p99 latency" <<<"$msg" && [ -n "$rejected" ] && [ "$(field iris-canary '{.status.stableRevision}')" = "$slow_before" ]; then
    ok "slow candidate rolled back by the latency gate ${took} ms after the change (second resolution): $msg; rejectedRevision $rejected, stable $slow_before kept"
  else
    fail "the slow candidate's rollback does not name the latency, or the stable changed" "$msg"$'\n'"$(kubectl -n "$NS" get md iris-canary -o yaml | sed -n '/^status:/,$p')"
  fi
  slow_after_verdict "$rejected"
}
# stays_rejected MD REVISION TAG WHAT: the rejected revision's objects go, and in the 30 s after,
# nothing of it is created again and the operator writes the ModelDeployment at most 3 times (no
# retry loop), while it stays RolledBack.
stays_rejected() {
  local md=$1 rejected=$2 tag=$3 what=$4 writes created
  if until_true 90 revision_gone "$md" "$rejected"; then
    ok "$what's Deployment, pods and card are gone $(($(now_ms) - $(decided "$md"))) ms after the verdict"
  else
    fail "$what's objects are still there" "$(revision_objects "$md" "$rejected")"
  fi
  watch_start "$tag-objects" deploy -l "modelship.io/name=$md,modelship.io/revision=$rejected"
  watch_start "$tag-pods" pods -l "modelship.io/name=$md,modelship.io/revision=$rejected"
  watch_start "$tag-md" md "$md"
  watch_wait "$tag-objects"
  watch_wait "$tag-pods"
  watch_wait "$tag-md"
  created=$(($(events_of "$tag-objects" ADDED) + $(events_of "$tag-pods" ADDED)))
  writes=$(events_of "$tag-md" MODIFIED)
  if [ "$created" = 0 ] && [ "$writes" -le 3 ] && revision_gone "$md" "$rejected" && [ "$(field "$md" '{.status.phase}')" = RolledBack ]; then
    ok "no retry of $what: in 30 s, 0 Deployments or pods of $rejected created, $writes writes to the ModelDeployment, still RolledBack"
  else
    fail "$what came back, or the operator kept writing ($created objects created, $writes writes in 30 s)" "$(cat "$WORK/$tag-objects.watch" "$WORK/$tag-pods.watch" "$WORK/$tag-md.watch")"
  fi
}
slow_after_verdict() {
  local rejected=$1
  stays_rejected iris-canary "$rejected" slow "the slow candidate"
  if load_stop slow; then
    ok "clients of iris-canary saw no failure while the slow candidate came and went ($(head -n 1 "$WORK/slow.out"))"
    info "what clients waited for, by revision: $(latencies slow)"
  else
    fail "client requests failed during the slow candidate" "$(cat "$WORK/slow.out")"
  fi
}

# The candidate whose model does not load: a ConfigMap file that is not ONNX, pinned by its own
# sha256, so the fetch copies it and the runtime exits 3 at every start (a crash loop if left).
crash_start() {
  local sha
  if ! kubectl -n "$NS" wait --for=condition=Ready md/iris-rolling --timeout=180s >/dev/null 2>&1; then
    fail "iris-rolling never Ready" "$(diagnose)"
    return
  fi
  printf 'not an ONNX model: its sha256 is pinned, so the fetch passes and the load fails\n' >"$WORK/not-a-model.onnx"
  sha=$(sha256sum "$WORK/not-a-model.onnx" | cut -c1-64)
  kubectl -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-model}
binaryData:
  iris.onnx: $(base64 -w0 "$WORK/not-a-model.onnx")
YAML
  crash_before=$(field iris-rolling '{.status.stableRevision}')
  load_start crash "$(predict_url iris-rolling)" 10
  crash_applied=$(now_ms)
  kubectl -n "$NS" patch md iris-rolling --type merge -p \
    "{\"spec\":{\"model\":{\"uri\":\"configmap://not-a-model/iris.onnx\",\"sha256\":\"$sha\",\"version\":\"not-a-model\"}}}" >/dev/null
}
crash_rolled_back() { [ "$(field iris-rolling '{.status.phase}')" = RolledBack ]; }
crash_check() {
  local rejected msg took
  [ -n "${crash_applied:-}" ] || return 0
  # The runtime's first exit says the model does not load: final at once (the kubelet's restarts,
  # 10, 20 and 40 s apart, are not waited for).
  if ! until_true 180 crash_rolled_back; then
    load_stop crash || true
    fail "the candidate that does not load was not rolled back" "$(diagnose; kubectl -n "$NS" get md iris-rolling -o yaml | sed -n '/^status:/,$p')"
    return
  fi
  took=$(($(decided iris-rolling) - crash_applied))
  rejected=$(field iris-rolling '{.status.rejectedRevision}')
  msg=$(degraded iris-rolling)
  if grep -q "^ModelLoadFailed: " <<<"$msg" && grep -q "not a loadable ONNX model" <<<"$msg" && [ -n "$rejected" ] && [ "$(field iris-rolling '{.status.stableRevision}')" = "$crash_before" ]; then
    ok "candidate that does not load rolled back ${took} ms after the change (second resolution): $msg; rejectedRevision $rejected, stable $crash_before kept"
  else
    fail "the crash loop's rollback does not say why, or the stable changed" "$msg"$'\n'"$(kubectl -n "$NS" get md iris-rolling -o yaml | sed -n '/^status:/,$p')"
  fi
  stays_rejected iris-rolling "$rejected" crash "the crashing candidate"
  if load_stop crash; then
    ok "clients of iris-rolling saw no failure while its candidate failed ($(head -n 1 "$WORK/crash.out"))"
    info "what clients waited for: $(latencies crash)"
  else
    fail "client requests failed while the candidate crash-looped" "$(cat "$WORK/crash.out")"
  fi
}

preview_on() { "$CLUSTER" exec java e2e/PredictLoad.java --url "$1" --rate 50 --max-requests 10 2>&1 | head -n 1 | grep -q "revisions=$2:10 "; }

# forbidden: the operator's log lines with Forbidden, each after "restart" or "other" (whether it
# was logged in the API server's restart window) and the time of the log entry it belongs to.
forbidden() {
  awk -v from="${restart_window% *}" -v to="${restart_window#* }" '
    FNR == 1 { ts = "" }
    /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\./ { ts = $1 }
    /Forbidden/ { print (from != "" && ts >= from && ts <= to ? "restart" : "other"), ts, $0 }' "$WORK"/op-*.log 2>/dev/null
}
finish() {
  local name
  for name in "${!supervisor[@]}"; do operator_stop "$name"; done
  if forbidden | grep -q "^other "; then
    fail "the operator hit RBAC refusals" "$(forbidden | grep "^other " | head -n 5)"
  fi
  if forbidden | grep -q "^restart "; then
    info "RBAC refusals while the API server restarted ($restart_window): $(forbidden | grep -c "^restart ") log lines, e.g. $(forbidden | grep -m1 "^restart " | cut -c1-300)"
  fi
  echo "fault-e2e: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

survivor=op-a
restart_window=""
main "$@"
