#!/usr/bin/env bash
# Installs the project's command-line tools and prints the path of the requested binary.
#
#   scripts/tools.sh helm        # prints e.g. ~/.cache/modelship/bin/helm-v3.19.0/helm
#   HELM=$(scripts/tools.sh helm)
#   scripts/tools.sh kube-apiserver etcd kwok   # one path per tool, in the order asked
#   scripts/tools.sh --list      # the known tools, their versions and Go packages
#
# Tools are built from source with `go install` through the Go module proxy (no prebuilt binaries
# are downloaded) into ${MODELSHIP_CACHE:-$HOME/.cache/modelship}/bin/<tool>-<version>/, once;
# later calls only check that the binary and its stamp are there. Progress goes to stderr, stdout
# carries only the path(s), one per requested tool, so the output can be captured.
#
# Adding a tool: add a line to TOOLS (name | Go main package | version). If the upstream release
# build passes linker flags (version strings and the like), add a function ldflags_<name> that
# prints them; see ldflags_helm. A tool that needs more than `go install` can define
# install_<name> PKG VERSION DIR instead, which is then used in place of the generic build.
# In function names, '-' in a tool's name becomes '_' (ldflags_kube_apiserver).
#
# A tool whose module cannot be `go install`ed (k8s.io/kubernetes replaces its own dependencies
# with directories of its repository; etcd's server module does the same) names a wrapper module
# in a fourth field: a directory of this repository whose go.mod requires the tool's module and
# pins its dependencies. All stale tools of one wrapper are built by a single `go build`, which
# compiles the dependencies they share once; see wrapper_build.
set -euo pipefail

# Go's official install location is often left off PATH in non-login shells (CI, cron).
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="/usr/local/go/bin:$PATH"
fi

CACHE="${MODELSHIP_CACHE:-$HOME/.cache/modelship}"

# name | Go main package | version [| wrapper module]
# The Kubernetes tools and etcd are the e2e cluster's control plane (e2e/cluster.sh); etcd is the
# version Kubernetes v1.34 itself requires. kwok fakes the nodes and pods of that cluster; kubelet
# and kube-proxy run its one real node, crictl inspects and cleans up that node's containers.
# promtool is Prometheus' own checker: scripts/chart-test.sh runs the chart's alert rules, alert
# unit tests, dashboard queries and PodMonitor relabelings through it.
TOOLS=(
  "helm|helm.sh/helm/v3/cmd/helm|v3.19.0"
  "kube-apiserver|k8s.io/kubernetes/cmd/kube-apiserver|v1.34.4|e2e/k8s"
  "kube-controller-manager|k8s.io/kubernetes/cmd/kube-controller-manager|v1.34.4|e2e/k8s"
  "kube-scheduler|k8s.io/kubernetes/cmd/kube-scheduler|v1.34.4|e2e/k8s"
  "kubectl|k8s.io/kubernetes/cmd/kubectl|v1.34.4|e2e/k8s"
  "kubelet|k8s.io/kubernetes/cmd/kubelet|v1.34.4|e2e/k8s"
  "kube-proxy|k8s.io/kubernetes/cmd/kube-proxy|v1.34.4|e2e/k8s"
  "etcd|go.etcd.io/etcd/server/v3|v3.6.4|e2e/k8s"
  "kwok|sigs.k8s.io/kwok/cmd/kwok|v0.8.0"
  "crictl|sigs.k8s.io/cri-tools/cmd/crictl|v1.34.0"
  "promtool|github.com/prometheus/prometheus/cmd/promtool|v0.316.0"
)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf 'tools.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  local names=() t
  for t in "${TOOLS[@]}"; do names+=("${t%%|*}"); done
  cat >&2 <<USAGE
usage: $0 TOOL [TOOL...]   build TOOL if needed and print the path of its binary (one per line)
       $0 --list           print the known tools, versions and Go packages
tools: ${names[*]}
cache: $CACHE/bin (set MODELSHIP_CACHE to move it)
USAGE
}

# Looks up a tool's line in TOOLS; sets PKG, VERSION and WRAPPER (empty for `go install`).
lookup() {
  local t name
  for t in "${TOOLS[@]}"; do
    IFS='|' read -r name PKG VERSION WRAPPER <<<"$t"
    if [ "$name" = "$1" ]; then return 0; fi
  done
  return 1
}

# The name of a tool's hook function (install_kube_apiserver for kube-apiserver), if defined.
hook() {
  local fn="$1_${2//-/_}"
  if declare -F "$fn" >/dev/null; then printf '%s' "$fn"; fi
}

