// Command bench is tienda's load benchmark (`make bench`). For each server under test (tienda's
// built binary, and bench/limit, the hand-written yardstick) it creates a fresh, randomly named
// MariaDB/MySQL database, applies tienda's migrations, seeds it in bulk (products, customers,
// one admin), starts the server, logs the customers in through the API, and drives each
// scenario with wrk for a fixed time at a fixed concurrency after a short warm-up. It samples
// the server's resident memory while wrk runs, checks afterwards that the orders took exactly
// the stock they report, and prints a table per run and the medians over the runs, with
// tienda's figures as ratios of the limit's.
//
// Everything it starts (servers, wrk) is stopped by PID before it returns, and every database it
// creates is dropped, also when it is interrupted. It sends traffic to loopback only.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"
)

// options are the command-line settings of one benchmark.
type options struct {
	tienda, limit, script string
	mysqlDSN              string
	servers, scenarios    []string
	runs                  int
	duration, warmup      time.Duration
	connections, threads  int
	products, customers   int
	bcryptCost            int
	pool                  int
	jsonOut               string
	// redis is the Redis tienda queues its background tasks on; empty runs them in tienda's
	// own process (the zero-setup mode), where sending the order emails competes with the
	// requests being measured.
	redis string
	// scale lists the product counts of the scaling table; empty runs the comparison.
	scale       []int
	scaleOrders int
}

// password is every seeded account's password.
const password = "bench-password-123"

// pageSize is the page size of the list scenario.
const pageSize = 20

// scenarioNames are the scenarios in the order they run, with their table labels.
var scenarioNames = map[string]string{
	"product": "GET /products/{id}",
	"list":    "GET /products?page=N",
	"order":   "POST /orders",
	"login":   "POST /auth/login",
	// The scaling table's (-scale).
	"page1":    "list page 1",
	"lastpage": "list last page",
	"filtered": "list q + price range",
}

var scenarioOrder = []string{"product", "list", "order", "login"}

