package faults

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/config"
	"tienda/mail/mailtest"
	"tienda/models"
)

// fastRedelivery shortens the deadlines so that lost tasks are found within seconds.
func fastRedelivery(c *config.Config) {
	c.Tasks.RelayInterval = 100 * time.Millisecond
	c.Tasks.RedeliverAfter = 2 * time.Second
	c.Mail.Timeout = time.Second // the delivery lease is this + the DATA timeout (the same when unset) + 1s
}

// work runs a task worker in this process until the test ends.
func work(t *testing.T, e *apptest.Env) {
	t.Helper()
	workN(t, e, 2)
}

// emailsFor counts the confirmations received for an order.
func emailsFor(srv *mailtest.Server, orderID uint) int {
	n := 0
	for _, m := range srv.Messages() {
		if m.Subject == fmt.Sprintf("Your order #%d", orderID) {
			n++
		}
	}
	return n
}

// TestRedisQueue runs emails and a report through machinery on Redis with a worker.
func TestRedisQueue(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(engine.Name, func(t *testing.T) {
			rdb, prefix := dbtest.Redis(t)
			srv := mailtest.Start(t)
			e := apptest.New(t, engine, apptest.WithRedis(rdb, prefix), apptest.WithSMTP(srv.Host, srv.Port), apptest.WithConfig(fastRedelivery))
			if e.App.Queue.InProcess() {
				t.Fatal("with redis.addr set the queue must be on Redis")
			}
			e.Background()
			work(t, e)
			admin, cust := e.Admin(), e.Customer()
			p := apptest.CreateProduct(t, e, admin, "R-1", "Radio", 4999, 10)
			id := apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: p, Quantity: 1})
			srv.Wait(t, 1, 20*time.Second)
			if n := emailsFor(srv, id); n != 1 {
				t.Errorf("%d confirmations for order %d, want 1", n, id)
			}
			st := apptest.WaitTask(t, e, admin.Token, apptest.StartReport(t, e, admin, time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly), time.Now().UTC().Format(time.DateOnly)), 20*time.Second)
			if st.State != "SUCCESS" || st.Name != "build_sales_report" || st.Result.Totals.Orders != 1 || st.Result.Totals.RevenueCents != 4999 {
				t.Errorf("report through Redis = %+v", st)
			}
		})
	}
}

// TestKilledWorkerTaskIsRedone kills a worker process (SIGKILL) while it is sending an order's
// confirmation; the relay hands the task out again, another worker process sends it, and the
// customer gets exactly one email.
func TestKilledWorkerTaskIsRedone(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(engine.Name, func(t *testing.T) {
			rdb, prefix := dbtest.Redis(t)
			srv := mailtest.Start(t)
			release := make(chan struct{})
			reached := make(chan struct{}, 1)
			var once sync.Once
			srv.OnMail(func() {
				once.Do(func() {
					reached <- struct{}{}
					<-release // the first sender hangs here, mid-task, until it is killed
				})
			})
			t.Cleanup(func() { closeOnce(release) })
			e := apptest.New(t, engine, apptest.WithRedis(rdb, prefix), apptest.WithSMTP(srv.Host, srv.Port), apptest.WithConfig(fastRedelivery))
			e.Background() // the relay; the workers are child processes
			admin, cust := e.Admin(), e.Customer()
			p := apptest.CreateProduct(t, e, admin, "K-1", "Kite", 1500, 10)

			first := startWorker(t, e, srv)
			id := apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: p, Quantity: 1})
			select {
			case <-reached:
			case <-time.After(30 * time.Second):
				t.Fatalf("the first worker never started sending; its output:\n%s", first.output())
			}
			first.kill(t)
			closeOnce(release)

			startWorker(t, e, srv)
			srv.Wait(t, 1, 30*time.Second)
			apptest.WaitOutboxDone(t, e, 30*time.Second)
			time.Sleep(time.Second) // a duplicate would arrive now
			if n := emailsFor(srv, id); n != 1 {
				t.Fatalf("%d confirmations for order %d after the worker was killed, want exactly 1", n, id)
			}
			var job models.OutboxMessage
			e.DB.Where("order_id = ? AND task = ?", id, "send_order_confirmation").Take(&job)
			if job.Attempts < 2 {
				t.Errorf("job attempts = %d; want the relay to have handed it out again", job.Attempts)
			}
		})
	}
}

func closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}

type child struct {
	cmd *exec.Cmd
	out *apptest.SyncBuffer
}

func (c *child) output() string { return c.out.String() }

func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
}

// startWorker starts `tienda worker` as a child process (this test binary re-executed) on the
// same database, Redis prefix and SMTP server as e; it is killed when the test ends.
func startWorker(t *testing.T, e *apptest.Env, srv *mailtest.Server) *child {
	t.Helper()
	c := e.App.Config
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(),
		childEnv+"=worker",
		"TIENDA_APP_ENV=test",
		"TIENDA_LOG_LEVEL=warn",
		"TIENDA_JWT_SECRET="+apptest.Secret,
		"TIENDA_AUTH_BCRYPT_COST=4",
		"TIENDA_DATABASE_DRIVER="+e.DBConfig.Driver,
		"TIENDA_DATABASE_DSN="+e.DBConfig.DSN,
		"TIENDA_REDIS_ADDR="+c.Redis.Addr,
		"TIENDA_REDIS_KEY_PREFIX="+c.Redis.KeyPrefix,
		"TIENDA_MAIL_SMTP_HOST="+srv.Host,
		"TIENDA_MAIL_SMTP_PORT="+strconv.Itoa(srv.Port),
		"TIENDA_MAIL_SMTP_STARTTLS=false",
		"TIENDA_MAIL_TIMEOUT="+c.Mail.Timeout.String(),
		"TIENDA_MAIL_DATA_TIMEOUT="+c.Mail.Timeout.String(), // the lease (timeout + DATA timeout + 1s) stays short
		"TIENDA_TASKS_REDELIVER_AFTER="+c.Tasks.RedeliverAfter.String(),
		"TIENDA_TASKS_RELAY_INTERVAL="+c.Tasks.RelayInterval.String(),
		"TIENDA_TASKS_CONCURRENCY=2",
	)
	out := &apptest.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := &child{cmd: cmd, out: out}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
		}
		if t.Failed() {
			t.Logf("worker %d output:\n%s", cmd.Process.Pid, out.String())
		}
	})
	return ch
}

// redisServer is a redis-server process of the test's own, which the test stops and restarts.
type redisServer struct {
	port string
	cmd  *exec.Cmd
}

func startRedisServer(t *testing.T) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed; CI runs the Redis outage test")
		}
		t.Skip("redis-server is not installed")
	}
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	_ = ln.Close()
	r := &redisServer{port: port}
	r.start(t)
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) addr() string { return "127.0.0.1:" + r.port }

func (r *redisServer) start(t *testing.T) {
	t.Helper()
	r.cmd = exec.Command("redis-server", "--port", r.port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: r.addr()})
	defer rdb.Close()
	for range 100 {
		if rdb.Ping(t.Context()).Err() == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("redis-server on %s did not start", r.addr())
}

func (r *redisServer) stop() {
	if r.cmd != nil && r.cmd.ProcessState == nil {
		_ = r.cmd.Process.Signal(syscall.SIGKILL)
		_ = r.cmd.Wait()
	}
}

