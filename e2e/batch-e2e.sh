#!/usr/bin/env bash
# ModelBatchJob on the e2e cluster's real node: the operator (the chart, as a real pod) runs the
# batch examples as real Jobs and CronJobs whose pods fetch the model and run the runtime image's
# `batch` command, writing to a PersistentVolumeClaim bound to a hostPath PersistentVolume made
# here (no provisioner runs), so the files the pods wrote are read on the host.
#
# What it checks, as a user would:
#   1. examples/iris-batch.yaml (rows from a ConfigMap, three of them bad): the run reaches
#      Succeeded; status.lastRun says 10 rows read, 7 predicted, 3 rejected; the predictions file
#      on the volume holds the 7 rows with their labels, the rejects file the 3 rows with reasons.
#   2. A ModelBatchJob whose modelDeploymentRef names no ModelDeployment: Pending with a message
#      that names it, and no Job.
#   3. A run with the deliberately slow model (at least 30 s): while it runs, status.progress
#      shows the rows so far, read from the pod's log; at the end all 4,000 rows predicted.
#   4. A large input on the claim (a CSV file written on the host): the row count and rows/s at
#      the end, the predictions beside the input.
#   5. examples/iris-batch-schedule.yaml, every minute with the model iris-rolling serves: at least
#      one run succeeds and writes its predictions, the phase goes back to Scheduled, and
#      spec.suspend makes it Suspended.
#   6. Deleting a ModelBatchJob deletes its Job and pods (owner references).
#
# Needs the images (scripts/images.sh build) and root. Prints `batch-e2e: N passed, N failed`;
# exits non-zero if anything failed. E2E_KEEP=1 leaves the cluster up.
set -euo pipefail
cd "$(dirname "$0")/.."

CLUSTER=e2e/cluster.sh
SYSTEM_NS=modelship-system
NS=batch
STATE=${MODELSHIP_E2E_DIR:-/tmp/modelship-e2e}
WORK=$STATE/batch-e2e
PV_DIR=$WORK/pv
BIG_ROWS=${BATCH_E2E_ROWS:-3000000}
# shellcheck source=e2e/lib.sh
source e2e/lib.sh

passed=0
failed=0
was_up=0

