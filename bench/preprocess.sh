#!/usr/bin/env bash
# The per-request cost of a model card's declared transforms (docs/preprocessing.md), measured in
# process on this machine: the same ONNX graph predicting one row through ServedModel with a card
# without transforms (the baseline) and with one, in alternating rounds, medians reported; then
# the encoder alone. Prints ns per predict and the ratios against the baseline of the same run.
#
#   bench/preprocess.sh [ROUNDS] [CALLS_PER_ROUND]     defaults: 15 rounds of 20000 calls
#
# Needs the runtime built: ./mvnw -q -B -pl model-runtime package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
APP=model-runtime/target/quarkus-app
[ -f "$APP/quarkus-run.jar" ] || { echo "build the runtime first: ./mvnw -q -B -pl model-runtime package -DskipTests" >&2; exit 1; }
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -n 1)"
# One thread, as the runtime runs each request; ONNX Runtime's own threads are off (OnnxModel).
java -XX:+UseSerialGC -Xmx256m -cp "$APP/app/*:$APP/lib/main/*" bench/PreprocessCost.java "${1:-15}" "${2:-20000}"
