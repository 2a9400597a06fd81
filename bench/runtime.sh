#!/usr/bin/env bash
# Measures the model runtime against FastAPI + scikit-learn, MLServer and a bare Vert.x echo,
# with the same Iris requests, on this machine, over loopback only. See bench/README.md.
#
#   bench/runtime.sh [--duration S] [--warmup S] [--only LIST] [--connections N]
#                    [--out FILE | --no-doc] [--rebuild] [--quiet-wait S] [--retry-noisy N]
#
# Targets (--only takes a comma-separated subset, in any order):
#   runtime     our runtime, readable endpoint     POST /models/iris/predict
#   runtime-v2  our runtime, Open Inference v2     POST /v2/models/iris/infer
#   router      our router (--mode router) alone on the server CPU, in front of our runtime, which
#               runs on the load CPU (a router is a pod of its own in a cluster)
#                                                  POST /models/iris/predict
#   fastapi     FastAPI + scikit-learn (uvicorn)   POST /models/iris/predict
#   mlserver    MLServer + mlserver-sklearn        POST /v2/models/iris/infer
#   echo        bare Vert.x JSON echo (ceiling)    POST /models/iris/predict
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
ROOT="$(dirname "$(dirname "$SELF")")"
BENCH="$ROOT/bench"
cd "$ROOT"

ALL_TARGETS="runtime,runtime-v2,router,fastapi,mlserver,echo"
DURATION=15
WARMUP=10
RATE_WARMUP=3
CONNECTIONS=32
ONLY="$ALL_TARGETS"
OUT="docs/benchmarks.md"
REBUILD=0
QUIET_WAIT=120
RETRY_NOISY=2
NOISY_PCT=10
COMMAND_LINE="${RUNTIME_JAVA_OPTS:+RUNTIME_JAVA_OPTS=\"$RUNTIME_JAVA_OPTS\" }bench/runtime.sh${*:+ $*}"

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SELF"
  cat <<'EOF'

Options:
  --duration S     seconds of each measured phase (max load, then half load); default 15
  --warmup S       seconds of discarded wrk load before measuring; default 10
  --only LIST      targets to run, e.g. --only fastapi,mlserver,echo; default all
  --connections N  keep-alive connections of wrk and of the constant-rate load; default 32
  --out FILE       where to write the Markdown report; default docs/benchmarks.md
  --no-doc         print only, write no report
  --rebuild        rebuild the runtime, echo and load-generator jars even if present
  --quiet-wait S   wait up to S seconds for other processes to leave the CPUs idle
                   before each target; default 120
  --retry-noisy N  measure a target again (up to N more times) when other processes used
                   more than 10% of a CPU during its measured phases; default 2
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --no-doc) OUT=""; shift ;;
    --rebuild) REBUILD=1; shift ;;
    --quiet-wait) QUIET_WAIT="$2"; shift 2 ;;
    --retry-noisy) RETRY_NOISY="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "runtime.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

for n in "$DURATION" "$WARMUP" "$CONNECTIONS" "$QUIET_WAIT" "$RETRY_NOISY"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "runtime.sh: not a whole number: $n" >&2; exit 2; }
done
(( DURATION >= 1 && CONNECTIONS >= 1 )) || { echo "runtime.sh: --duration and --connections must be >= 1" >&2; exit 2; }

IFS=',' read -r -a TARGETS <<<"$ONLY"
for t in "${TARGETS[@]}"; do
  case ",$ALL_TARGETS," in *",$t,"*) ;; *) echo "runtime.sh: unknown target '$t' (known: $ALL_TARGETS)" >&2; exit 2 ;; esac
