#!/usr/bin/env bash
# A throwaway Kubernetes cluster for end-to-end tests, without VMs or a Docker engine: etcd,
# kube-apiserver, kube-controller-manager and kube-scheduler run as local processes; kwok plays
# the kubelets of three fake nodes (their pods are marked Running but no container runs); and one
# real node, e2e-node, runs pods as real containers: kubelet, containerd (CRI), runc, the CNI
# bridge plugin and kube-proxy (iptables mode).
#
#   e2e/cluster.sh up              start it (builds the tools once, through scripts/tools.sh)
#   e2e/cluster.sh status          which of its processes run, and whether the API server is ready
#   e2e/cluster.sh env             prints `export KUBECONFIG=...` and `export PATH=...`: eval it
#   e2e/cluster.sh kubectl ARGS... kubectl against the cluster
#   e2e/cluster.sh helm ARGS...    helm against the cluster
#   e2e/cluster.sh exec CMD...     run CMD inside the cluster's network namespace (to reach pod
#                                  and Service IPs), with KUBECONFIG and PATH set
#   e2e/cluster.sh crictl ARGS...  crictl against the real node's containerd
#   e2e/cluster.sh load-images [ARCHIVE...]   import OCI archives (default: target/images/*.tar)
#                                  into the real node's containerd
#   e2e/cluster.sh fake-namespace NAME...     create namespaces whose pods go to the kwok nodes
#   e2e/cluster.sh restart NAME... stop control-plane components (etcd, kube-apiserver, ...) at
#                                  once with SIGKILL and start them again with the same command
#                                  line, then wait until the API server is ready (fault tests)
#   e2e/cluster.sh down            stop every process, remove every container, mount, cgroup and
#                                  the network namespace, and remove the state directory
#
# The whole cluster runs inside a network namespace of its own with no uplink (no route leaves
# it): the control plane listens on its loopback, the real node has the address 10.250.0.1 (also
# on the loopback device), its pods get 10.244.0.0/24 on the bridge cni0, Services get 10.96.0.0/16.
# From the host, only the API server is reachable, on 127.0.0.1:<port> through a forwarder
# (socat); everything else is reached with `cluster.sh exec`. The kwok nodes' pods get addresses
# in 127.244.0.0/16 that nothing answers on.
#
# The real node needs root, containerd, runc, the CNI plugins, iptables, conntrack and socat
# (`up` installs the Debian packages that are missing). E2E_REAL_NODE=0 leaves it out.
#
# Environment:
#   MODELSHIP_E2E_DIR   state directory: certificates, kubeconfig, etcd data, logs, PIDs
#                       (default /tmp/modelship-e2e)
#   MODELSHIP_CACHE     where scripts/tools.sh keeps the built tools (default ~/.cache/modelship)
#   E2E_NODES           number of fake nodes (default 3)
#   E2E_REAL_NODE       1 (default): run the real node; 0: kwok nodes only
#   E2E_NETNS           the network namespace's name (default modelship-<hash of the state dir>)
#   E2E_UP_TIMEOUT      seconds `up` waits for each step (default 120)
#   E2E_STOP_TIMEOUT    seconds `down` waits after SIGTERM before SIGKILL (default 15)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${MODELSHIP_E2E_DIR:-/tmp/modelship-e2e}"
NODES="${E2E_NODES:-3}"
UP_TIMEOUT="${E2E_UP_TIMEOUT:-120}"
STOP_TIMEOUT="${E2E_STOP_TIMEOUT:-15}"
REAL_NODE="${E2E_REAL_NODE:-1}"
# Derived from the state directory, so that two clusters (two MODELSHIP_E2E_DIRs) never share it.
NETNS="${E2E_NETNS:-modelship-$(printf '%s' "$STATE" | sha256sum | cut -c1-8)}"
NETNS_PATH="/run/netns/$NETNS"
# Every cgroup of the real node's pods lives under this one (in each cgroup v1 hierarchy).
CGROUP_ROOT="/$NETNS"

# Start order; `down` stops them in reverse. The real node's come last.
CONTROL_PLANE=(etcd kube-apiserver apiserver-forward kube-controller-manager kube-scheduler kwok)
NODE_COMPONENTS=(containerd kubelet kube-proxy)
COMPONENTS=("${CONTROL_PLANE[@]}")
[ "$REAL_NODE" = 1 ] && COMPONENTS+=("${NODE_COMPONENTS[@]}")
# Built by scripts/tools.sh and linked into STATE/bin, the directory `env` puts on PATH.
TOOLS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok kubectl helm)
[ "$REAL_NODE" = 1 ] && TOOLS+=(kubelet kube-proxy crictl)

