#!/usr/bin/env bash
# Queue mode against a real Kafka broker (scripts/kafka.sh: KRaft, one node on 127.0.0.1) and the
# packaged runtime jar (model-runtime/target/quarkus-app, built by ./mvnw package or verify):
#   1. settings that would feed replies back into the requests stop the runtime with exit code 2;
#      with the broker unreachable, or a topic missing, the runtime is live but not ready;
#   2. N requests produced -> N replies with their own correlation ids, keys and labels;
#   3. invalid requests -> the dead-letter topic, each with the HTTP API's status and reason and
#      its source topic/partition/offset, while processing goes on;
#   4. a backlog: the lag gauge in /q/metrics reads > 0 while it is worked off; the runtime is
#      SIGKILLed mid-stream and started again; every request is answered at least once (duplicates
#      counted, none lost) and the lag returns to 0.
# Everything listens on 127.0.0.1 only; every wait is bounded. Prints `queue-e2e: N passed, N
# failed` and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

export MODELSHIP_KAFKA_DIR=${MODELSHIP_KAFKA_DIR:-/tmp/modelship-queue-e2e}
export MODELSHIP_KAFKA_PORT=${MODELSHIP_KAFKA_PORT:-19192}
PORT=${QUEUE_E2E_PORT:-18971}
JAR=model-runtime/target/quarkus-app/quarkus-run.jar
BACKLOG=${QUEUE_E2E_BACKLOG:-20000}
WORK=$(mktemp -d)
passed=0
failed=0
runtime_pid=""

ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/       | /' | head -30; return 0; }
info() { echo "     # $1"; }

cleanup() {
  [ -n "$runtime_pid" ] && kill -9 "$runtime_pid" 2>/dev/null
  scripts/kafka.sh stop
  rm -rf "$WORK"
}
trap cleanup EXIT

tool() { scripts/kafka.sh tool "$@"; }
metric() { curl -sf "http://127.0.0.1:$PORT/q/metrics" | awk -v m="$1" '$1 == m { printf "%d", $2 }'; }

# A session timeout at the broker's minimum, so that a killed runtime's partitions move to its
# successor within seconds instead of Kafka's default 45 s (and --kafka-config is exercised).
cat >"$WORK/kafka.properties" <<PROPS
session.timeout.ms=6000
heartbeat.interval.ms=1000
PROPS