done
wants() { case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

RUNTIME_JAR="$ROOT/model-runtime/target/quarkus-app/quarkus-run.jar"
ECHO_JAR="$BENCH/echo/target/vertx-echo.jar"
LOAD_JAR="$BENCH/loadgen/target/rate-load.jar"
VENV="$BENCH/.venv"
MODEL_ONNX="$ROOT/examples/models/iris.onnx"
MODEL_JOBLIB="$ROOT/examples/models/iris.joblib"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
WORK="$BENCH/.work/$STAMP"
mkdir -p "$WORK"

# ---------------------------------------------------------------- processes and clean-up
SERVER_PID=""
LOAD_PID=""

group_alive() { kill -0 -- "-$1" 2>/dev/null; }

stop_server() {
  local pid="$SERVER_PID"
  [[ -n "$pid" ]] || return 0
  SERVER_PID=""
  if group_alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do group_alive "$pid" || break; sleep 0.1; done
    if group_alive "$pid"; then
      log "server group $pid did not stop on SIGTERM; sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  if [[ -n "$LOAD_PID" ]] && kill -0 "$LOAD_PID" 2>/dev/null; then
    kill -TERM "$LOAD_PID" 2>/dev/null || true
    wait "$LOAD_PID" 2>/dev/null || true
  fi
  stop_server
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- CPU placement
NPROC="$(nproc)"
if (( NPROC >= 2 )); then
  SERVER_CPU=1
  LOAD_CPU=0
  ON_SERVER_CPU=(taskset -c "$SERVER_CPU")
  ON_LOAD_CPU=(taskset -c "$LOAD_CPU")
  PINNING="server pinned to CPU $SERVER_CPU, load generator to CPU $LOAD_CPU (taskset)"
else
  ON_SERVER_CPU=()
  ON_LOAD_CPU=()
  PINNING="not pinned: this machine has only 1 CPU, so server and load generator share it"
fi
# Each JVM server gets exactly one processor, whatever the JVM would detect by itself.
# RUNTIME_JAVA_OPTS (environment, space-separated) adds options for the runtime only,
# e.g. RUNTIME_JAVA_OPTS="-XX:+UseParallelGC -Xmx512m" to try another garbage collector.
JVM_SERVER_OPTS=(-XX:ActiveProcessorCount=1)
read -r -a RUNTIME_EXTRA_OPTS <<<"${RUNTIME_JAVA_OPTS:-}"
LOAD_JVM_OPTS=(-XX:ActiveProcessorCount=1 -Xms1g -Xmx1g -Xmn768m)
CLK_TCK="$(getconf CLK_TCK)"

# ---------------------------------------------------------------- prerequisites
ensure_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v curl >/dev/null || missing+=(curl)
  command -v taskset >/dev/null || missing+=(util-linux)
  command -v setsid >/dev/null || missing+=(util-linux)
  if (( ${#missing[@]} )); then
    log "installing ${missing[*]} with apt-get"
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } \
      || die "could not install ${missing[*]}"
  fi
  command -v java >/dev/null || die "java (17+) is needed"
}

newer_sources() { # $1 = jar, $2 = project dir: true if a source is newer than the jar
  [[ -n "$(find "$2/pom.xml" "$2/src" -newer "$1" -print -quit 2>/dev/null)" ]]
}

ensure_jar() { # $1 = jar, $2 = project dir
  if (( REBUILD )) || [[ ! -f "$1" ]] || newer_sources "$1" "$2"; then
    log "building $(basename "$1")"
    ./mvnw -q -B -f "${2#"$ROOT/"}/pom.xml" package >"$WORK/build-$(basename "$2").log" 2>&1 \
      || { tail -40 "$WORK/build-$(basename "$2").log" >&2; die "build of $2 failed"; }
  fi
}

ensure_venv() {
  local stamp="$VENV/.requirements.txt"
  if [[ ! -x "$VENV/bin/python" ]] || ! cmp -s "$BENCH/requirements.txt" "$stamp"; then
    log "preparing $VENV from bench/requirements.txt"
    [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$BENCH/requirements.txt" \
      >"$WORK/pip.log" 2>&1 || { tail -30 "$WORK/pip.log" >&2; die "pip install failed"; }
    cp "$BENCH/requirements.txt" "$stamp"
  fi
}

ensure_models() {
  if [[ ! -f "$MODEL_JOBLIB" || ! -f "$MODEL_ONNX" ]]; then
    [[ -x "$ROOT/examples/models/setup.sh" ]] || die "examples/models/setup.sh is missing; cannot make the Iris models"
    log "making the example models with examples/models/setup.sh"
    "$ROOT/examples/models/setup.sh" >"$WORK/models.log" 2>&1 || { tail -30 "$WORK/models.log" >&2; die "examples/models/setup.sh failed"; }
  fi
}

ensure_tools
ensure_models
ensure_jar "$LOAD_JAR" "$BENCH/loadgen"
if wants echo; then ensure_jar "$ECHO_JAR" "$BENCH/echo"; fi
if wants fastapi || wants mlserver; then ensure_venv; fi
if wants runtime || wants runtime-v2; then
  if (( REBUILD )) || [[ ! -f "$RUNTIME_JAR" ]]; then
    log "building the runtime (./mvnw -q -B package -DskipTests)"
    ./mvnw -q -B package -DskipTests >"$WORK/build-runtime.log" 2>&1 \
      || { tail -40 "$WORK/build-runtime.log" >&2; die "runtime build failed"; }
  fi
  [[ -f "$RUNTIME_JAR" ]] || die "no $RUNTIME_JAR after the build"
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# ---------------------------------------------------------------- CPU accounting
cpu_total_busy() { # jiffies spent busy, all CPUs
  awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat
}

group_cpu() { # jiffies used so far by the live processes of process group $1
  local pg="$1" sum=0 f rest fields
  for f in /proc/[0-9]*/stat; do
    rest="$(cat "$f" 2>/dev/null)" || continue
    rest="${rest##*) }"
    # after "comm) ": state ppid pgrp ... utime(12th) stime(13th)
    read -r -a fields <<<"$rest"
    [[ "${fields[2]:-}" == "$pg" ]] || continue
    sum=$(( sum + fields[11] + fields[12] ))
  done
  echo "$sum"
}

pid_cpu() { # jiffies used so far by process $1 alone
  local rest fields
  rest="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
  rest="${rest##*) }"
  read -r -a fields <<<"$rest"
  echo $(( fields[11] + fields[12] ))
}

children_cpu() { # jiffies used by the reaped children of this script (wrk, the rate tool)
  local st
  st="$(cat "/proc/$$/stat")"
  st="${st##*) }"
  # after "comm) ": cutime and cstime are the 14th and 15th fields
  awk '{print $14 + $15}' <<<"$st"
}

wait_for_quiet() {
  local waited=0 b0 b1 busy
  while :; do
    b0="$(cpu_total_busy)"; sleep 2; b1="$(cpu_total_busy)"
    busy=$(( (b1 - b0) * 100 / (2 * CLK_TCK) ))   # % of one CPU
    if (( busy <= 15 )); then return 0; fi
    if (( waited >= QUIET_WAIT )); then
      log "WARNING: other processes still use ${busy}% of a CPU; measuring anyway (see 'other CPU')"
      return 0
    fi
    (( waited == 0 )) && log "other processes use ${busy}% of a CPU; waiting up to ${QUIET_WAIT}s for quiet"
    waited=$(( waited + 2 ))
  done
}

# ---------------------------------------------------------------- one target
declare -A R     # results: R[target,key]
declare -A KEEP  # the least disturbed attempt of a target, while it is measured again

to_ms() { # wrk latency like 369.00us, 1.79ms, 1.02s, 2.00m -> ms
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}

start_server() { # $1 = target, $2 = port; sets SERVER_PID
  local target="$1" port="$2" logf="$WORK/$1.server.log"
  local cmd=()
  case "$target" in
    runtime|runtime-v2)
      cmd=(java "${JVM_SERVER_OPTS[@]}" "-Xlog:gc:file=$WORK/$target.gc.log" "${RUNTIME_EXTRA_OPTS[@]}"
           -Dquarkus.http.host=127.0.0.1
           -jar "$RUNTIME_JAR" --model "$MODEL_ONNX" --port "$port") ;;
    router)
      # The router has the server CPU to itself, as a router pod has its own CPU in a cluster;
      # the runtime behind it runs on the load CPU (same process group, so it is stopped with
      # the router). Its throughput on a core of its own is then the requests it relayed per
      # second of CPU it used. /v2/health/ready is answered through the router, so "ready" means
      # both are.
      local behind
      behind="$(free_port)"
      cmd=(bash -c "${ON_LOAD_CPU[*]} java ${JVM_SERVER_OPTS[*]} ${RUNTIME_EXTRA_OPTS[*]} -Dquarkus.http.host=127.0.0.1 \
-jar $RUNTIME_JAR --model $MODEL_ONNX --port $behind & \
exec java ${JVM_SERVER_OPTS[*]} -Xlog:gc:file=$WORK/$target.gc.log -Dquarkus.http.host=127.0.0.1 \
-jar $RUNTIME_JAR --mode router --port $port --stable http://127.0.0.1:$behind --stable-revision iris") ;;
    fastapi)
      cmd=(env IRIS_MODEL="$MODEL_JOBLIB" "$VENV/bin/uvicorn" app:app
           --app-dir "$BENCH/peers/fastapi_iris" --host 127.0.0.1 --port "$port") ;;
    mlserver)
      mkdir -p "$WORK/mlserver"
      cmd=(env MLSERVER_HOST=127.0.0.1 MLSERVER_HTTP_PORT="$port"
           MLSERVER_GRPC_PORT="$(free_port)" MLSERVER_METRICS_PORT="$(free_port)"
           "$VENV/bin/mlserver" start "$BENCH/peers/mlserver_iris") ;;
    echo)
      cmd=(java "${JVM_SERVER_OPTS[@]}" "-Xlog:gc:file=$WORK/$target.gc.log"
           -jar "$ECHO_JAR" --host 127.0.0.1 --port "$port") ;;
  esac
  echo "${cmd[*]}" >"$WORK/$target.command"
  # setsid: the server and all its children (MLServer's inference worker) form one process
  # group that is stopped as a whole. mlserver writes .metrics/.envs into its working dir.
  ( [[ "$target" == mlserver ]] && cd "$WORK/mlserver"
    exec setsid "${ON_SERVER_CPU[@]}" "${cmd[@]}" ) >"$logf" 2>&1 </dev/null &
  SERVER_PID=$!
}

