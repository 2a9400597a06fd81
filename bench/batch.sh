#!/usr/bin/env bash
# Batch scoring throughput: rows/s of `quarkus-run.jar batch` on a large generated Iris CSV,
# next to the same scoring in Python (pandas + onnxruntime, bench/batch/score_pandas.py),
# measured in the same run on the same file. Prints a Markdown table with the ratios.
#
#   bench/batch.sh                 # 1,000,000 rows, best of 2 runs per target
#   bench/batch.sh --rows 200000 --repeat 1
#
# Local files only, no network. Every run is bounded by --timeout seconds.
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
ROOT="$(dirname "$(dirname "$SELF")")"
BENCH="$ROOT/bench"
cd "$ROOT"

ROWS=1000000
REPEAT=2
TIMEOUT=600
REBUILD=0

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SELF"
  cat <<'EOF2'

Options:
  --rows N       rows in the generated CSV; default 1000000
  --repeat N     runs per target, the fastest is reported; default 2
  --timeout S    longest a single run may take; default 600
  --rebuild      rebuild the runtime jar even if present
EOF2
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --rebuild) REBUILD=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "batch.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$ROWS" "$REPEAT" "$TIMEOUT"; do
  [[ "$n" =~ ^[0-9]+$ ]] && (( n >= 1 )) || { echo "batch.sh: not a positive whole number: $n" >&2; exit 2; }
done

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

RUNTIME_JAR="$ROOT/model-runtime/target/quarkus-app/quarkus-run.jar"
VENV="$BENCH/.venv"
MODEL="$ROOT/examples/models/iris.onnx"
WORK="$BENCH/.work/batch-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$WORK"
command -v /usr/bin/time >/dev/null || die "/usr/bin/time is missing (apt-get install time)"

if [[ $REBUILD == 1 || ! -f "$RUNTIME_JAR" ]]; then
  log "building the runtime jar"
  ./mvnw -q -B -pl model-runtime package -DskipTests
fi
stamp="$VENV/.requirements.txt"
if [[ ! -x "$VENV/bin/python" ]] || ! cmp -s "$BENCH/requirements.txt" "$stamp"; then
  log "preparing $VENV from bench/requirements.txt"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$BENCH/requirements.txt"
  cp "$BENCH/requirements.txt" "$stamp"
fi

INPUT="$WORK/iris-big.csv"
log "generating $ROWS rows in $INPUT"
"$VENV/bin/python" - "$INPUT" "$ROWS" <<'PY'
import random, sys
path, rows = sys.argv[1], int(sys.argv[2])
r = random.Random(42)
with open(path, "w") as f:
    f.write("id,sepal_length,sepal_width,petal_length,petal_width\n")
    for i in range(rows):
        if i % 1000 == 999:  # one row in a thousand is out of the card's range
            f.write(f"{i},{r.uniform(4, 8):.1f},{r.uniform(2, 4.5):.1f},99,{r.uniform(0.1, 2.5):.1f}\n")
        else:
            f.write(f"{i},{r.uniform(4, 8):.1f},{r.uniform(2, 4.5):.1f},{r.uniform(1, 7):.1f},{r.uniform(0.1, 2.5):.1f}\n")
PY
BYTES=$(stat -c %s "$INPUT")
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# best_run NAME CMD...: runs CMD $REPEAT times, keeps the fastest wall time and its peak RSS.
declare -A WALL RSS BEST CPU
best_run() {
  local name=$1; shift
  local best="" best_rss=""
  for ((i = 1; i <= REPEAT; i++)); do
    local tf="$WORK/$name.$i.time"
    log "$name run $i/$REPEAT"
    if ! timeout "$TIMEOUT" /usr/bin/time -f '%e %M %U %S' -o "$tf" "$@" >"$WORK/$name.$i.out" 2>"$WORK/$name.$i.err"; then
      die "$name failed or timed out after ${TIMEOUT}s; see $WORK/$name.$i.err"
    fi
    read -r wall rss user sys <"$tf"
    [[ -f "$WORK/$name.summary.json" ]] && mv "$WORK/$name.summary.json" "$WORK/$name.$i.summary.json"
    if [[ -z $best ]] || awk "BEGIN{exit !($wall < $best)}"; then
      best=$wall; best_rss=$rss; BEST[$name]=$i
      CPU[$name]=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    fi
  done
  WALL[$name]=$best
  RSS[$name]=$best_rss
}

