#!/usr/bin/env bash
# Installs the project's command-line tools and prints the path of the requested binary.
#
#   scripts/tools.sh helm        # prints e.g. ~/.cache/modelship/bin/helm-v3.19.0/helm
#   HELM=$(scripts/tools.sh helm)
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
set -euo pipefail

CACHE="${MODELSHIP_CACHE:-$HOME/.cache/modelship}"

# name | Go main package | version
TOOLS=(
  "helm|helm.sh/helm/v3/cmd/helm|v3.19.0"
)

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

# Looks up a tool's line in TOOLS; sets PKG and VERSION.
lookup() {
  local t name
  for t in "${TOOLS[@]}"; do
    IFS='|' read -r name PKG VERSION <<<"$t"
    if [ "$name" = "$1" ]; then return 0; fi
  done
  return 1
}

need_go() {
  command -v go >/dev/null 2>&1 ||
    die "'go' is not on PATH; $1 is built from source and needs a Go toolchain (at least the version its go.mod names; 1.24 for helm v3.19): install one, put its bin/ on PATH, and retry"
}

# Prints the path of MODULE@VERSION's go.mod in Go's module cache, downloading it if needed.
module_gomod() {
  local json
  json=$(GOFLAGS=-mod=mod go mod download -json "$1@$2") ||
    die "could not download $1@$2 from the Go module proxy ($(go env GOPROXY))"
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$json"
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

# Generic install: `go install PKG@VERSION` into DIR through GOBIN. GOPATH and GOMODCACHE keep
# Go's defaults so the module and build caches are shared with every other Go build here.
go_install() {
  local name=$1 pkg=$2 version=$3 dir=$4 ldflags="-s -w"
  if declare -F "ldflags_$name" >/dev/null; then
    ldflags+=" $("ldflags_$name" "$version")"
  fi
  local tmp start bin=${pkg##*/}
  tmp=$(mktemp -d "$CACHE/bin/.${name}-${version}.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  log "building $name $version: go install $pkg@$version ($(go env GOVERSION)); the first build takes a few minutes"
  start=$(date +%s)
  GOBIN="$tmp" GOFLAGS="-mod=mod" CGO_ENABLED="${CGO_ENABLED:-0}" \
    go install -trimpath -ldflags "$ldflags" "$pkg@$version" >&2 ||
    die "go install $pkg@$version failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  [ -x "$tmp/$bin" ] || die "go install succeeded but $tmp/$bin is missing"
  # Publish with renames so that a concurrent or interrupted run never sees a half-written file;
  # the stamp is written last and records how the binary was built.
  mkdir -p "$dir"
  mv -f "$tmp/$bin" "$dir/.$name.new.$$"
  mv -f "$dir/.$name.new.$$" "$dir/$name"
  printf '%s\n' "$(stamp "$pkg" "$version")" >"$tmp/stamp"
  mv -f "$tmp/stamp" "$dir/.stamp"
  rm -rf "$tmp"
  trap - EXIT
  log "built $name $version in $(($(date +%s) - start))s: $dir/$name"
}

# What a cached binary must have been built from; a change here rebuilds it. Bump RECIPE when
# the way tools are built changes.
RECIPE=2
stamp() { printf 'recipe=%s %s@%s' "$RECIPE" "$1" "$2"; }

ensure() {
  local name=$1
  lookup "$name" || { usage; die "unknown tool '$name'"; }
  local dir="$CACHE/bin/$name-$VERSION"
  local path="$dir/$name"
  if [ ! -x "$path" ] || [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$(stamp "$PKG" "$VERSION")" ]; then
    need_go "$name"
    mkdir -p "$CACHE/bin"
    if declare -F "install_$name" >/dev/null; then
      "install_$name" "$PKG" "$VERSION" "$dir"
    else
      go_install "$name" "$PKG" "$VERSION" "$dir"
    fi
  fi
  printf '%s\n' "$path"
}

main() {
  if [ $# -eq 0 ]; then usage; exit 2; fi
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --list)
      local t name pkg version
      for t in "${TOOLS[@]}"; do
        IFS='|' read -r name pkg version <<<"$t"
        printf '%s\t%s\t%s\n' "$name" "$version" "$pkg"
      done
      exit 0 ;;
  esac
  local tool
  for tool in "$@"; do ensure "$tool"; done
}

main "$@"
