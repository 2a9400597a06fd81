#!/usr/bin/env bash
# Runs every test: formatting check, unit tests, @QuarkusTest API and operator tests, black-box
# tests of the packaged runtime jar, the Helm chart checks, and the e2e suite on a local Kubernetes
# control plane. Needs a JDK 17+ and Go (helm, kube-apiserver, etcd, kwok... are built once from
# their Go modules and cached under ~/.cache/modelship), and root with Debian's apt for the real
# node (containerd, runc, the CNI plugins, iptables: installed when missing); Maven comes through
# ./mvnw.
set -uo pipefail
cd "$(dirname "$0")"

./mvnw -B -ntp verify "$@"
status=$?

# Queue mode against a real Kafka broker (KRaft, from Maven Central, on 127.0.0.1) and the packaged
# runtime jar: replies, dead letters, the lag gauge, and a SIGKILL mid-stream with nothing lost.
e2e/queue-e2e.sh || status=1

# The Helm chart: lint, render, schema, RBAC and the Argo CD health check (builds helm once, cached).
scripts/chart-test.sh || status=1

# The container images (OCI archives from the Maven build, Debian packages and jlink).
scripts/images.sh build || status=1

# A real cluster (etcd, kube-apiserver, controllers, kwok nodes and one real node with kubelet,
# containerd and kube-proxy; built once from their Go modules and cached): the CRD's validation
# against the malformed specs, the chart, the operator driving the examples through rollouts,
# faults and garbage collection, then the operator and the runtime as real pods.
e2e/smoke.sh || status=1
e2e/operator-e2e.sh || status=1
# The kubectl plugin, as users install it (one file on PATH), against the real API server with two
# users' RBAC: list, status --watch, set-weight, pause, resume, promote, abort, retry, history.
e2e/plugin-e2e.sh || status=1
# The web dashboard in headless Chromium (Debian's package, driven by playwright-core): a viewer's
# and a deployer's token, a canary followed in the page, promote refused then done; off means 404.
e2e/dashboard-e2e.sh || status=1
e2e/node-e2e.sh || status=1
# ModelBatchJob on the real node: runs once and on a schedule, files checked on a hostPath volume.
e2e/batch-e2e.sh || status=1
# Faults on the real node: the operator SIGKILLed 20 times during three rollouts, a leader failover,
# etcd and the API server crashing mid-canary.
e2e/fault-e2e.sh || status=1
# Pre-processing on the real node: card transforms, the example transformer image in front of the runtime.
scripts/images.sh build iris-transformer && e2e/preprocess-e2e.sh || status=1

# One summary over every Surefire and Failsafe report of every module.
summary() {
  local tests=0 failures=0 errors=0 skipped=0 f t
  for f in */target/surefire-reports/TEST-*.xml */target/failsafe-reports/TEST-*.xml; do
    [ -f "$f" ] || continue
    t=$(grep -m1 -o '<testsuite [^>]*>' "$f")
    tests=$((tests + $(sed -E 's/.* tests="([0-9]+)".*/\1/' <<<"$t")))
    failures=$((failures + $(sed -E 's/.* failures="([0-9]+)".*/\1/' <<<"$t")))
    errors=$((errors + $(sed -E 's/.* errors="([0-9]+)".*/\1/' <<<"$t")))
    skipped=$((skipped + $(sed -E 's/.* skipped="([0-9]+)".*/\1/' <<<"$t")))
  done
  local failed=$((failures + errors))
  echo
  echo "Surefire and Failsafe, all modules: tests run $tests, failures $failures, errors $errors, skipped $skipped"
  echo "tests: $((tests - failed - skipped)) passed, $failed failed, $skipped skipped"
}
summary
exit $status