best_run java java -jar "$RUNTIME_JAR" batch --model "$MODEL" --in "$INPUT" \
  --out "$WORK/java.predictions.csv" --progress none --summary "$WORK/java.summary.json"
best_run java_small_heap java -Xmx32m -jar "$RUNTIME_JAR" batch --model "$MODEL" --in "$INPUT" \
  --out "$WORK/java_small_heap.predictions.csv" --progress none
best_run pandas "$VENV/bin/python" "$BENCH/batch/score_pandas.py" --model "$MODEL" --in "$INPUT" \
  --out "$WORK/pandas.predictions.csv" --rejects "$WORK/pandas.rejects.jsonl"
best_run pandas_chunked "$VENV/bin/python" "$BENCH/batch/score_pandas.py" --model "$MODEL" \
  --in "$INPUT" --out "$WORK/pandas_chunked.predictions.csv" \
  --rejects "$WORK/pandas_chunked.rejects.jsonl" --chunk-rows 100000

# The same rows predicted, with the same labels, by every target.
for t in java java_small_heap pandas pandas_chunked; do
  cut -d, -f1,6 "$WORK/$t.predictions.csv" >"$WORK/$t.labels"
done
cmp -s "$WORK/java.labels" "$WORK/pandas.labels" || die "java and pandas labels differ: $WORK/*.labels"
cmp -s "$WORK/java.labels" "$WORK/pandas_chunked.labels" || die "java and chunked pandas labels differ"
cmp -s "$WORK/java.labels" "$WORK/java_small_heap.labels" || die "java runs with different heaps differ"
predicted=$(($(wc -l <"$WORK/java.labels") - 1))
summary="$WORK/java.${BEST[java]}.summary.json"
rejected=$(grep -o '"rowsRejected":[0-9]*' "$summary" | cut -d: -f2)
java_inside=$(grep -o '"seconds":[0-9.]*' "$summary" | cut -d: -f2)

rate() { awk -v r="$ROWS" -v s="$1" 'BEGIN { printf "%.0f", r / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'; }

{
  echo "$ROWS Iris rows ($((BYTES / 1000000)) MB CSV, one row in 1000 out of range): $predicted predicted, $rejected rejected by each target; labels identical."
  echo "Wall and CPU time (user + system, all threads) include start-up (JVM or interpreter, model load); the run with the best wall time of $REPEAT is shown. $(nproc) CPUs, $(uname -m), $(java -version 2>&1 | head -1), load average before the runs: $LOAD_BEFORE."
  echo
  echo "| target | wall s | rows/s | CPU s | rows per CPU s | peak RSS MB | runtime's rows/s vs this | runtime's rows per CPU s vs this |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for t in java java_small_heap pandas pandas_chunked; do
    case $t in
      java) label='`quarkus-run.jar batch` (batch size 256, streaming)' ;;
      java_small_heap) label='the same with `-Xmx32m`' ;;
      pandas) label='pandas + onnxruntime, whole file in memory' ;;
      pandas_chunked) label='pandas + onnxruntime, chunks of 100,000 rows' ;;
    esac
    printf '| %s | %s | %s | %s | %s | %d | %s | %s |\n' "$label" "${WALL[$t]}" "$(rate "${WALL[$t]}")" \
      "${CPU[$t]}" "$(rate "${CPU[$t]}")" $((RSS[$t] / 1024)) \
      "$(ratio "${WALL[java]}" "${WALL[$t]}")" "$(ratio "${CPU[java]}" "${CPU[$t]}")"
  done
  echo
  echo "The runtime's own timer (summary \`seconds\`, without JVM start and model load): ${java_inside} s, $(rate "$java_inside") rows/s."
} | tee "$WORK/report.md"
log "raw outputs in $WORK"
