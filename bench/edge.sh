#!/usr/bin/env bash
# The model runtime on a device: how long from process start to the first answered prediction,
# and how much memory it holds, for the single-file jar with default and small-footprint JVM
# settings (with and without an AppCDS archive), the fast-jar, and Python servers of the same
# Iris model as the baseline, measured in the same run, on this machine, over loopback only.
# See docs/edge.md.
#
#   bench/edge.sh [--runs N] [--requests N] [--only LIST] [--out FILE | --no-doc]
#
# Targets (--only takes a comma-separated subset):
#   fast-jar        java -jar model-runtime/target/quarkus-app/quarkus-run.jar (JVM defaults)
#   uber-jar        java -jar model-runtime/target/model-runtime-*-runner.jar (JVM defaults)
#   uber-edge       the uber-jar with scripts/edge-run.sh's JVM options (serial GC, 64 MB heap,
#                   C1 only, ...), no AppCDS archive
#   uber-edge-cds   the same with an AppCDS archive made by one training run before the rounds
#                   (-XX:ArchiveClassesAtExit, then -XX:SharedArchiveFile), as edge-run.sh does
#   fastapi-onnx    FastAPI + onnxruntime (bench/peers/fastapi_onnx), the same iris.onnx
#   fastapi-sklearn FastAPI + scikit-learn (bench/peers/fastapi_iris), iris.joblib
#
# Each round starts every target once, in turn (so a change in the machine's load hits all of
# them alike), and for each: the time from launch to the first HTTP 200 with label setosa on
# POST /models/iris/predict (polled every 20 ms), then to its readiness endpoint's 200; resident
# memory (VmRSS) right after the first prediction; then N more predictions over one keep-alive
# connection (curl), and VmRSS and peak VmRSS (VmHWM) after them. Medians over the rounds.
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
ROOT="$(dirname "$(dirname "$SELF")")"
BENCH="$ROOT/bench"
cd "$ROOT"

ALL_TARGETS="fast-jar,uber-jar,uber-edge,uber-edge-cds,fastapi-onnx,fastapi-sklearn"
RUNS=5
REQUESTS=1000
ONLY="$ALL_TARGETS"
OUT="docs/benchmarks.md"
START_TIMEOUT=120
COMMAND_LINE="${EDGE_EXTRA_JAVA_OPTS:+EDGE_EXTRA_JAVA_OPTS=\"$EDGE_EXTRA_JAVA_OPTS\" }${EDGE_EXTRA_ARGS:+EDGE_EXTRA_ARGS=\"$EDGE_EXTRA_ARGS\" }bench/edge.sh${*:+ $*}"

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SELF"
  cat <<'EOF'

Options:
  --runs N       rounds (each target started N times); default 5
  --requests N   predictions after the first, over one keep-alive connection; default 1000
  --only LIST    targets to run; default all
  --out FILE     append the Markdown section to FILE; default docs/benchmarks.md
  --no-doc       print only
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --requests) REQUESTS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --no-doc) OUT=""; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "edge.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$RUNS" "$REQUESTS"; do
  [[ "$n" =~ ^[0-9]+$ ]] && (( n >= 1 )) || { echo "edge.sh: not a whole number >= 1: $n" >&2; exit 2; }
done
(( RUNS <= 50 && REQUESTS <= 100000 )) || { echo "edge.sh: at most 50 runs and 100000 requests" >&2; exit 2; }
IFS=',' read -r -a TARGETS <<<"$ONLY"
for t in "${TARGETS[@]}"; do
  case ",$ALL_TARGETS," in *",$t,"*) ;; *) echo "edge.sh: unknown target '$t' (known: $ALL_TARGETS)" >&2; exit 2 ;; esac