func main() {
	var o options
	var servers, scenarios string
	flag.StringVar(&o.tienda, "tienda", "bin/tienda", "tienda binary")
	flag.StringVar(&o.limit, "limit", "bin/tienda-limit", "limit server binary (bench/limit)")
	flag.StringVar(&o.script, "script", "tools/bench/wrk/scenario.lua", "wrk script")
	flag.StringVar(&o.mysqlDSN, "mysql", envOr("BENCH_MYSQL_DSN", "root@tcp(127.0.0.1:3306)/"), "MySQL/MariaDB server DSN (a database in it is ignored; default $BENCH_MYSQL_DSN)")
	flag.StringVar(&servers, "servers", "tienda,limit", "servers to measure, comma-separated")
	flag.StringVar(&scenarios, "scenarios", strings.Join(scenarioOrder, ","), "scenarios, comma-separated")
	flag.IntVar(&o.runs, "runs", 3, "runs; the summary shows the median of each figure")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measured time per scenario")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "unmeasured warm-up per scenario")
	flag.IntVar(&o.connections, "connections", 32, "concurrent connections")
	flag.IntVar(&o.threads, "threads", 2, "wrk threads")
	flag.IntVar(&o.products, "products", 10_000, "products to seed")
	flag.IntVar(&o.customers, "customers", 100, "customers to seed and log in")
	flag.IntVar(&o.bcryptCost, "bcrypt-cost", 10, "bcrypt cost of the seeded hashes and of both servers")
	flag.IntVar(&o.pool, "pool", 32, "database connection pool size of both servers (tienda: database.max_open_conns and max_idle_conns)")
	flag.StringVar(&o.jsonOut, "json", "", "also write every result to this JSON file")
	flag.StringVar(&o.redis, "redis", envOr("BENCH_REDIS_ADDR", "127.0.0.1:6379"), "Redis for tienda's task queue, as in production (no worker runs: the emails wait in the queue); empty = tasks in-process (default $BENCH_REDIS_ADDR)")
	var scale string
	flag.StringVar(&scale, "scale", "", "instead of the comparison, the scaling table of tienda alone at these product counts, e.g. 10000,100000,1000000 (make bench-scale)")
	flag.IntVar(&o.scaleOrders, "scale-orders", 1_000_000, "orders seeded for the scaling table")
	flag.Parse()
	o.servers, o.scenarios = split(servers), split(scenarios)
	for _, f := range split(scale) {
		n, err := strconv.Atoi(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: -scale:", err)
			os.Exit(2)
		}
		o.scale = append(o.scale, n)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func split(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// result is one scenario measured once on one server.
type result struct {
	Run      int     `json:"run"`
	Server   string  `json:"server"`
	Scenario string  `json:"scenario"`
	Requests int64   `json:"requests"`
	RPS      float64 `json:"rps"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	Errors   int64   `json:"errors"`
	RSSMB    float64 `json:"peak_rss_mb"`
	// CPUus is the server's own CPU time (user + system) per request, in microseconds: less
	// sensitive to the other processes on the machine than requests per second.
	CPUus float64 `json:"cpu_us_per_request"`
}

func run(ctx context.Context, o options) error {
	for _, s := range o.servers {
		if s != "tienda" && s != "limit" {
			return fmt.Errorf("unknown server %q (want tienda or limit)", s)
		}
	}
	for _, s := range o.scenarios {
		if _, ok := scenarioNames[s]; !ok {
			return fmt.Errorf("unknown scenario %q (want %s)", s, strings.Join(scenarioOrder, ", "))
		}
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed (Debian: apt-get install -y wrk)")
	}
	// The servers run in a temporary directory (no config.yaml or .env of the checkout).
	files := []*string{&o.tienda, &o.script}
	if len(o.scale) == 0 && slices.Contains(o.servers, "limit") {
		files = append(files, &o.limit)
	}
	for _, f := range files {
		abs, err := filepath.Abs(*f)
		if err == nil {
			_, err = os.Stat(abs)
		}
		if err != nil {
			return fmt.Errorf("%s: %w (make bench builds the binaries)", *f, err)
		}
		*f = abs
	}
	server, err := mysql.ParseDSN(o.mysqlDSN)
	if err != nil {
		return fmt.Errorf("-mysql: %w", err)
	}
	server.DBName = ""
	admin, err := sql.Open("mysql", server.FormatDSN())
	if err != nil {
		return err
	}
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		return fmt.Errorf("MySQL/MariaDB at %s does not answer: %w", server.Addr, err)
	}
	var version string
	_ = admin.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version)
	hash, err := bcrypt.GenerateFromPassword([]byte(password), o.bcryptCost)
	if err != nil {
		return err
	}
	fmt.Printf("tienda load benchmark: %d runs, %s per scenario after %s warm-up, %d connections, %d wrk threads, "+
		"%d products, %d customers, bcrypt cost %d, pool of %d database connections, database %s at %s\n",
		o.runs, o.duration, o.warmup, o.connections, o.threads, o.products, o.customers, o.bcryptCost, o.pool, version, server.Addr)

	if len(o.scale) > 0 {
		fmt.Printf("scaling table: %d orders; %s per scenario after %s warm-up, %d connections\n", o.scaleOrders, o.duration, o.warmup, o.connections)
		return runScale(ctx, o, admin, server, hash, o.scale, o.scaleOrders)
	}
	var all []result
	for r := 1; r <= o.runs; r++ {
		res, err := benchRun(ctx, o, admin, server, hash, r)
		all = append(all, res...)
		if err != nil {
			return fmt.Errorf("run %d: %w", r, err)
		}
	}
	printSummary(o, all)
	if o.jsonOut != "" {
		raw, _ := json.MarshalIndent(all, "", "  ")
		if err := os.WriteFile(o.jsonOut, raw, 0o644); err != nil { //nolint:gosec // a report, not a secret
			return err
		}
	}
	return nil
}

// target is a server under test, running on its own seeded database.
type target struct {
	name     string
	pid      int
	base     string // http://host:port
	dsn      string
	accounts string // "email<TAB>token" lines
	env      []string
	prefix   string // its Redis keys' (tienda)
	exited   <-chan struct{}
}

// benchRun starts every server on its own fresh database, then measures the scenarios one by
// one, each on every server back to back (alternating who goes first from run to run), so that
// the machine's drift hits the servers alike; then it stops the servers and drops the databases.
func benchRun(ctx context.Context, o options, admin *sql.DB, server *mysql.Config, hash []byte, run int) (out []result, err error) {
	fmt.Printf("\n== run %d/%d\n", run, o.runs)
	work, err := os.MkdirTemp("", "tienda-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	var targets []*target
	var stops []func(*error)
	defer func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i](&err)
		}
	}()
	for _, name := range o.servers {
		t, stop, serr := start(ctx, o, admin, server, hash, name, work)
		stops = append(stops, stop)
		if serr != nil {
			return out, fmt.Errorf("%s: %w", name, serr)
		}
		targets = append(targets, t)
	}
	if run%2 == 0 {
		slices.Reverse(targets)
	}
	for _, sc := range o.scenarios {
		for _, t := range targets {
			if o.warmup > 0 {
				if _, err := runWrk(ctx, o, t.base, sc, t.accounts, o.warmup); err != nil {
					return out, fmt.Errorf("%s, %s warm-up: %w", t.name, sc, err)
				}
			}
			sampler := sampleRSS(t.pid)
			cpu0 := cpuTime(t.pid)
			w, err := runWrk(ctx, o, t.base, sc, t.accounts, o.duration)
			cpu := cpuTime(t.pid) - cpu0
			peak := sampler()
			if err != nil {
				return out, fmt.Errorf("%s, %s: %w", t.name, sc, err)
			}
			if w.Requests == 0 {
				// A run this slow (bcrypt on a crowded machine) shows as 0 req/s, not as a crash.
				fmt.Printf("%s, %s: no request finished in %s\n", t.name, sc, o.duration)
			}
			r := result{
				Run: run, Server: t.name, Scenario: sc, Requests: w.Requests,
				RPS:   float64(w.Requests) / (float64(w.DurationUS) / 1e6),
				P50ms: float64(w.P50US) / 1000, P99ms: float64(w.P99US) / 1000,
				Errors: w.NonOK + w.Connect + w.Read + w.Write + w.Timeout,
				RSSMB:  peak,
				CPUus:  float64(cpu.Microseconds()) / float64(max(w.Requests, 1)),
			}
			out = append(out, r)
			fmt.Printf("%-22s %-7s %8.0f req/s  p50 %8.2f ms  p99 %8.2f ms  errors %d  peak RSS %5.1f MB  CPU %6.0f µs/req\n",
				scenarioNames[sc], t.name, r.RPS, r.P50ms, r.P99ms, r.Errors, r.RSSMB, r.CPUus)
			if sc == "order" {
				if err := checkStock(ctx, t.dsn, o); err != nil {
					return out, fmt.Errorf("%s: %w", t.name, err)
				}
			}
			select {
			case <-t.exited:
				return out, fmt.Errorf("%s exited during the benchmark", t.name)
			default:
			}
		}
	}
	for _, t := range targets {
		m, _ := memory(t.pid)
		fmt.Printf("%s: peak RSS of the whole run (VmHWM, seeding and logins included) %.1f MB\n", t.name, m.hwm)
	}
	return out, nil
}

// start creates and seeds a fresh database, starts the server on it and logs the customers in.
// stop ends the server by its PID and drops the database; it is to be called even when start
// fails, and adds its own failures (with the server's output) to *errp.
func start(ctx context.Context, o options, admin *sql.DB, server *mysql.Config, hash []byte, name, work string) (t *target, stop func(errp *error), err error) {
	var cleanups []func() error
	var serverLog bytes.Buffer
	stop = func(errp *error) {
		for i := len(cleanups) - 1; i >= 0; i-- {
			if cerr := cleanups[i](); cerr != nil {
				*errp = errors.Join(*errp, cerr)
			}
		}
		if *errp != nil && serverLog.Len() > 0 {
			*errp = fmt.Errorf("%w\n%s output:\n%s", *errp, name, tail(serverLog.String(), 2000))
		}
	}
	dbName := "tienda_bench_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+dbName+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return nil, stop, err
	}
	cleanups = append(cleanups, func() error {
		// The drop must happen even when ctx was cancelled by an interrupt.
		dropCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(dropCtx, "DROP DATABASE IF EXISTS `"+dbName+"`"); err != nil {
			return fmt.Errorf("drop %s: %w", dbName, err)
		}
		return nil
	})
	cfg := server.Clone()
	cfg.DBName = dbName
	dsn := cfg.FormatDSN()
	secret := randomHex(32)
	dir := filepath.Join(work, name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, stop, err
	}
	env := tiendaEnv(o, dsn, secret, dbName+":")
	if o.redis != "" {
		cleanups = append(cleanups, func() error { return dropRedisKeys(context.WithoutCancel(ctx), o.redis, dbName+":") })
	}
	migrate := exec.CommandContext(ctx, o.tienda, "migrate", "up")
	migrate.Dir, migrate.Env = dir, env
	if msg, err := migrate.CombinedOutput(); err != nil {
		return nil, stop, fmt.Errorf("migrate: %w: %s", err, msg)
	}
	began := time.Now()
	if err := seed(ctx, dsn, o, hash); err != nil {
		return nil, stop, fmt.Errorf("seed: %w", err)
	}
	fmt.Printf("%s: seeded %s in %s\n", name, dbName, time.Since(began).Round(time.Millisecond))

	addr, err := freeAddr()
	if err != nil {
		return nil, stop, err
	}
	var cmd *exec.Cmd
	if name == "tienda" {
		cmd = exec.Command(o.tienda, "serve", "--addr", addr) //nolint:noctx // stopped by PID in stop
		cmd.Env = env
	} else {
		cmd = exec.Command(o.limit, "-addr", addr, "-dsn", dsn, "-bcrypt-cost", strconv.Itoa(o.bcryptCost), "-ttl", "2h", //nolint:noctx // stopped by PID in stop
			"-max-conns", strconv.Itoa(o.pool))
		cmd.Env = append(baseEnv(), "LIMIT_JWT_SECRET="+secret)
	}
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &serverLog, &serverLog
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, stop, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	cleanups = append(cleanups, func() error { stopProcess(cmd.Process.Pid, exited); return nil })
	t = &target{name: name, pid: cmd.Process.Pid, base: "http://" + addr, dsn: dsn, exited: exited, env: env, prefix: dbName + ":",
		accounts: filepath.Join(dir, "accounts.tsv")}
	if err := waitHealthy(ctx, t.base+"/healthz", exited); err != nil {
		return nil, stop, err
	}
	m, _ := memory(t.pid)
	fmt.Printf("%s: pid %d answers on %s; RSS %.1f MB\n", name, t.pid, addr, m.rss)
	if err := loginAll(ctx, t.base, o.customers, t.accounts); err != nil {
		return nil, stop, fmt.Errorf("log the customers in: %w", err)
	}
	return t, stop, nil
}

// tiendaEnv is tienda's configuration for the benchmark: production mode, warnings only, the
// bench database; TIENDA_* variables of this process's environment override it. The general rate
// limit is off and the login throttle out of reach: all the load comes from one loopback address,
// which in production would be one abusive client, and the limit server has neither.
func tiendaEnv(o options, dsn, secret, redisPrefix string) []string {
	env := append(baseEnv(),
		"TIENDA_APP_ENV=production",
		"TIENDA_LOG_LEVEL=warn",
		"TIENDA_DATABASE_DRIVER=mysql",
		"TIENDA_DATABASE_DSN="+dsn,
		"TIENDA_JWT_SECRET="+secret,
		"TIENDA_JWT_TTL=2h",
		"TIENDA_AUTH_BCRYPT_COST="+strconv.Itoa(o.bcryptCost),
		"TIENDA_DATABASE_MAX_OPEN_CONNS="+strconv.Itoa(o.pool),
		"TIENDA_DATABASE_MAX_IDLE_CONNS="+strconv.Itoa(o.pool),
		"TIENDA_RATELIMIT_ENABLED=false",
		"TIENDA_AUTH_LOGIN_MAX_FAILURES=1000000000",
		"TIENDA_AUTH_LOGIN_IP_MAX_FAILURES=1000000000",
		"TIENDA_AUTH_LOGIN_ACCOUNT_MAX_FAILURES=1000000000",
	)
	if o.redis != "" {
		// Production's topology: serve relays the outbox to Redis and workers elsewhere send the
		// emails. No worker runs here, so the tasks wait in the queue; task states expire soon.
		env = append(env, "TIENDA_REDIS_ADDR="+o.redis, "TIENDA_REDIS_KEY_PREFIX="+redisPrefix,
			"TIENDA_TASKS_RESULT_TTL=2m")
	}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TIENDA_") && !strings.HasPrefix(kv, "TIENDA_TEST_") {
			env = append(env, kv)
		}
	}
	return env
}

func baseEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
}

// seed fills a migrated database: products 1..n with ample stock, one admin and the customers
// customer<i>@bench.example, all with the same precomputed password hash.
func seed(ctx context.Context, dsn string, o options, hash []byte) error {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := seedProducts(ctx, db, 1, o.products); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var q strings.Builder
	q.WriteString("INSERT INTO users (email, password_hash, full_name, role, is_active, token_version, created_at, updated_at, deleted_at) VALUES (?,?,?,'admin',1,0,?,?,0)")
	args := []any{adminEmail, string(hash), "Bench Admin", now, now}
	for i := 1; i <= o.customers; i++ {
		q.WriteString(",(?,?,?,'customer',1,0,?,?,0)")
		args = append(args, customerEmail(i), string(hash), fmt.Sprintf("Customer %d", i), now, now)
	}
	_, err = db.ExecContext(ctx, q.String(), args...)
	return err
}

// adminEmail is the seeded admin's.
const adminEmail = "admin@bench.example"

// seedProducts inserts the active products lo..hi with ample stock in bulk, and sets the product
// list's counters (decision 0020) to hi, as tienda would: the rows bypass it.
func seedProducts(ctx context.Context, db *sql.DB, lo, hi int) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	const batch = 2000
	for first := lo; first <= hi; first += batch {
		last := min(first+batch-1, hi)
		var q strings.Builder
		q.WriteString("INSERT INTO products (id, sku, name, description, price_cents, stock, is_active, created_at, updated_at, deleted_at) VALUES ")
		args := make([]any, 0, (last-first+1)*8)
		for i := first; i <= last; i++ {
			if i > first {
				q.WriteString(",")
			}
			q.WriteString("(?,?,?,?,?,?,1,?,?,0)")
			args = append(args, i, fmt.Sprintf("BENCH-%07d", i), fmt.Sprintf("Benchmark product %d", i),
				fmt.Sprintf("Product number %d of the load benchmark's catalogue.", i), 100+(i*37)%10_000, stockEach, now, now)
		}
		if _, err := db.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	_, err := db.ExecContext(ctx, "UPDATE product_counts SET live_count = ?, active_count = ? WHERE id = 1", hi, hi)
	return err
}

// stockEach is every seeded product's stock.
const stockEach = 1_000_000

func customerEmail(i int) string { return fmt.Sprintf("customer%03d@bench.example", i) }

// checkStock verifies that the stock taken equals the quantities ordered: no order took stock it
// does not show, and none showed stock it did not take.
func checkStock(ctx context.Context, dsn string, o options) error {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var orders, ordered, left, negative int64
	err = db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM orders), (SELECT COALESCE(SUM(quantity), 0) FROM order_items),
		(SELECT SUM(stock) FROM products), (SELECT COUNT(*) FROM products WHERE stock < 0)`).Scan(&orders, &ordered, &left, &negative)
	if err != nil {
		return err
	}
	taken := int64(o.products)*stockEach - left
	if taken != ordered || negative != 0 {
		return fmt.Errorf("stock check failed: %d units taken, %d ordered in %d orders, %d negative stocks", taken, ordered, orders, negative)
	}
	fmt.Printf("stock check: %d orders, %d units ordered = %d units taken\n", orders, ordered, taken)
	return nil
}

// loginAll logs every customer in through the API and writes "email<TAB>token" lines to path.
func loginAll(ctx context.Context, base string, n int, path string) error {
	lines := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	client := &http.Client{Timeout: 30 * time.Second}
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			email := customerEmail(i + 1)
			token, err := login(ctx, client, base, email)
			if err != nil {
				errs[i] = err
				return
			}
			lines[i] = email + "\t" + token
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
}

// login logs email in through the API and returns its token.
func login(ctx context.Context, client *http.Client, base, email string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&tok) != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("login %s: status %d", email, resp.StatusCode)
	}
	return tok.AccessToken, nil
}

