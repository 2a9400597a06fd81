#!/usr/bin/env bash
# Builds the project's container images as OCI image archives, without a Docker engine or a
# registry: from the Quarkus applications Maven built, a Java runtime made by jlink from Debian's
# OpenJDK 17 packages, and the shared libraries of Debian's libc6, libgcc-s1, libstdc++6 and
# zlib1g packages. Nothing is pulled from a container registry.
#
#   scripts/images.sh build [IMAGE...]   build images (default: all) into target/images/
#   scripts/images.sh list               print each image's name and archive path
#   scripts/images.sh push REGISTRY      copy the built images to REGISTRY/<name>:<tag> (skopeo)
#
# Images (the names and tags the Helm chart and the operator use by default):
#   runtime   ghcr.io/modelship/model-runtime:<appVersion>   serve and fetch modes
#   operator  ghcr.io/modelship/operator:<appVersion>
#   pause     registry.k8s.io/pause:3.10.1                    the pod sandbox, from the pause.c of
#                                                             k8s.io/kubernetes (the test node's)
# and, only when named: iris-transformer  ghcr.io/modelship/iris-transformer:<appVersion>, the
# example pre-processing container of examples/transformer/ (docs/preprocessing.md).
# <appVersion> is helm/modelship/Chart.yaml's. The Java images run as user 185 (modelship), hold
# no shell and no package manager: /opt/java (the jlinked runtime), /opt/modelship (the
# application) and the libraries they load.
#
# Each archive is an OCI image layout in a tar (skopeo's oci-archive:, `ctr images import`).
# Layers are reproducible (sorted, owned by root, mtime 0, gzip -n), and the Java base layer is
# the same for both Java images, so a node stores it once. Inputs are cached in
# ${MODELSHIP_CACHE:-~/.cache/modelship}/images (Debian packages, the jlinked runtime).
#
# Environment:
#   JAVA17_HOME   a Debian OpenJDK 17 with jmods (default /usr/lib/jvm/java-17-openjdk-amd64;
#                 apt-get install openjdk-17-jdk-headless)
#   IMAGES_DIR    where the archives go (default target/images)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${MODELSHIP_CACHE:-$HOME/.cache/modelship}/images"
OUT="${IMAGES_DIR:-$ROOT/target/images}"
JAVA17_HOME="${JAVA17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"

APP_VERSION=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$ROOT/helm/modelship/Chart.yaml")
PAUSE_VERSION=3.10.1
KUBERNETES_VERSION=v1.34.4

# Debian packages whose shared libraries the Java runtime and ONNX Runtime load (ldd of
# /opt/java and of libonnxruntime.so): glibc, libgcc_s, libstdc++ and zlib.
DEBS=(libc6 libgcc-s1 libstdc++6 zlib1g)

# The JDK modules the applications use (jdeps over both applications' classpaths, plus
# jdk.crypto.ec for TLS with EC certificates and jdk.zipfs for Quarkus' class loading).
# java.desktop only for java.beans (Jackson); AWT's X11 libraries are left out, headless.
JAVA_MODULES=java.base,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,java.xml,jdk.crypto.ec,jdk.management,jdk.unsupported,jdk.zipfs

RUN_UID=185

# shellcheck source=scripts/apt.sh
. "$ROOT/scripts/apt.sh"

log() { printf 'images.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; }

image_name() {
  case "$1" in
    runtime) printf 'ghcr.io/modelship/model-runtime:%s' "$APP_VERSION" ;;
    operator) printf 'ghcr.io/modelship/operator:%s' "$APP_VERSION" ;;
    pause) printf 'registry.k8s.io/pause:%s' "$PAUSE_VERSION" ;;
    iris-transformer) printf 'ghcr.io/modelship/iris-transformer:%s' "$APP_VERSION" ;;
    *) return 1 ;;
  esac
}
IMAGES=(runtime operator pause)

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

# --- the base: Debian libraries and a jlinked Java runtime -------------------------------------