wait_ready() { # $1 = target, $2 = url
  local deadline=$(( SECONDS + 180 ))
  while (( SECONDS < deadline )); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -30 "$WORK/$1.server.log" >&2
      return 1
    fi
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$2" || true)" == 200 ]]; then
      return 0
    fi
    sleep 0.25
  done
  tail -30 "$WORK/$1.server.log" >&2
  return 1
}

run_wrk() { # $1 = seconds, $2 = url, $3 = body, $4 = output file; sets WRK_CPU (jiffies)
  local c0 c1
  c0="$(children_cpu)"
  "${ON_LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"$1"s --latency -s "$BENCH/post.lua" "$2" -- "$3" >"$4" 2>&1 &
  LOAD_PID=$!
  wait "$LOAD_PID" || { LOAD_PID=""; cat "$4" >&2; return 1; }
  LOAD_PID=""
  c1="$(children_cpu)"
  WRK_CPU=$(( c1 - c0 ))
}

run_target() {
  local target="$1" path body health expect port url
  case "$target" in
    runtime)    path=/models/iris/predict;  body=iris.json;          health=/v2/health/ready;       expect='"label":"setosa"' ;;
    runtime-v2) path=/v2/models/iris/infer; body=iris-v2.json;       health=/v2/health/ready;       expect='setosa' ;;
    router)     path=/models/iris/predict;  body=iris.json;          health=/v2/health/ready;       expect='"label":"setosa"' ;;
    fastapi)    path=/models/iris/predict;  body=iris.json;          health=/health;                expect='"label":"setosa"' ;;
    mlserver)   path=/v2/models/iris/infer; body=iris-mlserver.json; health=/v2/models/iris/ready;  expect='"setosa"' ;;
    echo)       path=/models/iris/predict;  body=iris.json;          health=/health;                expect='"label":"setosa"' ;;
  esac
  body="$BENCH/bodies/$body"
  local k
  for k in "${!R[@]}"; do
    if [[ "$k" == "$target,"* ]]; then unset "R[$k]"; fi
  done
  R[$target,endpoint]="POST $path"
  R[$target,status]="ok"

  wait_for_quiet
  port="$(free_port)"
  url="http://127.0.0.1:$port$path"
  log "$target: starting on 127.0.0.1:$port"
  start_server "$target" "$port"
  if ! wait_ready "$target" "http://127.0.0.1:$port$health"; then
    log "$target: did not become ready (log: $WORK/$target.server.log)"
    R[$target,status]="FAILED: not ready"
    stop_server
    return 1
  fi

  # Correctness first: the setosa request must be answered 200 with label setosa.
  local code answer
  code="$(curl -s -o "$WORK/$target.answer.json" -w '%{http_code}' --max-time 10 \
          -H 'Content-Type: application/json' --data-binary @"$body" "$url" || true)"
  answer="$(head -c 600 "$WORK/$target.answer.json" 2>/dev/null || true)"
  if [[ "$code" != 200 ]] || ! grep -qF -- "$expect" <<<"$answer"; then
    log "$target: WRONG ANSWER to the setosa request: HTTP $code, body: $answer"
    R[$target,status]="FAILED: wrong answer"
    stop_server
    return 1
  fi
  R[$target,answer]="$answer"
  log "$target: answer ok: $answer"

  if (( WARMUP > 0 )); then
    log "$target: warm-up ${WARMUP}s (discarded)"
    run_wrk "$WARMUP" "$url" "$body" "$WORK/$target.warmup.txt" || { R[$target,status]="FAILED: warm-up"; stop_server; return 1; }
  fi

  log "$target: max throughput, wrk -t1 -c$CONNECTIONS -d${DURATION}s"
  local b0 b1 s0 s1 t0 t1
  local p0 p1
  b0="$(cpu_total_busy)"; s0="$(group_cpu "$SERVER_PID")"; p0="$(pid_cpu "$SERVER_PID")"; t0="$(date +%s.%N)"
  run_wrk "$DURATION" "$url" "$body" "$WORK/$target.max.txt" || { R[$target,status]="FAILED: wrk"; stop_server; return 1; }
  b1="$(cpu_total_busy)"; s1="$(group_cpu "$SERVER_PID")"; p1="$(pid_cpu "$SERVER_PID")"; t1="$(date +%s.%N)"
  local f="$WORK/$target.max.txt" secs
  secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')"
  R[$target,rps]="$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$f")"
  R[$target,max_p50]="$(to_ms "$(awk '$1=="50%"{print $2}' "$f")")"
  R[$target,max_p99]="$(to_ms "$(awk '$1=="99%"{print $2}' "$f")")"
  R[$target,max_non2xx]="$(awk '/Non-2xx/{print $NF}' "$f")"
  R[$target,max_sockerr]="$(awk '/Socket errors/{n=0; for (i=1; i<=NF; i++) if ($i ~ /^[0-9]+,?$/) n+=$i; print n}' "$f")"
  R[$target,srv_cpu]="$(awk -v j=$((s1 - s0)) -v hz="$CLK_TCK" -v s="$secs" 'BEGIN{printf "%.0f", 100*j/hz/s}')"
  R[$target,wrk_cpu]="$(awk -v j="$WRK_CPU" -v hz="$CLK_TCK" -v s="$secs" 'BEGIN{printf "%.0f", 100*j/hz/s}')"
  R[$target,other_cpu]="$(awk -v j=$(( (b1 - b0) - (s1 - s0) - WRK_CPU )) -v hz="$CLK_TCK" -v s="$secs" \
                          'BEGIN{o=100*j/hz/s; if (o<0) o=0; printf "%.0f", o}')"
  [[ -n "${R[$target,rps]}" && "${R[$target,rps]}" != 0 ]] || { R[$target,status]="FAILED: no throughput"; stop_server; return 1; }
  if [[ "$target" == router ]]; then
    # The router is the server process itself (the runtime is its child, in its process group).
    # Its throughput on a core of its own: the requests it relayed per second of CPU it used.
    R[router,own_cpu]="$(awk -v j=$((p1 - p0)) -v hz="$CLK_TCK" -v s="$secs" 'BEGIN{printf "%.0f", 100*j/hz/s}')"
    R[router,per_core]="$(awk -v r="${R[router,rps]}" -v s="$secs" -v j=$((p1 - p0)) -v hz="$CLK_TCK" \
                          'BEGIN{ if (j > 0) printf "%.0f", r*s/(j/hz) }')"
    R[router,us_per_req]="$(awk -v r="${R[router,rps]}" -v s="$secs" -v j=$((p1 - p0)) -v hz="$CLK_TCK" \
                          'BEGIN{ if (r > 0) printf "%.1f", 1e6*(j/hz)/(r*s) }')"
    log "router: its own CPU ${R[router,own_cpu]}% of a core, ${R[router,us_per_req]} µs a request: ${R[router,per_core]} req/s on a core of its own"
  fi
  log "$target: ${R[$target,rps]} req/s, p50 ${R[$target,max_p50]} ms, p99 ${R[$target,max_p99]} ms (server CPU ${R[$target,srv_cpu]}%, wrk CPU ${R[$target,wrk_cpu]}%, other ${R[$target,other_cpu]}%)"

  local rate=$(( ${R[$target,rps]} / 2 ))
  (( rate >= 1 )) || rate=1
  log "$target: constant rate $rate req/s for ${DURATION}s (+${RATE_WARMUP}s unrecorded)"
  local rf="$WORK/$target.half.txt"
  b0="$(cpu_total_busy)"; s0="$(group_cpu "$SERVER_PID")"; t0="$(date +%s.%N)"
  local c0 c1
  c0="$(children_cpu)"
  "${ON_LOAD_CPU[@]}" java "${LOAD_JVM_OPTS[@]}" -jar "$LOAD_JAR" --url "$url" --body "$body" \
    --rate "$rate" --duration "$DURATION" --warmup "$RATE_WARMUP" --connections "$CONNECTIONS" >"$rf" 2>&1 &
  LOAD_PID=$!
  wait "$LOAD_PID" || { LOAD_PID=""; cat "$rf" >&2; R[$target,status]="FAILED: rate load"; stop_server; return 1; }
  LOAD_PID=""
  c1="$(children_cpu)"
  b1="$(cpu_total_busy)"; s1="$(group_cpu "$SERVER_PID")"; t1="$(date +%s.%N)"
  secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')"
  kv() { local v; v="$(sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" "$rf" | tail -1)"; echo "${v:-0}"; }
  R[$target,half_rate]="$rate"
  R[$target,half_achieved]="$(kv achieved_rate)"
  R[$target,half_p50]="$(kv p50_ms)"
  R[$target,half_p99]="$(kv p99_ms)"
  R[$target,half_p999]="$(kv p999_ms)"
  R[$target,half_bad]="$(( $(kv errors) + $(kv non2xx) + $(kv timeouts) ))"
  R[$target,half_lag99]="$(kv send_lag_p99_ms)"
  R[$target,half_transport]="$(kv transport)"
  local other_half
  other_half="$(awk -v j=$(( (b1 - b0) - (s1 - s0) - (c1 - c0) )) -v hz="$CLK_TCK" -v s="$secs" \
                'BEGIN{o=100*j/hz/s; if (o<0) o=0; printf "%.0f", o}')"
  if (( other_half > ${R[$target,other_cpu]:-0} )); then R[$target,other_cpu]="$other_half"; fi
  log "$target: at $rate req/s: p50 ${R[$target,half_p50]} ms, p99 ${R[$target,half_p99]} ms, p99.9 ${R[$target,half_p999]} ms, failed ${R[$target,half_bad]}"

  stop_server
}

