package main

// The scaling table (`make bench-scale`, flag -scale): how tienda's costs grow with the data. One
// database grows through the sizes: products are bulk-inserted up to each size in turn, after
// -scale-orders orders (spread over the last 365 days, one or two lines each) have been
// inserted; order placement is also measured once before those orders exist. At each size wrk
// drives product get, list page 1, list last page, a filtered list (q and a price range) and
// order placement; then a `tienda worker` builds a 365-day sales report, timed from the request
// to SUCCESS (the relay's pick-up, up to tasks.relay_interval, included), with the worker's peak
// RSS.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
)

// scaleScenarios are the wrk scenarios of the scaling table, in its column order.
var scaleScenarios = []string{"product", "page1", "lastpage", "filtered", "order"}

// scaleRow is one size of the scaling table.
type scaleRow struct {
	Products int                `json:"products"`
	Orders   int64              `json:"orders"`
	Results  map[string]result  `json:"results"`
	Report   *reportMeasurement `json:"report,omitempty"`
}

type reportMeasurement struct {
	// Seconds runs from the worker's pick-up of the task (its state leaves PENDING) to SUCCESS;
	// Waited from the request to the pick-up (the outbox relay hands jobs over oldest first, so
	// the order scenarios' confirmation jobs go before it).
	Seconds float64 `json:"seconds"`
	Waited  float64 `json:"waited_seconds"`
	RSSMB   float64 `json:"worker_peak_rss_mb"`
	Days    int     `json:"days"`
}

