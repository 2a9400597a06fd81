#!/usr/bin/env bash
# A throwaway Kubernetes cluster for end-to-end tests, without containers or VMs: etcd,
# kube-apiserver, kube-controller-manager and kube-scheduler run as local processes, and kwok
# plays the kubelets of three fake nodes (pods on them are marked Running but no container runs).
#
#   e2e/cluster.sh up              start it (builds the tools once, through scripts/tools.sh)
#   e2e/cluster.sh status          which of its processes run, and whether the API server is ready
#   e2e/cluster.sh env             prints `export KUBECONFIG=...` and `export PATH=...`: eval it
#   e2e/cluster.sh kubectl ARGS... kubectl against the cluster
#   e2e/cluster.sh helm ARGS...    helm against the cluster
#   e2e/cluster.sh down            stop every process and remove the state directory
#
# Everything listens on 127.0.0.1 only, on free ports picked at `up`; pods get addresses in
# 127.0.0.0/8 and Service cluster IPs are in 127.0.0.0/8 too, so nothing can route off the machine
# (see e2e/README.md for what that means for Services and EndpointSlices).
#
# Environment:
#   MODELSHIP_E2E_DIR   state directory: certificates, kubeconfig, etcd data, logs, PIDs
#                       (default /tmp/modelship-e2e)
#   MODELSHIP_CACHE     where scripts/tools.sh keeps the built tools (default ~/.cache/modelship)
#   E2E_NODES           number of fake nodes (default 3)
#   E2E_UP_TIMEOUT      seconds `up` waits for each step (default 120)
#   E2E_STOP_TIMEOUT    seconds `down` waits after SIGTERM before SIGKILL (default 15)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${MODELSHIP_E2E_DIR:-/tmp/modelship-e2e}"
NODES="${E2E_NODES:-3}"
UP_TIMEOUT="${E2E_UP_TIMEOUT:-120}"
STOP_TIMEOUT="${E2E_STOP_TIMEOUT:-15}"

# Start order; `down` stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
# Everything `up` links into STATE/bin, the directory `env` puts on PATH.
TOOLS=("${COMPONENTS[@]}" kubectl helm)

# Written into the state directory by `up`; `down` removes only a directory that has it, so a
# mistyped MODELSHIP_E2E_DIR never deletes anything else.
MARKER=.modelship-e2e

# Addresses. Pods get 127.244.x.y from kwok and Services 127.96.x.y: both loopback, so even a
# stray connection to one stays on this machine. The Service range is never routed (there is no
# kube-proxy); the API server only allocates from it.
SERVICE_CIDR=127.96.0.0/16
POD_CIDR=127.244.0.0/16
NODE_IP=127.0.0.1

log() { printf 'cluster.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
}

# --- processes --------------------------------------------------------------------------------

pidfile() { printf '%s/run/%s.pid' "$STATE" "$1"; }

# Prints the PID of a component if it runs. The PID file alone is not trusted (PIDs are reused):
# the process's command line must also name this state directory, as every component's does.
pid_of() {
  local f pid
  f=$(pidfile "$1")
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$STATE/" || return 1
  printf '%s' "$pid"
}

running() { pid_of "$1" >/dev/null; }

# Starts a component in its own session (so a terminal's Ctrl-C or hang-up does not reach it),
# logging to STATE/logs/NAME.log, and records its PID.
start() {
  local name=$1 bin=$2
  shift 2
  log "starting $name"
  setsid "$bin" "$@" >"$STATE/logs/$name.log" 2>&1 </dev/null &
  printf '%s\n' "$!" >"$(pidfile "$name")"
}