// TestRedisDownOrdersStillSucceed stops Redis while orders are placed: they all succeed, their
// confirmations wait in the outbox, and go out once Redis is back, one each.
func TestRedisDownOrdersStillSucceed(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(engine.Name, func(t *testing.T) {
			rs := startRedisServer(t)
			rdb := redis.NewClient(&redis.Options{Addr: rs.addr(), MaxRetries: -1, DialTimeout: time.Second})
			t.Cleanup(func() { _ = rdb.Close() })
			srv := mailtest.Start(t)
			e := apptest.New(t, engine, apptest.WithRedis(rdb, "outage:"), apptest.WithSMTP(srv.Host, srv.Port), apptest.WithConfig(fastRedelivery))
			e.Background()
			work(t, e)
			admin, cust := e.Admin(), e.Customer()
			p := apptest.CreateProduct(t, e, admin, "D-1", "Drum", 2000, 100)
			before := apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: p, Quantity: 1})
			srv.Wait(t, 1, 20*time.Second)

			rs.stop()
			var during []uint
			for range 3 {
				r := e.Post("/orders", cust.Token, map[string]any{"items": []apptest.OrderLine{{ProductID: p, Quantity: 1}}})
				if r.Code != http.StatusCreated {
					t.Fatalf("order while Redis is down: got %s, want 201", r)
				}
				var o struct {
					ID uint `json:"id"`
				}
				r.Decode(t, &o)
				during = append(during, o.ID)
			}
			time.Sleep(time.Second)
			if n := len(srv.Messages()); n != 1 {
				t.Errorf("%d emails while Redis is down, want only the one from before", n)
			}

			rs.start(t)
			srv.Wait(t, 4, 60*time.Second)
			apptest.WaitOutboxDone(t, e, 60*time.Second)
			time.Sleep(time.Second)
			for _, id := range append(during, before) {
				if n := emailsFor(srv, id); n != 1 {
					t.Errorf("order %d: %d confirmations, want exactly 1", id, n)
				}
			}
			if msgs := srv.Messages(); len(msgs) != 4 {
				subjects := []string{}
				for _, m := range msgs {
					subjects = append(subjects, m.Subject)
				}
				t.Errorf("emails = %s; want 4", strings.Join(subjects, ", "))
			}
		})
	}
}

// TestRedisKeysUnderPrefix (issue #16, item 8): machinery's result backend stored each task's
// state under the bare task UUID, outside redis.key_prefix. Every key that names a task of the
// run must now start with the prefix; a SCAN over the whole database finds them.
func TestRedisKeysUnderPrefix(t *testing.T) {
	rdb, prefix := dbtest.Redis(t)
	srv := mailtest.Start(t)
	e := apptest.New(t, dbtest.Engines()[0], apptest.WithRedis(rdb, prefix), apptest.WithSMTP(srv.Host, srv.Port), apptest.WithConfig(fastRedelivery))
	e.Background()
	work(t, e)
	admin, cust := e.Admin(), e.Customer()
	p := apptest.CreateProduct(t, e, admin, "K-1", "Kettle", 2500, 10)
	apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: p, Quantity: 1})
	today := time.Now().UTC().Format(time.DateOnly)
	report := apptest.StartReport(t, e, admin, today, today)
	if st := apptest.WaitTask(t, e, admin.Token, report, 20*time.Second); st.State != "SUCCESS" || st.TaskID != report {
		t.Fatalf("report = %+v, want SUCCESS under its own task ID", st)
	}
	srv.Wait(t, 1, 20*time.Second)

	var uuids []string
	if err := e.DB.Model(&models.OutboxMessage{}).Pluck("task_uuid", &uuids).Error; err != nil {
		t.Fatal(err)
	}
	for _, id := range uuids {
		var keys []string
		iter := rdb.Scan(t.Context(), 0, "*"+id+"*", 1000).Iterator()
		for iter.Next(t.Context()) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 {
			t.Errorf("no Redis key names task %s; its state should be kept under %q", id, prefix)
		}
		for _, k := range keys {
			if !strings.HasPrefix(k, prefix) {
				t.Errorf("Redis key %q of task %s is outside redis.key_prefix %q", k, id, prefix)
			}
		}
	}
}
