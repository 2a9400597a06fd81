#!/usr/bin/env bash
# The operator at scale, on the e2e cluster (e2e/cluster.sh; kwok plays the kubelet, so the pods
# only need to exist): N ModelDeployments applied at once, and then a model change across all of
# them. Prints what it measured:
#   - seconds until all N are Ready, and until all N have rolled out the change;
#   - the operator's peak resident memory (VmHWM) and the CPU it used in each phase;
#   - writes the operator makes in steady state (ModelDeployment writes counted by the API
#     server over a quiet minute: should be 0);
#   - writes per ModelDeployment while they are created, by resource, from the API server's
#     apiserver_request_total (cluster-wide: the controllers' own writes are in the Deployment
#     figure).
#
#   bench/scale.sh [N]        default 1000; E2E_KEEP=1 leaves the cluster up;
#                             SCALE_JAVA_OPTS replaces the JVM sizing options below
#
# The operator runs on this machine with the cluster's admin kubeconfig (RBAC is checked by
# e2e/operator-e2e.sh, not here) and the JVM options and malloc setting of the operator's image
# (-XX:MaxRAMPercentage=50 -XX:TieredStopAtLevel=1, MALLOC_ARENA_MAX=2; scripts/images.sh) with
# -XX:MaxRAM=512m and the serial collector, so it sizes itself as in
# the chart's container (memory limit 512Mi: a heap of at most 256 MiB; below 1792 MiB the JVM
# picks the serial collector, while on this 24 GiB machine it would pick G1, whose own tables
# take another 40 MiB).
# Bounded: every wait has a deadline.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-1000}
deadline=$((N < 1000 ? 900 : N * 9 / 10)) # seconds for each phase: 15 minutes a thousand
# Seconds between two counts: each is a LIST of all N, which costs the API server (and this
# machine's CPUs) more as N grows.
poll=$((N <= 1000 ? 2 : N / 500))
CLUSTER=e2e/cluster.sh
NS=scale
JAR=operator/target/quarkus-app/quarkus-run.jar
STATE=${MODELSHIP_E2E_DIR:-/tmp/modelship-e2e}
WORK=${SCALE_WORK:-/tmp/modelship-scale}
LOG=$WORK/operator.log
op_pid=""
was_up=0
kubectl() { "$CLUSTER" kubectl "$@"; }
log() { printf '[scale %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

cleanup() {
  if [ -n "$op_pid" ]; then kill "$op_pid" 2>/dev/null || true; wait "$op_pid" 2>/dev/null || true; fi
  if [ "${E2E_KEEP:-0}" != 1 ] && [ "$was_up" = 0 ]; then "$CLUSTER" down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap "exit 143" TERM INT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$op_pid/stat"; }
hwm_mib() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$op_pid/status"; }
rss_mib() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$op_pid/status"; }
ready_count() {
  kubectl -n "$NS" get md -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null |
    grep -c '^True$' || true
}
rolled_count() { # Healthy on a revision other than the one in $WORK/first
  kubectl -n "$NS" get md -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase} {.status.stableRevision}{"\n"}{end}' 2>/dev/null |
    awk -v first="$(cat "$WORK/first")" '$2 == "Healthy" && $3 != first' | wc -l
}
# Writes (every verb but GET, LIST and WATCH: APPLY is server-side apply) to one resource, as
# the API server counts them, cluster-wide.
writes() {
  kubectl get --raw /metrics 2>/dev/null |
    awk -v res="$1" '/^apiserver_request_total\{/ && $0 ~ "resource=\"" res "\"" && $0 !~ /verb="(GET|LIST|WATCH)"/ { n += $NF }
      END { printf "%d", n }'
}
# live_heap LABEL: the operator's heap after a full collection (what its caches really hold, unlike
# the RSS, which also counts heap the JVM has not given back), and the classes that fill it, in
# $WORK/histogram-LABEL.txt.
live_heap() {
  jcmd "$op_pid" GC.class_histogram >"$WORK/histogram-$1.txt" 2>/dev/null || return 0
  # With -XX:NativeMemoryTracking=summary in SCALE_JAVA_OPTS: the rest of the RSS, by JVM area.
  jcmd "$op_pid" VM.native_memory summary >"$WORK/native-$1.txt" 2>/dev/null || true
  awk '/^Total/ {printf "%.0f", $3 / 1048576}' "$WORK/histogram-$1.txt"
}
per() { awk -v d="$1" -v n="$2" 'BEGIN{printf "%.1f", d / n}'; }

wait_for_count() { # wait_for_count FUNCTION TARGET SECONDS: seconds taken, or fails
  local t0=$SECONDS n
  while [ $((SECONDS - t0)) -lt "$3" ]; do
    if ! kill -0 "$op_pid" 2>/dev/null; then
      log "the operator exited; the end of its log:"
      grep -v '^\s*at ' "$LOG" | tail -n 15 >&2
      return 1
    fi
    n=$("$1")
    [ "$n" -ge "$2" ] && { echo $((SECONDS - t0)); return 0; }
    sleep "$poll"
  done
  log "timed out after $3 s: $n of $2"
  return 1
}

# apply_all FILE: the ModelDeployments of FILE, by 8 kubectl processes at once (one kubectl sends
# its objects one after another, at about 5 a second here: it would be the bottleneck).
apply_all() {
  local i pids=()
  rm -f "$WORK"/part-*.yaml
  awk -v dir="$WORK" '/^---$/ { n++ } { print > (dir "/part-" (n % 8) ".yaml") }' "$1"
  for i in "$WORK"/part-*.yaml; do
    kubectl -n "$NS" apply --server-side -f "$i" >/dev/null &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i"; done
  log "applied $(grep -c '^kind: ModelDeployment' "$1") ModelDeployments"
}

main() {
  "$CLUSTER" status >/dev/null 2>&1 && was_up=1
  [ -f "$JAR" ] || ./mvnw -q -B package -DskipTests -pl operator -am
  E2E_REAL_NODE=${E2E_REAL_NODE:-0} "$CLUSTER" up >/dev/null
  mkdir -p "$WORK"
  : >"$LOG"
  kubectl apply --server-side -f crds/ >/dev/null
  kubectl wait --for condition=established --timeout=60s crd/modeldeployments.modelship.io >/dev/null
  "$CLUSTER" fake-namespace "$NS"
  kubectl -n "$NS" apply -f examples/iris-model-configmap.yaml >/dev/null

  local port=18990
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  # Leader election keeps its Lease in the namespace of the client: the benchmark's own.
  KUBECONFIG=$STATE/admin.kubeconfig KUBERNETES_NAMESPACE=$NS QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$port \
    MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} \
    java ${SCALE_JAVA_OPTS:--XX:MaxRAM=512m -XX:+UseSerialGC -XX:MaxRAMPercentage=50 -XX:TieredStopAtLevel=1} -XX:+ExitOnOutOfMemoryError -jar "$JAR" >>"$LOG" 2>&1 &
  op_pid=$!
  sleep 5
  log "operator pid $op_pid, RSS $(rss_mib) MiB before any ModelDeployment"

  # N ModelDeployments, one pod each, applied together.
  local sha i
  sha=$(sha256sum examples/models/iris.onnx | cut -c1-64)
  for ((i = 0; i < N; i++)); do
    cat <<YAML
---
apiVersion: modelship.io/v1alpha1
kind: ModelDeployment
metadata: {name: iris-$i}
spec:
  model:
    name: iris
    version: "1"
    uri: configmap://iris-model/iris.onnx
    sha256: $sha
  replicas: 1
YAML
  done >"$WORK/mds.yaml"
  local c0 md0 dep0 t_ready c1 live_ready live_rolled
  local cm0 svc0
  c0=$(cpu_ticks); md0=$(writes modeldeployments); dep0=$(writes deployments)
  cm0=$(writes configmaps); svc0=$(writes services)
  log "applying $N ModelDeployments"
  apply_all "$WORK/mds.yaml"
  t_ready=$(wait_for_count ready_count "$N" "$deadline")
  c1=$(cpu_ticks)
  log "all $N Ready in $t_ready s; operator CPU $(( (c1 - c0) / 100 )) s; RSS $(rss_mib) MiB, peak $(hwm_mib) MiB"
  live_ready=$(live_heap ready)
  log "live heap after a full GC: $live_ready MiB (classes: $WORK/histogram-ready.txt); RSS $(rss_mib) MiB"
  local md1 dep1 cm1 svc1
  md1=$(writes modeldeployments); dep1=$(writes deployments); cm1=$(writes configmaps); svc1=$(writes services)
  log "API writes during the creation, per ModelDeployment: ModelDeployment (status) $(per $((md1 - md0)) "$N"), Deployment $(per $((dep1 - dep0)) "$N") (the Deployment controller's status writes included), ConfigMap $(per $((cm1 - cm0)) "$N"), Service $(per $((svc1 - svc0)) "$N")"

  # Steady state: nothing changes, so nothing is written.
  sleep 20
  local q0 qd0 qc0 q1 qd1 qc1
  q0=$(writes modeldeployments); qd0=$(writes deployments); qc0=$(cpu_ticks)
  sleep 60
  q1=$(writes modeldeployments); qd1=$(writes deployments); qc1=$(cpu_ticks)
  log "a quiet minute: $((q1 - q0)) ModelDeployment writes, $((qd1 - qd0)) Deployment writes; operator CPU $(( qc1 - qc0 )) ticks (1/100 s)"

  # A model change across all N.
  kubectl -n "$NS" get md iris-0 -o jsonpath='{.status.stableRevision}' >"$WORK/first"
  sed 's/version: "1"/version: "2"/' "$WORK/mds.yaml" >"$WORK/mds-v2.yaml"
  local r0 t_roll r1
  r0=$(cpu_ticks)
  log "changing the model version of all $N"
  apply_all "$WORK/mds-v2.yaml"
  t_roll=$(wait_for_count rolled_count "$N" "$deadline")
  r1=$(cpu_ticks)
  log "all $N rolled out the change in $t_roll s; operator CPU $(( (r1 - r0) / 100 )) s; peak RSS $(hwm_mib) MiB"
  live_rolled=$(live_heap rolled)
  log "live heap after a full GC: $live_rolled MiB (classes: $WORK/histogram-rolled.txt); RSS $(rss_mib) MiB"
  echo "scale: N=$N ready_s=$t_ready rollout_s=$t_roll peak_rss_mib=$(hwm_mib) live_heap_mib=$live_ready/$live_rolled quiet_md_writes=$((q1 - q0))"
}

main "$@"
