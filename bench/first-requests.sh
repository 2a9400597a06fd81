#!/usr/bin/env bash
# How fast a freshly started runtime answers its first predictions, with the warm-up before
# readiness (default) and without it (--warmup-requests 0), in the same run: see docs/runtime.md#warm-up.
#
#   bench/first-requests.sh [--rounds N] [--requests N] [--warmup-requests N]
#
# Each round starts the packaged runtime on 127.0.0.1 with each setting (their order alternating),
# waits until /v2/health/ready answers 200, then times the first N requests of a new client,
# in turn through POST /models/iris/predict, /v1/models/iris:predict and /v2/models/iris/infer.
# Prints every round and a Markdown table. Traffic stays on loopback; each runtime is stopped after
# its turn. Logs go to bench/.work/first-requests-<UTC time>/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROUNDS=5
REQUESTS=20
WARMUP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --requests) REQUESTS="$2"; shift 2 ;;
    --warmup-requests) WARMUP="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "first-requests.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
JAR=model-runtime/target/quarkus-app/quarkus-run.jar
[[ -f "$JAR" ]] || ./mvnw -q -B -pl model-runtime package -DskipTests
WORK="bench/.work/first-requests-$(date -u +%Y%m%dT%H%M%SZ)"
echo "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) before the run"
java bench/FirstRequests.java "$JAR" examples/models/iris.onnx "$ROUNDS" "$REQUESTS" "$WORK" $WARMUP
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) after the run; logs in $WORK"
