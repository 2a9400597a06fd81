package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/promql/promqltest"
)

// scenario: series loaded at one sample a minute, and whether the alert's expr returns a series
// at the time given. The alerts' "for" durations are not simulated: only what the expr selects.
type scenario struct {
	name   string
	series string
	at     string
	fires  bool
}

// Labels the chart's PodMonitor puts on runtime and router series.
const pod = `namespace="team-a",modelship_deployment="iris"`

var scenarios = map[string][]scenario{
	"ModelshipRolloutRolledBack": {
		{"the first rollback: a series born at 1", `modelship_rollbacks_total{namespace="team-a",name="iris",reason="AnalysisFailed"} _x20 1x40`, "25m", true},
		{"a second rollback of the same ModelDeployment and reason", `modelship_rollbacks_total{namespace="team-a",name="iris",reason="AnalysisFailed"} 1x40 2x20`, "45m", true},
		{"a rollback more than 15 minutes ago", `modelship_rollbacks_total{namespace="team-a",name="iris",reason="AnalysisFailed"} _x20 1x40`, "50m", false},
	},
	"ModelshipCandidateFailingAnalysis": {
		{"the candidate fails 10 % of its requests", `modelship_router_requests_total{` + pod + `,side="candidate",revision="v2",code="2xx"} 0+90x20
  modelship_router_requests_total{` + pod + `,side="candidate",revision="v2",code="error"} 0+10x20`, "15m", true},
		{"the candidate fails 1 %, the stable 50 %", `modelship_router_requests_total{` + pod + `,side="candidate",revision="v2",code="2xx"} 0+99x20
  modelship_router_requests_total{` + pod + `,side="candidate",revision="v2",code="5xx"} 0+1x20
  modelship_router_requests_total{` + pod + `,side="stable",revision="v1",code="5xx"} 0+50x20
  modelship_router_requests_total{` + pod + `,side="stable",revision="v1",code="2xx"} 0+50x20`, "15m", false},
	},
	"ModelshipShadowDisagreement": {
		{"20 % of mirrored answers disagree", `modelship_router_mirror_total{` + pod + `,result="agree"} 0+80x20
  modelship_router_mirror_total{` + pod + `,result="disagree"} 0+20x20`, "15m", true},
		{"no mirrored answer agrees at all", `modelship_router_mirror_total{` + pod + `,result="incomparable"} 0+5x20`, "15m", true},
		{"2 % are incomparable", `modelship_router_mirror_total{` + pod + `,result="agree"} 0+98x20
  modelship_router_mirror_total{` + pod + `,result="incomparable"} 0+2x20`, "15m", false},
	},
	"ModelshipModelDeploymentDegraded": {
		{"one Degraded", `modelship_modeldeployments{phase="Degraded"} 1x20
  modelship_modeldeployments{phase="Healthy"} 3x20`, "15m", true},
		{"none Degraded", `modelship_modeldeployments{phase="Degraded"} 0x20
  modelship_modeldeployments{phase="RolledBack"} 1x20`, "15m", false},
	},
	"ModelshipModelServerErrors": {
		{"10 % of predictions end in a 5xx", `modelship_requests_total{` + pod + `,model="iris",endpoint="predict",status="200"} 0+90x20
  modelship_requests_total{` + pod + `,model="iris",endpoint="predict",status="500"} 0+10x20
  modelship_request_errors_total{` + pod + `,model="iris",endpoint="predict",kind="server"} 0+10x20`, "15m", true},
		{"many 4xx, few 5xx", `modelship_requests_total{` + pod + `,model="iris",endpoint="predict",status="200"} 0+499x20
  modelship_requests_total{` + pod + `,model="iris",endpoint="predict",status="422"} 0+500x20
  modelship_requests_total{` + pod + `,model="iris",endpoint="predict",status="500"} 0+1x20
  modelship_request_errors_total{` + pod + `,model="iris",endpoint="predict",kind="client"} 0+500x20
  modelship_request_errors_total{` + pod + `,model="iris",endpoint="predict",kind="server"} 0+1x20`, "15m", false},
	},
	"ModelshipQueueLag": {
		{"5000 waiting on two pods", `modelship_queue_lag_records{` + pod + `,pod="a"} 2500x20
  modelship_queue_lag_records{` + pod + `,pod="b"} 2500x20`, "15m", true},
		{"10 waiting", `modelship_queue_lag_records{` + pod + `,pod="a"} 10x20`, "15m", false},
	},
}

// TestAlertsFireWhenTheyShould evaluates each alert's expr of the PrometheusRule named by
// PROMQL_CHECK_RULE (scripts/chart-test.sh renders one) in Prometheus' engine over its scenarios.
func TestAlertsFireWhenTheyShould(t *testing.T) {
	path := os.Getenv("PROMQL_CHECK_RULE")
	if path == "" {
		t.Fatal("set PROMQL_CHECK_RULE to a rendered PrometheusRule (scripts/chart-test.sh does)")
	}
	groups, errs := loadRules(path, parser.NewParser(parser.Options{}))
	if len(errs) > 0 {
		t.Fatalf("%s: %v", path, errs)
	}
	seen := map[string]bool{}
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			seen[r.Alert] = true
			cases := scenarios[r.Alert]
			if len(cases) == 0 {
				t.Errorf("alert %s has no scenario in alerts_test.go: add one that fires and one that does not", r.Alert)
			}
			for _, c := range cases {
				t.Run(r.Alert+"/"+c.name, func(t *testing.T) {
					want := ""
					if c.fires {
						want = "\n  {} 1"
					}
					script := fmt.Sprintf("load 1m\n  %s\n\neval instant at %s count(%s) > 0%s\n",
						c.series, c.at, strings.TrimSpace(r.Expr), want)
					promqltest.RunTest(t, script, promqltest.NewTestEngine(t, false, 0, 100000))
				})
			}
		}
	}
	for name := range scenarios {
		if !seen[name] {
			t.Errorf("scenarios for %s, which the PrometheusRule does not have", name)
		}
	}
}
