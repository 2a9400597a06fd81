#!/usr/bin/env python3
"""Runs a rendered PodMonitor's relabelings through Prometheus' own relabelling code (promtool
check service-discovery) on the pods the operator creates, and checks the labels that come out.

    podmonitor-sd.py PROMTOOL PODMONITOR.yaml WORKDIR

For each of the PodMonitor's podMetricsEndpoints, WORKDIR/prometheus.yml gets a scrape job whose
relabel_configs are that endpoint's relabelings (the Prometheus Operator writes sourceLabels and
targetLabel as source_labels and target_label; the other fields keep their names) and whose
static_configs are the pods below, labelled as Prometheus' Kubernetes discovery labels a pod's
container port: __meta_kubernetes_pod_container_name, and each pod label as
__meta_kubernetes_pod_label_<name with . / - as _> plus its labelpresent_ twin. promtool reads the
file as Prometheus does, runs the static discovery, applies the relabel_configs and prints each
target's labels; this script then compares them with what the dashboard and the alerts need.

Not run: the Prometheus Operator itself, which turns the PodMonitor into a scrape config with its
own relabelings first (keep on the port name, namespace, pod, container, job, endpoint), nor
Kubernetes discovery: the pods are written by hand from the operator's labels (Labels.java and
RouterObjects.java). Reads the rendered YAML line by line (helm's output, two-space indents) so
that it needs nothing beyond python3's standard library.
"""
import json
import re
import subprocess
import sys

RUNTIME_POD = {
    "app.kubernetes.io/name": "model-runtime",
    "app.kubernetes.io/instance": "iris",
    "app.kubernetes.io/managed-by": "modelship-operator",
    "modelship.io/name": "iris",
    "modelship.io/revision": "5d41402abc",
}
ROUTER_POD = {
    "app.kubernetes.io/name": "model-router",
    "app.kubernetes.io/instance": "iris",
    "app.kubernetes.io/managed-by": "modelship-operator",
    "modelship.io/name": "iris",
    "modelship.io/component": "router",
}
# address: (what it is, container, pod labels, kept, labels wanted; "" = must be absent)
CASES = {
    "runtime.team-a:8080": ("a runtime container", "runtime", RUNTIME_POD, True,
                            {"modelship_deployment": "iris", "revision": "5d41402abc", "component": "model-runtime"}),
    # The router's own series carry revision; the target must not add one.
    "router.team-a:8080": ("a router container", "router", ROUTER_POD, True,
                           {"modelship_deployment": "iris", "revision": "", "component": "model-router"}),
    "transformer.team-a:8080": ("a transformer sidecar, which serves no /q/metrics", "transformer", RUNTIME_POD, False, {}),
}
RENAME = {"sourceLabels": "source_labels", "targetLabel": "target_label"}


def sanitize(name):
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def static_configs():
    out = []
    for address, (_, container, pod, _, _) in CASES.items():
        out.append("      - targets: [%s]" % json.dumps(address))
        out.append("        labels:")
        labels = {"__meta_kubernetes_namespace": "team-a", "__meta_kubernetes_pod_container_name": container}
        for k, v in pod.items():
            labels["__meta_kubernetes_pod_label_" + sanitize(k)] = v
            labels["__meta_kubernetes_pod_labelpresent_" + sanitize(k)] = "true"
        for k, v in labels.items():
            out.append("          %s: %s" % (k, json.dumps(v)))
    return out


def endpoints(podmonitor):
    """Yields (port, relabeling lines re-indented for relabel_configs) per podMetricsEndpoint."""
    eps, inside, within = [], False, False
    for line in podmonitor.splitlines():
        if re.match(r"^  podMetricsEndpoints:\s*$", line):
            within = True
            continue
        if not within:
            continue
        if re.match(r"^ {0,3}\S", line):  # back at spec level or above: the endpoints are over
            break
        if re.match(r"^    - ", line):  # a new endpoint; its fields are indented by six
            eps.append({"port": None, "lines": []})
            inside = False
            line = "      " + line[6:]
        if not eps:
            continue
        m = re.match(r"^      port: (\S+)\s*$", line)
        if m:
            eps[-1]["port"] = m.group(1).strip("\"'")
        if re.match(r"^      relabelings:\s*$", line):
            inside = True
            continue
        if inside:
            if re.match(r"^ {0,7}\S", line):  # the next field of the endpoint
                inside = False
                continue
            if line.strip().startswith("#"):
                continue
            key = re.match(r"^(\s*(?:- )?)([A-Za-z_]+):(.*)$", line)
            if key:
                line = key.group(1) + RENAME.get(key.group(2), key.group(2)) + ":" + key.group(3)
            eps[-1]["lines"].append("    " + line[6:])
    for i, ep in enumerate(eps):
        yield ep["port"] or "endpoint-%d" % i, ep["lines"]


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: podmonitor-sd.py PROMTOOL PODMONITOR.yaml WORKDIR")
    promtool, path, work = sys.argv[1:]
    with open(path) as f:
        text = f.read()
    if not re.search(r"^kind: PodMonitor$", text, re.M):
        sys.exit("%s: not a PodMonitor" % path)
    eps = list(endpoints(text))
    if not eps:
        sys.exit("%s: no podMetricsEndpoints" % path)
    config = ["scrape_configs:"]
    for port, lines in eps:
        config.append("  - job_name: podmonitor-%s" % port)
        config.append("    static_configs:")
        config += static_configs()
        config.append("    relabel_configs:")
        config += lines or ["      []"]
    cfg = work + "/prometheus.yml"
    with open(cfg, "w") as f:
        f.write("\n".join(config) + "\n")

    failures, checked = 0, 0
    for port, _ in eps:
        job = "podmonitor-" + port
        run = subprocess.run([promtool, "check", "service-discovery", "--timeout=2s", cfg, job],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print("%s: promtool check service-discovery %s failed:\n%s%s" % (cfg, job, run.stdout, run.stderr))
            failures += 1
            continue
        results = {r["discoveredLabels"].get("__address__"): r for r in json.loads(run.stdout)}
        for address, (what, _, _, keep, want) in CASES.items():
            checked += 1
            r = results.get(address)
            if r is None:
                print("%s: %s: promtool reported no target %s" % (job, what, address))
                failures += 1
                continue
            if r.get("error"):
                print("%s: %s: %s" % (job, what, r["error"]))
                failures += 1
                continue
            got = r.get("labels") or {}
            if bool(got) != keep:
                print("%s: %s: %s, want %s (labels: %s)" % (job, what, "kept" if got else "dropped",
                                                            "kept" if keep else "dropped", got))
                failures += 1
                continue
            for k, v in want.items():
                if got.get(k, "") != v:
                    print("%s: %s: label %s = %r, want %r (labels: %s)" % (job, what, k, got.get(k, ""), v, got))
                    failures += 1
    print("%d endpoints x %d pods, %d failures" % (len(eps), len(CASES), failures))
    sys.exit(1 if failures or checked == 0 else 0)


if __name__ == "__main__":
    main()