# Written into the state directory by `up`; `down` removes only a directory that has it, so a
# mistyped MODELSHIP_E2E_DIR never deletes anything else.
MARKER=.modelship-e2e

# Addresses, all inside the network namespace. The ports inside it are fixed (the namespace is
# new); only the API server's, which the forwarder also opens on the host's loopback, is picked
# free at `up`.
SERVICE_CIDR=10.96.0.0/16
KWOK_POD_CIDR=127.244.0.0/16
NODE_POD_CIDR=10.244.0.0/24
NODE_IP=10.250.0.1
NODE_NAME=e2e-node
ETCD_PORT=2379
ETCD_PEER_PORT=2380
KCM_PORT=10257
SCHEDULER_PORT=10259
# The pause image containerd runs as every pod's sandbox (built by scripts/images.sh).
PAUSE_IMAGE=registry.k8s.io/pause:3.10.1
# Host directories that kubelet, containerd and the CNI library use whatever they are told
# (kubelet's device-plugin socket, its /var/log/containers links, the shims' sockets, libcni's
# result cache). `up` notes which of them did not exist before, and `down` removes those.
HOST_DIRS=(/var/lib/kubelet /var/log/containers /run/containerd /var/lib/cni)
# What kubelet sets (it needs them for its memory accounting) and `down` puts back.
KERNEL_TUNABLES=(vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes)

# shellcheck source=scripts/apt.sh
. "$ROOT/scripts/apt.sh"

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

# Runs a command inside the cluster's network namespace. Only the network namespace is entered
# (not `ip netns exec`, which also makes a mount namespace of its own): kubelet, containerd and
# the shims must see each other's mounts (volumes, container root filesystems).
in_ns() { nsenter --net="$NETNS_PATH" -- "$@"; }

# Starts a component inside the network namespace, in its own session (so a terminal's Ctrl-C
# or hang-up does not reach it), logging to STATE/logs/NAME.log, and records its PID (nsenter
# execs the program, so the PID is the component's).
start() {
  local name=$1 bin=$2
  shift 2
  log "starting $name"
  setsid nsenter --net="$NETNS_PATH" -- "$bin" "$@" >"$STATE/logs/$name.log" 2>&1 </dev/null &
  printf '%s\n' "$!" >"$(pidfile "$name")"
}

