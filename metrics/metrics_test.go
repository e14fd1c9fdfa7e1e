package metrics_test

import (
	"testing"
	"time"

	"tienda/metrics"
)

func TestTaskEventOnNilMetricsDoesNothing(t *testing.T) {
	var m *metrics.Metrics
	m.TaskEvent("send_order_confirmation", metrics.TaskSent) // must not panic
}

func TestTwoRegistriesDoNotClash(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.RequestStarted()
	a.RequestDone("GET", "", 404, time.Millisecond)
	a.TaskEvent("t", metrics.TaskFailed)
	count := func(m *metrics.Metrics, name string) (n int, labels map[string]string) {
		t.Helper()
		families, err := m.Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		labels = map[string]string{}
		for _, f := range families {
			if f.GetName() != name {
				continue
			}
			for _, metric := range f.GetMetric() {
				n++
				for _, l := range metric.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
			}
		}
		return n, labels
	}
	if n, labels := count(a, "tienda_http_requests_total"); n != 1 || labels["route"] != metrics.UnmatchedRoute {
		t.Errorf("first registry: %d series, labels %v; want one with route=%s", n, labels, metrics.UnmatchedRoute)
	}
	if n, labels := count(a, "tienda_tasks_events_total"); n != 1 || labels["event"] != "failed" || labels["task"] != "t" {
		t.Errorf("task series: %d, labels %v", n, labels)
	}
	if n, _ := count(b, "tienda_http_requests_total"); n != 0 {
		t.Errorf("the second registry has %d request series; registries must be independent", n)
	}
}

func TestMadeUpMethodsShareOneLabel(t *testing.T) {
	m := metrics.New()
	for _, method := range []string{"GET", "BREW", "PROPFIND", "get", "M" + string(make([]byte, 4000))} {
		m.RequestStarted()
		m.RequestDone(method, "", 405, time.Millisecond)
	}
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]bool{}
	for _, f := range families {
		if f.GetName() != "tienda_http_requests_total" {
			continue
		}
		for _, metric := range f.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetName() == "method" {
					methods[l.GetValue()] = true
				}
			}
		}
	}
	if len(methods) != 2 || !methods["GET"] || !methods[metrics.OtherMethod] {
		t.Errorf("method labels %v; want GET and %s only", methods, metrics.OtherMethod)
	}
}
