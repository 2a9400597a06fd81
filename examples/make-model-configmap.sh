#!/usr/bin/env bash
# Rewrites examples/iris-model-configmap.yaml from the example model files.
set -euo pipefail
cd "$(dirname "$0")"
{
  sed -n '1,4p' iris-model-configmap.yaml
  cat <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: iris-model
binaryData:
  iris.onnx: $(base64 -w0 models/iris.onnx)
  iris-v2.onnx: $(base64 -w0 models/iris-v2.onnx)
  iris-broken.onnx: $(base64 -w0 models/iris-broken.onnx)
  iris-slow.onnx: $(base64 -w0 models/iris-slow.onnx)
YAML
} > iris-model-configmap.yaml.new
mv iris-model-configmap.yaml.new iris-model-configmap.yaml
echo "sha256 of the models (for spec.model.sha256):"
sha256sum models/iris.onnx models/iris-v2.onnx models/iris-broken.onnx models/iris-slow.onnx
