#!/usr/bin/env python3
"""Writes every PromQL query of a Grafana dashboard as a Prometheus rule file of recording rules,
so that `promtool check rules` runs Prometheus' own parser on each one.

    dashboard-rules.py DASHBOARD.json > dashboard-rules.json   (JSON is YAML: promtool reads it)

Grafana's variables are not PromQL, so each is replaced first by a value of the kind its place
needs: $__rate_interval, $__interval and $__range (and their ${...} forms) by 5m, where PromQL
wants a duration; any other $var or ${var} (the dashboard's $namespace and $deployment, inside
matcher values) by its own name. Queries read: every panel target's expr (rows' nested panels
included) and every query variable. A variable query of the form label_values(SELECTOR, label)
is Grafana syntax: only SELECTOR is PromQL and is checked, and label must be a label name;
query_result(QUERY) has QUERY checked. Any other variable query (label_names(), metrics(...),
label_values(label)) holds no PromQL and is listed on stderr as not checked. Exits 1 if the
dashboard has no query or a variable query this script cannot read.
"""
import json
import re
import sys

DURATION_VARS = re.compile(r"\$__(?:rate_interval|interval|range)\b|\$\{__(?:rate_interval|interval|range)\}")
OTHER_VARS = re.compile(r"\$\{([A-Za-z0-9_:]+)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
LABEL_VALUES = re.compile(r"^\s*label_values\((.*),\s*([^,()]*?)\s*\)\s*$", re.S)
QUERY_RESULT = re.compile(r"^\s*query_result\((.*)\)\s*$", re.S)
NO_PROMQL = re.compile(r"^\s*(label_names\(|metrics\(|label_values\(\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$)")
LABEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def promql(expr):
    expr = DURATION_VARS.sub("5m", expr)
    return OTHER_VARS.sub(lambda m: m.group(1) or m.group(2), expr)


def slug(s):
    return re.sub(r"[^A-Za-z0-9_]+", "_", s).strip("_").lower() or "untitled"


def panels(ps):
    for p in ps or []:
        yield p
        yield from panels(p.get("panels"))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: dashboard-rules.py DASHBOARD.json")
    path = sys.argv[1]
    with open(path) as f:
        dashboard = json.load(f)
    rules, problems = [], 0
    for p in panels(dashboard.get("panels")):
        for t in p.get("targets") or []:
            if "expr" not in t:
                continue
            rules.append({
                "record": "dashboard:%s:%s" % (slug(p.get("title", "")), slug(t.get("refId", "q"))),
                "expr": promql(t["expr"]),
                "labels": {"panel": p.get("title", ""), "ref_id": t.get("refId", "")},
            })
    targets = len(rules)
    for v in (dashboard.get("templating") or {}).get("list") or []:
        if v.get("type") != "query":
            continue
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query", "")
        q = q or ""
        m = LABEL_VALUES.match(q)
        if m and not NO_PROMQL.match(q):
            if not LABEL_NAME.match(m.group(2)):
                print("%s: variable %s: %r is not a label name" % (path, v.get("name"), m.group(2)), file=sys.stderr)
                problems += 1
            expr = m.group(1)
        elif QUERY_RESULT.match(q):
            expr = QUERY_RESULT.match(q).group(1)
        elif NO_PROMQL.match(q):
            print("%s: variable %s: %s holds no PromQL, not checked" % (path, v.get("name"), q), file=sys.stderr)
            continue
        else:
            print("%s: variable %s: cannot read query %r" % (path, v.get("name"), q), file=sys.stderr)
            problems += 1
            continue
        rules.append({
            "record": "dashboard:variable:%s" % slug(v.get("name", "")),
            "expr": promql(expr),
            "labels": {"variable": v.get("name", "")},
        })
    if targets == 0:
        print("%s: no panel query found" % path, file=sys.stderr)
        problems += 1
    json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, sys.stdout, indent=2)
    print()
    print("%d panel queries, %d variable selectors" % (targets, len(rules) - targets), file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