done
wants() { case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

log() { printf '[edge %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[edge] ERROR: %s\n' "$*" >&2; exit 1; }

FAST_JAR="$ROOT/model-runtime/target/quarkus-app/quarkus-run.jar"
MODEL_ONNX="$ROOT/examples/models/iris.onnx"
MODEL_JOBLIB="$ROOT/examples/models/iris.joblib"
VENV="$BENCH/.venv-edge"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
WORK="$BENCH/.work/edge-$STAMP"
mkdir -p "$WORK"
read -r -a EDGE_OPTS <<<"$("$ROOT/scripts/edge-run.sh" --print-java-options)"
# To try other settings: EDGE_EXTRA_JAVA_OPTS go after the edge options (uber-edge targets),
# EDGE_EXTRA_ARGS after the runtime's arguments (every runtime target).
read -r -a EXTRA_ARGS <<<"${EDGE_EXTRA_ARGS:-}"
# The uber-edge targets run through scripts/edge-run.sh itself, with a cache of this run's own.
EDGE_CACHE="$WORK/edge-cache"

# ---------------------------------------------------------------- processes and clean-up
SERVER_PID=""
group_alive() { kill -0 -- "-$1" 2>/dev/null; }
stop_server() { # SIGTERM to the group, SIGKILL after 15 s
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
cleanup() { local rc=$?; stop_server; exit "$rc"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One CPU for the server, as on a small device; the client polls from the other.
if (( $(nproc) >= 2 )); then
  ON_SERVER_CPU=(taskset -c 1)
  PINNING="every server pinned to CPU 1 (taskset), the client (curl) on the others"
else
  ON_SERVER_CPU=()
  PINNING="not pinned: this machine has only 1 CPU"
fi

# ---------------------------------------------------------------- prerequisites
command -v curl >/dev/null || die "curl is needed"
command -v java >/dev/null || die "java (17+) is needed"
if wants fast-jar || wants uber-jar || wants uber-edge || wants uber-edge-cds; then
  UBER_JAR="$(ls -t "$ROOT"/model-runtime/target/model-runtime-*-runner.jar 2>/dev/null | grep -v -- '-linux-' | head -1 || true)"
  if [[ ! -f "$FAST_JAR" || -z "$UBER_JAR" ]]; then
    log "building the runtime (fast-jar and uber-jar)"
    ./mvnw -q -B -pl model-runtime package -DskipTests >"$WORK/build.log" 2>&1 \
      || { tail -40 "$WORK/build.log" >&2; die "build failed"; }
    UBER_JAR="$(ls -t "$ROOT"/model-runtime/target/model-runtime-*-runner.jar | grep -v -- '-linux-' | head -1)"
  fi
fi
if wants fastapi-onnx || wants fastapi-sklearn; then
  stamp="$VENV/.requirements.txt"
  if [[ ! -x "$VENV/bin/python" ]] || ! cmp -s "$BENCH/edge-requirements.txt" "$stamp"; then
    log "preparing $VENV from bench/edge-requirements.txt"
    [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$BENCH/edge-requirements.txt" \
      >"$WORK/pip.log" 2>&1 || { tail -30 "$WORK/pip.log" >&2; die "pip install failed"; }
    cp "$BENCH/edge-requirements.txt" "$stamp"
  fi
fi
if wants fastapi-sklearn && [[ ! -f "$MODEL_JOBLIB" ]]; then
  log "making the example models (examples/models/setup.sh) for iris.joblib"
  examples/models/setup.sh >"$WORK/models.log" 2>&1 || { tail -30 "$WORK/models.log" >&2; die "setup.sh failed"; }
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

BODY="$WORK/iris.json"
printf '%s' '{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}' >"$BODY"

start_cmd() { # $1 = target, $2 = port; prints the command, one word per line
  local t="$1" port="$2"
  local rt=(--model "$MODEL_ONNX" --port "$port" --host 127.0.0.1 "${EXTRA_ARGS[@]}")
  local launcher=(EDGE_JAR="$UBER_JAR" EDGE_CACHE_DIR="$EDGE_CACHE" JAVA_OPTS="${EDGE_EXTRA_JAVA_OPTS:-}"
                  bash "$ROOT/scripts/edge-run.sh")
  case "$t" in
    fast-jar) printf '%s\n' java -jar "$FAST_JAR" "${rt[@]}" ;;
    uber-jar) printf '%s\n' java -jar "$UBER_JAR" "${rt[@]}" ;;
    uber-edge) printf '%s\n' env EDGE_CDS=0 "${launcher[@]}" "${rt[@]}" ;;
    uber-edge-cds|uber-edge-train) printf '%s\n' env EDGE_CDS=1 "${launcher[@]}" "${rt[@]}" ;;
    fastapi-onnx) printf '%s\n' env IRIS_MODEL="$MODEL_ONNX" "$VENV/bin/uvicorn" app:app \
      --app-dir "$BENCH/peers/fastapi_onnx" --host 127.0.0.1 --port "$port" ;;
    fastapi-sklearn) printf '%s\n' env IRIS_MODEL="$MODEL_JOBLIB" "$VENV/bin/uvicorn" app:app \
      --app-dir "$BENCH/peers/fastapi_iris" --host 127.0.0.1 --port "$port" ;;
  esac
}

