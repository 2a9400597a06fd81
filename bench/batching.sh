#!/usr/bin/env bash
# Dynamic batching, measured: the runtime with batching off and on, serving the same model, at
# several numbers of concurrent connections, in one run on this machine, over loopback only.
# For each model it prints max throughput (closed loop, wrk) and latency percentiles per
# connection count, the mean rows per model call, and the ratios on/off; then the latency of each
# configuration at the same constant rate (open loop, bench/loadgen). See bench/README.md.
#
#   bench/batching.sh [--duration S] [--warmup S] [--rounds N] [--models LIST] [--configs LIST]
#                     [--connections LIST] [--rebuild]
#
# Models: digits (examples/models/digits.onnx, an MLP, POST /models/digits/predict) and iris
# (a logistic regression, POST /models/iris/predict). Configurations: "off", or ROWS:MS for
# --max-batch-size ROWS --max-batch-delay-ms MS. All servers of one model run side by side, each
# pinned to the server CPU, and are measured in turn at each connection count, so that a change in
# background load hits every configuration alike; with --rounds N all of it is done N times and the
# median of each figure reported.
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
ROOT="$(dirname "$(dirname "$SELF")")"
BENCH="$ROOT/bench"
cd "$ROOT"

DURATION=10
WARMUP=10
RATE_WARMUP=3
ROUNDS=1
MODELS="digits,iris"
CONFIGS="off,32:0,32:1"
CONNS="1,8,32,128"
REBUILD=0
COMMAND_LINE="bench/batching.sh${*:+ $*}"

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SELF"
  cat <<'EOF'

Options:
  --duration S        seconds of each measured phase; default 10
  --warmup S          seconds of discarded load per server before measuring; default 10
  --rounds N          measure every cell N times, interleaved, and report medians; default 1
  --models LIST       digits, iris or both; default digits,iris
  --configs LIST      off and ROWS:MS entries; default off,32:0,32:1 (the first is the baseline)
  --connections LIST  wrk connection counts; default 1,8,32,128
  --rebuild           rebuild the runtime and load-generator jars even if present
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --models) MODELS="$2"; shift 2 ;;
    --configs) CONFIGS="$2"; shift 2 ;;
    --connections) CONNS="$2"; shift 2 ;;
    --rebuild) REBUILD=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "batching.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

for n in "$DURATION" "$WARMUP" "$ROUNDS"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "batching.sh: not a whole number: $n" >&2; exit 2; }
done
(( DURATION >= 1 && DURATION <= 120 && WARMUP <= 120 && ROUNDS >= 1 && ROUNDS <= 10 )) \
  || { echo "batching.sh: --duration must be 1-120 seconds, --warmup 0-120, --rounds 1-10" >&2; exit 2; }
IFS=',' read -r -a MODEL_LIST <<<"$MODELS"
IFS=',' read -r -a CONFIG_LIST <<<"$CONFIGS"
IFS=',' read -r -a CONN_LIST <<<"$CONNS"
for m in "${MODEL_LIST[@]}"; do
  [[ "$m" == digits || "$m" == iris ]] || { echo "batching.sh: unknown model '$m' (digits, iris)" >&2; exit 2; }
done
for c in "${CONFIG_LIST[@]}"; do
  [[ "$c" == off || "$c" =~ ^[0-9]+:[0-9]+$ ]] || { echo "batching.sh: bad configuration '$c' (off or ROWS:MS)" >&2; exit 2; }
done
for c in "${CONN_LIST[@]}"; do
  [[ "$c" =~ ^[0-9]+$ ]] && (( c >= 1 && c <= 1024 )) || { echo "batching.sh: bad connection count '$c' (1-1024)" >&2; exit 2; }
done

log() { printf '[batching %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[batching] ERROR: %s\n' "$*" >&2; exit 1; }

RUNTIME_JAR="$ROOT/model-runtime/target/quarkus-app/quarkus-run.jar"
LOAD_JAR="$BENCH/loadgen/target/rate-load.jar"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
WORK="$BENCH/.work/batching-$STAMP"
mkdir -p "$WORK"

# ---------------------------------------------------------------- processes and clean-up
SERVERS=()   # process-group ids of the running servers
LOAD_PID=""