need_go() {
  command -v go >/dev/null 2>&1 ||
    die "'go' is not on PATH; $1 is built from source and needs a Go toolchain (at least the version its go.mod names: 1.24 for helm v3.19 and Kubernetes v1.34, 1.26 for kwok v0.8): install one, put its bin/ on PATH, and retry"
}

# Prints the path of MODULE@VERSION's go.mod in Go's module cache, downloading it if needed.
module_gomod() {
  local json
  json=$(GOFLAGS=-mod=mod go mod download -json "$1@$2") ||
    die "could not download $1@$2 from the Go module proxy ($(go env GOPROXY))"
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$json"
}

# Prints the directory of MODULE@VERSION's source in Go's module cache, downloading it if needed.
module_dir() {
  local json
  json=$(GOFLAGS=-mod=mod go mod download -json "$1@$2") ||
    die "could not download $1@$2 from the Go module proxy ($(go env GOPROXY))"
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json"
}

# The version of a dependency required by a module's go.mod.
gomod_require() {
  awk -v dep="$2" '$1 == dep { print $2; exit } $1 == "require" && $2 == dep { print $3; exit }' "$1"
}

# helm's Makefile stamps its version and the Kubernetes version it was built against into the
# binary. Without the latter, `helm template` and `helm lint` assume Kubernetes v1.20 and refuse
# any chart whose kubeVersion asks for more. The Kubernetes minor version is taken, as the
# Makefile does, from the k8s.io/client-go version in helm's own go.mod.
ldflags_helm() {
  local version=$1 gomod client major minor
  gomod=$(module_gomod helm.sh/helm/v3 "$version")
  client=$(gomod_require "$gomod" k8s.io/client-go)
  [[ $client =~ ^v0\.([0-9]+)\. ]] || die "cannot find k8s.io/client-go's version in $gomod"
  major=1 minor=${BASH_REMATCH[1]}
  printf '%s ' \
    "-X helm.sh/helm/v3/internal/version.version=$version" \
    "-X helm.sh/helm/v3/internal/version.metadata=" \
    "-X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
    "-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$major" \
    "-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor" \
    "-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$major" \
    "-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor"
}

