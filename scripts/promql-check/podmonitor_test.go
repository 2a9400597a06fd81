package main

import (
	"os"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/relabel"
	"github.com/prometheus/prometheus/util/strutil"
	"go.yaml.in/yaml/v3"
)

// A pod as the operator labels it (operator/.../desired/Labels.java and RouterObjects.java), as
// Prometheus' Kubernetes discovery presents one of its container ports: pod labels become
// __meta_kubernetes_pod_label_<sanitized name>.
func target(container string, podLabels map[string]string) labels.Labels {
	m := map[string]string{"__meta_kubernetes_pod_container_name": container}
	for k, v := range podLabels {
		m["__meta_kubernetes_pod_label_"+strutil.SanitizeLabelName(k)] = v
		m["__meta_kubernetes_pod_labelpresent_"+strutil.SanitizeLabelName(k)] = "true"
	}
	return labels.FromMap(m)
}

func runtimePod() map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":       "model-runtime",
		"app.kubernetes.io/instance":   "iris",
		"app.kubernetes.io/managed-by": "modelship-operator",
		"modelship.io/name":            "iris",
		"modelship.io/revision":        "5d41402abc",
	}
}

func routerPod() map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":       "model-router",
		"app.kubernetes.io/instance":   "iris",
		"app.kubernetes.io/managed-by": "modelship-operator",
		"modelship.io/name":            "iris",
		"modelship.io/component":       "router",
	}
}

// relabelings reads the PodMonitor's relabelings of one endpoint as Prometheus' relabel configs
// (the Prometheus Operator writes its camelCase fields as their snake_case ones).
func relabelings(t *testing.T, endpoint map[string]any) []*relabel.Config {
	var out []*relabel.Config
	rules, _ := endpoint["relabelings"].([]any)
	for _, r := range rules {
		m := r.(map[string]any)
		conv := map[string]any{}
		for k, v := range m {
			switch k {
			case "sourceLabels":
				conv["source_labels"] = v
			case "targetLabel":
				conv["target_label"] = v
			default:
				conv[k] = v
			}
		}
		raw, err := yaml.Marshal(conv)
		if err != nil {
			t.Fatal(err)
		}
		var c relabel.Config
		if err := yaml.Unmarshal(raw, &c); err != nil {
			t.Fatalf("relabeling %v: %v", m, err)
		}
		c.NameValidationScheme = model.UTF8Validation
		if err := c.Validate(model.UTF8Validation); err != nil {
			t.Fatalf("relabeling %v: %v", m, err)
		}
		out = append(out, &c)
	}
	return out
}

// TestPodMonitorLabelsSeriesAsTheDashboardExpects applies the relabelings of the PodMonitor named
// by PROMQL_CHECK_PODMONITOR (scripts/chart-test.sh renders one) with Prometheus' relabel code to
// the runtime, router and transformer containers of the pods the operator creates.
func TestPodMonitorLabelsSeriesAsTheDashboardExpects(t *testing.T) {
	path := os.Getenv("PROMQL_CHECK_PODMONITOR")
	if path == "" {
		t.Fatal("set PROMQL_CHECK_PODMONITOR to a rendered PodMonitor (scripts/chart-test.sh does)")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pm struct {
		Kind string `yaml:"kind"`
		Spec struct {
			Endpoints []map[string]any `yaml:"podMetricsEndpoints"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(raw, &pm); err != nil || pm.Kind != "PodMonitor" {
		t.Fatalf("%s: not a PodMonitor (%v)", path, err)
	}
	if len(pm.Spec.Endpoints) == 0 {
		t.Fatalf("%s: no podMetricsEndpoints", path)
	}
	cases := []struct {
		name      string
		container string
		pod       map[string]string
		keep      bool
		want      map[string]string
	}{
		{"a runtime container", "runtime", runtimePod(), true,
			map[string]string{"modelship_deployment": "iris", "revision": "5d41402abc", "component": "model-runtime"}},
		// The router's own series carry revision; the target must not add one.
		{"a router container", "router", routerPod(), true,
			map[string]string{"modelship_deployment": "iris", "revision": "", "component": "model-router"}},
		{"a transformer sidecar, which serves no /q/metrics", "transformer", runtimePod(), false, nil},
	}
	for _, e := range pm.Spec.Endpoints {
		cfgs := relabelings(t, e)
		for _, c := range cases {
			t.Run(e["port"].(string)+"/"+c.name, func(t *testing.T) {
				lb := labels.NewBuilder(target(c.container, c.pod))
				keep := relabel.ProcessBuilder(lb, cfgs...)
				if keep != c.keep {
					t.Fatalf("kept: %v, want %v", keep, c.keep)
				}
				got := lb.Labels()
				for k, v := range c.want {
					if got.Get(k) != v {
						t.Errorf("label %s = %q, want %q (all: %s)", k, got.Get(k), v, got)
					}
				}
			})
		}
	}
}
