#!/usr/bin/env bash
# Checks the Helm chart helm/modelship and its Argo CD health check:
#   - the chart's CRDs match the generated ones in crds/ (scripts/sync-crds.sh --check)
#   - helm lint, plain and --strict, with default values and with watchNamespaces
#   - helm template with default values (cluster-wide RBAC), with watchNamespaces (a Role per
#     namespace) and with the ServiceMonitor on, with assertions on what is rendered
#   - the Grafana dashboard ConfigMap, the PrometheusRule and the PodMonitor render only when
#     turned on, carry the dashboard file unchanged and the thresholds and labels given (that the
#     JSON parses and every metric it and the rules query exists is model-runtime's
#     MetricsContractIT and operator's OperatorMetricsContractTest), and, with Prometheus' own
#     promtool: `check rules` accepts the rules and every dashboard query
#     (scripts/promtool/dashboard-rules.py), `test rules` fires each alert in the scenarios of
#     scripts/promtool/alerts-test.yaml (for: durations included) and only there, and `check
#     service-discovery` runs the PodMonitor's relabelings on the operator's pods
#     (scripts/promtool/podmonitor-sd.py) and they label them as the dashboard expects
#   - values.schema.json refuses bad values (helm must FAIL on them)
#   - helm/modelship/argocd/health_test.lua under lua5.4, and docs/argocd.md carries the same script
# Exits non-zero if any check fails. Needs Go (helm and promtool are built from their Go modules
# by scripts/tools.sh, once, cached), python3 (standard library only) and lua5.4 (installed with
# apt-get when missing and running as root).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

CHART=helm/modelship
passed=0
failed=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() {
  failed=$((failed + 1))
  echo "FAIL - $1"
  if [ -n "${2:-}" ] && [ -s "$2" ]; then sed 's/^/       | /' "$2" | head -40; fi
}

# check NAME CMD...: passes when CMD succeeds.
check() {
  local name=$1 log="$out/log"
  shift
  if "$@" >"$log" 2>&1; then ok "$name"; else fail "$name" "$log"; fi
}

# refuse NAME CMD...: passes when CMD fails because of the values schema.
refuse() {
  local name=$1 log="$out/log"
  shift
  if "$@" >"$log" 2>&1; then
    fail "$name (helm accepted it)" "$log"
  elif grep -q "values don't meet the specifications of the schema" "$log"; then
    ok "$name ($(grep -m1 -- '- at ' "$log" | sed 's/^- //'))"
  else
    fail "$name (helm failed, but not on the schema)" "$log"
  fi
}

# expect NAME FILE PATTERN: passes when FILE has a line matching the extended regex PATTERN.
expect() {
  if grep -Eq -- "$3" "$2"; then ok "$1"; else fail "$1: no line matches /$3/ in the rendered chart"; fi
}
# expect_count NAME FILE PATTERN N: exactly N lines match.
expect_count() {
  local n
  n=$(grep -Ec -- "$3" "$2")
  if [ "$n" -eq "$4" ]; then ok "$1"; else fail "$1: $n lines match /$3/, want $4"; fi
}

# The rules the operator gets on the namespaces it watches, one line per rule as `rules` prints.
WATCH_RULES=(
  'modelship.io modeldeployments: get list watch patch update'
  'modelship.io modeldeployments/status: get patch update'
  'modelship.io modeldeployments/finalizers: update'
  'apps deployments: get list watch create update patch delete'
  ' services configmaps: get list watch create update patch delete'
  ' pods: get list watch'
  'autoscaling horizontalpodautoscalers: get list watch create patch delete'
  ' secrets persistentvolumeclaims: get'
  ' secrets: create'
  ' events: create patch'
  'events.k8s.io events: create patch'
  'gateway.networking.k8s.io httproutes: get create patch'
  'modelship.io modelbatchjobs: get list watch patch update'
  'modelship.io modelbatchjobs/status: get patch update'
  'modelship.io modelbatchjobs/finalizers: update'
  'batch jobs cronjobs: get list watch create update patch delete'
  ' pods/log: get'
)
LEASE_RULE='coordination.k8s.io leases: get list watch create update patch'