func runScale(ctx context.Context, o options, admin *sql.DB, server *mysql.Config, hash []byte, sizes []int, orders int) (err error) {
	if len(sizes) == 0 || !sortedPositive(sizes) {
		return errors.New("-scale: increasing product counts, e.g. 10000,100000,1000000")
	}
	work, err := os.MkdirTemp("", "tienda-bench-scale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	o.products = sizes[0]
	t, stop, err := start(ctx, o, admin, server, hash, "tienda", work)
	defer stop(&err)
	if err != nil {
		return fmt.Errorf("tienda: %w", err)
	}
	db, err := sql.Open("mysql", t.dsn)
	if err != nil {
		return err
	}
	defer db.Close()

	var rows []scaleRow
	measure := func(size int, scenarios []string) (scaleRow, error) {
		row := scaleRow{Products: size, Results: map[string]result{}}
		_ = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM orders").Scan(&row.Orders)
		so := o
		so.products = size
		for _, sc := range scenarios {
			r, err := measureOne(ctx, so, t, sc)
			if err != nil {
				return row, fmt.Errorf("%d products, %s: %w", size, sc, err)
			}
			row.Results[sc] = r
		}
		return row, nil
	}

	fmt.Printf("order placement with an empty orders table, %d products\n", sizes[0])
	row, err := measure(sizes[0], []string{"order"})
	if err != nil {
		return err
	}
	rows = append(rows, row)
	began := time.Now()
	if err := seedOrders(ctx, db, orders, sizes[0], o.customers); err != nil {
		return fmt.Errorf("seed orders: %w", err)
	}
	fmt.Printf("seeded %d orders in %s\n", orders, time.Since(began).Round(time.Millisecond))
	for i, size := range sizes {
		if i > 0 {
			began := time.Now()
			if err := seedProducts(ctx, db, sizes[i-1]+1, size); err != nil {
				return fmt.Errorf("seed products: %w", err)
			}
			fmt.Printf("grew the catalogue to %d products in %s\n", size, time.Since(began).Round(time.Millisecond))
		}
		row, err := measure(size, scaleScenarios)
		if err != nil {
			return err
		}
		rep, err := measureReport(ctx, o, t, work)
		if err != nil {
			return fmt.Errorf("%d products, sales report: %w", size, err)
		}
		row.Report = &rep
		fmt.Printf("365-day sales report: %.2f s from pick-up to SUCCESS (%.2f s in the queue before), %d days, worker peak RSS %.1f MB\n",
			rep.Seconds, rep.Waited, rep.Days, rep.RSSMB)
		rows = append(rows, row)
	}
	printScale(rows)
	if o.jsonOut != "" {
		raw, _ := json.MarshalIndent(rows, "", "  ")
		return os.WriteFile(o.jsonOut, raw, 0o644) //nolint:gosec // a report, not a secret
	}
	return nil
}

func sortedPositive(v []int) bool {
	for i, n := range v {
		if n <= 0 || i > 0 && n <= v[i-1] {
			return false
		}
	}
	return true
}

// measureOne runs one scenario after its warm-up and returns its figures.
func measureOne(ctx context.Context, o options, t *target, sc string) (result, error) {
	if o.warmup > 0 {
		if _, err := runWrk(ctx, o, t.base, sc, t.accounts, o.warmup); err != nil {
			return result{}, err
		}
	}
	sampler := sampleRSS(t.pid)
	cpu0 := cpuTime(t.pid)
	w, err := runWrk(ctx, o, t.base, sc, t.accounts, o.duration)
	cpu := cpuTime(t.pid) - cpu0
	peak := sampler()
	if err != nil {
		return result{}, err
	}
	r := result{
		Server: t.name, Scenario: sc, Requests: w.Requests,
		RPS:   float64(w.Requests) / (float64(w.DurationUS) / 1e6),
		P50ms: float64(w.P50US) / 1000, P99ms: float64(w.P99US) / 1000,
		Errors: w.NonOK + w.Connect + w.Read + w.Write + w.Timeout,
		RSSMB:  peak,
		CPUus:  float64(cpu.Microseconds()) / float64(max(w.Requests, 1)),
	}
	fmt.Printf("  %-22s %8.0f req/s  p50 %8.2f ms  p99 %8.2f ms  errors %d  CPU %6.0f µs/req\n",
		scenarioNames[sc], r.RPS, r.P50ms, r.P99ms, r.Errors, r.CPUus)
	return r, nil
}

// seedOrders inserts n orders of the customers, spread evenly over the last 365 days, each with
// one or two lines of products 1..products (status paid; the stock is left alone: these orders
// exist only to weigh on the tables).
func seedOrders(ctx context.Context, db *sql.DB, n, products, customers int) error {
	rng := rand.New(rand.NewPCG(1, 2)) //nolint:gosec // test data
	now := time.Now().UTC().Truncate(time.Microsecond)
	span := 365 * 24 * time.Hour
	var firstUser int64
	if err := db.QueryRowContext(ctx, "SELECT MIN(id) FROM users WHERE role = 'customer'").Scan(&firstUser); err != nil {
		return err
	}
	var next int64
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) + 1 FROM orders").Scan(&next); err != nil {
		return err
	}
	const batch = 2000
	for done := 0; done < n; {
		m := min(batch, n-done)
		var oq, iq strings.Builder
		oq.WriteString("INSERT INTO orders (id, user_id, status, total_cents, created_at, updated_at) VALUES ")
		iq.WriteString("INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price_cents, line_total_cents) VALUES ")
		oargs := make([]any, 0, 5*m)
		iargs := make([]any, 0, 14*m)
		lines := 0
		for k := range m {
			id := next + int64(done+k)
			at := now.Add(-time.Duration(float64(span) * float64(done+k) / float64(n)))
			var total int64
			for l := range 1 + rng.IntN(2) {
				p := 1 + (rng.IntN(products)+l)%products
				price := int64(100 + (p*37)%10_000)
				if lines > 0 {
					iq.WriteString(",")
				}
				iq.WriteString("(?,?,?,?,1,?,?)")
				iargs = append(iargs, id, p, fmt.Sprintf("BENCH-%07d", p), fmt.Sprintf("Benchmark product %d", p), price, price)
				total += price
				lines++
			}
			if k > 0 {
				oq.WriteString(",")
			}
			oq.WriteString("(?,?,'paid',?,?,?)")
			oargs = append(oargs, id, firstUser+int64(rng.IntN(customers)), total, at, at)
		}
		if _, err := db.ExecContext(ctx, oq.String(), oargs...); err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, iq.String(), iargs...); err != nil {
			return err
		}
		done += m
	}
	return nil
}