cleanup() {
  if [ "${E2E_KEEP:-0}" != 1 ] && [ "$was_up" = 0 ]; then "$CLUSTER" down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'echo "batch-e2e: stopped by a failing command at line $LINENO"; failed=$((failed + 1))' ERR

mbj() { kubectl -n "$NS" get mbj "$1" -o "jsonpath=$2" 2>/dev/null; }
phase_is() { [ "$(mbj "$1" '{.status.phase}')" = "$2" ]; }
progress_seen() { [ "$(mbj "$1" '{.status.phase}')" = Running ] && [ "$(mbj "$1" '{.status.progress.rows}')" -gt 0 ] 2>/dev/null; }
scheduled_run_done() { [ "$(mbj "$1" '{.status.lastRun.result}')" = Succeeded ]; }
message_starts() { [[ "$(mbj "$1" '{.status.message}')" == "$2"* ]]; }
claim_bound() { [ "$(kubectl -n "$NS" get pvc "$1" -o jsonpath='{.status.phase}')" = Bound ]; }
suspended_cron() { phase_is "$1" Suspended && [ "$(kubectl -n "$NS" get cronjob "$1" -o jsonpath='{.spec.suspend}')" = true ]; }
no_jobs_of() { [ -z "$(kubectl -n "$NS" get jobs,pods -l "modelship.io/batch-job=$1" -o name)" ]; }
batch_diagnose() {
  kubectl -n "$NS" get mbj,jobs,cronjobs,pods,pvc -o wide 2>&1
  kubectl -n "$NS" get mbj -o yaml 2>&1 | sed -n '/^  status:/,/^- /p' | head -60
  kubectl -n "$NS" get events --sort-by=.lastTimestamp 2>&1 | tail -15
  kubectl -n "$SYSTEM_NS" logs deploy/modelship --tail=20 2>&1
}

main() {
  images
  "$CLUSTER" status >/dev/null 2>&1 && was_up=1
  "$CLUSTER" up
  [ "$was_up" = 0 ] || "$CLUSTER" load-images
  mkdir -p "$WORK"

  # The operator from the chart, as a real pod, in restricted namespaces.
  kubectl apply --server-side --force-conflicts -f crds/ >/dev/null
  kubectl wait --for condition=established --timeout=60s crd/modelbatchjobs.modelship.io >/dev/null
  local ns
  for ns in "$SYSTEM_NS" "$NS"; do
    kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
    kubectl label --overwrite namespace "$ns" pod-security.kubernetes.io/enforce=restricted \
      pod-security.kubernetes.io/enforce-version=latest >/dev/null
  done
  if "$CLUSTER" helm upgrade --install modelship helm/modelship -n "$SYSTEM_NS" --wait --timeout 180s >"$WORK/helm.out" 2>&1 &&
    until_true 60 grep_log "$SYSTEM_NS" deploy/modelship "'modelbatchjob' controller started"; then
    ok "the operator runs from the chart and its modelbatchjob controller started"
  else
    fail "the operator did not start its modelbatchjob controller" "$(cat "$WORK/helm.out"; kubectl -n "$SYSTEM_NS" logs deploy/modelship --tail=30)"
  fi

  # The claim: a hostPath PersistentVolume in a directory of this test, writable by the pods' user.
  rm -rf "$PV_DIR"
  mkdir -p "$PV_DIR"
  chown 185:185 "$PV_DIR"
  chmod 0775 "$PV_DIR"
  kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolume
metadata:
  name: batch-e2e-output
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  claimRef: {namespace: $NS, name: batch-output}
  hostPath: {path: $PV_DIR, type: Directory}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: batch-output
  namespace: $NS
spec:
  storageClassName: ""
  volumeName: batch-e2e-output
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 1Gi}
YAML
  if until_true 60 claim_bound batch-output; then
    ok "claim batch-output is Bound to the hostPath volume $PV_DIR"
  else
    fail "claim batch-output never Bound" "$(kubectl -n "$NS" describe pvc batch-output)"
  fi

  # 1. Run once: rows from a ConfigMap, three bad.
  local t0=$SECONDS
  kubectl -n "$NS" apply -f examples/iris-model-configmap.yaml -f examples/iris-batch.yaml >/dev/null
  if until_true 240 phase_is iris-batch Succeeded; then
    ok "iris-batch: Succeeded $((SECONDS - t0)) s after kubectl apply (Job $(mbj iris-batch '{.status.jobName}'))"
  else
    fail "iris-batch never Succeeded" "$(batch_diagnose)"
  fi
  local counts
  counts=$(mbj iris-batch '{.status.lastRun.rowsRead}/{.status.lastRun.rowsPredicted}/{.status.lastRun.rowsRejected}')
  if [ "$counts" = "10/7/3" ]; then
    ok "status.lastRun: 10 rows read, 7 predicted, 3 rejected ($(mbj iris-batch '{.status.lastRun.rowsPerSecond}') rows/s)"
  else
    fail "status.lastRun read/predicted/rejected is '$counts', want 10/7/3" "$(batch_diagnose)"
  fi
  local preds=$PV_DIR/iris/iris.predictions.csv rejects=$PV_DIR/iris/iris.rejects.jsonl
  if [ -f "$preds" ] && [ "$(wc -l <"$preds")" = 8 ] && [ "$(grep -c setosa "$preds")" -ge 2 ] &&
    grep -q virginica "$preds"; then
    ok "the predictions file on the volume: a header and 7 rows with their labels"
  else
    fail "predictions file $preds" "$(ls -la "$PV_DIR" "$PV_DIR/iris" 2>&1; cat "$preds" 2>&1)"
  fi
  if [ -f "$rejects" ] && [ "$(wc -l <"$rejects")" = 3 ] && grep -q petal_length "$rejects" &&
    grep -q sepal_width "$rejects"; then
    ok "the rejects file: the 3 bad rows, each with its reason"
  else
    fail "rejects file $rejects" "$(cat "$rejects" 2>&1)"
  fi
  info "predictions: $(sed -n 2p "$preds" 2>/dev/null); a reject: $(head -n 1 "$rejects" 2>/dev/null)"
  local node
  node=$(kubectl -n "$NS" get pods -l modelship.io/batch-job=iris-batch -o jsonpath='{.items[0].spec.nodeName}')
  [ "$node" = e2e-node ] && ok "the run's pod ran on the real node (restricted namespace)" ||
    fail "the run's pod ran on '$node'"

  # 2. A ModelDeployment that does not exist: a clear message, no Job.
  kubectl -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: modelship.io/v1alpha1
kind: ModelBatchJob
metadata:
  name: no-such-model
spec:
  modelDeploymentRef: {name: nope}
  input: {configMap: {name: iris-batch-input, key: iris.csv}}
  output: {persistentVolumeClaim: {claimName: batch-output, path: nope}}
YAML
  local want="spec.modelDeploymentRef: ModelDeployment nope not found in namespace $NS"
  if until_true 60 message_starts no-such-model "$want" &&
    phase_is no-such-model Pending && no_jobs_of no-such-model; then
    ok "a missing ModelDeployment: Pending, \"$(mbj no-such-model '{.status.message}')\", no Job"
  else
    fail "missing ModelDeployment" "$(batch_diagnose)"
  fi

  # 3. Progress while a run goes on. The deliberately slow model (about 120 ms of CPU a model call,
  # whatever the rows; examples/models/README.md) over 4,000 rows in batches of 16 takes at least
  # 30 s, whatever the machine: a fast run can end between two reads of its log.
  mkdir -p "$PV_DIR/slow"
  awk 'BEGIN { print "sepal_length,sepal_width,petal_length,petal_width";
    for (i = 0; i < 4000; i++) printf "%.1f,%.1f,%.1f,%.1f\n", 4 + (i % 40) / 10, 2 + (i % 25) / 10, 1 + (i % 60) / 10, (i % 25) / 10 }' \
    >"$PV_DIR/slow/rows.csv"
  chown -R 185:185 "$PV_DIR/slow"
  kubectl -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: modelship.io/v1alpha1
