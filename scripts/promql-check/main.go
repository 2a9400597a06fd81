// Command promql-check checks the Helm chart's alerts and Grafana dashboard with Prometheus' own
// code, as promtool would:
//
//	promql-check RULE.yaml DASHBOARD.json
//
// RULE.yaml is a rendered PrometheusRule; its spec (the rule groups) must pass Prometheus' rule
// file checks: every expr parses as PromQL, alert names, labels and annotation templates are
// valid. DASHBOARD.json is a Grafana dashboard; every panel target's expr must parse as PromQL
// once Grafana's variables are replaced by values of the right kind. Prints one line per problem
// and exits 1 if there is any, 2 on bad arguments or unreadable files.
package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"regexp"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

var (
	// Grafana's interval variables stand where PromQL wants a duration.
	durationVar = regexp.MustCompile(`\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}`)
	// Other variables stand inside label matcher values.
	otherVar = regexp.MustCompile(`\$\{[A-Za-z0-9_:]+\}|\$[A-Za-z_][A-Za-z0-9_]*`)
)

// grafanaToPromQL replaces Grafana's variables by values PromQL accepts in their places.
func grafanaToPromQL(expr string) string {
	return otherVar.ReplaceAllString(durationVar.ReplaceAllString(expr, "5m"), "x")
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "promql-check: "+format+"\n", args...)
	os.Exit(code)
}

// loadRules reads a rendered PrometheusRule and checks its groups as Prometheus checks a rule file.
func loadRules(path string, p parser.Parser) (*rulefmt.RuleGroups, []error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, []error{err}
	}
	var rule struct {
		Kind string    `yaml:"kind"`
		Spec yaml.Node `yaml:"spec"`
	}
	if err := yaml.Unmarshal(raw, &rule); err != nil {
		return nil, []error{err}
	}
	if rule.Kind != "PrometheusRule" {
		return nil, []error{fmt.Errorf("kind %q, not a PrometheusRule", rule.Kind)}
	}
	spec, err := yaml.Marshal(&rule.Spec)
	if err != nil {
		return nil, []error{err}
	}
	return rulefmt.Parse(spec, false, model.UTF8Validation, p, slog.New(slog.DiscardHandler))
}

func main() {
	if len(os.Args) != 3 {
		fail(2, "usage: promql-check RULE.yaml DASHBOARD.json")
	}
	p := parser.NewParser(parser.Options{})
	problems := 0

	groups, errs := loadRules(os.Args[1], p)
	for _, e := range errs {
		problems++
		fmt.Printf("%s: %v\n", os.Args[1], e)
	}
	rules := 0
	if groups != nil {
		for _, g := range groups.Groups {
			rules += len(g.Rules)
		}
	}

	raw, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail(2, "%v", err)
	}
	var dashboard struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				RefID string `json:"refId"`
				Expr  string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dashboard); err != nil {
		fail(2, "%s: %v", os.Args[2], err)
	}
	exprs := 0
	for _, panel := range dashboard.Panels {
		for _, t := range panel.Targets {
			exprs++
			if _, err := p.ParseExpr(grafanaToPromQL(t.Expr)); err != nil {
				problems++
				fmt.Printf("%s: panel %q %s: %v\n", os.Args[2], panel.Title, t.RefID, err)
			}
		}
	}
	fmt.Printf("%d rules, %d dashboard queries checked, %d problems\n", rules, exprs, problems)
	if problems > 0 || rules == 0 || exprs == 0 {
		os.Exit(1)
	}
}