# start_runtime LOG ARGS...: the jar in queue mode on the e2e topics, in the background.
start_runtime() {
  local log=$1
  shift
  java -Xmx256m -Dmodelship.queue.max-poll-records=50 -jar "$JAR" \
    --model examples/models/iris.onnx --host 127.0.0.1 --port "$PORT" --warmup-requests 0 \
    --queue kafka --kafka-bootstrap "$(scripts/kafka.sh bootstrap)" --kafka-config "$WORK/kafka.properties" \
    --request-topic e2e.requests --reply-topic e2e.replies --dead-letter-topic e2e.dead \
    --consumer-group e2e "$@" >"$log" 2>&1 &
  runtime_pid=$!
}
ready() { curl -sf "http://127.0.0.1:$PORT/q/health/ready" >/dev/null; }
wait_ready() {
  local deadline=$((SECONDS + 90))
  while [ $SECONDS -lt $deadline ]; do
    ready && return 0
    kill -0 "$runtime_pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

[ -f "$JAR" ] || { echo "queue-e2e: $JAR is missing; run ./mvnw -pl model-runtime package first"; exit 1; }
if ! scripts/kafka.sh start e2e.requests:3 e2e.replies:3 e2e.dead:1; then
  echo "queue-e2e: 0 passed, 1 failed (the broker did not start)"
  exit 1
fi

# 1. Bad queue settings stop the runtime at start, naming the flag.
java -Xmx256m -jar "$JAR" --model examples/models/iris.onnx --host 127.0.0.1 --port "$PORT" \
  --queue kafka --kafka-bootstrap "$(scripts/kafka.sh bootstrap)" --request-topic t \
  --reply-topic t --dead-letter-topic d >"$WORK/bad.log" 2>&1
code=$?
if [ $code -eq 2 ] && grep -q -- "--reply-topic: must differ from --request-topic" "$WORK/bad.log"; then
  ok "a reply topic equal to the request topic is refused at start (exit 2, flag named)"
else
  fail "bad queue settings: expected exit 2 naming --reply-topic, got $code" "$(tail -5 "$WORK/bad.log")"
fi

# A broker that cannot be reached: the pod is alive (no restarts) but not ready.
start_runtime "$WORK/unreachable.log" --kafka-bootstrap 127.0.0.1:$((MODELSHIP_KAFKA_PORT + 7))
deadline=$((SECONDS + 90))
until curl -sf "http://127.0.0.1:$PORT/q/health/live" >/dev/null || [ $SECONDS -ge $deadline ]; do sleep 0.5; done
sleep 3
health=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$PORT/q/health/ready" | tr -d ' \n')
if [[ $health == *'"model-ready":true'* && $health == *'"consumer-ready":false'* && $health == *503 ]] &&
  curl -sf "http://127.0.0.1:$PORT/q/health/live" >/dev/null; then
  ok "with the broker unreachable the runtime is live but not ready (model ready, consumer not)"
else
  fail "readiness with an unreachable broker" "$health"
fi
kill -9 "$runtime_pid"
wait "$runtime_pid" 2>/dev/null

# A request topic the broker does not have: not ready, and the readiness data names it.
start_runtime "$WORK/missing-topic.log" --request-topic e2e.typo
health=""
deadline=$((SECONDS + 90))
while [ $SECONDS -lt $deadline ]; do
  health=$(curl -s "http://127.0.0.1:$PORT/q/health/ready" | tr -d '\n' | sed 's/" *: */":/g')
  [[ $health == *'topics not found: e2e.typo (--request-topic)'* ]] && break
  sleep 0.5
done
if [[ $health == *'topics not found: e2e.typo (--request-topic)'* && $health == *'"status":"DOWN"'* ]] &&
  grep -q "topics not found: e2e.typo (--request-topic); not ready until they exist" "$WORK/missing-topic.log"; then
  ok "a request topic the broker does not have keeps the runtime unready, named in readiness and log"
else
  fail "a missing request topic" "$health"
fi
kill -9 "$runtime_pid"
wait "$runtime_pid" 2>/dev/null

# 2. Requests in, replies out.
start_runtime "$WORK/runtime1.log"
if wait_ready; then
  ok "the runtime is ready in queue mode (model loaded, consumer in the group)"
else
  fail "the runtime did not become ready" "$(tail -20 "$WORK/runtime1.log")"
fi
tool produce e2e.requests n 500 >/dev/null
if out=$(tool replies e2e.replies n 500 60); then
  ok "500 requests -> 500 replies with their correlation ids, keys and labels ($out)"
else
  fail "replies to 500 requests" "$out"
fi

# 3. Invalid requests go to the dead-letter topic with the HTTP API's reasons.
tool produce-invalid e2e.requests >/dev/null
tool produce e2e.requests after-bad 30 >/dev/null
dl=$(tool dead-letters e2e.dead 5 60)
expect_dead() { # ID STATUS TEXT
  if awk -F'\t' -v id="$1" -v st="$2" -v txt="$3" '$1 == id && $2 == st && index($4, txt) && $3 ~ /^e2e.requests\/[0-9]+@[0-9]+$/ { f = 1 } END { exit !f }' <<<"$dl"; then
    ok "dead letter $1: $2 \"$3\" with its source topic/partition/offset"
  else
    fail "dead letter $1: expected $2 \"$3\"" "$dl"
  fi
}
expect_dead bad-json 400 "malformed JSON at line 1, column 22"
expect_dead bad-range 422 "sepal_length: must be at most 10 (got 51)"
expect_dead bad-missing 422 "sepal_width: required float feature is missing"
expect_dead bad-empty 400 "request body is empty: send a JSON document"
expect_dead bad-api 400 "modelship-api: must be predict, v1 or v2 (got v9)"
if out=$(tool replies e2e.replies after-bad 30 60); then
  ok "requests after the invalid ones are answered ($out)"
else
  fail "requests after the invalid ones" "$out"
fi
[ "$(metric 'modelship_queue_dead_lettered_total{reason="invalid"}')" = 5 ] &&
  ok "modelship_queue_dead_lettered_total{reason=\"invalid\"} = 5" ||
  fail "dead-lettered counter" "$(curl -s "http://127.0.0.1:$PORT/q/metrics" | grep modelship_queue)"

# 4. A backlog, the lag gauge, and a SIGKILL mid-stream.
kill -TERM "$runtime_pid"
wait "$runtime_pid" 2>/dev/null
tool produce e2e.requests k "$BACKLOG" >/dev/null
info "$BACKLOG requests waiting; starting the runtime and killing it mid-stream"
start_runtime "$WORK/runtime2.log"
max_lag=0
replied=0
deadline=$((SECONDS + 120))
while [ $SECONDS -lt $deadline ]; do
  lag=$(metric modelship_queue_lag_records)
  replied=$(metric modelship_queue_replied_total)
  [ -n "$lag" ] && [ "$lag" -gt "$max_lag" ] && max_lag=$lag
  # Kill once a share of the backlog is answered, and the lag was seen.
  [ -n "$replied" ] && [ "$replied" -ge $((BACKLOG / 5)) ] && [ "$max_lag" -gt 0 ] && break
  kill -0 "$runtime_pid" 2>/dev/null || break
  sleep 0.2
done
if [ "$max_lag" -gt 0 ]; then
  ok "modelship_queue_lag_records > 0 while the backlog is worked off (highest seen: $max_lag)"
else
  fail "the lag gauge never read > 0 during a backlog of $BACKLOG" "$(tail -5 "$WORK/runtime2.log")"
fi
kill -9 "$runtime_pid"
wait "$runtime_pid" 2>/dev/null
info "SIGKILLed after ${replied:-0} replies"
start_runtime "$WORK/runtime3.log"
wait_ready || fail "the restarted runtime did not become ready" "$(tail -20 "$WORK/runtime3.log")"
if out=$(tool replies e2e.replies k "$BACKLOG" 180); then
  ok "killed mid-stream and restarted: every one of $BACKLOG requests answered at least once ($out)"
else
  fail "requests lost across a SIGKILL" "$out"
fi
# Everything is answered now, so the lag, counted from the end offsets, must come down to 0.
lag=""
deadline=$((SECONDS + 20))
while [ $SECONDS -lt $deadline ]; do
  lag=$(metric modelship_queue_lag_records)
  [ "$lag" = 0 ] && break
  sleep 0.5
done
if [ "$lag" = 0 ] && [ "$(metric modelship_queue_consumed_total)" -gt 0 ]; then
  ok "the lag returns to 0 once the backlog is answered"
else
  fail "lag still ${lag:-unknown} after the backlog was answered" "$(tail -10 "$WORK/runtime3.log")"
fi

kill -TERM "$runtime_pid"
wait "$runtime_pid" 2>/dev/null
runtime_pid=""
echo "queue-e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