kind: ModelBatchJob
metadata:
  name: iris-slow
spec:
  model:
    name: iris
    uri: configmap://iris-model/iris-slow.onnx
    sha256: $(sha256sum examples/models/iris-slow.onnx | cut -c1-64)
    inputs:
      - {name: sepal_length, type: float, min: 0, max: 10}
      - {name: sepal_width, type: float, min: 0, max: 10}
      - {name: petal_length, type: float, min: 0, max: 10}
      - {name: petal_width, type: float, min: 0, max: 10}
    outputs:
      labels: [setosa, versicolor, virginica]
  input:
    persistentVolumeClaim: {claimName: batch-output, path: slow/rows.csv}
  batchSize: 16
  activeDeadlineSeconds: 600
YAML
  if until_true 240 progress_seen iris-slow; then
    ok "iris-slow: Running with status.progress $(mbj iris-slow '{.status.progress}')"
  else
    fail "no progress seen while iris-slow ran" "$(batch_diagnose)"
  fi
  if until_true 300 phase_is iris-slow Succeeded &&
    [ "$(mbj iris-slow '{.status.lastRun.rowsPredicted}')" = 4000 ]; then
    ok "iris-slow: 4000 rows predicted in batches of 16 ($(mbj iris-slow '{.status.lastRun.rowsPerSecond}') rows/s)"
  else
    fail "iris-slow never Succeeded with 4000 rows" "$(batch_diagnose)"
  fi

  # 4. A large file on the claim, scored beside it.
  mkdir -p "$PV_DIR/big"
  awk -v n="$BIG_ROWS" 'BEGIN { print "sepal_length,sepal_width,petal_length,petal_width";
    for (i = 0; i < n; i++) printf "%.1f,%.1f,%.1f,%.1f\n", 4 + (i % 40) / 10, 2 + (i % 25) / 10, 1 + (i % 60) / 10, (i % 25) / 10 }' \
    >"$PV_DIR/big/rows.csv"
  chown -R 185:185 "$PV_DIR/big"
  info "big input: $BIG_ROWS rows, $(du -h "$PV_DIR/big/rows.csv" | cut -f1)"
  kubectl -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: modelship.io/v1alpha1
kind: ModelBatchJob
metadata:
  name: iris-big
