// Package metrics holds tienda's Prometheus metrics: one registry per process, built in
// app.Build and passed down, never the client library's global default registry. It exposes a
// small typed API (RequestStarted/RequestDone for HTTP, TaskEvent for background tasks) so
// that callers do not handle label names or collectors themselves. It must not import the rest
// of tienda: anything it reads (the database pool, the outbox backlog) is handed to it.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes tienda's own series.
const Namespace = "tienda"

// UnmatchedRoute labels requests that matched no route, so that scanners probing random paths
// cannot create a series per path.
const UnmatchedRoute = "unmatched"

// OtherMethod labels requests whose method is not one of HTTP's standard methods, so that a
// client sending made-up methods cannot create a series per method.
const OtherMethod = "OTHER"

// Method returns method when it is a standard HTTP method, else OtherMethod: the bounded value
// that labels and log lines carry.
func Method(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return OtherMethod
}

// TaskEvent values: what happened to a background task.
const (
	TaskSent      = "sent"      // handed to the queue
	TaskSucceeded = "succeeded" // finished without error
	TaskFailed    = "failed"    // gave up
	TaskRetried   = "retried"   // failed and was scheduled again
)

// Metrics is the registry of one process and the series tienda updates itself.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	tasks    *prometheus.CounterVec
	// unlimited counts requests the shared rate limiter let through because Redis failed.
	unlimited prometheus.Counter
}

// New returns a fresh registry with the Go runtime and process collectors and tienda's HTTP
// and task series.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by method, route template and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time from the request reaching the router to the response being written, by method, route template and status.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace, Subsystem: "http", Name: "requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		tasks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "tasks", Name: "events_total",
			Help: "Background task events (sent, succeeded, failed, retried), by task name.",
		}, []string{"task", "event"}),
		unlimited: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Subsystem: "ratelimit", Name: "redis_failures_total",
			Help: "Requests let through without a rate-limit check because Redis, which holds the shared limits, did not answer.",
		}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.inFlight, m.tasks, m.unlimited,
	)
	return m
}

// Registry returns the process's registry, for collectors of other parts of the program.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the registry in the Prometheus text format. A collector that fails (the
// database is down while the outbox backlog is read) drops its own series from the scrape,
// not the whole scrape.
func (m *Metrics) Handler(errorLog promhttp.Logger) http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      errorLog,
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.registry, // promhttp_metric_handler_errors_total
	})
}

// RequestStarted counts a request in flight; RequestDone must follow.
func (m *Metrics) RequestStarted() { m.inFlight.Inc() }

// RequestDone records a finished request. route is the route template (e.g.
// /api/v1/products/:id), never the raw path; "" becomes UnmatchedRoute. A method outside the
// standard ones becomes OtherMethod.
func (m *Metrics) RequestDone(method, route string, status int, elapsed time.Duration) {
	m.inFlight.Dec()
	if route == "" {
		route = UnmatchedRoute
	}
	method = Method(method)
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(method, route, code).Inc()
	m.duration.WithLabelValues(method, route, code).Observe(elapsed.Seconds())
}

// TaskEvent counts one event (TaskSent, TaskSucceeded, TaskFailed or TaskRetried) of the task
// with the given name. Task names must come from code, not from input, to keep the number of
// series bounded. A nil *Metrics does nothing, so code under test may pass none.
func (m *Metrics) TaskEvent(task, event string) {
	if m == nil {
		return
	}
	m.tasks.WithLabelValues(task, event).Inc()
}

// RateLimitUnchecked counts a request let through unchecked because the shared rate limiter
// could not reach Redis.
func (m *Metrics) RateLimitUnchecked() { m.unlimited.Inc() }

// RegisterDB exports the connection pool statistics of db (go_sql_* series, labelled
// db_name=name).
func (m *Metrics) RegisterDB(name string, db *sql.DB) error {
	return m.registry.Register(collectors.NewDBStatsCollector(db, name))
}

// BacklogFunc counts background jobs by state.
type BacklogFunc func(ctx context.Context) (map[string]int64, error)

// RegisterOutboxBacklog exports tienda_outbox_backlog{state}, read with count at every scrape
// and given at most timeout. states are always exported, as 0 when count has no row for them.
func (m *Metrics) RegisterOutboxBacklog(count BacklogFunc, timeout time.Duration, states ...string) error {
	return m.registry.Register(&backlogCollector{
		desc: prometheus.NewDesc(prometheus.BuildFQName(Namespace, "outbox", "backlog"),
			"Outbox rows not finished yet (pending: not handed to the queue; sent: handed, not done), read at scrape time.",
			[]string{"state"}, nil),
		count:   count,
		timeout: timeout,
		states:  states,
	})
}

type backlogCollector struct {
	desc    *prometheus.Desc
	count   BacklogFunc
	timeout time.Duration
	states  []string
}

func (b *backlogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- b.desc }

func (b *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	counts, err := b.count(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(b.desc, err)
		return
	}
	for _, s := range b.states {
		ch <- prometheus.MustNewConstMetric(b.desc, prometheus.GaugeValue, float64(counts[s]), s)
	}
}
