#!/usr/bin/env bash
# Runs the model runtime's single-file jar with small-footprint JVM settings, for a laptop or a
# device (docs/edge.md). Every argument goes to the runtime:
#
#   scripts/edge-run.sh --model iris.onnx --port 8080
#   scripts/edge-run.sh fetch --uri https://models.example.com/iris.onnx --dest iris.onnx
#   scripts/edge-run.sh --mode router --stable http://127.0.0.1:8081 --port 8080
#   scripts/edge-run.sh --print-java-options      # the JVM options, one line; nothing is started
#
# Environment:
#   EDGE_JAR        the jar; default: the newest model-runtime/target/model-runtime-*-runner.jar
#                   beside this script's repository, else model-runtime-*-runner.jar next to it
#   EDGE_HEAP       maximum heap (-Xmx); default 64m
#   EDGE_CDS        1 (default): an application class-data archive (AppCDS) for this jar and this
#                   java, written when the first run exits normally (Ctrl-C or SIGTERM), used by
#                   every later run; 0: none
#   EDGE_NATIVE     1 (default): ONNX Runtime's native libraries for this platform unpacked from
#                   the jar once (needs unzip), instead of at every start; 0: from the jar each time
#   EDGE_CACHE_DIR  where archives (cds/) and unpacked libraries (native/) go;
#                   default ${XDG_CACHE_HOME:-~/.cache}/modelship
#   JAVA            the java to run; default java on the PATH (17 or later)
#   JAVA_OPTS       more JVM options, after these (a later option wins)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAVA="${JAVA:-java}"
HEAP="${EDGE_HEAP:-64m}"

# Serial GC: one thread, no concurrent collector threads, the smallest per-heap overhead.
# C1 only (TieredStopAtLevel=1) with one compiler thread: less CPU and memory spent compiling at
# start-up, at some cost in peak throughput (docs/edge.md has both). Small thread stacks and code
# cache; no hsperfdata file.
OPTS=(-XX:+UseSerialGC -Xms16m "-Xmx$HEAP" -Xss256k -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1
      -XX:ReservedCodeCacheSize=32m -XX:-UsePerfData)

if [[ "${1:-}" == --print-java-options ]]; then
  echo "${OPTS[*]}"
  exit 0
fi

jar="${EDGE_JAR:-}"
if [[ -z "$jar" ]]; then
  jar="$(ls -t "$here"/../model-runtime/target/model-runtime-*-runner.jar "$here"/model-runtime-*-runner.jar \
    2>/dev/null | head -1 || true)"
fi
[[ -n "$jar" && -f "$jar" ]] || {
  echo "edge-run.sh: no runtime jar: set EDGE_JAR, or build one with" \
    "./mvnw -q -B -pl model-runtime package -DskipTests (docs/edge.md)" >&2
  exit 2
}
jar="$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"

mode=serve
case " $* " in
  *" --mode router "*|*" --mode=router "*) mode=router ;;
esac
case "${1:-}" in
  fetch|--help|-h) mode="" ;; # exits at once: nothing worth archiving
esac

cache="${EDGE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/modelship}"
jar_id="$jar|$(stat -c '%s.%Y' "$jar" 2>/dev/null || stat -f '%z.%m' "$jar")"

if [[ "${EDGE_NATIVE:-1}" == 1 && "$mode" == serve ]] && command -v unzip >/dev/null; then
  # ONNX Runtime otherwise copies its 20 MB library out of the jar into a temporary file at every
  # start (about a second of a small CPU in bench/edge.sh). Unpacked once per jar, in ONNX
  # Runtime's own platform names; a jar without this platform's libraries is left to the runtime,
  # which says so when it starts.
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) platform=linux-x64 ;;
    Linux-aarch64) platform=linux-aarch64 ;;
    Darwin-x86_64) platform=osx-x64 ;;
    Darwin-arm64) platform=osx-aarch64 ;;
    *) platform="" ;;
  esac
  native="$cache/native/$(printf '%s' "$jar_id" | sha256sum | cut -c1-16)/$platform"
  if [[ -n "$platform" && ! -f "$native/.complete" ]] && mkdir -p "$cache/native" 2>/dev/null; then
    tmp="$(mktemp -d "$cache/native/.unpack.XXXXXX")"
    if unzip -q -j "$jar" "ai/onnxruntime/native/$platform/*" -d "$tmp" 2>/dev/null; then
      mkdir -p "$(dirname "$native")" && rm -rf "$native" && mv "$tmp" "$native" && touch "$native/.complete"
    fi
    rm -rf "$tmp"
  fi
  if [[ -n "$platform" && -f "$native/.complete" ]]; then
    OPTS+=("-Donnxruntime.native.path=$native")
  fi
fi

if [[ "${EDGE_CDS:-1}" == 1 && -n "$mode" ]]; then
  # The JVM refuses an archive made for another jar or another java (it warns and runs without),
  # so the archive's name follows both: a new jar or JDK gets a new archive on its first run.
  # Serving and routing load different classes, so each has its own.
  dir="$cache/cds"
  # The java's identity without starting it: where it is, and its libjvm's size and time.
  java_bin="$(readlink -f "$(command -v "$JAVA")")"
  libjvm="$(dirname "$java_bin")/../lib/server/libjvm.so"
  [[ -f "$libjvm" ]] || libjvm="$java_bin"
  java_id="$java_bin|$(stat -c '%s.%Y' "$libjvm" 2>/dev/null || stat -f '%z.%m' "$libjvm")"
  key="$(printf '%s|%s|%s' "$jar_id" "$java_id" "$HEAP" | sha256sum | cut -c1-16)"
  archive="$dir/$(basename "$jar" .jar)-$mode-$key.jsa"
  if [[ -s "$archive" ]]; then
    OPTS+=("-XX:SharedArchiveFile=$archive")
  elif mkdir -p "$dir" 2>/dev/null && [[ -w "$dir" ]]; then
    # -Xlog:cds=off: the dump lists every class it skips (optional ones that failed verification).
    OPTS+=("-XX:ArchiveClassesAtExit=$archive" -Xlog:cds=off)
  fi
fi

read -r -a extra <<<"${JAVA_OPTS:-}"
exec "$JAVA" "${OPTS[@]}" "${extra[@]}" -jar "$jar" "$@"