# Prometheus' release build (.promu.yml) stamps its version into github.com/prometheus/common's
# version package; without it `promtool --version` prints an empty version. Prometheus 3.x is
# published as Go module v0.3MM.P (v0.316.0 is Prometheus 3.16.0); the module carries the release
# number in its VERSION file, which is used as is. The Git revision and branch are not in the
# module: they stay unset (`promtool --version` says revision "unknown").
ldflags_promtool() {
  local version=$1 dir release
  dir=$(module_dir github.com/prometheus/prometheus "$version")
  release=$(tr -d '[:space:]' <"$dir/VERSION") || die "cannot read $dir/VERSION"
  [[ $release =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "not a Prometheus version in $dir/VERSION: $release"
  printf '%s ' "-X github.com/prometheus/common/version.Version=$release"
}

# promtool's checks here run static targets only: Prometheus' build tag remove_all_sd leaves out
# its service discoveries (AWS, Azure, GCE, Kubernetes...), most of what a first build compiles.
tags_promtool() { printf 'remove_all_sd'; }

# Kubernetes' own build (hack/lib/version.sh) stamps the release into every binary. Without it
# kube-apiserver reports v0.0.0-master in /version, which breaks clients that check the server's
# version (helm's kubeVersion constraints, `kubectl version` skew warnings).
ldflags_kubernetes() {
  local version=$1 pkg
  [[ $version =~ ^v([0-9]+)\.([0-9]+)\. ]] || die "not a Kubernetes version: $version"
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    printf '%s ' \
      "-X $pkg.gitVersion=$version" \
      "-X $pkg.gitMajor=${BASH_REMATCH[1]}" \
      "-X $pkg.gitMinor=${BASH_REMATCH[2]}" \
      "-X $pkg.gitTreeState=clean"
  done
}
ldflags_kube_apiserver() { ldflags_kubernetes "$@"; }
ldflags_kube_controller_manager() { ldflags_kubernetes "$@"; }
ldflags_kube_scheduler() { ldflags_kubernetes "$@"; }
ldflags_kubectl() { ldflags_kubernetes "$@"; }
ldflags_kubelet() { ldflags_kubernetes "$@"; }
ldflags_kube_proxy() { ldflags_kubernetes "$@"; }

# The linker flags of a tool, one flag (-X with its value) a line: the common ones and those of
# its ldflags_<name>, if any.
tool_ldflags() {
  local fn
  printf '%s\n' "-s" "-w"
  fn=$(hook ldflags "$1")
  if [ -n "$fn" ]; then
    printf ' %s\n' "$("$fn" "$2")" | awk '{ gsub(/ -X /, "\n-X "); print }' | awk 'NF { $1 = $1; print }'
  fi
}

# kwok only plays the Stages (what happens to a node or pod, and when) it is given; the binary
# embeds none. Its release ships the "fast" set (nodes become Ready at once and keep a lease,
# pods become Running at once) as kustomize files in the module; they are gathered, following
# kustomize/stage/fast and the kustomizations it names, into stages.yaml beside the binary, so
# that the Stages always match the kwok version that plays them (kwok --config=.../stages.yaml).
kustomize_resources() { awk '$1 == "-" { print $2 }' "$1"; }
install_kwok() {
  local pkg=$1 version=$2 dir=$3 src base sub f
  src=$(module_dir sigs.k8s.io/kwok "$version")/kustomize/stage
  base="$src/fast"
  [ -f "$base/kustomization.yaml" ] || die "kwok $version has no $base/kustomization.yaml"
  mkdir -p "$dir"
  {
    printf '# The "fast" Stages of kwok %s (kustomize/stage/fast).\n' "$version"
    while read -r sub; do
      while read -r f; do
        printf -- '---\n'
        cat "$base/$sub/$f"
      done < <(kustomize_resources "$base/$sub/kustomization.yaml")
    done < <(kustomize_resources "$base/kustomization.yaml")
  } >"$dir/.stages.new.$$"
  grep -q '^kind: Stage$' "$dir/.stages.new.$$" || die "found no kwok Stages under $base"
  mv -f "$dir/.stages.new.$$" "$dir/stages.yaml"
  go_install kwok "$pkg" "$version" "$dir"
}

# The file name `go build` and `go install` give a main package: its last path element, or the
# one before it when that is a major-version suffix (go.etcd.io/etcd/server/v3 -> server).
go_binary_name() {
  local pkg=$1 base=${1##*/}
  if [[ $base =~ ^v[0-9]+$ ]]; then pkg=${pkg%/*}; base=${pkg##*/}; fi
  printf '%s' "$base"
}

# Moves a freshly built binary into DIR as NAME and writes its stamp. Renames only, so that a
# concurrent or interrupted run never sees a half-written file; the stamp is written last and
# records how the binary was built.
publish() {
  local built=$1 name=$2 dir=$3 stamp=$4
  mkdir -p "$dir"
  mv -f "$built" "$dir/.$name.new.$$"
  mv -f "$dir/.$name.new.$$" "$dir/$name"
  printf '%s\n' "$stamp" >"$dir/.stamp.new.$$"
  mv -f "$dir/.stamp.new.$$" "$dir/.stamp"
}

# Generic install: `go install PKG@VERSION` into DIR through GOBIN. GOPATH and GOMODCACHE keep
# Go's defaults so the module and build caches are shared with every other Go build here.
go_install() {
  local name=$1 pkg=$2 version=$3 dir=$4 ldflags tags fn
  ldflags=$(tool_ldflags "$name" "$version" | paste -sd' ' -)
  fn=$(hook tags "$name")
  tags=${fn:+$("$fn")}
  local tmp start bin
  bin=$(go_binary_name "$pkg")
  tmp=$(mktemp -d "$CACHE/bin/.${name}-${version}.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  log "building $name $version: go install $pkg@$version ($(go env GOVERSION)); the first build takes a few minutes"
  start=$(date +%s)
  GOBIN="$tmp" GOFLAGS="-mod=mod" CGO_ENABLED="${CGO_ENABLED:-0}" \
    go install -trimpath -ldflags "$ldflags" -tags "$tags" "$pkg@$version" >&2 ||
    die "go install $pkg@$version failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  [ -x "$tmp/$bin" ] || die "go install succeeded but $tmp/$bin is missing"
  publish "$tmp/$bin" "$name" "$dir" "$(stamp "$name")"
  rm -rf "$tmp"
  trap - EXIT
  log "built $name $version in $(($(date +%s) - start))s: $dir/$name"
}

# Builds, with one `go build` inside the wrapper module WRAPPER, every tool of that wrapper whose
# cached binary is missing or stale. One invocation compiles the packages the tools share (most
# of Kubernetes) once and keeps both cores busy; separate builds would each pay for linking and
# for the scheduling gaps between packages. The wrapper's go.mod and go.sum pin every module, so
# this runs with -mod=readonly: a version that is not already in go.sum is an error, not a change.
wrapper_build() {
  local wrapper=$1 moddir="$ROOT/$1" t name pkg version w
  local names=() pkgs=() versions=() ldflags=""
  [ -f "$moddir/go.mod" ] || die "wrapper module $moddir/go.mod is missing"
  for t in "${TOOLS[@]}"; do
    IFS='|' read -r name pkg version w <<<"$t"
    [ "$w" = "$wrapper" ] || continue
    fresh "$name" && continue
    names+=("$name") pkgs+=("$pkg") versions+=("$version")
    ldflags+="$(tool_ldflags "$name" "$version")"$'\n'
  done
  [ ${#names[@]} -gt 0 ] || return 0
  # -X flags of packages a binary does not link are ignored, so the union serves them all; drop
  # the duplicates the Kubernetes tools share.
  ldflags=$(awk '!seen[$0]++' <<<"$ldflags" | paste -sd' ' -)

  # The version in TOOLS names the cache directory; the one in go.mod is what gets built. They
  # must agree, or the cache would hold a binary under the wrong name.
  local i got
  for i in "${!names[@]}"; do
    got=$(cd "$moddir" && go list -f '{{.Module.Version}}' "${pkgs[$i]}") ||
      die "cannot resolve ${pkgs[$i]} in $moddir (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
    [ "$got" = "${versions[$i]}" ] ||
      die "${names[$i]}: scripts/tools.sh says ${versions[$i]} but $wrapper/go.mod builds $got; make them agree"
  done

  local tmp start
  tmp=$(mktemp -d "$CACHE/bin/.wrapper.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  log "building ${names[*]} in one go build from $wrapper ($(go env GOVERSION)); the first build takes about 8 minutes on 2 cores"
  start=$(date +%s)
  (cd "$moddir" && CGO_ENABLED="${CGO_ENABLED:-0}" \
    go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$tmp/" "${pkgs[@]}") >&2 ||
    die "go build in $wrapper failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  for i in "${!names[@]}"; do
    local bin
    bin=$(go_binary_name "${pkgs[$i]}")
    [ -x "$tmp/$bin" ] || die "go build succeeded but $tmp/$bin is missing"
    publish "$tmp/$bin" "${names[$i]}" "$CACHE/bin/${names[$i]}-${versions[$i]}" "$(stamp "${names[$i]}")"
  done
  rm -rf "$tmp"
  trap - EXIT
  log "built ${names[*]} in $(($(date +%s) - start))s under $CACHE/bin"
}

# What a cached binary must have been built from; a change here rebuilds it. Bump RECIPE when
# the way tools are built changes. A wrapper-built tool's stamp includes a digest of the wrapper's
# go.mod and go.sum, so changing a pinned dependency rebuilds it too.
RECIPE=2
stamp() {
  local PKG VERSION WRAPPER fn
  lookup "$1"
  printf 'recipe=%s %s@%s' "$RECIPE" "$PKG" "$VERSION"
  fn=$(hook tags "$1")
  if [ -n "$fn" ]; then printf ' tags=%s' "$("$fn")"; fi
  if [ -n "$WRAPPER" ]; then
    printf ' %s=%s' "$WRAPPER" "$(cat "$ROOT/$WRAPPER/go.mod" "$ROOT/$WRAPPER/go.sum" | sha256sum | cut -c1-16)"
  fi
}

# Whether a tool's cached binary is there and was built the way stamp says.
fresh() {
  local PKG VERSION WRAPPER dir
  lookup "$1"
  dir="$CACHE/bin/$1-$VERSION"
  [ -x "$dir/$1" ] && [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$(stamp "$1")" ]
}

ensure() {
  local name=$1 fn
  lookup "$name" || { usage; die "unknown tool '$name'"; }
  local dir="$CACHE/bin/$name-$VERSION"
  local path="$dir/$name"
  if ! fresh "$name"; then
    need_go "$name"
    mkdir -p "$CACHE/bin"
    fn=$(hook install "$name")
    if [ -n "$fn" ]; then
      "$fn" "$PKG" "$VERSION" "$dir"
    elif [ -n "$WRAPPER" ]; then
      wrapper_build "$WRAPPER"
    else
      go_install "$name" "$PKG" "$VERSION" "$dir"
    fi
    fresh "$name" || die "$name was built but its binary or stamp in $dir is missing"
  fi
  printf '%s\n' "$path"
}

main() {
  if [ $# -eq 0 ]; then usage; exit 2; fi
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --list)
      local t name pkg version wrapper
      for t in "${TOOLS[@]}"; do
        IFS='|' read -r name pkg version wrapper <<<"$t"
        printf '%s\t%s\t%s%s\n' "$name" "$version" "$pkg" "${wrapper:+ (built in $wrapper)}"
      done
      exit 0 ;;
  esac
  local tool
  for tool in "$@"; do ensure "$tool"; done
}

main "$@"