ready_path() { case "$1" in fastapi-*) echo /health ;; *) echo /v2/health/ready ;; esac; }

# One start of one target. Sets M_FIRST M_READY (ms from launch), M_RSS0 M_RSS1 M_HWM (kB),
# M_RPS (sequential predictions per second). Returns 1 with the log's tail when it fails.
measure() { # $1 = target, $2 = run label
  local t="$1" label="$2" port logf cmd t0 code deadline n ok t1 t2
  port="$(free_port)"
  logf="$WORK/$t.$label.log"
  mapfile -t cmd < <(start_cmd "$t" "$port")
  echo "${cmd[*]}" >"$WORK/$t.command"
  t0="$(now_ms)"
  ( exec setsid "${ON_SERVER_CPU[@]}" "${cmd[@]}" ) >"$logf" 2>&1 </dev/null &
  SERVER_PID=$!
  local url="http://127.0.0.1:$port/models/iris/predict"
  deadline=$(( t0 + START_TIMEOUT * 1000 ))
  M_FIRST=""
  while (( $(now_ms) < deadline )); do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$logf" >&2; stop_server; return 1; }
    code="$(curl -s -o "$WORK/answer" -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' \
      --data-binary "@$BODY" "$url" 2>/dev/null || true)"
    if [[ "$code" == 200 ]] && grep -q '"label":"setosa"' "$WORK/answer"; then
      M_FIRST=$(( $(now_ms) - t0 ))
      break
    fi
    sleep 0.02
  done
  [[ -n "$M_FIRST" ]] || { log "$t: no prediction in ${START_TIMEOUT}s"; tail -20 "$logf" >&2; stop_server; return 1; }
  M_RSS0="$(status_kb "$SERVER_PID" VmRSS)"
  M_READY=""
  while (( $(now_ms) < deadline )); do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port$(ready_path "$t")" || true)" == 200 ]]; then
      M_READY=$(( $(now_ms) - t0 ))
      break
    fi
    sleep 0.02
  done
  [[ -n "$M_READY" ]] || { log "$t: not ready in ${START_TIMEOUT}s"; stop_server; return 1; }
  # N predictions over one keep-alive connection: one curl, the URL N times (bounded by --max-time).
  awk -v n="$REQUESTS" -v u="$url" 'BEGIN { for (i = 0; i < n; i++) printf "url = \"%s\"\noutput = \"/dev/null\"\n", u }' >"$WORK/urls"
  t1="$(date +%s%N)"
  curl -s --max-time 120 -H 'Content-Type: application/json' --data-binary "@$BODY" -K "$WORK/urls" \
    -w '%{http_code}\n' >"$WORK/codes" 2>/dev/null || true
  t2="$(date +%s%N)"
  ok="$(grep -c '^200$' "$WORK/codes" || true)"
  (( ok == REQUESTS )) || { log "$t: only $ok of $REQUESTS predictions answered 200"; stop_server; return 1; }
  M_RPS="$(awk -v n="$REQUESTS" -v ns=$(( t2 - t1 )) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')"
  M_RSS1="$(status_kb "$SERVER_PID" VmRSS)"
  M_HWM="$(status_kb "$SERVER_PID" VmHWM)"
  stop_server
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# ---------------------------------------------------------------- the AppCDS archive
CDS_NOTE=""
if wants uber-edge-cds || wants uber-edge; then
  log "uber-edge-cds: training run (-XX:ArchiveClassesAtExit), archive written at exit"
  c0="$(now_ms)"
  measure uber-edge-train train || die "the AppCDS training run failed"
  c1="$(now_ms)"
  archive="$(ls "$EDGE_CACHE"/cds/*-serve-*.jsa 2>/dev/null | head -1 || true)"
  [[ -s "$archive" ]] || die "no archive in $EDGE_CACHE/cds after the training run (see $WORK/uber-edge-train.train.log)"
  CDS_NOTE="archive $(( $(stat -c %s "$archive") / 1048576 )) MB, made by one training run of $(( (c1 - c0) / 1000 )) s (start, $REQUESTS predictions, exit)"
  log "uber-edge-cds: $CDS_NOTE"