// wrkResult is what the script's done() prints after "BENCH ".
type wrkResult struct {
	Requests   int64 `json:"requests"`
	DurationUS int64 `json:"duration_us"`
	NonOK      int64 `json:"non2xx"`
	Connect    int64 `json:"connect"`
	Read       int64 `json:"read"`
	Write      int64 `json:"write"`
	Timeout    int64 `json:"timeout"`
	P50US      int64 `json:"p50_us"`
	P99US      int64 `json:"p99_us"`
}

func runWrk(ctx context.Context, o options, base, scenario, accounts string, d time.Duration) (wrkResult, error) {
	pages := (o.products + pageSize - 1) / pageSize
	secs := max(1, int(d.Round(time.Second).Seconds()))
	args := []string{
		"-t", strconv.Itoa(o.threads), "-c", strconv.Itoa(o.connections), "-d", strconv.Itoa(secs) + "s",
		"--timeout", "30s", "-s", o.script, base,
		"--", scenario, strconv.Itoa(o.products), strconv.Itoa(pages), accounts, password,
	}
	ctx, cancel := context.WithTimeout(ctx, d+time.Minute) // wrk stops by itself; this is a backstop
	defer cancel()
	cmd := exec.CommandContext(ctx, "wrk", args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w: %s", err, out)
	}
	for line := range strings.SplitSeq(string(out), "\n") {
		if raw, ok := strings.CutPrefix(line, "BENCH "); ok {
			var w wrkResult
			if err := json.Unmarshal([]byte(raw), &w); err != nil {
				return wrkResult{}, fmt.Errorf("wrk output %q: %w", raw, err)
			}
			if w.DurationUS == 0 {
				return wrkResult{}, fmt.Errorf("wrk ran for no time: %s", out)
			}
			return w, nil
		}
	}
	return wrkResult{}, fmt.Errorf("no BENCH line in wrk output: %s", out)
}