# ---------------------------------------------------------------- run
unreliable() { # true when a target's figures were disturbed: other load, or a starved server
  [[ "${R[$1,status]:-}" == ok ]] || return 1
  (( ${R[$1,other_cpu]:-0} > NOISY_PCT )) || (( ${R[$1,srv_cpu]:-100} < 85 ))
}
RUN_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')"
log "results and logs: $WORK"
log "placement: $PINNING"
FAILED=0
for t in runtime runtime-v2 router fastapi mlserver echo; do
  wants "$t" || continue
  attempt=0
  best=""
  while :; do
    if ! run_target "$t"; then FAILED=1; break; fi
    # Keep the least disturbed attempt: its figures and its raw files.
    score="${R[$t,other_cpu]:-0}"
    if [[ -z "$best" ]] || (( score < best )); then
      best="$score"
      for k in "${!R[@]}"; do
        if [[ "$k" == "$t,"* ]]; then KEEP[$k]="${R[$k]}"; fi
      done
      for f in "$WORK/$t".*; do cp -f "$f" "$WORK/kept-$(basename "$f")" 2>/dev/null || true; done
    fi
    if (( attempt >= RETRY_NOISY )) || ! unreliable "$t"; then break; fi
    attempt=$(( attempt + 1 ))
    log "$t: disturbed (other processes ${R[$t,other_cpu]}% of a CPU, server ${R[$t,srv_cpu]}% at max); measuring again ($attempt/$RETRY_NOISY)"
  done
  if [[ -n "$best" ]]; then
    for k in "${!R[@]}"; do
      if [[ "$k" == "$t,"* ]]; then unset "R[$k]"; fi
    done
    for k in "${!KEEP[@]}"; do
      if [[ "$k" == "$t,"* ]]; then R[$k]="${KEEP[$k]}"; fi
    done
    for f in "$WORK/kept-$t".*; do
      if [[ -e "$f" ]]; then mv -f "$f" "$WORK/${f#"$WORK/kept-"}"; fi
    done
  fi
  R[$t,attempts]=$(( attempt + 1 ))