stop_servers() {
  local pid
  for pid in "${SERVERS[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${SERVERS[@]}"; do
    for _ in $(seq 1 100); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SERVERS=()
}

cleanup() {
  local rc=$?
  if [[ -n "$LOAD_PID" ]]; then kill -TERM "$LOAD_PID" 2>/dev/null || true; wait "$LOAD_PID" 2>/dev/null || true; fi
  stop_servers
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- placement and tools
if (( $(nproc) >= 2 )); then
  ON_SERVER_CPU=(taskset -c 1)
  ON_LOAD_CPU=(taskset -c 0)
  PINNING="servers pinned to CPU 1, load generators to CPU 0 (taskset)"
else
  ON_SERVER_CPU=()
  ON_LOAD_CPU=()
  PINNING="not pinned: 1 CPU, servers and load generators share it"
fi
# One processor per server JVM: one event loop, and batches run on a worker thread that shares
# the same CPU, as in a pod with a CPU limit of 1.
JVM_SERVER_OPTS=(-XX:ActiveProcessorCount=1)
LOAD_JVM_OPTS=(-XX:ActiveProcessorCount=1 -Xms1g -Xmx1g -Xmn768m)
CLK_TCK="$(getconf CLK_TCK)"

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v taskset >/dev/null || missing+=(util-linux)
if (( ${#missing[@]} )); then
  log "installing ${missing[*]} with apt-get"
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } \
    || die "could not install ${missing[*]}"
fi
if (( REBUILD )) || [[ ! -f "$RUNTIME_JAR" ]]; then
  log "building the runtime (./mvnw -q -B package -DskipTests -pl model-runtime)"
  ./mvnw -q -B package -DskipTests -pl model-runtime >"$WORK/build-runtime.log" 2>&1 \
    || { tail -40 "$WORK/build-runtime.log" >&2; die "runtime build failed"; }
fi
if (( REBUILD )) || [[ ! -f "$LOAD_JAR" ]] \
    || [[ -n "$(find "$BENCH/loadgen/pom.xml" "$BENCH/loadgen/src" -newer "$LOAD_JAR" -print -quit 2>/dev/null)" ]]; then
  log "building rate-load.jar"
  ./mvnw -q -B -f bench/loadgen/pom.xml package >"$WORK/build-loadgen.log" 2>&1 \
    || { tail -40 "$WORK/build-loadgen.log" >&2; die "load generator build failed"; }
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

cpu_total_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }

group_cpu() { # jiffies used so far by the live processes of process group $1
  local pg="$1" sum=0 f rest fields
  for f in /proc/[0-9]*/stat; do
    rest="$(cat "$f" 2>/dev/null)" || continue
    rest="${rest##*) }"
    read -r -a fields <<<"$rest"
    [[ "${fields[2]:-}" == "$pg" ]] || continue
    sum=$(( sum + fields[11] + fields[12] ))
  done
  echo "$sum"
}

children_cpu() { # jiffies of the reaped children of this script (wrk, the rate tool)
  local st
  st="$(cat "/proc/$$/stat")"
  st="${st##*) }"
  awk '{print $14 + $15}' <<<"$st"
}

to_ms() { # wrk latency like 369.00us, 1.79ms, 1.02s -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}

# Sum and count of the batch-size histogram: rows sent to the model and model calls so far.
batch_meter() { # $1 = port -> "rows calls"
  curl -s --max-time 5 "http://127.0.0.1:$1/q/metrics" \
    | awk '/^modelship_batch_size_rows_sum/ { s = $NF } /^modelship_batch_size_rows_count/ { c = $NF }
           END { printf "%d %d\n", s, c }'
}

median() { # of the numeric arguments ("-" and empty ones ignored), or "-"
  printf '%s\n' "$@" | { grep -E '^[0-9.]+$' || true; } | sort -g \
    | awk '{ v[++n] = $1 + 0 }
           END { if (!n) { print "-"; exit } m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
                 printf "%.6g\n", m }'
}

# ---------------------------------------------------------------- one model
declare -A R   # R[model,config,conns,key]; R[model,config,port]; R[model,config,pg]

start_server() { # $1 = model, $2 = config; sets R[..,port] and R[..,pg]
  local model="$1" config="$2" port args=()
  port="$(free_port)"
  if [[ "$config" != off ]]; then
    args=(--max-batch-size "${config%%:*}" --max-batch-delay-ms "${config##*:}")
  fi
  local logf="$WORK/$model-${config/:/x}.server.log"
  local cmd=(java "${JVM_SERVER_OPTS[@]}" -Dquarkus.http.host=127.0.0.1 -jar "$RUNTIME_JAR"
             --model "examples/models/$model.onnx" --port "$port" "${args[@]}")
  echo "${cmd[*]}" >"${logf%.server.log}.command"
  ( exec setsid "${ON_SERVER_CPU[@]}" "${cmd[@]}" ) >"$logf" 2>&1 </dev/null &
  SERVERS+=("$!")
  R[$model,$config,port]="$port"
  R[$model,$config,pg]="$!"
}

wait_ready() { # $1 = port, $2 = server log
  local deadline=$(( SECONDS + 120 ))
  while (( SECONDS < deadline )); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/v2/health/ready" || true)" == 200 ]] && return 0
    sleep 0.25
  done
  tail -20 "$2" >&2
  return 1
}

wrk_run() { # $1 = seconds, $2 = connections, $3 = url, $4 = body, $5 = output
  "${ON_LOAD_CPU[@]}" wrk -t1 -c"$2" -d"$1"s --latency -s "$BENCH/post.lua" "$3" -- "$4" >"$5" 2>&1 &
  LOAD_PID=$!
  wait "$LOAD_PID" || { LOAD_PID=""; cat "$5" >&2; return 1; }
  LOAD_PID=""
}

measure_model() {
  local model="$1" body="$BENCH/bodies/$1.json" path="/models/$1/predict" expect config c
  [[ "$model" == digits ]] && expect='"label":"0"' || expect='"label":"setosa"'
  [[ -f "examples/models/$model.onnx" ]] || die "examples/models/$model.onnx is missing (examples/models/setup.sh makes it)"
  for config in "${CONFIG_LIST[@]}"; do start_server "$model" "$config"; done
  for config in "${CONFIG_LIST[@]}"; do
    local port="${R[$model,$config,port]}" answer
    wait_ready "$port" "$WORK/$model-${config/:/x}.server.log" || die "$model/$config did not become ready"
    answer="$(curl -s --max-time 10 -H 'Content-Type: application/json' --data-binary @"$body" "http://127.0.0.1:$port$path")"
    grep -qF -- "$expect" <<<"$answer" || die "$model/$config: wrong answer: $answer"
    if (( WARMUP > 0 )); then
      log "$model/$config: warm-up ${WARMUP}s at 32 connections"
      wrk_run "$WARMUP" 32 "http://127.0.0.1:$port$path" "$body" "$WORK/$model-${config/:/x}.warmup.txt"
    fi
  done

  local round
  for round in $(seq 1 "$ROUNDS"); do
  for c in "${CONN_LIST[@]}"; do
    for config in "${CONFIG_LIST[@]}"; do
      local port="${R[$model,$config,port]}" pg="${R[$model,$config,pg]}"
      local f="$WORK/$model-${config/:/x}-c$c-r$round.txt" b0 b1 s0 s1 k0 k1 t0 t1 m0 m1 secs
      m0="$(batch_meter "$port")"
      b0="$(cpu_total_busy)"; s0="$(group_cpu "$pg")"; k0="$(children_cpu)"; t0="$(date +%s.%N)"
      wrk_run "$DURATION" "$c" "http://127.0.0.1:$port$path" "$body" "$f" || die "wrk failed on $model/$config"
      b1="$(cpu_total_busy)"; s1="$(group_cpu "$pg")"; k1="$(children_cpu)"; t1="$(date +%s.%N)"
      m1="$(batch_meter "$port")"
      secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')"
      R[$model,$config,$c,rps]="$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$f")"
      R[$model,$config,$c,p50]="$(to_ms "$(awk '$1=="50%"{print $2}' "$f")")"
      R[$model,$config,$c,p99]="$(to_ms "$(awk '$1=="99%"{print $2}' "$f")")"
      R[$model,$config,$c,bad]="$(awk '/Non-2xx/{print $NF}' "$f")"
      R[$model,$config,$c,srv]="$(awk -v j=$((s1 - s0)) -v hz="$CLK_TCK" -v s="$secs" 'BEGIN{printf "%.0f", 100*j/hz/s}')"
      # Server CPU per request: what a request costs whatever share of its CPU the server got,
      # so it stays comparable when other processes take some of that CPU.
      R[$model,$config,$c,cpu]="$(awk -v j=$((s1 - s0)) -v hz="$CLK_TCK" '/ requests in / { n = $1 }
                                  END { if (n > 0) printf "%.1f", 1e6*j/hz/n; else print "-" }' "$f")"
      R[$model,$config,$c,other]="$(awk -v j=$(( (b1 - b0) - (s1 - s0) - (k1 - k0) )) -v hz="$CLK_TCK" -v s="$secs" \
                                    'BEGIN{o=100*j/hz/s; if (o<0) o=0; printf "%.0f", o}')"
      R[$model,$config,$c,rows]="$(awk -v a="$m0" -v b="$m1" 'BEGIN{ split(a, x, " "); split(b, y, " ");
                                    if (y[2] > x[2]) printf "%.1f", (y[1]-x[1])/(y[2]-x[2]); else print "-" }')"
      log "$model/$config c=$c (round $round/$ROUNDS): ${R[$model,$config,$c,rps]} req/s, p50 ${R[$model,$config,$c,p50]} ms, p99 ${R[$model,$config,$c,p99]} ms, rows/call ${R[$model,$config,$c,rows]}, ${R[$model,$config,$c,cpu]} µs CPU/request, server CPU ${R[$model,$config,$c,srv]}%, other ${R[$model,$config,$c,other]}%"
      local key
      for key in rps p50 p99 srv other rows cpu bad; do
        R[$model,$config,$c,$key,all]="${R[$model,$config,$c,$key,all]:-} ${R[$model,$config,$c,$key]:-}"
      done
    done
  done
  done
  # The median over the rounds of each figure (errors: the sum).
  for c in "${CONN_LIST[@]}"; do
    for config in "${CONFIG_LIST[@]}"; do
      for key in rps p50 p99 srv other rows cpu; do
        R[$model,$config,$c,$key]="$(median ${R[$model,$config,$c,$key,all]})"
      done
      R[$model,$config,$c,bad]="$(awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; if (s > 0) print s }' <<<"${R[$model,$config,$c,bad,all]}")"
    done
  done

  # The same constant rate for every configuration: half of what the baseline did at the
  # largest connection count measured, over 32 connections (open loop).
  local base="${CONFIG_LIST[0]}" last="${CONN_LIST[${#CONN_LIST[@]}-1]}"
  local rate=$(( ${R[$model,$base,$last,rps]:-2} / 2 ))
  (( rate >= 1 )) || rate=1
  R[$model,rate]="$rate"
  for config in "${CONFIG_LIST[@]}"; do
    local port="${R[$model,$config,port]}" rf="$WORK/$model-${config/:/x}.rate.txt"
    log "$model/$config: constant $rate req/s for ${DURATION}s (+${RATE_WARMUP}s unrecorded)"
    "${ON_LOAD_CPU[@]}" java "${LOAD_JVM_OPTS[@]}" -jar "$LOAD_JAR" --url "http://127.0.0.1:$port$path" --body "$body" \
      --rate "$rate" --duration "$DURATION" --warmup "$RATE_WARMUP" --connections 32 >"$rf" 2>&1 &
    LOAD_PID=$!
    wait "$LOAD_PID" || { LOAD_PID=""; cat "$rf" >&2; die "rate load failed on $model/$config"; }
    LOAD_PID=""
    kv() { local v; v="$(sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" "$rf" | tail -1)"; echo "${v:-0}"; }
    R[$model,$config,rate,p50]="$(kv p50_ms)"
    R[$model,$config,rate,p99]="$(kv p99_ms)"
    R[$model,$config,rate,p999]="$(kv p999_ms)"
    R[$model,$config,rate,bad]="$(( $(kv errors) + $(kv non2xx) + $(kv timeouts) ))"
    log "$model/$config at $rate req/s: p50 ${R[$model,$config,rate,p50]} ms, p99 ${R[$model,$config,rate,p99]} ms, failed ${R[$model,$config,rate,bad]}"
  done
  stop_servers
}