fi

# ---------------------------------------------------------------- rounds
declare -A V
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$RUNS"); do
  # Alternate the order, so no target always comes right after the same one.
  order=("${TARGETS[@]}")
  if (( r % 2 == 0 )); then
    mapfile -t order < <(printf '%s\n' "${TARGETS[@]}" | tac)
  fi
  for t in "${order[@]}"; do
    measure "$t" "$r" || die "$t failed in round $r (logs in $WORK)"
    log "round $r $t: first prediction ${M_FIRST} ms, ready ${M_READY} ms, RSS ${M_RSS0} kB -> ${M_RSS1} kB (peak ${M_HWM}), ${M_RPS} req/s"
    V[$t,first]+="$M_FIRST "; V[$t,ready]+="$M_READY "; V[$t,rss0]+="$M_RSS0 "
    V[$t,rss1]+="$M_RSS1 "; V[$t,hwm]+="$M_HWM "; V[$t,rps]+="$M_RPS "
  done
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

med() { printf '%s\n' ${V[$1,$2]} | median; }
range() { printf '%s\n' ${V[$1,$2]} | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "–" hi }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
secs() { awk -v m="$1" 'BEGIN { printf "%.2f", m / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

size_of() { # what a device needs besides java / python3
  case "$1" in
    fast-jar) du -sb "$(dirname "$FAST_JAR")" | awk '{ printf "%.0f MB (directory)", $1 / 1048576 }' ;;
    uber-*) stat -c %s "$UBER_JAR" | awk '{ printf "%.0f MB (one file)", $1 / 1048576 }' ;;
    fastapi-*) du -sb "$VENV" | awk '{ printf "%.0f MB (venv, both peers)", $1 / 1048576 }' ;;
  esac
}

declare -A LABEL=(
  [fast-jar]="fast-jar, JVM defaults"
  [uber-jar]="uber-jar, JVM defaults"
  [uber-edge]="uber-jar, edge options"
  [uber-edge-cds]="uber-jar, edge options + AppCDS"
  [fastapi-onnx]="FastAPI + onnxruntime"
  [fastapi-sklearn]="FastAPI + scikit-learn"
)
BASE=""
wants fastapi-onnx && BASE=fastapi-onnx
[[ -z "$BASE" ]] && wants fastapi-sklearn && BASE=fastapi-sklearn