# Downloads the Debian packages (the versions apt would install) into the cache; prints the
# paths of the .deb files.
fetch_debs() {
  local dir="$CACHE/debs" pkg version file
  mkdir -p "$dir"
  for pkg in "${DEBS[@]}"; do
    version=$(apt-cache policy "$pkg" | awk '$1 == "Candidate:" { print $2 }')
    [ -n "$version" ] && [ "$version" != "(none)" ] || die "apt has no candidate for $pkg (apt-get update?)"
    file=$(find "$dir" -maxdepth 1 -name "${pkg}_${version//:/%3a}_*.deb" -print -quit)
    if [ -z "$file" ]; then
      log "downloading Debian package $pkg $version"
      (cd "$dir" && apt_download "$pkg=$version") || die "apt-get download $pkg=$version failed"
      file=$(find "$dir" -maxdepth 1 -name "${pkg}_${version//:/%3a}_*.deb" -print -quit)
      [ -n "$file" ] || die "apt-get download $pkg=$version left no .deb in $dir"
    fi
    printf '%s\n' "$file"
  done
}

# A jlinked runtime of JAVA17_HOME, cached under the JDK's release string and the module list.
jlink_runtime() {
  local release key dir
  [ -x "$JAVA17_HOME/bin/jlink" ] && [ -f "$JAVA17_HOME/jmods/java.base.jmod" ] ||
    die "$JAVA17_HOME has no jlink or jmods: apt-get install openjdk-17-jdk-headless, or set JAVA17_HOME"
  release=$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"/\1/p' "$JAVA17_HOME/release")
  key=$(printf '%s %s' "$release" "$JAVA_MODULES" | sha256sum | cut -c1-12)
  dir="$CACHE/jre-$key"
  if [ ! -x "$dir/bin/java" ]; then
    log "jlinking Java $release ($JAVA_MODULES)"
    rm -rf "$dir.new"
    "$JAVA17_HOME/bin/jlink" --add-modules "$JAVA_MODULES" --strip-debug --no-header-files \
      --no-man-pages --compress=2 --output "$dir.new" >&2 || die "jlink failed"
    # Class data sharing archive of the JDK's own classes: faster JVM start-up.
    "$dir.new/bin/java" -Xshare:dump >/dev/null 2>&1 || log "warning: no CDS archive (java -Xshare:dump failed)"
    mv "$dir.new" "$dir"
  fi
  JAVA_RELEASE=$release
  printf '%s' "$dir"
}

# The rootfs every Java image starts from, in $1.
base_rootfs() {
  local root=$1 deb jre
  mkdir -p "$root"
  while read -r deb; do dpkg-deb -x "$deb" "$root"; done < <(fetch_debs)
  # Only the shared libraries and the loader are kept; programs, docs, locales and the gconv
  # modules (iconv charsets, unused by Java) are not.
  rm -rf "$root"/usr/share "$root"/usr/bin "$root"/usr/sbin "$root"/sbin "$root"/bin \
    "$root"/usr/libexec "$root"/usr/lib/x86_64-linux-gnu/gconv "$root"/etc/ld.so.conf.d
  find "$root" -name '*.a' -delete
  jre=$(jlink_runtime)
  mkdir -p "$root/opt"
  cp -a "$jre" "$root/opt/java"
  mkdir -p "$root/etc" "$root/tmp" "$root/opt/modelship"
  chmod 1777 "$root/tmp"
  # The loader finds libraries through ld.so.cache; /opt/java's own are found through RPATH.
  printf '/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n' >"$root/etc/ld.so.conf"
  ldconfig -r "$root" 2>/dev/null || die "ldconfig -r $root failed (needs root)"
  cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/sbin/nologin
modelship:x:$RUN_UID:$RUN_UID:modelship:/opt/modelship:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
EOF
  cat >"$root/etc/group" <<EOF
root:x:0:
modelship:x:$RUN_UID:
nogroup:x:65534:
EOF
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
  # The image runs anywhere; check now that the runtime starts in it, with nothing of the host.
  # The loader needs /proc to resolve java's $ORIGIN run path, as in a container.
  mkdir -p "$root/proc"
  unshare --mount --fork --pid --mount-proc="$root/proc" chroot "$root" /opt/java/bin/java -version >/dev/null 2>&1 ||
    die "the Java runtime does not start in the image rootfs: chroot $root /opt/java/bin/java -version"
}