done

# ---------------------------------------------------------------- report
num() { [[ -n "${R[$1,$2]:-}" ]] && echo "${R[$1,$2]}" || echo "-"; }
ratio() { # $1 / $2 throughput
  local a="${R[$1,rps]:-}" b="${R[$2,rps]:-}"
  if [[ -n "$a" && -n "$b" && "$b" != 0 && "${R[$1,status]}" == ok && "${R[$2,status]}" == ok ]]; then
    awk -v a="$a" -v b="$b" 'BEGIN{printf "%.2f", a/b}'
  fi
}
verdict() { # $1 value, $2 op, $3 goal
  [[ -n "$1" ]] || { echo "n/a"; return; }
  awk -v v="$1" -v g="$3" -v op="$2" 'BEGIN{ok = (op==">=") ? (v>=g) : (v<g); print ok ? "PASS" : "SHORT"}'
}

declare -A LABEL=(
  [runtime]="runtime (readable JSON)"
  [runtime-v2]="runtime (OIP v2)"
  [router]="router → runtime (router alone on the server CPU)"
  [fastapi]="FastAPI + scikit-learn"
  [mlserver]="MLServer + mlserver-sklearn"
  [echo]="Vert.x echo (ceiling)"
)

TABLE="$WORK/table.md"
{
  echo "| target | endpoint | max req/s | p50 @max (ms) | p99 @max (ms) | half rate (req/s) | p50 @half (ms) | p99 @half (ms) | p99.9 @half (ms) | server CPU @max | other CPU | status |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for t in runtime runtime-v2 router fastapi mlserver echo; do
    wants "$t" || continue
    status="${R[$t,status]:-not run}"
    notes=()
    [[ "$status" != ok ]] && notes+=("$status")
    [[ -n "${R[$t,max_non2xx]:-}" ]] && notes+=("${R[$t,max_non2xx]} non-2xx at max")
    [[ -n "${R[$t,max_sockerr]:-}" && "${R[$t,max_sockerr]:-0}" != 0 ]] && notes+=("${R[$t,max_sockerr]} socket errors at max")
    [[ -n "${R[$t,half_bad]:-}" && "${R[$t,half_bad]}" != 0 ]] && notes+=("${R[$t,half_bad]} failed at half")
    [[ -n "${R[$t,other_cpu]:-}" && "${R[$t,other_cpu]}" -gt $NOISY_PCT ]] && notes+=("noisy: other processes used CPU")
    [[ -n "${R[$t,srv_cpu]:-}" && "${R[$t,srv_cpu]}" -lt 85 ]] && notes+=("server got only ${R[$t,srv_cpu]}% CPU at max")
    [[ "${R[$t,attempts]:-1}" -gt 1 ]] && notes+=("measured ${R[$t,attempts]} times, least disturbed kept")
    [[ -n "${R[$t,wrk_cpu]:-}" && "${R[$t,wrk_cpu]}" -ge 95 && "${R[$t,srv_cpu]:-100}" -lt 90 ]] && notes+=("wrk-bound: wrk saturated its CPU")
    (( ${#notes[@]} )) || notes=(ok)
    printf '| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
      "${LABEL[$t]}" "$(num "$t" endpoint)" "$(num "$t" rps)" "$(num "$t" max_p50)" "$(num "$t" max_p99)" \
      "$(num "$t" half_rate)" "$(num "$t" half_p50)" "$(num "$t" half_p99)" "$(num "$t" half_p999)" \
      "$( [[ -n "${R[$t,srv_cpu]:-}" ]] && echo "${R[$t,srv_cpu]}%" || echo -)" \
      "$( [[ -n "${R[$t,other_cpu]:-}" ]] && echo "${R[$t,other_cpu]}%" || echo -)" \
      "$(IFS=';'; echo "${notes[*]}" | sed 's/;/; /g')"
  done
} >"$TABLE"

judged() { # $1 value, $2 op, $3 goal, $4... targets involved
  local v="$1" op="$2" goal="$3" t bad=()
  shift 3
  if [[ -z "$v" ]]; then echo "n/a"; return; fi
  for t in "$@"; do if unreliable "$t"; then bad+=("$t"); fi; done
  if (( ${#bad[@]} )); then
    echo "$(verdict "$v" "$op" "$goal") (unreliable: ${bad[*]} disturbed, re-run on a quiet machine)"
  else
    verdict "$v" "$op" "$goal"
  fi
}

GOALS="$WORK/goals.md"
{
  r_fa="$(ratio runtime fastapi)"; r_ml="$(ratio runtime mlserver)"; r_ec="$(ratio runtime echo)"
  r_v2ml="$(ratio runtime-v2 mlserver)"
  p99h=""; [[ "${R[runtime,status]:-}" == ok ]] && p99h="${R[runtime,half_p99]:-}"
  shown() { [[ -n "$1" ]] && echo "$1$2" || echo "n/a"; }
  echo "| goal | measured | verdict |"
  echo "|---|---:|---|"
  echo "| runtime ≥ 10× FastAPI throughput | $(shown "$r_fa" ×) | $(judged "$r_fa" '>=' 10 runtime fastapi) |"
  echo "| runtime ≥ 10× MLServer throughput | $(shown "$r_ml" ×) | $(judged "$r_ml" '>=' 10 runtime mlserver) |"
  echo "| runtime ≥ 0.5× echo throughput | $(shown "$r_ec" ×) | $(judged "$r_ec" '>=' 0.5 runtime echo) |"
  echo "| runtime p99 < 2 ms at half of its max throughput | $(shown "$p99h" " ms") | $(judged "$p99h" '<' 2 runtime) |"
  if wants router; then
    add50=""
    if [[ "${R[router,status]:-}" == ok && "${R[runtime,status]:-}" == ok ]]; then
      add50="$(awk -v a="${R[router,half_p50]}" -v b="${R[runtime,half_p50]}" 'BEGIN{printf "%.3f", a-b}')"
    fi
    # The router in a cluster is a pod of its own: its throughput on one core, from the CPU it
    # used per request in this run, against the runtime's on one core.
    r_core=""
    if [[ -n "${R[router,per_core]:-}" && "${R[runtime,status]:-}" == ok && "${R[router,status]:-}" == ok ]]; then
      r_core="$(awk -v a="${R[router,per_core]}" -v b="${R[runtime,rps]}" 'BEGIN{printf "%.2f", a/b}')"
    fi
    echo "| router ≥ 0.7× the runtime's own throughput, each on a core of its own (router: requests per CPU-second it used, ${R[router,us_per_req]:-?} µs a request) | $(shown "$r_core" ×) | $(judged "$r_core" '>=' 0.7 router runtime) |"
    echo "| router adds < 0.3 ms to p50 at half load | $(shown "$add50" " ms") | $(judged "$add50" '<' 0.3 router runtime) |"
  fi
  if [[ -n "$r_v2ml" ]]; then
    echo "| (info) runtime OIP v2 vs MLServer, same protocol | ${r_v2ml}× | $(judged "$r_v2ml" '>=' 10 runtime-v2 mlserver) |"
  fi
} >"$GOALS"

echo
echo "Modelship runtime benchmark, $RUN_DATE ($NPROC CPUs; $PINNING)"
echo
cat "$TABLE"
echo
cat "$GOALS"
echo
echo "Raw outputs and server logs: ${WORK#"$ROOT/"}"

# ---------------------------------------------------------------- Markdown report
if [[ -n "$OUT" ]]; then
  cpu_model="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
  ram="$(awk '/^MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  jdk="$( (java -version 2>&1 || true) | head -1)"
  kernel="$(uname -sr)"
  wrk_v="$( (wrk -v 2>&1 || true) | head -1 | awk '{print $1, $2}')"
  quarkus_v="$(sed -n 's:.*<quarkus.version>\(.*\)</quarkus.version>.*:\1:p' pom.xml | head -1)"
  ort_v="$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' pom.xml | head -1)"
  commit="$(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
  [[ -n "$(git status --porcelain 2>/dev/null | head -1)" ]] && commit="$commit (with uncommitted changes)"
  py_line="not used in this run"
  pkgs="not used in this run"
  if [[ -x "$VENV/bin/python" ]] && { wants fastapi || wants mlserver; }; then
    py_line="$("$VENV/bin/python" --version 2>&1)"
    pkgs="$("$VENV/bin/python" -m pip list --format=freeze --disable-pip-version-check 2>/dev/null \
      | grep -iE '^(fastapi|uvicorn|uvloop|httptools|pydantic|starlette|mlserver|mlserver-sklearn|scikit-learn|numpy|scipy|joblib)==' \
      | tr '\n' ' ' | sed 's/ $//; s/ /, /g')"
  fi
  mkdir -p "$(dirname "$OUT")"
  tmp="$OUT.tmp.$$"
  # The report is one block of $OUT between two marks; the rest of the file (the other benchmarks'
  # sections) is kept as it is. A file without the marks gets the title and the block.
  begin_mark='<!-- bench/runtime.sh writes from here to its end mark; the sections after it are kept -->'
  end_mark='<!-- end of bench/runtime.sh -->'
  {
    echo "$begin_mark"
    echo "## Latest run"
    echo
    echo "- Date: $RUN_DATE"
    echo "- Command: \`$COMMAND_LINE\` (from the repository root)"
    echo "- Commit: $commit"
    echo "- Machine: $NPROC CPUs ($cpu_model), $ram RAM, $kernel"
    echo "- Placement: $PINNING; JVM servers also run with \`-XX:ActiveProcessorCount=1\`"
    echo "- JDK: $jdk"
    echo "- Python: $py_line"
    echo "- Python packages: $pkgs"
    echo "- Runtime: Quarkus $quarkus_v, ONNX Runtime $ort_v; echo: Vert.x 4.5.27; load: $wrk_v and bench/loadgen (Netty 4.1.133, ${R[runtime,half_transport]:-${R[echo,half_transport]:-${R[fastapi,half_transport]:-epoll}}} transport)"
    echo "- Phases per target: ${WARMUP}s wrk warm-up (discarded), ${DURATION}s \`wrk -t1 -c$CONNECTIONS --latency\` (max throughput), then ${DURATION}s at a constant rate of half that throughput over $CONNECTIONS connections (after ${RATE_WARMUP}s unrecorded)"
    echo
    cat "$TABLE"
    echo
    echo "### Goals"
    echo
    cat "$GOALS"
    echo
    echo "### Constant-rate load, raw"
    echo
    echo "\`timer_late_p99_ms\`: the load generator's own delay; \`queued_pct\`: share of requests that"
    echo "found all $CONNECTIONS connections busy because the server was behind."
    echo
    echo '```'
    for t in runtime runtime-v2 router fastapi mlserver echo; do
      wants "$t" || continue
      [[ -f "$WORK/$t.half.txt" ]] && printf '%-10s %s\n' "$t" "$(tail -1 "$WORK/$t.half.txt")"
    done
    echo '```'
    echo
    gc_lines=()
    for t in runtime runtime-v2 echo; do
      wants "$t" || continue
      [[ -f "$WORK/$t.gc.log" ]] || continue
      gc_lines+=("$(awk -v t="$t" '/Pause/ { n++; v = $NF; sub(/ms$/, "", v); v += 0; s += v; if (v > m) m = v }
        END { if (n) printf "- %s: %d pause(s) over its whole run (start-up and warm-up included), total %.1f ms, longest %.1f ms\n", t, n, s, m }' "$WORK/$t.gc.log")")
    done
    if (( ${#gc_lines[@]} )); then
      echo "JVM garbage collection in the servers (\`-Xlog:gc\` to a file, default collector for one CPU):"
      echo
      printf '%s\n' "${gc_lines[@]}"
      echo
    fi
    echo "## How to read it"
    echo
    echo "- **max req/s**: \`wrk -t1 -c$CONNECTIONS\`, closed loop: each of the $CONNECTIONS keep-alive"
    echo "  connections sends its next request as soon as the answer arrives. p50/p99 @max are wrk's"
    echo "  \`--latency\` percentiles at that load; they are mostly queueing (about $CONNECTIONS / throughput)."
    echo "- **@half**: open loop at half of that target's own max throughput: request *i* is due at"
    echo "  *t0 + i/rate* whether or not earlier answers came back, and latency counts from when it was"
    echo "  due, so stalls are not hidden (the coordinated-omission correction of wrk2, which Debian does"
    echo "  not package; \`bench/loadgen\` does it)."
    echo "- **server CPU @max**: CPU used by the server's processes during the max phase, in % of one"
    echo "  CPU; about 100% means the server's single CPU was the limit. **other CPU**: CPU used during"
    echo "  the measured phases by processes that are neither the server nor the load generator;"
    echo "  above 10% the row is marked noisy and should be re-run on a quiet machine. A disturbed"
    echo "  target is measured again (up to \`--retry-noisy\` times) and the least disturbed attempt kept."
    echo "- The Python servers are run as their tutorials and docs run them: FastAPI with one"
    echo "  \`uvicorn app:app\` worker (uvloop and httptools installed, access log on as by default);"
    echo "  MLServer with its default settings (one inference worker process, access log and"
    echo "  Prometheus metrics on), bound to 127.0.0.1. MLServer is asked for its default output,"
    echo "  \`predict\` (the label only; asking for \`predict_proba\` as well makes it run the model twice)."
    echo "- The same model: \`examples/models/iris.onnx\` for the runtime, \`examples/models/iris.joblib\`"
    echo "  (the same fitted StandardScaler + LogisticRegression) for the Python servers."
    echo
    echo "Goals: ≥ 10× FastAPI and ≥ 10× MLServer throughput, ≥ 0.5× the echo ceiling, p99 < 2 ms at"
    echo "half of the runtime's max throughput. SHORT means the goal was not met in this run;"
    echo "\"unreliable\" means other processes disturbed a target it depends on, and the verdict"
    echo "needs a re-run on a quiet machine."
    echo "$end_mark"
  } >"$tmp.block"
  if [[ -f "$OUT" ]] && grep -qxF "$begin_mark" "$OUT" && grep -qxF "$end_mark" "$OUT"; then
    awk -v b="$begin_mark" -v e="$end_mark" -v block="$tmp.block" '
      $0 == b { while ((getline line < block) > 0) print line; skip = 1; next }
      $0 == e { skip = 0; next }
      !skip' "$OUT" >"$tmp"
  else
    {
      echo "# Benchmarks"
      echo
      echo "Throughput and latency of the model runtime against common Python serving stacks and"
      echo "a bare HTTP ceiling, all serving the same Iris classifier on one machine. The block"
      echo "below is written by \`bench/runtime.sh\`; see \`bench/README.md\` for how it measures."
      echo
      cat "$tmp.block"
    } >"$tmp"
  fi
  rm -f "$tmp.block"
  mv "$tmp" "$OUT"
  log "wrote $OUT"
fi

exit "$FAILED"
