#!/usr/bin/env bash
# Regenerates the example models: iris.onnx, iris-v2.onnx, iris-broken.onnx, iris-slow.onnx,
# digits.onnx, their model cards (iris.yaml, ...) and the joblib copies used by benchmarks.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"

if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/python" "$here/train_iris.py"
"$venv/bin/python" "$here/make_iris_slow.py"
"$venv/bin/python" "$here/train_digits.py"