# --- layers and the OCI layout -----------------------------------------------------------------

# Packs directory $1 into a gzip layer in blobs; sets LAYER_DIGEST, LAYER_SIZE, LAYER_DIFF_ID.
layer() {
  local dir=$1 blobs=$2 tmp
  tmp=$(mktemp "$blobs/.layer.XXXXXX")
  tar -C "$dir" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -cf "$tmp.tar" .
  LAYER_DIFF_ID=sha256:$(sha "$tmp.tar")
  gzip -n -6 -c "$tmp.tar" >"$tmp"
  rm -f "$tmp.tar"
  LAYER_DIGEST=sha256:$(sha "$tmp")
  LAYER_SIZE=$(size "$tmp")
  mv -f "$tmp" "$blobs/${LAYER_DIGEST#sha256:}"
}

# Writes a blob from stdin; prints "digest size".
blob() {
  local blobs=$1 tmp d
  tmp=$(mktemp "$blobs/.blob.XXXXXX")
  cat >"$tmp"
  d=$(sha "$tmp")
  printf 'sha256:%s %s' "$d" "$(size "$tmp")"
  mv -f "$tmp" "$blobs/$d"
}

json_array() {
  local first=1 s
  printf '['
  for s in "$@"; do
    [ $first -eq 1 ] || printf ','
    first=0
    printf '"%s"' "$s"
  done
  printf ']'
}

# oci_image NAME ARCHIVE USER ENTRYPOINT-JSON ENV-JSON EXPOSED-JSON DIR... : one layer per
# directory, in order.
oci_image() {
  local name=$1 archive=$2 user=$3 entrypoint=$4 env=$5 exposed=$6
  shift 6
  local work layout blobs dir layers="" diffs="" history="" cfg man
  work=$(mktemp -d "$OUT/.oci.XXXXXX")
  layout="$work/layout"
  blobs="$layout/blobs/sha256"
  mkdir -p "$blobs"
  for dir in "$@"; do
    layer "$dir" "$blobs"
    layers+="${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"$LAYER_DIGEST\",\"size\":$LAYER_SIZE}"
    diffs+="${diffs:+,}\"$LAYER_DIFF_ID\""
    history+="${history:+,}{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"scripts/images.sh: $(basename "$dir")\"}"
  done
  cfg=$(printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"User":"%s","Entrypoint":%s,"Env":%s,"ExposedPorts":%s,"WorkingDir":"/","Labels":{"org.opencontainers.image.title":"%s","org.opencontainers.image.version":"%s","org.opencontainers.image.source":"https://github.com/modelship/modelship","org.opencontainers.image.licenses":"Apache-2.0"}},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}' \
    "$user" "$entrypoint" "$env" "$exposed" "${name%:*}" "${name##*:}" "$diffs" "$history" | blob "$blobs")
  man=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' \
    "${cfg% *}" "${cfg#* }" "$layers" | blob "$blobs")
  printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "${man% *}" "${man#* }" "$name" "$name" >"$layout/index.json"
  tar -C "$layout" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$archive.new" .
  mv -f "$archive.new" "$archive"
  rm -rf "$work"
  log "built $name: $archive ($(du -h "$archive" | cut -f1) compressed, manifest ${man% *})"
}

# --- the images --------------------------------------------------------------------------------