spec:
  model:
    name: iris
    uri: configmap://iris-model/iris.onnx
    sha256: 8c0b5743a7870a00ce7fffb86db16334ad444b99b57aa97558e81e00f51ef209
    inputs:
      - {name: sepal_length, type: float, min: 0, max: 10}
      - {name: sepal_width, type: float, min: 0, max: 10}
      - {name: petal_length, type: float, min: 0, max: 10}
      - {name: petal_width, type: float, min: 0, max: 10}
    outputs:
      labels: [setosa, versicolor, virginica]
  input:
    persistentVolumeClaim: {claimName: batch-output, path: big/rows.csv}
  batchSize: 1024
  activeDeadlineSeconds: 600
YAML
  if until_true 300 phase_is iris-big Succeeded; then
    local predicted
    predicted=$(mbj iris-big '{.status.lastRun.rowsPredicted}')
    if [ "$predicted" = "$BIG_ROWS" ] && [ "$(($(wc -l <"$PV_DIR/big/rows.predictions.csv") - 1))" = "$BIG_ROWS" ]; then
      ok "iris-big: $predicted rows predicted, beside the input (big/rows.predictions.csv), $(mbj iris-big '{.status.lastRun.rowsPerSecond}') rows/s in the pod"
    else
      fail "iris-big predicted '$predicted' rows, want $BIG_ROWS" "$(batch_diagnose)"
    fi
  else
    fail "iris-big never Succeeded" "$(batch_diagnose)"
  fi

  # 5. On a schedule, with the model a ModelDeployment serves.
  kubectl -n "$NS" apply -f examples/iris-rolling.yaml >/dev/null
  if kubectl -n "$NS" wait --for=condition=Ready md/iris-rolling --timeout=240s >/dev/null 2>&1; then
    ok "iris-rolling serves (stable revision $(field iris-rolling '{.status.stableRevision}'))"
  else
    fail "iris-rolling never Ready" "$(diagnose)"
  fi
  t0=$SECONDS
  kubectl -n "$NS" apply -f examples/iris-batch-schedule.yaml >/dev/null
  if until_true 30 phase_is iris-batch-schedule Scheduled; then
    ok "iris-batch-schedule: Scheduled (CronJob $(mbj iris-batch-schedule '{.status.cronJobName}'))"
  else
    fail "iris-batch-schedule not Scheduled" "$(batch_diagnose)"
  fi
  if until_true 200 scheduled_run_done iris-batch-schedule; then
    ok "a scheduled run succeeded $((SECONDS - t0)) s after apply: $(mbj iris-batch-schedule '{.status.lastRun.jobName}: {.status.lastRun.rowsPredicted} predicted, {.status.lastRun.rowsRejected} rejected')"
  else
    fail "no scheduled run succeeded" "$(batch_diagnose)"
  fi
  local sched=$PV_DIR/iris-scheduled/iris.predictions.csv
  if [ -f "$sched" ] && [ "$(wc -l <"$sched")" = 8 ]; then
    ok "the scheduled run wrote iris-scheduled/iris.predictions.csv with iris-rolling's model"
  else
    fail "scheduled predictions $sched" "$(ls -laR "$PV_DIR/iris-scheduled" 2>&1)"
  fi
  if until_true 60 phase_is iris-batch-schedule Scheduled; then
    ok "after the run: Scheduled again ($(mbj iris-batch-schedule '{.status.message}'))"
  else
    fail "iris-batch-schedule did not go back to Scheduled" "$(batch_diagnose)"
  fi
  kubectl -n "$NS" patch mbj iris-batch-schedule --type merge -p '{"spec":{"suspend":true}}' >/dev/null
  if until_true 30 suspended_cron iris-batch-schedule; then
    ok "spec.suspend: Suspended, and the CronJob is suspended"
  else
    fail "suspend" "$(batch_diagnose)"
  fi

  # 6. Deleting a ModelBatchJob takes its runs with it.
  kubectl -n "$NS" delete mbj iris-batch iris-slow iris-big --wait=true >/dev/null
  if until_true 90 no_jobs_of iris-batch && until_true 30 no_jobs_of iris-slow &&
    until_true 30 no_jobs_of iris-big; then
    ok "deleting the ModelBatchJobs deleted their Jobs and pods"
  else
    fail "Jobs or pods left after deleting their ModelBatchJob" "$(batch_diagnose)"
  fi
}

grep_log() { kubectl -n "$1" logs "$2" 2>/dev/null | grep -q "$3"; }

main
echo "batch-e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