// measureReport starts a worker, asks tienda for a sales report of the last 365 days as the
// admin, and times it to SUCCESS; it returns the time and the worker's peak RSS.
func measureReport(ctx context.Context, o options, t *target, work string) (reportMeasurement, error) {
	if o.redis == "" {
		return reportMeasurement{}, errors.New("the sales report needs Redis (-redis) for its worker")
	}
	client := &http.Client{Timeout: 30 * time.Second}
	token, err := login(ctx, client, t.base, adminEmail)
	if err != nil {
		return reportMeasurement{}, err
	}
	// The order scenarios' confirmation emails wait in the queue (no worker runs while wrk does):
	// drop them, so that the worker starts on the report. (The relay hands them out again after
	// tasks.redeliver_after; a report that takes that long shares the worker with them.)
	rdb := redis.NewClient(&redis.Options{Addr: o.redis})
	err = rdb.Del(ctx, t.prefix+"tasks").Err()
	_ = rdb.Close()
	if err != nil {
		return reportMeasurement{}, fmt.Errorf("redis: %w", err)
	}
	worker := exec.Command(o.tienda, "worker", "--concurrency", "1") //nolint:noctx // stopped by PID below
	worker.Env, worker.Dir = t.env, filepath.Join(work, t.name)
	var out strings.Builder
	worker.Stdout, worker.Stderr = &out, &out
	worker.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := worker.Start(); err != nil {
		return reportMeasurement{}, err
	}
	exited := make(chan struct{})
	go func() { _ = worker.Wait(); close(exited) }()
	defer stopProcess(worker.Process.Pid, exited)
	time.Sleep(time.Second) // let it connect to Redis

	today := time.Now().UTC()
	body := fmt.Sprintf(`{"from":%q,"to":%q}`, today.AddDate(0, 0, -364).Format(time.DateOnly), today.Format(time.DateOnly))
	began := time.Now()
	var accepted struct {
		TaskID string `json:"task_id"`
	}
	if err := call(ctx, client, http.MethodPost, t.base+"/api/v1/reports/sales", token, body, http.StatusAccepted, &accepted); err != nil {
		return reportMeasurement{}, err
	}
	var picked time.Time
	for {
		var task struct {
			State  string `json:"state"`
			Error  string `json:"error"`
			Result struct {
				Days []json.RawMessage `json:"days"`
			} `json:"result"`
		}
		if err := call(ctx, client, http.MethodGet, t.base+"/api/v1/tasks/"+accepted.TaskID, token, "", http.StatusOK, &task); err != nil {
			return reportMeasurement{}, err
		}
		if picked.IsZero() && task.State != "PENDING" {
			picked = time.Now()
		}
		switch task.State {
		case "SUCCESS":
			m, _ := memory(worker.Process.Pid)
			return reportMeasurement{Seconds: time.Since(picked).Seconds(), Waited: picked.Sub(began).Seconds(), RSSMB: m.hwm, Days: len(task.Result.Days)}, nil
		case "FAILURE":
			return reportMeasurement{}, fmt.Errorf("the report failed: %s", task.Error)
		}
		select {
		case <-exited:
			return reportMeasurement{}, fmt.Errorf("the worker exited: %s", tail(out.String(), 2000))
		case <-ctx.Done():
			return reportMeasurement{}, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Since(began) > 15*time.Minute {
			return reportMeasurement{}, errors.New("no result within 15 minutes")
		}
	}
}

// call sends one API request and decodes the answer, which must have status want.
func call(ctx context.Context, client *http.Client, method, url, token, body string, want int, into any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d", method, url, resp.StatusCode, want)
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

func printScale(rows []scaleRow) {
	fmt.Println("\n== scaling: req/s (p50 ms) per scenario; the sales report's time from the worker's pick-up to SUCCESS and the worker's peak RSS")
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(w, "products\torders\t")
	for _, sc := range scaleScenarios {
		fmt.Fprintf(w, "%s\t", scenarioNames[sc])
	}
	fmt.Fprintln(w, "365-day report s\treport RSS MB\terrors\t")
	for _, r := range rows {
		fmt.Fprintf(w, "%d\t%d\t", r.Products, r.Orders)
		var errs int64
		for _, sc := range scaleScenarios {
			if x, ok := r.Results[sc]; ok {
				fmt.Fprintf(w, "%.0f (%.1f)\t", x.RPS, x.P50ms)
				errs += x.Errors
			} else {
				fmt.Fprint(w, "-\t")
			}
		}
		if r.Report != nil {
			fmt.Fprintf(w, "%.2f\t%.1f\t", r.Report.Seconds, r.Report.RSSMB)
		} else {
			fmt.Fprint(w, "-\t-\t")
		}
		fmt.Fprintf(w, "%d\t\n", errs)
	}
	_ = w.Flush()
}