# The Quarkus fast-jar of a module, split into the dependencies (which change rarely) and the
# application, so that a code change ships a small layer.
app_layers() {
  local module=$1 work=$2 app="$ROOT/$1/target/quarkus-app"
  [ -f "$app/quarkus-run.jar" ] ||
    die "$app/quarkus-run.jar is missing: build it first (./mvnw -q package -DskipTests -pl $module -am)"
  mkdir -p "$work/deps/opt/modelship/lib" "$work/app/opt/modelship"
  cp -a "$app/lib/." "$work/deps/opt/modelship/lib/"
  cp -a "$app/quarkus-run.jar" "$app/app" "$app/quarkus" "$work/app/opt/modelship/"
  local ort
  ort=$(find "$work/deps/opt/modelship/lib" -name 'com.microsoft.onnxruntime.onnxruntime-*.jar' -print -quit)
  if [ -n "$ort" ]; then
    # ONNX Runtime's jar carries native libraries for every platform (130 MB, most of it macOS
    # and Windows debug symbols) and copies the one it needs to /tmp at every start. The image
    # keeps only linux-x64's, unpacked in /opt/modelship/native, where onnxruntime.native.path
    # (set by the entrypoint) points.
    command -v zip >/dev/null 2>&1 || die "zip is needed to slim the ONNX Runtime jar (apt-get install zip)"
    mkdir -p "$work/deps/opt/modelship/native"
    unzip -q -j "$ort" 'ai/onnxruntime/native/linux-x64/*' -d "$work/deps/opt/modelship/native" ||
      die "$ort has no linux-x64 native libraries"
    zip -q -d "$ort" 'ai/onnxruntime/native/*' >/dev/null || die "could not remove the native libraries from $ort"
  fi
  chmod -R a+rX,go-w "$work/deps" "$work/app"
}

JAVA_ENV='["PATH=/opt/java/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"]'
# The operator's: the same, and two malloc arenas (see its build below).
OPERATOR_ENV="${JAVA_ENV%]},\"MALLOC_ARENA_MAX=2\"]"
# The heap follows the container's memory limit (MaxRAMPercentage, the first argument); a JVM that
# runs out of memory exits (and is restarted by the kubelet) instead of limping on.
java_entrypoint() {
  json_array /opt/java/bin/java "-XX:MaxRAMPercentage=$1" -XX:+ExitOnOutOfMemoryError \
    -Djava.io.tmpdir=/tmp "${@:2}" -jar /opt/modelship/quarkus-run.jar
}