type mem struct{ rss, hwm float64 } // MB

// memory reads the resident set size and its high-water mark of a process.
func memory(pid int) (mem, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return mem{}, err
	}
	var m mem
	for line := range strings.SplitSeq(string(raw), "\n") {
		name, val, ok := strings.Cut(line, ":")
		if !ok || name != "VmRSS" && name != "VmHWM" {
			continue
		}
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 64)
		if name == "VmRSS" {
			m.rss = kb / 1024
		} else {
			m.hwm = kb / 1024
		}
	}
	return m, nil
}

// cpuTime is the CPU time (user + system) a process has used so far.
func cpuTime(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces: utime and
	// stime are the 12th and 13th, in clock ticks of 1/100 s on Linux.
	_, rest, _ := strings.Cut(string(raw), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// sampleRSS samples a process's RSS every 100 ms until the returned function is called, which
// returns the peak in MB.
func sampleRSS(pid int) func() float64 {
	done := make(chan struct{})
	peak := make(chan float64, 1)
	go func() {
		var top float64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if m, err := memory(pid); err == nil {
				top = max(top, m.rss)
			}
			select {
			case <-done:
				peak <- top
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 { close(done); return <-peak }
}

// stopProcess ends a server this program started, by its PID: SIGTERM, then SIGKILL after 10s.
// The server runs in its own process group (Setpgid), so the group's id is its PID.
func stopProcess(pid int, exited <-chan struct{}) {
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-exited:
		return
	case <-time.After(10 * time.Second):
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	<-exited
}

func waitHealthy(ctx context.Context, url string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("the server exited at start")
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer 200 within 30s", url)
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0") //nolint:noctx // a momentary listener to pick a port
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// median of the values of one figure over the runs.
func median(vals []float64) float64 {
	if len(vals) == 0 {
		return 0
	}
	s := slices.Clone(vals)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

type summary struct {
	rps, p50, p99, rss, cpu float64
	errors                  int64
	runs                    int
}

func summarize(all []result, server, scenario string) (summary, bool) {
	var rps, p50, p99, cpu []float64
	var s summary
	for _, r := range all {
		if r.Server != server || r.Scenario != scenario {
			continue
		}
		rps, p50, p99, cpu = append(rps, r.RPS), append(p50, r.P50ms), append(p99, r.P99ms), append(cpu, r.CPUus)
		s.errors += r.Errors
		s.rss = max(s.rss, r.RSSMB)
		s.runs++
	}
	s.rps, s.p50, s.p99, s.cpu = median(rps), median(p50), median(p99), median(cpu)
	return s, s.runs > 0
}

// targets are the goals of issue #19 for tienda relative to the limit: a minimum ratio of
// requests per second and a maximum ratio of p99 latency (login: within 10 % of the limit).
var targets = map[string]struct{ minRPS, maxP99 float64 }{
	"product": {0.85, 1.3},
	"list":    {0.85, 1.3},
	"order":   {0.75, 1.3},
	"login":   {0.90, 1.3},
}

// maxRSSMB is the ceiling on the server's resident memory under load.
const maxRSSMB = 150

func printSummary(o options, all []result) {
	fmt.Printf("\n== medians of %d runs (errors: sum over the runs; RSS: highest peak)\n", o.runs)
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "scenario\tserver\treq/s\tp50 ms\tp99 ms\terrors\tpeak RSS MB\tCPU µs/req\t")
	for _, sc := range o.scenarios {
		for _, srv := range o.servers {
			if s, ok := summarize(all, srv, sc); ok {
				fmt.Fprintf(w, "%s\t%s\t%.0f\t%.2f\t%.2f\t%d\t%.1f\t%.0f\t\n", scenarioNames[sc], srv, s.rps, s.p50, s.p99, s.errors, s.rss, s.cpu)
			}
		}
	}
	_ = w.Flush()
	if !slices.Contains(o.servers, "tienda") || !slices.Contains(o.servers, "limit") {
		return
	}
	fmt.Println("\n== tienda as a ratio of the limit")
	w = tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "scenario\treq/s ratio\tp99 ratio\tCPU/req ratio\ttarget\tresult")
	for _, sc := range o.scenarios {
		t, _ := summarize(all, "tienda", sc)
		l, _ := summarize(all, "limit", sc)
		rps, p99 := t.rps/l.rps, t.p99/l.p99
		goal := fmt.Sprintf("req/s >= %.2f", targets[sc].minRPS)
		ok := rps >= targets[sc].minRPS
		if m := targets[sc].maxP99; m > 0 {
			goal += fmt.Sprintf(", p99 <= %.1fx", m)
			ok = ok && p99 <= m
		}
		goal += ", 0 errors, RSS < 150 MB"
		ok = ok && t.errors == 0 && t.rss < maxRSSMB
		verdict := "met"
		if !ok {
			verdict = "MISSED"
		}
		fmt.Fprintf(w, "%s\t%.2f\t%.2f\t%.2f\t%s\t%s\n", scenarioNames[sc], rps, p99, t.cpu/l.cpu, goal, verdict)
	}
	_ = w.Flush()
}

// dropRedisKeys deletes the keys one tienda run left under prefix (its queue).
func dropRedisKeys(ctx context.Context, addr, prefix string) error {
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		if err := rdb.Del(ctx, iter.Val()).Err(); err != nil {
			return fmt.Errorf("redis: %w", err)
		}
	}
	return iter.Err()
}