report() {
  echo "| target | to first prediction, s (median, range) | to ready, s | RSS after first, MB | RSS after $REQUESTS, MB | peak RSS, MB | sequential req/s | on disk |"
  echo "|---|---|---|---|---|---|---|---|"
  for t in "${TARGETS[@]}"; do
    local f
    f="$(med "$t" first)"
    printf '| %s | %s (%s) | %s | %s | %s | %s | %s | %s |\n' "${LABEL[$t]}" "$(secs "$f")" \
      "$(range "$t" first | awk -F'–' '{ printf "%.2f–%.2f", $1 / 1000, $2 / 1000 }')" \
      "$(secs "$(med "$t" ready)")" "$(mb "$(med "$t" rss0)")" "$(mb "$(med "$t" rss1)")" \
      "$(mb "$(med "$t" hwm)")" "$(med "$t" rps)" "$(size_of "$t")"
  done
  if [[ -n "$BASE" ]]; then
    echo
    echo "Ratios against ${LABEL[$BASE]} (measured in the same run; below 1 means less than the baseline):"
    echo
    echo "| target | first prediction × | RSS after $REQUESTS × | peak RSS × | sequential req/s × |"
    echo "|---|---|---|---|---|"
    for t in "${TARGETS[@]}"; do
      [[ "$t" == "$BASE" ]] && continue
      printf '| %s | %s | %s | %s | %s |\n' "${LABEL[$t]}" \
        "$(ratio "$(med "$t" first)" "$(med "$BASE" first)")" "$(ratio "$(med "$t" rss1)" "$(med "$BASE" rss1)")" \
        "$(ratio "$(med "$t" hwm)" "$(med "$BASE" hwm)")" "$(ratio "$(med "$t" rps)" "$(med "$BASE" rps)")"
    done
  fi
  if wants uber-edge && wants uber-edge-cds; then
    echo
    echo "AppCDS: first prediction $(ratio "$(med uber-edge-cds first)" "$(med uber-edge first)")× of the same settings without the archive; $CDS_NOTE."
  fi
  if wants uber-jar && wants uber-edge; then
    echo "Edge options: peak RSS $(ratio "$(med uber-edge hwm)" "$(med uber-jar hwm)")×, first prediction $(ratio "$(med uber-edge first)" "$(med uber-jar first)")×, sequential req/s $(ratio "$(med uber-edge rps)" "$(med uber-jar rps)")× of the uber-jar with JVM defaults."
  fi
}

{
  echo "- Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM; $PINNING; load average $LOAD_BEFORE before, $LOAD_AFTER after"
  echo "- Java: $(java -version 2>&1 | head -1); edge options (scripts/edge-run.sh): \`${EDGE_OPTS[*]}${EDGE_EXTRA_JAVA_OPTS:+ $EDGE_EXTRA_JAVA_OPTS}\`, ONNX Runtime's libraries unpacked once (\`-Donnxruntime.native.path\`)${EDGE_EXTRA_ARGS:+; runtime arguments added: \`$EDGE_EXTRA_ARGS\`}"
  [[ -x "$VENV/bin/python" ]] && echo "- Python: $("$VENV/bin/python" --version 2>&1), $("$VENV/bin/python" -m pip list --format=freeze --disable-pip-version-check 2>/dev/null | grep -iE '^(fastapi|uvicorn|onnxruntime|scikit-learn)==' | tr '\n' ' ')"
  echo "- $RUNS rounds, medians; $REQUESTS sequential predictions after the first; raw logs in bench/.work/edge-$STAMP/"
  echo
  report
} >"$WORK/report.md"

echo
cat "$WORK/report.md"

if [[ -n "$OUT" ]]; then
  {
    echo
    echo "## Edge: start-up and memory (bench/edge.sh)"
    echo
    echo "Measured on $(date -u +%Y-%m-%d). Command: \`$COMMAND_LINE\`. Time from launch to the first answered prediction and resident"
    echo "memory of the single-file jar, with JVM defaults and with the small-footprint options of"
    echo "\`scripts/edge-run.sh\`, against Python servers of the same model started the same way;"
    echo "see [edge.md](edge.md)."
    echo
    cat "$WORK/report.md"
  } >>"$OUT"
  log "appended to $OUT"
fi