# As start, but in the host's network namespace (the API server's forwarder).
start_on_host() {
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


# --- ports ------------------------------------------------------------------------------------

PICKED=()

# Whether something listens on PORT on any local address of the host.
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
subjectAltName=IP:127.0.0.1,IP:$NODE_IP,IP:${SERVICE_CIDR%.*/*}.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  # Client certificates: the user name is the CN, the groups are the O's. The controller manager
  # and scheduler get their real identities, so the built-in RBAC rules apply to them as in a
  # real cluster; the admin (tests, kwok) is in system:masters.
  sign admin "/O=system:masters/CN=kubernetes-admin" "$client"
  sign kube-controller-manager "/CN=system:kube-controller-manager" "$client"
  sign kube-scheduler "/CN=system:kube-scheduler" "$client"
  # The real node: the kubelet as the Node authorizer wants it (system:node:NAME in
  # system:nodes), kube-proxy as the built-in system:node-proxier binding names it, the
  # kubelet's serving certificate (the API server checks it when it calls the kubelet for logs
  # and exec), and the API server's client certificate for those calls.
  sign kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "$client"
  sign kube-proxy "/CN=system:kube-proxy" "$client"
  sign kubelet-serving "/CN=$NODE_NAME" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:$NODE_IP,DNS:$NODE_NAME"
  sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$client"
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
  KWOK_STAGES="$(dirname "${TOOL_PATHS[4]}")/stages.yaml"
  [ -f "$KWOK_STAGES" ] ||
    die "$KWOK_STAGES is missing: remove $(dirname "$KWOK_STAGES") and run again to rebuild kwok"
}

# Links the tools into STATE/bin, the directory `env` puts on PATH.
link_tools() {
  local i
  mkdir -p "$STATE/bin"
  for i in "${!TOOLS[@]}"; do ln -sfn "${TOOL_PATHS[$i]}" "$STATE/bin/${TOOLS[$i]}"; done
  # Through the link, the forwarder's command line names the state directory (see pid_of).
  ln -sfn "$(command -v socat)" "$STATE/bin/socat"
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
    teardown
    log "up failed; logs are in $STATE/logs (e2e/cluster.sh down removes them)"
  fi
}

node_manifest() {
  local i name
  for ((i = 0; i < NODES; i++)); do
    name="kwok-node-$i"
    # The taint keeps pods off the fake nodes unless their namespace says otherwise (see
    # cmd_fake_namespace): a pod that is not asked to run anywhere runs for real, on e2e-node.
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
spec:
  taints:
  - key: kwok.x-k8s.io/node
    value: fake
    effect: NoSchedule
EOF
  done
}

# --- the real node ----------------------------------------------------------------------------

# Debian packages the real node needs, by the command (or file) that shows they are installed.
NODE_PACKAGES=(
  "containerd|containerd"
  "runc|runc"
  "/usr/lib/cni/bridge|containernetworking-plugins"
  "iptables|iptables"
  "conntrack|conntrack"
  "socat|socat"
  "nsenter|util-linux"
  "ip|iproute2"
)

# Installs the missing ones with apt-get (from Debian's package registry).
node_prereqs() {
  [ "$(id -u)" -eq 0 ] || die "the real node needs root (containers, mounts, cgroups, a network namespace); run as root or set E2E_REAL_NODE=0"
  apt_ensure "${NODE_PACKAGES[@]}" || die "could not install the real node's Debian packages"
}

# The network namespace: loopback for the control plane, plus the real node's address (pods
# reach the API server there). No veth to the host, no default route.
make_netns() {
  if [ -e "$NETNS_PATH" ]; then
    die "network namespace $NETNS exists already (another cluster with the same E2E_NETNS, or a crashed one: e2e/cluster.sh down)"
  fi
  ip netns add "$NETNS" || die "could not create the network namespace $NETNS (ip netns add)"
  printf '%s\n' "$NETNS" >"$STATE/netns"
  in_ns ip link set lo up
  # On the loopback device (this kernel has no dummy interfaces): a local address all the same.
  in_ns ip addr add "$NODE_IP/32" dev lo
  # A route for the Service range, so that a client here gets as far as kube-proxy's DNAT (which
  # then re-routes to the pod); without it the connect fails at once with "network unreachable"
  # (a real node has a default route that plays this part). The source is the node's address,
  # which the pods can answer.
  in_ns ip route add "$SERVICE_CIDR" dev lo src "$NODE_IP"
  # Pods reach Services through kube-proxy's rules: forwarding between the bridge and the
  # namespace's own addresses, and bridged traffic through iptables (pod to Service to a pod on
  # the same bridge). Both settings belong to this namespace only.
  in_ns sysctl -q -w net.ipv4.ip_forward=1
  in_ns sysctl -q -w net.bridge.bridge-nf-call-iptables=1 2>/dev/null ||
    log "warning: net.bridge.bridge-nf-call-iptables is not settable here (br_netfilter not loaded); pod-to-Service-to-pod on one node may not work"
}

# cgroup v1: the kubelet puts every pod under CGROUP_ROOT, which it expects to exist in each
# hierarchy. cpuset children start empty unless clone_children is set.
make_cgroups() {
  local h
  for h in /sys/fs/cgroup/*/; do
    [ -f "$h/cgroup.procs" ] || continue
    mkdir -p "$h$CGROUP_ROOT"
    [ -f "$h$CGROUP_ROOT/cgroup.clone_children" ] && echo 1 >"$h$CGROUP_ROOT/cgroup.clone_children" 2>/dev/null || true
  done
  if [ -f /sys/fs/cgroup/cpuset/cpuset.cpus ]; then
    cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset$CGROUP_ROOT/cpuset.cpus"
    cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset$CGROUP_ROOT/cpuset.mems"
  fi
}

note_host_dirs() {
  local d
  # Pod network namespaces that existed before (another containerd's): `down` checks that it
  # removed all of its own.
  ls -d /run/netns/cni-* 2>/dev/null >"$STATE/node/pod-netns-before" || true
  for d in "${HOST_DIRS[@]}"; do [ -e "$d" ] || printf '%s\n' "$d"; done >"$STATE/node/host-dirs-made"
}

save_kernel_tunables() {
  local t
  for t in "${KERNEL_TUNABLES[@]}"; do printf '%s=%s\n' "$t" "$(cat "/proc/sys/$t")"; done >"$STATE/node/kernel-tunables"
}

node_config() {
  local n="$STATE/node" pki="$STATE/pki"
  mkdir -p "$n"/{containerd,cni/net.d,cni/ipam,kubelet,pod-logs,runc}
  # containerd: its own root, state, socket and runc root, all in the state directory; CRI with
  # cgroupfs (no systemd here), oom_score_adj never below its own (a process here cannot lower
  # it), the CNI plugins of Debian's package, and the locally built pause image.
  cat >"$n/containerd/config.toml" <<EOF
version = 2
root = "$n/containerd/root"
state = "$n/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$n/containerd/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$n/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  enable_cdi = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$n/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$n/cni/net.d"
EOF
  # One bridge, pods in NODE_POD_CIDR, the bridge's address as their gateway. host-local keeps
  # its leases in the state directory.
  cat >"$n/cni/net.d/10-modelship.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "$NETNS",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$NODE_POD_CIDR"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "$n/cni/ipam"
      }
    }
  ]
}
EOF
  # Pods resolve nothing: there is no DNS server in the cluster (see e2e/README.md); this keeps
  # them from trying the host's.
  printf 'nameserver 127.0.0.1\noptions ndots:1 timeout:1 attempts:1\n' >"$n/resolv.conf"
  kubeconfig kubelet "system:node:$NODE_NAME"
  kubeconfig kube-proxy system:kube-proxy
  cat >"$n/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