# Stops the named components: SIGTERM to all at once (each takes a second or two to shut down
# gracefully, and the data is thrown away anyway), then SIGKILL to those still there after
# STOP_TIMEOUT seconds.
stop() {
  local name pid i left=() pids=()
  for name in "$@"; do
    if pid=$(pid_of "$name"); then
      log "stopping $name (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    left=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
    [ ${#left[@]} -eq 0 ] && break
    sleep 0.1
  done
  if [ ${#left[@]} -gt 0 ]; then
    log "pids ${left[*]} did not stop within ${STOP_TIMEOUT}s; killing them"
    kill -KILL "${left[@]}" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      left=()
      for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
      [ ${#left[@]} -eq 0 ] && break
      sleep 0.1
    done
    [ ${#left[@]} -eq 0 ] || die "pids ${left[*]} are still running"
  fi
  for name in "$@"; do rm -f "$(pidfile "$name")"; done
}

# In reverse start order, so the log reads like a shutdown.
stop_all() {
  local i names=()
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do names+=("${COMPONENTS[$i]}"); done
  stop "${names[@]}"
}

# --- ports ------------------------------------------------------------------------------------

PICKED=()

# Whether something listens on PORT on any local address.
port_busy() {
  if command -v ss >/dev/null 2>&1; then
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# free_port VAR PREFERRED: sets VAR to the first free port from PREFERRED on (at most 100
# tried) that this run has not handed out yet. (A variable, not output: a command substitution
# would run in a subshell and forget what was handed out.) Fixed defaults keep the logs and
# kubeconfig predictable; the search lets a second cluster (another MODELSHIP_E2E_DIR) or an
# unrelated server coexist.
free_port() {
  local p
  for ((p = $2; p < $2 + 100; p++)); do
    [[ " ${PICKED[*]} " == *" $p "* ]] && continue
    port_busy "$p" && continue
    PICKED+=("$p")
    printf -v "$1" '%s' "$p"
    return 0
  done
  die "no free port in $2-$(($2 + 99))"
}

# --- certificates and kubeconfigs -------------------------------------------------------------

# Signs a key for SUBJECT with the cluster CA (or the CA named by $CA). EXT is the body of an
# openssl extension section.
sign() {
  local name=$1 subject=$2 ext=$3 dir="$STATE/pki" ca=${CA:-ca}
  openssl genrsa -out "$dir/$name.key" 2048 2>/dev/null
  openssl req -new -key "$dir/$name.key" -subj "$subject" -out "$dir/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" \
    -CAcreateserial -days 30 -sha256 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null ||
    die "openssl could not sign the $name certificate"
  rm -f "$dir/$name.csr" "$dir/$name.ext"
}

# A fresh CA for every cluster; nothing outside the state directory trusts it.
make_pki() {
  local dir="$STATE/pki" client="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  command -v openssl >/dev/null 2>&1 || die "openssl is needed to make the cluster's certificates (apt-get install openssl)"
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 30 \
    -subj "/CN=modelship-e2e-ca" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null ||
    die "openssl could not make the CA"
  # The API server's serving certificate: the names clients use here, and the in-cluster names
  # (including the first Service IP, the `kubernetes` Service) so the certificate is realistic.
  sign apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:${SERVICE_CIDR%.*/*}.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  # Client certificates: the user name is the CN, the groups are the O's. The controller manager
  # and scheduler get their real identities, so the built-in RBAC rules apply to them as in a
  # real cluster; the admin (tests, kwok) is in system:masters.
  sign admin "/O=system:masters/CN=kubernetes-admin" "$client"
  sign kube-controller-manager "/CN=system:kube-controller-manager" "$client"
  sign kube-scheduler "/CN=system:kube-scheduler" "$client"
  # The front proxy (aggregation layer): a CA of its own and the client certificate the API
  # server presents when it proxies to an extension API server. Without it the controller
  # manager and scheduler log, every few seconds, that this CA bundle is missing.
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/front-proxy-ca.key" \
    -out "$dir/front-proxy-ca.crt" -days 30 -subj "/CN=modelship-e2e-front-proxy-ca" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null ||
    die "openssl could not make the front-proxy CA"
  CA=front-proxy-ca sign front-proxy-client "/CN=front-proxy-client" "$client"
  # The key that signs and verifies service-account tokens.
  openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
  openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
  chmod 600 "$dir"/*.key
}

# Writes STATE/NAME.kubeconfig for the client certificate NAME (file references, not embedded
# data, so the files stay readable).
kubeconfig() {
  local name=$1 user=$2 pki="$STATE/pki"
  cat >"$STATE/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: modelship-e2e
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority: $pki/ca.crt
users:
- name: $user
  user:
    client-certificate: $pki/$name.crt
    client-key: $pki/$name.key
contexts:
- name: $user@modelship-e2e
  context:
    cluster: modelship-e2e
    user: $user
current-context: $user@modelship-e2e
EOF
}

# --- tools ------------------------------------------------------------------------------------

# Builds every tool once (scripts/tools.sh caches them) and sets TOOL_PATHS, in TOOLS' order.
build_tools() {
  local out
  out=$("$ROOT/scripts/tools.sh" "${TOOLS[@]}") || die "scripts/tools.sh could not provide ${TOOLS[*]}"
  mapfile -t TOOL_PATHS <<<"$out"
  [ ${#TOOL_PATHS[@]} -eq ${#TOOLS[@]} ] ||
    die "scripts/tools.sh printed ${#TOOL_PATHS[@]} paths for ${#TOOLS[@]} tools"
  # kwok's Stages come with its build (see install_kwok in scripts/tools.sh).
  KWOK_STAGES="$(dirname "${TOOL_PATHS[${#COMPONENTS[@]} - 1]}")/stages.yaml"
  [ -f "$KWOK_STAGES" ] ||
    die "$KWOK_STAGES is missing: remove $(dirname "$KWOK_STAGES") and run again to rebuild kwok"
}

# Links the tools into STATE/bin, the directory `env` puts on PATH.
link_tools() {
  local i
  mkdir -p "$STATE/bin"
  for i in "${!TOOLS[@]}"; do ln -sfn "${TOOL_PATHS[$i]}" "$STATE/bin/${TOOLS[$i]}"; done
}

require_up() {
  if [ ! -f "$STATE/$MARKER" ] || ! running kube-apiserver; then
    die "the cluster is not up (state directory $STATE): run e2e/cluster.sh up"
  fi
}

# Runs kubectl as the admin; its discovery cache stays in the state directory.
k() { "$STATE/bin/kubectl" --kubeconfig "$STATE/admin.kubeconfig" --cache-dir "$STATE/kube-cache" "$@"; }

# Helm's configuration, cache and data stay in the state directory too.
helm_env() {
  export KUBECONFIG="$STATE/admin.kubeconfig"
  export HELM_CONFIG_HOME="$STATE/helm/config" HELM_CACHE_HOME="$STATE/helm/cache" HELM_DATA_HOME="$STATE/helm/data"
}

# --- up ---------------------------------------------------------------------------------------

# Waits up to UP_TIMEOUT seconds for a command to succeed; on failure names the log to read.
wait_for() {
  local what=$1 logname=$2 deadline=$((SECONDS + UP_TIMEOUT))
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ -n "$logname" ] && ! running "$logname"; then
      fail_up "$logname exited while waiting for $what"
    fi
    ((SECONDS < deadline)) || fail_up "timed out after ${UP_TIMEOUT}s waiting for $what" "$logname"
    sleep 0.5
  done
}

# Shows the end of the log that explains the failure and exits; up_exit then stops what was
# started. The state directory is kept for the logs; the next `up` or `down` cleans it.
fail_up() {
  local msg=$1 name=${2:-${1%% *}}
  log "error: $msg"
  if [ -f "$STATE/logs/$name.log" ]; then
    log "last lines of $STATE/logs/$name.log:"
    tail -n 20 "$STATE/logs/$name.log" >&2
  fi
  exit 1
}

up_exit() {
  if [ "$1" -ne 0 ]; then
    stop_all
    log "up failed; logs are in $STATE/logs (e2e/cluster.sh down removes them)"
  fi
}

node_manifest() {
  local i name
  for ((i = 0; i < NODES; i++)); do
    name="kwok-node-$i"
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: $name
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
EOF
  done
}

cmd_up() {
  local start=$SECONDS c alive=() dead=()
  if [ -d "$STATE" ]; then
    for c in "${COMPONENTS[@]}"; do
      if running "$c"; then alive+=("$c"); else dead+=("$c"); fi
    done
    if [ ${#dead[@]} -eq 0 ]; then
      log "already up (state directory $STATE)"
      return 0
    fi
    if [ ${#alive[@]} -gt 0 ]; then
      die "the cluster in $STATE is partly running (${alive[*]} up, ${dead[*]} down): run e2e/cluster.sh down, then up"
    fi
    [ -f "$STATE/$MARKER" ] || [ -z "$(ls -A "$STATE")" ] ||
      die "$STATE exists and is not a cluster state directory; set MODELSHIP_E2E_DIR elsewhere or remove it"
    log "removing the stale state directory of a stopped cluster"
    rm -rf "$STATE"
  fi

  command -v curl >/dev/null 2>&1 || die "curl is needed to probe etcd and the controllers (apt-get install curl)"
  # Build first (slow only the first time), so that a failed build leaves nothing behind.
  build_tools
  mkdir -p "$STATE"
  touch "$STATE/$MARKER"
  # Whatever makes `up` exit early from here on (fail_up, die, a failed command under set -e),
  # no process it started is left running.
  trap 'up_exit $?' EXIT
  mkdir -p "$STATE"/{run,logs,etcd,pki}
  chmod 700 "$STATE/etcd"
  link_tools

  free_port ETCD_PORT 12379
  free_port ETCD_PEER_PORT 12380
  free_port APISERVER_PORT 16443
  free_port KCM_PORT 16444
  free_port SCHEDULER_PORT 16445
  cat >"$STATE/ports" <<EOF
etcd=$ETCD_PORT
etcd-peer=$ETCD_PEER_PORT
kube-apiserver=$APISERVER_PORT
kube-controller-manager=$KCM_PORT
kube-scheduler=$SCHEDULER_PORT
EOF

  make_pki
  kubeconfig admin kubernetes-admin
  kubeconfig kube-controller-manager system:kube-controller-manager
  kubeconfig kube-scheduler system:kube-scheduler

  # etcd: one member, client and peer URLs on 127.0.0.1 (its defaults are localhost:2379/2380).
  # --unsafe-no-fsync: the data is thrown away with the cluster, and fsync dominates on CI disks.
  start etcd "$STATE/bin/etcd" \
    --name=e2e \
    --data-dir="$STATE/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="e2e=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync \
    --log-level=warn
  wait_for "etcd" etcd curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

  # kube-apiserver. --endpoint-reconciler-type=none: the API server would otherwise publish its
  # own address (127.0.0.1) as the endpoint of the `kubernetes` Service, which Endpoints
  # validation refuses (loopback), and log that error forever. --enable-aggregator-routing: if
  # the API server ever has to call a Service (an APIService, a webhook), it looks up the
  # Service's endpoints instead of dialing its cluster IP; with pods on loopback there are none,
  # so the call fails at once instead of going anywhere.
  local pki="$STATE/pki"
  start kube-apiserver "$STATE/bin/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 \
    --advertise-address="$NODE_IP" \
    --secure-port="$APISERVER_PORT" \
    --cert-dir="$STATE/kube-apiserver" \
    --tls-cert-file="$pki/apiserver.crt" \
    --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$pki/sa.pub" \
    --service-account-signing-key-file="$pki/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --requestheader-client-ca-file="$pki/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$pki/front-proxy-client.crt" \
    --proxy-client-key-file="$pki/front-proxy-client.key" \
    --authorization-mode=Node,RBAC \
    --allow-privileged=true \
    --endpoint-reconciler-type=none \
    --enable-aggregator-routing=true \
    --profiling=false
  wait_for "the API server to be ready (/readyz)" kube-apiserver k get --raw /readyz

  # kube-controller-manager: each controller uses its own service account, as in a real
  # cluster, so missing RBAC shows up here too. nodeipam is off: nodes need no pod CIDRs (kwok
  # hands out pod IPs itself). One instance, so no leader election (it would delay the start).
  start kube-controller-manager "$STATE/bin/kube-controller-manager" \
    --kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 \
    --secure-port="$KCM_PORT" \
    --cert-dir="$STATE/kube-controller-manager" \
    --controllers='*,-nodeipam' \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$pki/sa.key" \
    --root-ca-file="$pki/ca.crt" \
    --cluster-signing-cert-file="$pki/ca.crt" \
    --cluster-signing-key-file="$pki/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --leader-elect=false

  start kube-scheduler "$STATE/bin/kube-scheduler" \
    --kubeconfig="$STATE/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$STATE/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$STATE/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 \
    --secure-port="$SCHEDULER_PORT" \
    --cert-dir="$STATE/kube-scheduler" \
    --leader-elect=false

  # kwok manages only the nodes annotated kwok.x-k8s.io/node=fake (those below), gives them the
  # address 127.0.0.1 and their pods addresses from POD_CIDR, and serves nothing itself (no
  # --server-address, no --node-port). --config names its Stages explicitly, so a ~/.kwok of
  # the user's is never read. --node-lease-duration-seconds: without a config file that sets it,
  # kwok keeps no node Leases, the node lifecycle controller then marks every node NotReady
  # after its grace period (and taints it, which evicts pods), and kwok's re-initialisation
  # drops the node's addresses.
  start kwok "$STATE/bin/kwok" \
    --config="$KWOK_STAGES" \
    --kubeconfig="$STATE/admin.kubeconfig" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --manage-nodes-with-label-selector= \
    --cidr="$POD_CIDR" \
    --node-ip="$NODE_IP" \
    --node-lease-duration-seconds=40

  wait_for "kube-controller-manager (/healthz)" kube-controller-manager \
    curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz"
  wait_for "kube-scheduler (/healthz)" kube-scheduler \
    curl -fsSk "https://127.0.0.1:$SCHEDULER_PORT/healthz"

  node_manifest | k apply -f - >/dev/null || fail_up "could not create the nodes" kube-apiserver
  wait_for "$NODES Ready nodes" kwok \
    k wait --for=condition=Ready node -l type=kwok --timeout=5s
  # Pods need their namespace's `default` service account, which a controller creates.
  wait_for "the default service account" kube-controller-manager k get serviceaccount default

  trap - EXIT
  log "up in $((SECONDS - start))s: API server https://127.0.0.1:$APISERVER_PORT, $NODES kwok nodes"
  log "use it with: eval \"\$(e2e/cluster.sh env)\"   or   e2e/cluster.sh kubectl ..."
}

# --- down, status, env ------------------------------------------------------------------------

cmd_down() {
  if [ ! -e "$STATE" ]; then
    log "not up (no $STATE)"
    return 0
  fi
  [ -f "$STATE/$MARKER" ] ||
    die "$STATE is not a cluster state directory (no $MARKER); not touching it"
  stop_all
  rm -rf "$STATE"
  log "down; removed $STATE"
}

cmd_status() {
  local c pid rc=0 port
  if [ ! -f "$STATE/$MARKER" ]; then
    echo "not up (no cluster in $STATE)"
    return 3
  fi
  for c in "${COMPONENTS[@]}"; do
    port=$(sed -n "s/^$c=//p" "$STATE/ports" 2>/dev/null)
    if pid=$(pid_of "$c"); then
      printf '%-24s running  pid %-8s %s\n' "$c" "$pid" "${port:+127.0.0.1:$port}"
    else
      printf '%-24s stopped\n' "$c"
      rc=1
    fi
  done
  if running kube-apiserver && k get --raw /readyz >/dev/null 2>&1; then
    echo "API server ready; nodes:"
    k get nodes -o wide 2>&1 | sed 's/^/  /'
  else
    echo "API server not ready"
    rc=1
  fi
  return $rc
}

cmd_env() {
  require_up
  printf 'export KUBECONFIG=%q\n' "$STATE/admin.kubeconfig"
  # $PATH is left for the shell that evaluates this.
  # shellcheck disable=SC2016
  printf 'export PATH=%q:"$PATH"\n' "$STATE/bin"
}

main() {
  [ $# -gt 0 ] || { usage; exit 2; }
  local cmd=$1
  shift
  case "$cmd" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    kubectl) require_up; k "$@" ;;
    helm) require_up; helm_env; exec "$STATE/bin/helm" "$@" ;;
    -h | --help | help) usage ;;
    *) usage; die "unknown command '$cmd'" ;;
  esac
}

main "$@"
