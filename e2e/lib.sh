# Helpers shared by the e2e suites that run on the real node (node-e2e.sh, fault-e2e.sh): test
# reporting, polling, ModelDeployment fields, the example's model change, and clients in the
# cluster's network namespace (a bounded load and a revision probe). Sourced, not run. The suite
# sets CLUSTER, NS, STATE and WORK, and the counters passed and failed; load_pid and probe_pid are set
# here and must be stopped by the suite's cleanup.
# shellcheck shell=bash

V2_SHA=$(sha256sum examples/models/iris-v2.onnx | cut -c1-64)
load_pid=""
probe_pid=""

ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/       | /' | head -40; return 0; }
info() { echo "     # $1"; }
kubectl() { "$CLUSTER" kubectl "$@"; }

# until_true SECONDS CMD...: polls CMD (a command or function) once a second until it succeeds.
until_true() {
  local deadline=$((SECONDS + $1))
  shift
  while [ $SECONDS -lt $deadline ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  return 1
}

# field NAME JSONPATH: a field of a ModelDeployment. A read that fails (a TLS handshake timeout on
# a saturated machine) is tried again, twice: an empty answer taken for the field's value made a
# rollout look finished before it began.
field() {
  local i
  for i in 1 2 3; do
    kubectl -n "$NS" get md "$1" -o "jsonpath=$2" 2>/dev/null && return 0
    sleep 1
  done
  return 1
}
# The example's model change: v2 of the Iris model, pinned by its sha256.
roll_to_v2() {
  kubectl -n "$NS" patch md "$1" --type merge -p \
    "{\"spec\":{\"model\":{\"uri\":\"configmap://iris-model/iris-v2.onnx\",\"sha256\":\"$V2_SHA\",\"version\":\"2\"}}}" >/dev/null
}
# predict_url SERVICE: the predict URL of a Service, by its ClusterIP (there is no cluster DNS).
predict_url() { echo "http://$(kubectl -n "$NS" get svc "$1" -o jsonpath='{.spec.clusterIP}'):8080/models/iris/predict"; }
# stable_changed NAME BEFORE: NAME is Healthy and Ready on a stable revision other than BEFORE (which
# must be known: an empty BEFORE would make any revision count as a change).
stable_changed() {
  local now
  [ -n "$2" ] || return 1
  now=$(field "$1" '{.status.stableRevision}') || return 1
  [ -n "$now" ] && [ "$now" != "$2" ] && [ "$(field "$1" '{.status.phase}')" = Healthy ] &&
    [ "$(field "$1" '{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}
pods_of() { kubectl -n "$NS" get pods -l "modelship.io/name=$1" "${@:2}"; }
diagnose() {
  kubectl -n "$NS" get md,deploy,pods -o wide 2>&1
  kubectl -n "$NS" get events --sort-by=.lastTimestamp 2>&1 | tail -15
}

# start_load URL RETRIES NAME [RATE]: PredictLoad in the cluster's network namespace against a
# Service, RATE (20) requests a second; stops at the stop file.
start_load() {
  local url=$1 retries=$2 name=$3 rate=${4:-20}
  rm -f "$WORK/$name.stop"
  "$CLUSTER" exec java e2e/PredictLoad.java --url "$url" --rate "$rate" --max-seconds 280 \
    --max-requests 6000 --retries "$retries" --stop-file "$WORK/$name.stop" \
    --allow-wrong "$([ "$name" = rollback ] && echo true || echo false)" >"$WORK/$name.out" 2>&1 &
  load_pid=$!
  # The source launcher compiles first; wait for the first answers before changing anything.
  sleep 4
}

stop_load() {
  local name=$1 rc=0
  touch "$WORK/$name.stop"
  wait "$load_pid" || rc=$?
  load_pid=""
  return $rc
}

# A probe in the cluster's network: one request every 50 ms (at most 6,000, and until its stop
# file), each logged as "epoch-ms revision" (the x-modelship-revision that answered, or "-").
probe_start() {
  local url=$1 name=$2
  rm -f "$WORK/$name.probe.stop"
  : >"$WORK/$name.probe"
  "$CLUSTER" exec bash -c '
    for _ in $(seq 6000); do
      [ -e "$3.stop" ] && exit 0
      r=$(curl -s -m 2 -o /dev/null -D - -H "Content-Type: application/json" \
        -d "{\"sepal_length\":6.0,\"sepal_width\":2.9,\"petal_length\":4.5,\"petal_width\":1.5}" "$1" |
        tr -d "\r" | sed -n "s/^x-modelship-revision: //Ip")
      echo "$(date +%s%3N) ${r:--}" >>"$3"
      sleep 0.05
    done' _ "$url" "$name" "$WORK/$name.probe" >/dev/null 2>&1 &
  probe_pid=$!
}
probe_stop() {
  touch "$WORK/$1.probe.stop"
  wait "$probe_pid" 2>/dev/null || true
  }
# probe_first NAME REVISION [AFTER-MS]: epoch ms of the first answer by REVISION (after AFTER-MS).
probe_first() { awk -v r="$2" -v t="${3:-0}" '$2 == r && $1 >= t { print $1; exit }' "$WORK/$1.probe"; }
probe_last() { awk -v r="$2" '$2 == r { last = $1 } END { print last }' "$WORK/$1.probe"; }
now_ms() { date +%s%3N; }

images() {
  local missing=0 i
  for i in runtime operator pause; do [ -f "target/images/$i.tar" ] || missing=1; done
  [ $missing = 0 ] && return 0
  [ -f model-runtime/target/quarkus-app/quarkus-run.jar ] && [ -f operator/target/quarkus-app/quarkus-run.jar ] ||
    ./mvnw -q -B package -DskipTests
  scripts/images.sh build
}
candidate_named() { [ -n "$(field "$1" '{.status.candidateRevision}')" ]; }

old_pods_gone() { [ -z "$(kubectl -n "$NS" get pods -l "modelship.io/name=$1,modelship.io/revision=$2" -o name)" ]; }

# start_operator: the operator jar ($JAR) as a process on this machine, with the chart's RBAC
# ($STATE/operator.kubeconfig, from sa_kubeconfig), its log appended to $LOG; sets op_pid. It
# listens on loopback only (the first free port from 18990) and talks only to the API server.
start_operator() {
  local port=18990
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  KUBECONFIG=$STATE/operator.kubeconfig QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$port \
    java -jar "$JAR" >>"$LOG" 2>&1 &
  op_pid=$!
}

# sa_kubeconfig FILE NAMESPACE [SERVICEACCOUNT]: a kubeconfig with a token of a ServiceAccount of
# NAMESPACE (also the context's namespace). By default the Helm chart's (in the namespace where
# the leader-election Lease lives), so an operator run outside the chart has exactly the chart's
# RBAC; suites also make users this way, each a ServiceAccount with its own Role.
sa_kubeconfig() {
  local admin=$STATE/admin.kubeconfig token server ca sa=${3:-modelship}
  token=$(kubectl -n "$2" create token "$sa" --duration=2h)
  server=$(kubectl config view --kubeconfig "$admin" --raw --flatten --minify -o jsonpath='{.clusters[0].cluster.server}')
  ca=$(kubectl config view --kubeconfig "$admin" --raw --flatten --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
  cat >"$1" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {server: "$server", certificate-authority-data: "$ca"}
users:
- name: $sa
  user: {token: "$token"}
contexts:
- name: $sa
  context: {cluster: e2e, user: $sa, namespace: $2}
current-context: $sa
KUBECONFIG
}

# md_user NAME VERBS: a user as a cluster admin would give one out: ServiceAccount NAME of $NS and a
# Role allowing VERBS (e.g. "get, list, watch") on ModelDeployments and reading the Deployments
# and Events that the plugin and the dashboard show. Get a token with `kubectl create token NAME`
# or a kubeconfig with sa_kubeconfig.
md_user() {
  kubectl -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ServiceAccount
metadata: {name: $1}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: $1}
rules:
- {apiGroups: [modelship.io], resources: [modeldeployments], verbs: [$2]}
- {apiGroups: [apps], resources: [deployments], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [events], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: $1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: $1}
subjects: [{kind: ServiceAccount, name: $1, namespace: $NS}]
YAML
}

# operator_on_kwok: the CRDs, $NS and modelship-system sending their pods to the kwok nodes, the
# chart with no operator replica (its RBAC only), and the operator as a host process with that
# RBAC (start_operator).
operator_on_kwok() {
  kubectl apply --server-side -f crds/ >/dev/null
  kubectl wait --for condition=established --timeout=60s crd/modeldeployments.modelship.io >/dev/null
  "$CLUSTER" fake-namespace "$NS" modelship-system
  "$CLUSTER" helm upgrade --install modelship helm/modelship -n modelship-system --create-namespace \
    --set replicaCount=0 --wait=false >/dev/null
  sa_kubeconfig "$STATE/operator.kubeconfig" modelship-system
  start_operator
}