# ---------------------------------------------------------------- run
RUN_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')"
log "results and logs: $WORK"
log "placement: $PINNING"
for m in "${MODEL_LIST[@]}"; do measure_model "$m"; done

# ---------------------------------------------------------------- report
label() { [[ "$1" == off ]] && echo "off" || echo "${1%%:*} rows, ${1##*:} ms"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a != "" && b > 0) printf "%.2f×", a/b; else print "-" }'; }

REPORT="$WORK/report.md"
{
  echo "Dynamic batching, $RUN_DATE ($(nproc) CPUs; $PINNING; server JVMs with -XX:ActiveProcessorCount=1)"
  echo
  echo "Command: \`$COMMAND_LINE\`; ${WARMUP}s warm-up per server, ${DURATION}s per measurement, \`wrk -t1 -cN --latency\`; $ROUNDS round(s), medians shown."
  base="${CONFIG_LIST[0]}"
  for m in "${MODEL_LIST[@]}"; do
    echo
    echo "**$m** (\`POST /models/$m/predict\`, \`bench/bodies/$m.json\`): closed loop, N connections"
    echo
    header="| N | config | req/s | p50 (ms) | p99 (ms) | rows per model call | server CPU µs per request | server CPU | other CPU | req/s vs $(label "$base") | p99 vs $(label "$base") | CPU per request vs $(label "$base") |"
    echo "$header"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for c in "${CONN_LIST[@]}"; do
      for config in "${CONFIG_LIST[@]}"; do
        note=""
        [[ -n "${R[$m,$config,$c,bad]:-}" ]] && note=" (${R[$m,$config,$c,bad]} non-2xx)"
        printf '| %s | %s | %s%s | %s | %s | %s | %s | %s%% | %s%% | %s | %s | %s |\n' \
          "$c" "$(label "$config")" "${R[$m,$config,$c,rps]}" "$note" "${R[$m,$config,$c,p50]}" "${R[$m,$config,$c,p99]}" \
          "${R[$m,$config,$c,rows]}" "${R[$m,$config,$c,cpu]}" "${R[$m,$config,$c,srv]}" "${R[$m,$config,$c,other]}" \
          "$( [[ "$config" == "$base" ]] && echo "" || ratio "${R[$m,$config,$c,rps]}" "${R[$m,$base,$c,rps]}")" \
          "$( [[ "$config" == "$base" ]] && echo "" || ratio "${R[$m,$config,$c,p99]}" "${R[$m,$base,$c,p99]}")" \
          "$( [[ "$config" == "$base" ]] && echo "" || ratio "${R[$m,$config,$c,cpu]}" "${R[$m,$base,$c,cpu]}")"
      done
    done
    echo
    echo "**$m** at a constant ${R[$m,rate]} req/s (half of $(label "$base") at ${CONN_LIST[${#CONN_LIST[@]}-1]} connections), open loop, 32 connections:"
    echo
    echo "| config | p50 (ms) | p99 (ms) | p99.9 (ms) | failed |"
    echo "|---|---:|---:|---:|---:|"
    for config in "${CONFIG_LIST[@]}"; do
      printf '| %s | %s | %s | %s | %s |\n' "$(label "$config")" "${R[$m,$config,rate,p50]}" \
        "${R[$m,$config,rate,p99]}" "${R[$m,$config,rate,p999]}" "${R[$m,$config,rate,bad]}"
    done
  done
  echo
  echo "Server CPU µs per request: the CPU time (user and system) of the server's processes divided by"
  echo "the requests answered; unlike req/s it does not depend on the share of its CPU the server got."
  echo "Other CPU: CPU used during the measurement by processes that are neither the server group nor"
  echo "the load generator, in % of one CPU; above 10% the figures are disturbed. With several rounds,"
  echo "every figure is the median over the rounds, and the ratios compare those medians."
} >"$REPORT"

echo
cat "$REPORT"
echo
echo "Raw outputs and server logs: ${WORK#"$ROOT/"}"