# doc FILE KIND NAME [NAMESPACE]: prints the rendered object of that kind and name.
doc() {
  awk -v kind="$2" -v name="$3" -v ns="${4:-}" '
    function flush() { if (k == kind && n == name && (ns == "" || s == ns)) printf "%s", buf }
    /^---/ { flush(); buf = ""; k = ""; n = ""; s = ""; next }
    { buf = buf $0 "\n" }
    /^kind: / { k = $2 }
    /^  name: / { n = $2 }
    /^  namespace: / { s = $2 }
    END { flush() }' "$1"
}

# rules: reads an object, prints its RBAC rules as "group resource...: verb..." lines.
rules() {
  awk '
    function list(s) { sub(/^[^[]*\[/, "", s); sub(/\].*$/, "", s); gsub(/[",]/, "", s); return s }
    /^  - apiGroups:/ { g = list($0) }
    /^    resources:/ { r = list($0) }
    /^    verbs:/ { print g " " r ": " list($0) }'
}

echo "== tools"
if HELM=$(scripts/tools.sh helm); then
  ok "helm: $("$HELM" version --short 2>/dev/null)"
else
  fail "helm could not be built (see scripts/tools.sh's message above)"
  HELM=""
fi
if PROMTOOL=$(scripts/tools.sh promtool); then
  ok "promtool: $("$PROMTOOL" --version 2>/dev/null | head -1)"
else
  fail "promtool could not be built (see scripts/tools.sh's message above)"
  PROMTOOL=""
fi

LUA=""
for l in lua5.4 lua; do
  if command -v "$l" >/dev/null 2>&1 && "$l" -v 2>&1 | grep -q '^Lua 5\.4'; then LUA=$(command -v "$l"); break; fi
done
if [ -z "$LUA" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "lua5.4 is missing; installing it with apt-get" >&2
    # shellcheck source=scripts/apt.sh
    . "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
    apt_install lua5.4 2>"$out/apt" || true
    command -v lua5.4 >/dev/null 2>&1 && LUA=$(command -v lua5.4)
  fi
  if [ -n "$LUA" ]; then
    ok "lua5.4 installed"
  else
    fail "lua5.4 is missing: install the Debian package lua5.4 (apt-get install lua5.4; needs root)" "$out/apt"
  fi
fi

echo "== CRDs"
check "helm/modelship/crds matches crds/ (scripts/sync-crds.sh --check)" scripts/sync-crds.sh --check

if [ -n "$HELM" ]; then
  echo "== lint"
  check "helm lint" "$HELM" lint "$CHART"
  check "helm lint --strict" "$HELM" lint --strict "$CHART"
  check "helm lint --strict, watchNamespaces={a,b}, ServiceMonitor on" \
    "$HELM" lint --strict "$CHART" --set 'watchNamespaces={a,b}' --set metrics.serviceMonitor.enabled=true

  echo "== template: defaults"
  r="$out/default.yaml"
  if "$HELM" template t "$CHART" --namespace ops >"$r" 2>"$out/log"; then
    ok "helm template (defaults)"
  else
    fail "helm template (defaults)" "$out/log"
  fi
  expect "operator image defaults to the appVersion" "$r" '^ +image: "ghcr.io/modelship/operator:0\.1\.0"$'
  expect "runtime image defaults to the appVersion" "$r" '^ +value: "ghcr.io/modelship/model-runtime:0\.1\.0"$'
  expect "watches all namespaces" "$r" '^ +value: "JOSDK_ALL_NAMESPACES"$'
  expect_count "both controllers (modeldeployment, modelbatchjob) watch all namespaces" "$r" '^ +value: "JOSDK_ALL_NAMESPACES"$' 2
  expect_count "one ClusterRole and one ClusterRoleBinding" "$r" '^kind: ClusterRole(Binding)?$' 2
  expect_count "only the leader-election Role" "$r" '^kind: Role$' 1
  doc "$r" ClusterRole t-modelship | rules >"$out/rules"
  if diff -u <(printf '%s\n' "${WATCH_RULES[@]}") "$out/rules" >"$out/log"; then
    ok "ClusterRole has exactly the least-privilege rules"
  else
    fail "ClusterRole rules differ from the expected least-privilege set" "$out/log"
  fi
  doc "$r" Role t-modelship-leader-election >"$out/lease"
  if grep -q '^  namespace: ops$' "$out/lease" && [ "$(rules <"$out/lease")" = "$LEASE_RULE" ]; then
    ok "leases: get/list/watch/create/update/patch, in the release namespace only"
  else
    fail "leader-election Role is not as expected" "$out/lease"
  fi
  expect_count "leases appear in no other rule" "$r" 'resources: .*leases' 1
  expect "runs as non-root user 185" "$r" '^ +runAsUser: 185$'
  expect "read-only root filesystem" "$r" '^ +readOnlyRootFilesystem: true$'
  expect "no privilege escalation" "$r" '^ +allowPrivilegeEscalation: false$'
  expect "drops all capabilities" "$r" '^ +- ALL$'
  expect "seccomp RuntimeDefault" "$r" '^ +type: RuntimeDefault$'
  expect "emptyDir at /tmp" "$r" '^ +mountPath: /tmp$'
  expect "liveness probe path" "$r" '^ +path: /q/health/live$'
  expect "readiness probe path" "$r" '^ +path: /q/health/ready$'
  expect "metrics Service port named http-metrics" "$r" '^ +- name: http-metrics$'
  expect_count "no ServiceMonitor by default" "$r" '^kind: ServiceMonitor$' 0
  expect_count "no PodMonitor by default" "$r" '^kind: PodMonitor$' 0
  expect_count "no PrometheusRule by default" "$r" '^kind: PrometheusRule$' 0
  expect_count "no Grafana dashboard by default" "$r" 'grafana_dashboard' 0
  expect_count "standard labels on every object" "$r" '^  labels:$' "$(grep -c '^kind:' "$r")"
  expect "app.kubernetes.io/managed-by label" "$r" '^ +app\.kubernetes\.io/managed-by: Helm$'

  echo "== template: watchNamespaces={a,b}"
  r="$out/ns.yaml"
  if "$HELM" template t "$CHART" --namespace ops --set 'watchNamespaces={a,b}' \
      --set metrics.serviceMonitor.enabled=true --set javaOptions=-XX:MaxRAMPercentage=60 >"$r" 2>"$out/log"; then
    ok "helm template --set watchNamespaces={a,b}"
  else
    fail "helm template --set watchNamespaces={a,b}" "$out/log"
  fi
  expect "watches a,b" "$r" '^ +value: "a,b"$'
  expect_count "both controllers watch a,b" "$r" '^ +value: "a,b"$' 2
  expect_count "no ClusterRole" "$r" '^kind: ClusterRole(Binding)?$' 0
  expect_count "a Role in a, one in b, and the leader-election Role" "$r" '^kind: Role$' 3
  expect_count "three RoleBindings" "$r" '^kind: RoleBinding$' 3
  for ns in a b; do
    doc "$r" Role t-modelship "$ns" | rules >"$out/rules"
    if diff -u <(printf '%s\n' "${WATCH_RULES[@]}") "$out/rules" >"$out/log"; then
      ok "Role in namespace $ns has exactly the least-privilege rules"
    else
      fail "Role in namespace $ns: rules differ from the expected least-privilege set" "$out/log"
    fi
    if doc "$r" RoleBinding t-modelship "$ns" | grep -q '^    namespace: ops$'; then
      ok "RoleBinding in namespace $ns binds the ServiceAccount from namespace ops"
    else
      fail "RoleBinding in namespace $ns is missing or binds the wrong subject"
    fi
  done
  expect "ServiceMonitor when enabled" "$r" '^kind: ServiceMonitor$'
  expect "javaOptions passed as JAVA_TOOL_OPTIONS" "$r" '^ +value: "-XX:MaxRAMPercentage=60"$'

  echo "== template: Grafana dashboard, PrometheusRule, PodMonitor"
  check "helm lint --strict with the dashboard, the rules and the PodMonitor on" \
    "$HELM" lint --strict "$CHART" --set grafana.dashboard.enabled=true \
    --set prometheusRule.enabled=true --set metrics.podMonitor.enabled=true
  r="$out/obs.yaml"
  if "$HELM" template t "$CHART" --namespace ops --set grafana.dashboard.enabled=true \
      --set grafana.dashboard.namespace=monitoring --set grafana.dashboard.annotations.grafana_folder=Models \
      --set prometheusRule.enabled=true --set prometheusRule.labels.release=kps \
      --set-json prometheusRule.modelErrorRatio=0.02 --set metrics.podMonitor.enabled=true \
      --set metrics.serviceMonitor.enabled=true >"$r" 2>"$out/log"; then
    ok "helm template with the dashboard, the rules and the PodMonitor on"
  else
    fail "helm template with the dashboard, the rules and the PodMonitor on" "$out/log"
  fi
  doc "$r" ConfigMap t-modelship-grafana-dashboard monitoring >"$out/dash"
  expect "dashboard ConfigMap in grafana.dashboard.namespace" "$out/dash" '^  namespace: monitoring$'
  expect "dashboard ConfigMap labelled for Grafana's sidecar" "$out/dash" '^    grafana_dashboard: "1"$'
  expect "dashboard ConfigMap annotations" "$out/dash" '^    grafana_folder: Models$'
  awk '/^  modelship.json: \|-$/ { on = 1; next } on { sub(/^    /, ""); print }' "$out/dash" >"$out/dash.json"
  if diff -u "$CHART/dashboards/modelship.json" "$out/dash.json" >"$out/log"; then
    ok "the ConfigMap carries dashboards/modelship.json unchanged"
  else
    fail "the ConfigMap's modelship.json differs from $CHART/dashboards/modelship.json" "$out/log"
  fi
  doc "$r" PrometheusRule t-modelship >"$out/rule"
  expect "PrometheusRule with its extra labels" "$out/rule" '^    release: kps$'
  for a in ModelshipRolloutRolledBack ModelshipCandidateFailingAnalysis ModelshipShadowDisagreement \
      ModelshipModelDeploymentDegraded ModelshipModelServerErrors ModelshipQueueLag; do
    expect_count "alert $a" "$out/rule" "^        - alert: $a$" 1
  done
  expect "prometheusRule.modelErrorRatio is the threshold" "$out/rule" 'rate\(modelship_requests_total\[5m\]\)\) > 0\.02$'
  # Prometheus' own checks, by its promtool (built from its Go module by scripts/tools.sh).
  if [ -n "$PROMTOOL" ]; then
    # The PrometheusRule's spec is a Prometheus rule file: its groups, two spaces less indented.
    awk '/^spec:$/ { on = 1; next } on && /^[^ ]/ { on = 0 } on { sub(/^  /, ""); print }' "$out/rule" >"$out/rules.yaml"
    if "$PROMTOOL" check rules "$out/rules.yaml" >"$out/log" 2>&1; then
      ok "promtool check rules accepts the PrometheusRule ($(grep -o '[0-9]* rules found' "$out/log"))"
    else
      fail "promtool check rules refuses the PrometheusRule's groups" "$out/log"
    fi
    # Every dashboard query as a recording rule, Grafana's variables replaced (see the script).
    if python3 scripts/promtool/dashboard-rules.py "$CHART/dashboards/modelship.json" \
        >"$out/dashboard-rules.json" 2>"$out/log" &&
        "$PROMTOOL" check rules "$out/dashboard-rules.json" >>"$out/log" 2>&1; then
      ok "promtool check rules parses every dashboard query ($(grep -m1 'panel queries' "$out/log"))"
    else
      fail "promtool check rules refuses a dashboard query (scripts/promtool/dashboard-rules.py)" "$out/log"
    fi
    # Each alert in Prometheus' rule engine over series that must and must not fire it, for:
    # durations included; every alert of the rule must have its scenarios there.
    grep -o '^ *- alert: [A-Za-z]*' "$out/rules.yaml" | awk '{ print $3 }' | sort -u >"$out/alerts"
    grep -o '^ *alertname: [A-Za-z]*' scripts/promtool/alerts-test.yaml | awk '{ print $2 }' | sort -u >"$out/tested"
    if [ -s "$out/alerts" ] && diff -u "$out/alerts" "$out/tested" >"$out/log"; then
      ok "scripts/promtool/alerts-test.yaml has scenarios for exactly the alerts of the PrometheusRule ($(wc -l <"$out/alerts"))"
    else
      fail "the alerts of the PrometheusRule (-) and those scripts/promtool/alerts-test.yaml tests (+) differ" "$out/log"
    fi
    cp scripts/promtool/alerts-test.yaml "$out/alerts-test.yaml"
    if "$PROMTOOL" test rules "$out/alerts-test.yaml" >"$out/log" 2>&1; then
      ok "promtool test rules: each alert fires in its scenarios, after its for:, and stays quiet in the others ($(grep -c '^  - name:' "$out/alerts-test.yaml") scenarios)"
    else
      fail "promtool test rules scripts/promtool/alerts-test.yaml" "$out/log"
    fi
    # The PodMonitor's relabelings in Prometheus' relabel code, on the operator's pods.
    doc "$r" PodMonitor t-modelship-models >"$out/pm-all"
    if python3 scripts/promtool/podmonitor-sd.py "$PROMTOOL" "$out/pm-all" "$out" >"$out/log" 2>&1; then
      ok "the PodMonitor keeps runtime and router containers, drops transformers, and adds modelship_deployment, revision, component ($(tail -1 "$out/log"), promtool check service-discovery)"
    else
      fail "the PodMonitor's relabelings, run by promtool check service-discovery (scripts/promtool/podmonitor-sd.py)" "$out/log"
    fi
  else
    fail "promtool is missing, so Prometheus' checks of the rules, the dashboard and the PodMonitor did not run"
  fi
  expect "a PodMonitor for the runtime and router pods" "$r" '^kind: PodMonitor$'
  doc "$r" PodMonitor t-modelship-models >"$out/pm"
  expect "PodMonitor in every namespace by default" "$out/pm" '^    any: true$'
  expect_count "PodMonitor scrapes /q/metrics on the http and runtime ports" "$out/pm" '^    - port: (http|runtime)$' 2
  expect_count "PodMonitor labels series with the ModelDeployment" "$out/pm" 'targetLabel: modelship_deployment$' 2
  expect "the operator's ServiceMonitor keeps the ModelDeployment's namespace label" "$r" '^ +honorLabels: true$'
  "$HELM" template t "$CHART" --set metrics.podMonitor.enabled=true --set 'watchNamespaces={a,b}' >"$r" 2>"$out/log"
  doc "$r" PodMonitor t-modelship-models >"$out/pm"
  if grep -q '^    any: true$' "$out/pm" || ! grep -Eq '^ +- a$' "$out/pm" || ! grep -Eq '^ +- b$' "$out/pm"; then
    fail "PodMonitor with watchNamespaces={a,b} should select exactly a and b" "$out/pm"
  else
    ok "PodMonitor with watchNamespaces={a,b} selects a and b"
  fi

  echo "== template: web dashboard off (default) and on"
  if grep -A1 -- '- name: MODELSHIP_DASHBOARD_ENABLED' "$out/default.yaml" | grep -Eq '^ +value: "false"$'; then
    ok "dashboard off by default: MODELSHIP_DASHBOARD_ENABLED=false"
  else
    fail "dashboard off by default: MODELSHIP_DASHBOARD_ENABLED is not \"false\""
  fi
  expect_count "dashboard off by default: no http-dashboard port" "$out/default.yaml" 'http-dashboard' 0
  r="$out/dashboard.yaml"
  if "$HELM" template t "$CHART" --namespace ops --set dashboard.enabled=true >"$r" 2>"$out/log"; then
    ok "helm template --set dashboard.enabled=true"
  else
    fail "helm template --set dashboard.enabled=true" "$out/log"
  fi
  if grep -A1 -- '- name: MODELSHIP_DASHBOARD_ENABLED' "$r" | grep -Eq '^ +value: "true"$'; then
    ok "dashboard on: MODELSHIP_DASHBOARD_ENABLED=true"
  else
    fail "dashboard on: MODELSHIP_DASHBOARD_ENABLED is not \"true\""
  fi
  doc "$r" Service t-modelship-metrics >"$out/svc"
  if grep -A1 -- '- name: http-dashboard' "$out/svc" | grep -Eq '^ +port: 80$' &&
    grep -A3 -- '- name: http-dashboard' "$out/svc" | grep -Eq '^ +targetPort: http$'; then
    ok "dashboard on: the Service's port 80 (http-dashboard) goes to the operator's http port"
  else
    fail "dashboard on: no http-dashboard port 80 -> http in the Service" "$out/svc"
  fi
  # The dashboard acts with its users' tokens: turning it on gives the operator no new right.
  doc "$r" ClusterRole t-modelship | rules >"$out/rules"
  if diff -u <(printf '%s\n' "${WATCH_RULES[@]}") "$out/rules" >"$out/log"; then
    ok "dashboard on: the ClusterRole is unchanged"
  else
    fail "dashboard on: the ClusterRole changed" "$out/log"
  fi
  if "$HELM" template t "$CHART" --set dashboard.enabled=true --set dashboard.servicePort=9000 |
    grep -A1 -- '- name: http-dashboard' | grep -Eq '^ +port: 9000$'; then
    ok "dashboard.servicePort=9000 sets the Service port"
  else
    fail "dashboard.servicePort=9000 not rendered"
  fi

  echo "== schema refuses bad values"
  refuse "replicaCount=-1" "$HELM" template t "$CHART" --set replicaCount=-1
  refuse "an unknown top-level key" "$HELM" template t "$CHART" --set replicas=2
  refuse "an unknown nested key" "$HELM" template t "$CHART" --set image.digest=sha256:abc
  refuse "image.pullPolicy=Sometimes" "$HELM" template t "$CHART" --set image.pullPolicy=Sometimes
  refuse "watchNamespaces={Bad_NS}" "$HELM" template t "$CHART" --set 'watchNamespaces={Bad_NS}'
  refuse "serviceAccount.create=maybe" "$HELM" template t "$CHART" --set-string serviceAccount.create=maybe
  refuse "dashboard.enabled=yes" "$HELM" template t "$CHART" --set-string dashboard.enabled=yes
  refuse "dashboard.servicePort=8080 (the metrics port)" "$HELM" template t "$CHART" --set dashboard.servicePort=8080
  refuse "an unknown dashboard key" "$HELM" template t "$CHART" --set dashboard.ingress=true
  refuse "prometheusRule.modelErrorRatio=5 (a share, 0-1)" "$HELM" template t "$CHART" --set prometheusRule.modelErrorRatio=5
  refuse "grafana.dashboard.enabled=maybe" "$HELM" template t "$CHART" --set-string grafana.dashboard.enabled=maybe
  refuse "an unknown grafana.dashboard key" "$HELM" template t "$CHART" --set grafana.dashboard.folder=x
  refuse "grafana.dashboard.namespace=Bad_NS" "$HELM" template t "$CHART" --set grafana.dashboard.namespace=Bad_NS
  refuse "metrics.podMonitor.interval=often" "$HELM" template t "$CHART" --set metrics.podMonitor.interval=often
fi

echo "== Argo CD health check"
if [ -n "$LUA" ]; then
  check "helm/modelship/argocd/health_test.lua ($("$LUA" -v 2>&1 | awk '{print $1, $2}'))" \
    "$LUA" "$CHART/argocd/health_test.lua"
fi
# docs/argocd.md carries the script inside an argocd-cm snippet, indented by four spaces.
awk '/<!-- argocd-cm:begin/ { on = 1; next } /<!-- argocd-cm:end/ { on = 0 }
     on && body { if ($0 == "```") { body = 0; next } sub(/^    /, ""); print; next }
     on && /^  resource\.customizations\.health\.modelship\.io_ModelDeployment: \|$/ { body = 1 }' \
  docs/argocd.md >"$out/doc.lua"
if diff -u "$CHART/argocd/health.lua" "$out/doc.lua" >"$out/log"; then
  ok "docs/argocd.md's argocd-cm snippet is health.lua"
else
  fail "docs/argocd.md's argocd-cm snippet differs from $CHART/argocd/health.lua" "$out/log"
fi

echo
echo "chart-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