build_java() {
  local what=$1 module=$2 heap=$3 env=$4 work
  shift 4
  work=$(mktemp -d "$OUT/.work.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  cp -a "$OUT/.base" "$work/base"
  app_layers "$module" "$work"
  oci_image "$(image_name "$what")" "$OUT/$what.tar" "$RUN_UID:$RUN_UID" "$(java_entrypoint "$heap" "$@")" \
    "$env" '{"8080/tcp":{}}' "$work/base" "$work/deps" "$work/app"
}

# The example transformer (examples/transformer/IrisTransformer.java, JDK only): compiled with
# javac, on a Java runtime of just the modules it uses (its own base, a few MB smaller).
build_iris_transformer() {
  local work
  work=$(mktemp -d "$OUT/.work.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  JAVA_MODULES=java.base,java.net.http,jdk.httpserver base_rootfs "$work/base"
  mkdir -p "$work/app/opt/transformer"
  "$JAVA17_HOME/bin/javac" --release 17 -d "$work/app/opt/transformer" \
    "$ROOT/examples/transformer/IrisTransformer.java" || die "javac failed on the example transformer"
  chmod -R a+rX,go-w "$work/app"
  oci_image "$(image_name iris-transformer)" "$OUT/iris-transformer.tar" "$RUN_UID:$RUN_UID" \
    "$(json_array /opt/java/bin/java -XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError \
      -XX:TieredStopAtLevel=1 -Djava.io.tmpdir=/tmp -cp /opt/transformer IrisTransformer)" \
    "$JAVA_ENV" '{"8080/tcp":{}}' "$work/base" "$work/app"
}

build_pause() {
  local work src
  command -v gcc >/dev/null 2>&1 || die "gcc is needed to build pause (apt-get install gcc libc6-dev)"
  src=$(cd "$ROOT/e2e/k8s" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')/build/pause/linux/pause.c
  [ -f "$src" ] || die "no pause.c at $src"
  work=$(mktemp -d "$OUT/.work.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  mkdir -p "$work/pause"
  # As upstream's build/pause/Makefile: static, optimised for size.
  gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION-modelship" -o "$work/pause/pause" "$src" ||
    die "gcc could not build $src (static glibc: apt-get install libc6-dev)"
  strip "$work/pause/pause"
  oci_image "$(image_name pause)" "$OUT/pause.tar" "65535:65535" '["/pause"]' '[]' '{}' "$work/pause"
}

# Installs the Debian packages the build uses that are missing: zip and unzip (slimming the
# ONNX Runtime jar), gcc with static glibc and binutils (pause), and the JDK with jmods.
build_prereqs() {
  apt_ensure "zip|zip" "unzip|unzip" "gcc|gcc" "strip|binutils" "/usr/lib/x86_64-linux-gnu/libc.a|libc6-dev" \
    "$JAVA17_HOME/jmods/java.base.jmod|openjdk-17-jdk-headless" "dpkg-deb|dpkg" ||
    die "could not install the Debian packages the image build needs"
}

cmd_build() {
  local images=("$@") i
  [ ${#images[@]} -gt 0 ] || images=("${IMAGES[@]}")
  for i in "${images[@]}"; do image_name "$i" >/dev/null || die "unknown image '$i' (${IMAGES[*]})"; done
  [ "$(id -u)" -eq 0 ] || die "building the Java base needs root (ldconfig -r, chroot); run as root"
  build_prereqs
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi
  mkdir -p "$OUT" "$CACHE"
  rm -rf "$OUT"/.work.* "$OUT"/.oci.* "$OUT/.base"
  for i in "${images[@]}"; do
    case "$i" in
      runtime | operator)
        if [ ! -d "$OUT/.base" ]; then
          local tmp
          tmp=$(mktemp -d "$OUT/.work.XXXXXX")
          log "assembling the Java base rootfs"
          base_rootfs "$tmp/base"
          mv "$tmp/base" "$OUT/.base"
          rm -rf "$tmp"
        fi
        ;;
    esac
    case "$i" in
      runtime) build_java runtime model-runtime 75 "$JAVA_ENV" -Donnxruntime.native.path=/opt/modelship/native ;;
      # The operator: half the limit as heap, since its JVM needs memory beside it (metaspace,
      # code, threads; bench/scale.sh prints them), and a lean JVM, measured at 1,000
      # ModelDeployments: the client compiler only (its reconciles are short bursts of JSON work,
      # for which C2's compilations cost more CPU than they saved, and C2's code and arenas took
      # 16 MiB more), and two malloc arenas instead of one per thread (45 MiB outside the JVM's
      # own accounting). RSS 337 -> 273 MiB with all Ready, and sooner.
      operator) build_java operator operator 50 "$OPERATOR_ENV" -XX:TieredStopAtLevel=1 ;;
      pause) build_pause ;;
      iris-transformer) build_iris_transformer ;;
    esac
  done
  rm -rf "$OUT/.base"
}

cmd_list() {
  local i
  for i in "${IMAGES[@]}"; do printf '%s\t%s\t%s\n' "$i" "$(image_name "$i")" "$OUT/$i.tar"; done
}

# Copies the built archives to a registry: REGISTRY/model-runtime:<tag> and so on. Needs skopeo
# (apt-get install skopeo) and credentials for the registry (skopeo login REGISTRY).
cmd_push() {
  local registry=${1:-} i name
  [ -n "$registry" ] || die "usage: $0 push REGISTRY (e.g. ghcr.io/modelship)"
  command -v skopeo >/dev/null 2>&1 || die "skopeo is needed to push (apt-get install skopeo)"
  for i in runtime operator; do
    [ -f "$OUT/$i.tar" ] || die "$OUT/$i.tar is missing: run $0 build first"
    name=$(image_name "$i")
    log "pushing $i to $registry/${name##*/}"
    skopeo copy "oci-archive:$OUT/$i.tar" "docker://$registry/${name##*/}"
  done
}

main() {
  [ $# -gt 0 ] || { usage; exit 2; }
  local cmd=$1
  shift
  case "$cmd" in
    build) cmd_build "$@" ;;
    list) cmd_list ;;
    push) cmd_push "$@" ;;
    -h | --help | help) usage ;;
    *) usage; die "unknown command '$cmd'" ;;
  esac
}

main "$@"
