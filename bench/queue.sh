#!/usr/bin/env bash
# Queue mode, measured against a real Kafka broker (scripts/kafka.sh, KRaft, one node on 127.0.0.1):
# messages per second and end-to-end latency (request produced -> its reply consumed, p50/p99) of
# the runtime in queue mode, and the same figures in the same run for a baseline: an echo worker
# with the runtime's loop and no model (poll, copy each request to the reply topic with its key and
# headers, wait for acks=all, commit). The ratio runtime/echo is what reading, validating,
# predicting and writing JSON add to Kafka's own round trip.
#
#   bench/queue.sh [--count N] [--rate R] [--latency-count N] [--rounds N]
#
# Throughput: N requests (default 20000) produced as fast as the producer goes while the worker
# runs; messages/s = answered / (first send -> last reply). Latency: --latency-count requests
# (default 2000) at a steady --rate per second (default 200), each flushed on its own. Both for the
# echo worker and the runtime, --rounds times (default 3), interleaved; medians are printed.
# Bounded: every client gives up 60 s after its last send; the echo worker stops after 20 min.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=20000
RATE=200
LAT_COUNT=2000
ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --latency-count) LAT_COUNT=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
  esac
done

export MODELSHIP_KAFKA_DIR=${MODELSHIP_KAFKA_DIR:-/tmp/modelship-queue-bench}
export MODELSHIP_KAFKA_PORT=${MODELSHIP_KAFKA_PORT:-19292}
PORT=${QUEUE_BENCH_PORT:-18981}
JAR=model-runtime/target/quarkus-app/quarkus-run.jar
WORK=$(mktemp -d)
echo_pid=""
runtime_pid=""
cleanup() {
  [ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null
  [ -n "$runtime_pid" ] && kill "$runtime_pid" 2>/dev/null
  wait 2>/dev/null
  scripts/kafka.sh stop
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -f "$JAR" ] || { echo "$JAR is missing; run ./mvnw -pl model-runtime package first" >&2; exit 1; }
scripts/kafka.sh start echo.requests:3 echo.replies:3 rt.requests:3 rt.replies:3 rt.dead:1
BOOTSTRAP=$(scripts/kafka.sh bootstrap)
scripts/kafka.sh classpath >/dev/null

scripts/kafka.sh tool echo echo.requests echo.replies bench-echo 1200 >"$WORK/echo.log" 2>&1 &
echo_pid=$!
java -Xmx512m -jar "$JAR" --model examples/models/iris.onnx --host 127.0.0.1 --port "$PORT" \
  --queue kafka --kafka-bootstrap "$BOOTSTRAP" --request-topic rt.requests \
  --reply-topic rt.replies --dead-letter-topic rt.dead --consumer-group bench-rt >"$WORK/runtime.log" 2>&1 &
runtime_pid=$!
for _ in $(seq 1 180); do
  curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null || { tail -20 "$WORK/runtime.log"; exit 1; }
# Both workers warm: a first, unmeasured pass through each.
scripts/kafka.sh tool bench echo.requests echo.replies warm 2000 0 >/dev/null
scripts/kafka.sh tool bench rt.requests rt.replies warm 2000 0 >/dev/null

run() { # NAME IN OUT PREFIX COUNT RATE
  local line
  line=$(scripts/kafka.sh tool bench "$2" "$3" "$4" "$5" "$6")
  echo "$1 $line" | tee -a "$WORK/results"
}
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r of $ROUNDS (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  run echo-throughput echo.requests echo.replies "e$r" "$COUNT" 0
  run runtime-throughput rt.requests rt.replies "r$r" "$COUNT" 0
  run echo-latency echo.requests echo.replies "el$r" "$LAT_COUNT" "$RATE"
  run runtime-latency rt.requests rt.replies "rl$r" "$LAT_COUNT" "$RATE"
done

# Medians per figure, then runtime/echo ratios.
median() { # NAME FIELD
  grep "^$1 " "$WORK/results" | sed -E "s/.* $2=([0-9.]+).*/\1/" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo
echo "medians of $ROUNDS rounds; throughput: $COUNT requests as fast as produced; latency: $LAT_COUNT at $RATE/s"
printf "%-10s %12s %14s %14s %14s %14s\n" worker "msgs/s" "p50 ms (max)" "p99 ms (max)" "p50 ms (rate)" "p99 ms (rate)"
for w in echo runtime; do
  printf "%-10s %12s %14s %14s %14s %14s\n" "$w" "$(median $w-throughput msgs_per_s)" \
    "$(median $w-throughput p50_ms)" "$(median $w-throughput p99_ms)" \
    "$(median $w-latency p50_ms)" "$(median $w-latency p99_ms)"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "runtime/echo: throughput $(ratio "$(median runtime-throughput msgs_per_s)" "$(median echo-throughput msgs_per_s)")x," \
  "p50 at rate $(ratio "$(median runtime-latency p50_ms)" "$(median echo-latency p50_ms)")x," \
  "p99 at rate $(ratio "$(median runtime-latency p99_ms)" "$(median echo-latency p99_ms)")x"
grep -h "answered=" "$WORK/results" | grep -v "answered=\([0-9]*\) of \1 " | sed 's/^/incomplete: /' || true
