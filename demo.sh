#!/usr/bin/env bash
# Builds the model runtime, starts it on the Iris example and shows predictions.
#   ./demo.sh          in a terminal: keeps serving until Ctrl-C; otherwise stops after the demo
#   ./demo.sh --once   stop after the demo
#   ./demo.sh --serve  keep serving until Ctrl-C
# PORT=18931 by default; the runtime listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")"

mode=auto
case "${1:-}" in
  --once) mode=once ;;
  --serve) mode=serve ;;
  "") ;;
  *) echo "usage: $0 [--once|--serve]" >&2; exit 2 ;;
esac
[ "$mode" = auto ] && { [ -t 0 ] && [ -t 1 ] && mode=serve || mode=once; }

port="${PORT:-18931}"
base="http://127.0.0.1:$port"
jar=model-runtime/target/quarkus-app/quarkus-run.jar
log=model-runtime/target/demo-runtime.log

echo "==> building the runtime (./mvnw package)"
./mvnw -q -B package -DskipTests -pl model-runtime -am

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "port $port is already in use; run with PORT=<free port> $0" >&2
  exit 1
fi

echo "==> starting: java -jar $jar --model examples/models/iris.onnx --port $port --host 127.0.0.1"
java -jar "$jar" --model examples/models/iris.onnx --port "$port" --host 127.0.0.1 >"$log" 2>&1 &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; }
trap stop EXIT

for _ in $(seq 1 150); do
  curl -fs "$base/v2/health/ready" >/dev/null 2>&1 && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the runtime exited; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.2
done
curl -fs "$base/v2/health/ready" >/dev/null || { echo "runtime not ready after 30 s; log: $log" >&2; exit 1; }

show() {
  local title=$1 path=$2 body=$3
  echo
  echo "==> $title"
  echo "    POST $path  $body"
  curl -s -i -X POST "$base$path" -H 'Content-Type: application/json' -d "$body" \
    | tr -d '\r' | grep -iE '^(HTTP/|x-modelship-)|^[{[]' | sed 's/^/    /'
}

show "a prediction (readable JSON)" /models/iris/predict \
  '{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}'
show "the same through KServe v1" /v1/models/iris:predict \
  '{"instances": [[5.1, 3.5, 1.4, 0.2], [6.0, 2.7, 5.1, 1.6]]}'
show "the same through Open Inference Protocol v2" /v2/models/iris/infer \
  '{"inputs": [{"name": "float_input", "shape": [1, 4], "datatype": "FP32", "data": [5.1, 3.5, 1.4, 0.2]}]}'
show "bad input is refused with the field and the reason" /models/iris/predict \
  '{"sepal_length": 51, "sepal_width": "3.5", "petal_length": 1.4}'

echo
if [ "$mode" = serve ]; then
  echo "==> serving at $base  (Swagger UI: $base/q/swagger-ui, metrics: $base/q/metrics); Ctrl-C to stop"
  trap 'echo; echo "==> stopping (drains in-flight requests)"; stop; exit 0' INT TERM
  wait "$pid"
else
  echo "==> done; run it yourself with:"
  echo "    java -jar $jar --model examples/models/iris.onnx --port $port"
fi