tlsCertFile: $pki/kubelet-serving.crt
tlsPrivateKeyFile: $pki/kubelet-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$n/containerd/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: $CGROUP_ROOT
cgroupsPerQOS: true
failSwapOn: false
failCgroupV1: false
# A process here cannot lower its oom_score_adj.
oomScoreAdj: 0
resolvConf: $n/resolv.conf
podLogsDir: $n/pod-logs
clusterDomain: cluster.local
maxPods: 50
serializeImagePulls: false
# The machine's disk is shared: evict only when it is truly full, and never garbage-collect the
# imported images (they cannot be pulled again).
evictionHard: {memory.available: "100Mi", nodefs.available: "2%", imagefs.available: "2%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
registerWithTaints: []
nodeStatusUpdateFrequency: 5s
fileCheckFrequency: 60s
syncFrequency: 10s
EOF
  printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 10\n' \
    "$n/containerd/containerd.sock" "$n/containerd/containerd.sock" >"$n/crictl.yaml"
  cat >"$n/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: $STATE/kube-proxy.kubeconfig
mode: iptables
hostnameOverride: $NODE_NAME
clusterCIDR: $NODE_POD_CIDR
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# Leave the kernel's conntrack settings alone (they are not this namespace's to change).
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
iptables:
  minSyncPeriod: 0s
  syncPeriod: 30s
EOF
}

crictl_() { "$STATE/bin/crictl" --config "$STATE/node/crictl.yaml" "$@"; }
ctr_() { ctr --address "$STATE/node/containerd/containerd.sock" --namespace k8s.io "$@"; }

# Imports OCI archives into the node's containerd (the CRI's k8s.io namespace).
import_images() {
  local a
  for a in "$@"; do
    [ -f "$a" ] || die "no image archive $a (scripts/images.sh build)"
    log "importing $(basename "$a") into the node's containerd"
    ctr_ images import --no-unpack=false "$a" >/dev/null || die "ctr images import $a failed"
  done
}

start_node() {
  local n="$STATE/node"
  note_host_dirs
  start containerd /usr/bin/containerd --config "$n/containerd/config.toml"
  wait_for "containerd" containerd ctr_ version
  local pause="$ROOT/target/images/pause.tar"
  [ -f "$pause" ] || "$ROOT/scripts/images.sh" build pause >&2 || die "could not build the pause image"
  local archives=("$pause") a
  for a in "$ROOT"/target/images/*.tar; do [ "$a" = "$pause" ] || archives+=("$a"); done
  import_images "${archives[@]}"
  [ ${#archives[@]} -gt 1 ] ||
    log "only the pause image is on the node: build the others (scripts/images.sh build) and run e2e/cluster.sh load-images"
  save_kernel_tunables
  make_cgroups
  start kubelet "$STATE/bin/kubelet" \
    --config="$n/kubelet/config.yaml" \
    --kubeconfig="$STATE/kubelet.kubeconfig" \
    --root-dir="$n/kubelet/root" \
    --cert-dir="$n/kubelet/pki" \
    --hostname-override="$NODE_NAME" \
    --node-ip="$NODE_IP" \
    --node-labels=type=real
  start kube-proxy "$STATE/bin/kube-proxy" --config="$n/kube-proxy.yaml"
  wait_for "the real node $NODE_NAME to be Ready" kubelet \
    k wait --for=condition=Ready "node/$NODE_NAME" --timeout=5s
}

# The Gateway API's standard CRDs (HTTPRoute and the rest), from the files of its Go module
# (fetched once through the Go module proxy into the module cache): the API that
# traffic.provider GatewayAPI writes. No Gateway implementation runs here.
GATEWAY_API_VERSION=v1.4.1
install_gateway_api() {
  local dir
  local go=go
  command -v go >/dev/null 2>&1 || go=/usr/local/go/bin/go
  dir=$(cd / && GOFLAGS=-mod=mod "$go" mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir/config/crd/standard" ] ||
    fail_up "could not fetch the Gateway API module $GATEWAY_API_VERSION (go mod download)" kube-apiserver
  k apply --server-side -f "$dir/config/crd/standard/" >/dev/null ||
    fail_up "could not install the Gateway API CRDs" kube-apiserver
  wait_for "the Gateway API CRDs to be established" kube-apiserver \
    k wait --for=condition=Established crd/httproutes.gateway.networking.k8s.io --timeout=5s
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
    log "cleaning up the state of a stopped cluster"
    cmd_down
  fi

  command -v curl >/dev/null 2>&1 || die "curl is needed to probe etcd and the controllers (apt-get install curl)"
  [ "$(id -u)" -eq 0 ] || die "the cluster runs in a network namespace of its own, which needs root"
  if [ "$REAL_NODE" = 1 ]; then node_prereqs; else command -v socat >/dev/null 2>&1 || die "socat is needed (apt-get install socat)"; fi
  # Build first (slow only the first time), so that a failed build leaves nothing behind.
  build_tools
  mkdir -p "$STATE"
  touch "$STATE/$MARKER"
  # Whatever makes `up` exit early from here on (fail_up, die, a failed command under set -e),
  # no process it started is left running.
  trap 'up_exit $?' EXIT
  mkdir -p "$STATE"/{run,logs,etcd,pki,node}
  chmod 700 "$STATE/etcd"
  link_tools
  make_netns

  free_port APISERVER_PORT 16443
  cat >"$STATE/ports" <<EOF
etcd=$ETCD_PORT
kube-apiserver=$APISERVER_PORT
apiserver-forward=$APISERVER_PORT
kube-controller-manager=$KCM_PORT
kube-scheduler=$SCHEDULER_PORT
EOF

  make_pki
  kubeconfig admin kubernetes-admin
  kubeconfig kube-controller-manager system:kube-controller-manager
  kubeconfig kube-scheduler system:kube-scheduler

  # etcd: one member, client and peer URLs on the namespace's loopback.
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
  wait_for "etcd" etcd in_ns curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

  # kube-apiserver, on the namespace's loopback (clients here) and the node's address (pods,
  # through the `kubernetes` Service, whose endpoint it publishes). --enable-aggregator-routing:
  # if the API server ever has to call a Service (an APIService, a webhook), it dials an
  # endpoint directly. PodNodeSelector and PodTolerationRestriction let a namespace send its
  # pods to the kwok nodes (cmd_fake_namespace); NodeRestriction limits the kubelet to its node.
  local pki="$STATE/pki"
  start kube-apiserver "$STATE/bin/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=0.0.0.0 \
    --advertise-address="$NODE_IP" \
    --secure-port="$APISERVER_PORT" \
    --cert-dir="$STATE/kube-apiserver" \
    --tls-cert-file="$pki/apiserver.crt" \
    --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$pki/ca.crt" \
    --kubelet-preferred-address-types=InternalIP \
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
    --enable-admission-plugins=NodeRestriction,PodNodeSelector,PodTolerationRestriction \
    --allow-privileged=true \
    --enable-aggregator-routing=true \
    --profiling=false
  # The host reaches the API server on its own loopback, same port: one connection of the
  # forwarder per client connection, each entering the namespace.
  start_on_host apiserver-forward "$STATE/bin/socat" \
    "TCP-LISTEN:$APISERVER_PORT,bind=127.0.0.1,reuseaddr,fork" \
    "EXEC:nsenter --net=$NETNS_PATH -- $STATE/bin/socat STDIO TCP\:127.0.0.1\:$APISERVER_PORT"
  wait_for "the API server to be ready (/readyz)" kube-apiserver k get --raw /readyz

  # kube-controller-manager: each controller uses its own service account, as in a real
  # cluster, so missing RBAC shows up here too. nodeipam is off: nodes need no pod CIDRs (kwok
  # and the CNI configuration hand out pod IPs). One instance, so no leader election.
  # --kube-api-qps/burst: each controller's client is limited to 20 requests a second by default,
  # and the Deployment and ReplicaSet controllers need about five writes per Deployment, so 1,000
  # ModelDeployments (bench/scale.sh) would wait minutes on that limit alone; clusters of that size
  # raise it too.
  start kube-controller-manager "$STATE/bin/kube-controller-manager" \
    --kube-api-qps=100 \
    --kube-api-burst=200 \
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
  # address 127.0.0.1 and their pods addresses from KWOK_POD_CIDR, and serves nothing itself
  # (no --server-address, no --node-port). --config names its Stages explicitly, so a ~/.kwok
  # of the user's is never read. --node-lease-duration-seconds: without a config file that sets
  # it, kwok keeps no node Leases, the node lifecycle controller then marks every node NotReady
  # after its grace period (and taints it, which evicts pods), and kwok's re-initialisation
  # drops the node's addresses.
  start kwok "$STATE/bin/kwok" \
    --config="$KWOK_STAGES" \
    --kubeconfig="$STATE/admin.kubeconfig" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --manage-nodes-with-label-selector= \
    --cidr="$KWOK_POD_CIDR" \
    --node-ip=127.0.0.1 \
    --node-lease-duration-seconds=40

  wait_for "kube-controller-manager (/healthz)" kube-controller-manager \
    in_ns curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz"
  wait_for "kube-scheduler (/healthz)" kube-scheduler \
    in_ns curl -fsSk "https://127.0.0.1:$SCHEDULER_PORT/healthz"

  node_manifest | k apply -f - >/dev/null || fail_up "could not create the nodes" kube-apiserver
  wait_for "$NODES Ready kwok nodes" kwok \
    k wait --for=condition=Ready node -l type=kwok --timeout=5s
  # Pods need their namespace's `default` service account, which a controller creates.
  wait_for "the default service account" kube-controller-manager k get serviceaccount default
  install_gateway_api

  if [ "$REAL_NODE" = 1 ]; then
    node_config
    start_node
  fi

  trap - EXIT
  log "up in $((SECONDS - start))s: API server https://127.0.0.1:$APISERVER_PORT, $NODES kwok nodes$([ "$REAL_NODE" = 1 ] && printf ', real node %s (%s)' "$NODE_NAME" "$NODE_IP"), network namespace $NETNS"
  log "use it with: eval \"\$(e2e/cluster.sh env)\"   or   e2e/cluster.sh kubectl ...   or   e2e/cluster.sh exec CMD"
}

# --- down, status, env ------------------------------------------------------------------------

# Kills every process left in the real node's cgroups (containers whose shim is gone).
kill_cgroup_procs() {
  local h f pids i
  for ((i = 0; i < 50; i++)); do
    pids=""
    for h in /sys/fs/cgroup/*"$CGROUP_ROOT"; do
      [ -d "$h" ] || continue
      while read -r f; do pids+=" $(cat "$f" 2>/dev/null | tr '\n' ' ')"; done < <(find "$h" -name cgroup.procs)
    done
    [ -z "${pids// /}" ] && return 0
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
  done
  log "warning: processes left in $CGROUP_ROOT:$pids"
}

# Unmounts everything mounted under a directory, deepest first.
unmount_under() {
  local m
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "warning: could not unmount $m"
  done < <(awk -v p="$1/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
}

# The real node, in the order that leaves nothing: kubelet and kube-proxy first (so nothing
# restarts what is removed), then every pod sandbox through the CRI (which stops its containers,
# releases its IP and removes its network namespace), then containerd and its shims, then
# whatever is left: processes in the node's cgroups, mounts, the cgroups themselves, the
# kernel tunables kubelet changed, kubelet's log links and the CNI plugins' result cache.
teardown_node() {
  local n="$STATE/node" sandbox_netns=() p
  stop kube-proxy kubelet
  if running containerd; then
    mapfile -t sandbox_netns < <(crictl_ inspectp $(crictl_ pods -q 2>/dev/null) 2>/dev/null |
      sed -n 's/.*"path": "\(\/var\/run\/netns\/[^"]*\)".*/\1/p; s/.*"path": "\(\/run\/netns\/[^"]*\)".*/\1/p' | sort -u)
    crictl_ rmp --all --force >/dev/null 2>&1 || log "warning: crictl rmp --all failed; cleaning up by hand"
  fi
  [ -n "${OURS_FILE:-}" ] && printf '%s\n' "${sandbox_netns[@]}" >>"$OURS_FILE"
  stop containerd
  pkill -KILL -f -- "-address $n/containerd/containerd.sock" 2>/dev/null || true
  kill_cgroup_procs
  for p in "${sandbox_netns[@]}"; do
    if [ -e "$p" ]; then umount "$p" 2>/dev/null || umount -l "$p" 2>/dev/null || true; rm -f "$p"; fi
  done
  unmount_under "$STATE"
  local h
  for h in /sys/fs/cgroup/*"$CGROUP_ROOT"; do
    [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} + 2>/dev/null
    [ -d "$h" ] && log "warning: could not remove the cgroup $h"
  done
  if [ -f "$n/kernel-tunables" ]; then
    local t v
    while IFS='=' read -r t v; do
      [ "$(cat "/proc/sys/$t")" = "$v" ] || printf '%s' "$v" >"/proc/sys/$t" 2>/dev/null || log "warning: could not restore $t=$v"
    done <"$n/kernel-tunables"
  fi
  find /var/log/containers -maxdepth 1 -type l -lname "$n/pod-logs/*" -delete 2>/dev/null || true
  rm -f /var/lib/cni/results/"$NETNS"-* 2>/dev/null || true
  if [ -f "$n/host-dirs-made" ]; then
    local d
    while read -r d; do
      case "$d" in /var/lib/kubelet | /var/log/containers | /run/containerd | /var/lib/cni) rm -rf "$d" ;; esac
    done <"$n/host-dirs-made"
  fi
}

# Stops everything `up` started and removes what it made outside the state directory; the state
# directory itself (logs) stays.
teardown() {
  local i names=()
  [ -d "$STATE/node" ] && teardown_node
  for ((i = ${#CONTROL_PLANE[@]} - 1; i >= 0; i--)); do names+=("${CONTROL_PLANE[$i]}"); done
  stop "${names[@]}"
  if [ -f "$STATE/netns" ]; then
    local ns
    ns=$(cat "$STATE/netns")
    if [ -e "/run/netns/$ns" ]; then ip netns del "$ns" || log "warning: could not delete the network namespace $ns"; fi
    rm -f "$STATE/netns"
  fi
}

# Lists what a cluster of this state directory could have left on the machine: processes that
# name the state directory, mounts under it, the node's cgroups, the network namespace, pod
# network namespaces that containerd made (cni-*) and did not remove. Prints nothing when clean.
# Pod network namespaces: those of this node's sandboxes (file $2), and any made since `up` (not in
# file $1), unless another cluster (another MODELSHIP_E2E_DIR) is up, whose pods may have made them.
leftovers() {
  local pid ns
  for pid in $(pgrep -f -- "$STATE/" 2>/dev/null); do
    [ "$pid" = $$ ] && continue
    printf 'process %s: %s\n' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-120)"
  done
  awk -v p="$STATE/" 'index($5, p) == 1 { print "mount " $5 }' /proc/self/mountinfo
  ls -d /sys/fs/cgroup/*"$CGROUP_ROOT" 2>/dev/null | sed 's/^/cgroup /'
  [ -e "$NETNS_PATH" ] && echo "network namespace $NETNS"
  local others
  others=$(ip netns list 2>/dev/null | awk '$1 ~ /^modelship-/ { print $1 }' | grep -vxF "$NETNS" || true)
  for ns in /run/netns/cni-*; do
    [ -e "$ns" ] || continue
    if grep -qxF "$ns" "$2" 2>/dev/null; then
      echo "pod network namespace $ns"
    elif [ -z "$others" ] && ! grep -qxF "$ns" "$1" 2>/dev/null; then
      echo "pod network namespace $ns"
    fi
  done
  return 0
}

cmd_down() {
  if [ ! -e "$STATE" ]; then
    log "not up (no $STATE)"
    return 0
  fi
  [ -f "$STATE/$MARKER" ] ||
    die "$STATE is not a cluster state directory (no $MARKER); not touching it"
  local before left
  before=$(mktemp)
  OURS_FILE=$(mktemp)
  cp "$STATE/node/pod-netns-before" "$before" 2>/dev/null || : >"$before"
  teardown
  unmount_under "$STATE"
  rm -rf "$STATE"
  left=$(leftovers "$before" "$OURS_FILE")
  rm -f "$before" "$OURS_FILE"
  if [ -n "$left" ]; then
    log "error: down left these behind:"
    printf '  %s\n' "$left" >&2
    return 1
  fi
  log "down; removed $STATE; no process, mount, cgroup or network namespace of the cluster is left"
}

cmd_status() {
  local c pid rc=0 port comps=("${CONTROL_PLANE[@]}")
  if [ ! -f "$STATE/$MARKER" ]; then
    echo "not up (no cluster in $STATE)"
    return 3
  fi
  [ -f "$STATE/node/containerd/config.toml" ] && comps+=("${NODE_COMPONENTS[@]}")
  echo "network namespace $(cat "$STATE/netns" 2>/dev/null || echo '(none)')"
  for c in "${comps[@]}"; do
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

# Runs a command in the cluster's network namespace, as a client there: pod and Service IPs are
# reachable, and KUBECONFIG and PATH point at the cluster and its tools.
cmd_exec() {
  require_up
  [ $# -gt 0 ] || die "usage: e2e/cluster.sh exec CMD [ARG...]"
  KUBECONFIG="$STATE/admin.kubeconfig" PATH="$STATE/bin:$PATH" exec nsenter --net="$NETNS_PATH" -- "$@"
}

cmd_load_images() {
  require_up
  [ -f "$STATE/node/containerd/config.toml" ] && running containerd ||
    die "the cluster has no real node (E2E_REAL_NODE=0), so there is nowhere to load images"
  local archives=("$@")
  [ ${#archives[@]} -gt 0 ] || archives=("$ROOT"/target/images/*.tar)
  import_images "${archives[@]}"
}

# Namespaces whose pods run on the kwok nodes (and so never start a container): the namespace
# gives its pods a node selector (PodNodeSelector) and a toleration of the kwok nodes' taint
# (PodTolerationRestriction). For tests that need many pods but no processes.
cmd_fake_namespace() {
  require_up
  [ $# -gt 0 ] || die "usage: e2e/cluster.sh fake-namespace NAME..."
  local ns
  for ns in "$@"; do
    k apply -f - >/dev/null <<EOF || die "could not create or annotate the namespace $ns"
apiVersion: v1
kind: Namespace
metadata:
  name: $ns
  annotations:
    scheduler.alpha.kubernetes.io/node-selector: type=kwok
    scheduler.alpha.kubernetes.io/defaultTolerations: '[{"key":"kwok.x-k8s.io/node","operator":"Equal","value":"fake","effect":"NoSchedule"}]'
EOF
  done
}

# A crash and a restart of control-plane components, as a fault test wants them: SIGKILL (no
# graceful shutdown), then the same command lines again, in the order given.
cmd_restart() {
  require_up
  [ $# -gt 0 ] || die "usage: e2e/cluster.sh restart NAME... (of: ${CONTROL_PLANE[*]})"
  local name pid
  local -A argv=()
  for name in "$@"; do
    [[ " ${CONTROL_PLANE[*]} " == *" $name "* ]] || die "restart: '$name' is not one of: ${CONTROL_PLANE[*]}"
    pid=$(pid_of "$name") || die "restart: $name is not running"
    argv[$name]=$(tr '\0' '\n' <"/proc/$pid/cmdline")
    log "killing $name (pid $pid)"
    kill -KILL "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done
  for name in "$@"; do
    local args=()
    mapfile -t args <<<"${argv[$name]}"
    if [ "$name" = apiserver-forward ]; then
      # The forwarder's own command line is socat's, already resolved.
      start_on_host "$name" "${args[@]}"
    else
      start "$name" "${args[@]}"
    fi
  done
  wait_for "the API server to be ready (/readyz)" kube-apiserver k get --raw /readyz
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
    exec) cmd_exec "$@" ;;
    crictl) require_up; crictl_ "$@" ;;
    load-images) cmd_load_images "$@" ;;
    fake-namespace) cmd_fake_namespace "$@" ;;
    restart) cmd_restart "$@" ;;
    -h | --help | help) usage ;;
    *) usage; die "unknown command '$cmd'" ;;
  esac
}

main "$@"
