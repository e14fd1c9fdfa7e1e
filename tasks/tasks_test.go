package tasks_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/config"
	"tienda/mail/mailtest"
	"tienda/models"
	"tienda/repositories"
	"tienda/tasks"
)

func TestMain(m *testing.M) {
	tasks.RouteMachineryLogs(slog.New(slog.DiscardHandler)) // machinery's chatter stays out of the output
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// eachWithMail runs fn per engine with its own SMTP server and an app that mails to it.
func eachWithMail(t *testing.T, fn func(t *testing.T, e *apptest.Env, srv *mailtest.Server), opts ...apptest.Option) {
	t.Helper()
	for _, engine := range dbtest.Engines() {
		t.Run(engine.Name, func(t *testing.T) {
			srv := mailtest.Start(t)
			fn(t, apptest.New(t, engine, append(opts, apptest.WithSMTP(srv.Host, srv.Port))...), srv)
		})
	}
}

func TestOrderEmails(t *testing.T) {
	eachWithMail(t, func(t *testing.T, e *apptest.Env, srv *mailtest.Server) {
		e.Background()
		admin, cust := e.Admin(), e.Customer()
		mug := apptest.CreateProduct(t, e, admin, "MUG-1", `Mug <b>"bold"</b>`, 1299, 100)
		tee := apptest.CreateProduct(t, e, admin, "TEE-1", "T-shirt", 2500, 100)
		before := len(srv.Messages())

		id := apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: mug, Quantity: 2}, apptest.OrderLine{ProductID: tee, Quantity: 1})
		msgs := srv.Wait(t, before+1, 10*time.Second)
		m := msgs[before]
		if len(m.To) != 1 || m.To[0] != cust.Email || m.Subject != fmt.Sprintf("Your order #%d", id) {
			t.Fatalf("confirmation = to %v, subject %q; want to %s about order %d", m.To, m.Subject, cust.Email, id)
		}
		for _, want := range []string{"2 x Mug <b>\"bold\"</b> (MUG-1) at 12.99 = 25.98", "1 x T-shirt (TEE-1) at 25.00 = 25.00", "Total: 50.98"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("text part lacks %q:\n%s", want, m.Text)
			}
		}
		if !strings.Contains(m.HTML, "Mug &lt;b&gt;&#34;bold&#34;&lt;/b&gt;") || strings.Contains(m.HTML, "<b>\"bold\"") {
			t.Errorf("HTML part does not escape the product name:\n%s", m.HTML)
		}
		if m.MessageID != fmt.Sprintf("<order_confirmation.%d@tienda>", id) {
			t.Errorf("Message-ID = %q, want one derived from the order", m.MessageID)
		}

		apptest.Expect(t, e.Post(fmt.Sprintf("/orders/%d/cancel", id), cust.Token, nil), http.StatusOK, "cancel")
		msgs = srv.Wait(t, before+2, 10*time.Second)
		if c := msgs[before+1]; c.Subject != fmt.Sprintf("Your order #%d was cancelled", id) || !strings.Contains(c.Text, "has been cancelled") {
			t.Errorf("cancellation = %q / %q", c.Subject, c.Text)
		}
		apptest.WaitOutboxDone(t, e, 10*time.Second)
		var sent int64
		e.DB.Model(&models.Delivery{}).Where("state = ?", models.DeliverySent).Count(&sent)
		if sent != 2 {
			t.Errorf("%d deliveries recorded as sent, want 2", sent)
		}
	})
}

// TestTaskRerunSendsNothingTwice runs an email task again after it finished, and again with its
// job put back as if the broker had lost the first run's completion: one email in all.
func TestTaskRerunSendsNothingTwice(t *testing.T) {
	eachWithMail(t, func(t *testing.T, e *apptest.Env, srv *mailtest.Server) {
		admin, cust := e.Admin(), e.Customer()
		p := apptest.CreateProduct(t, e, admin, "P", "Pen", 100, 100)
		id := apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: p, Quantity: 1})
		var job models.OutboxMessage
		if err := e.DB.Where("order_id = ? AND task = ?", id, "send_order_confirmation").Take(&job).Error; err != nil {
			t.Fatal(err)
		}
		before := len(srv.Messages())
		for run := range 3 {
			if err := e.App.Tasks.OrderConfirmation(t.Context(), int64(job.ID)); err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
			// Pretend the job was never marked done, so the next run goes all the way.
			e.DB.Model(&models.OutboxMessage{}).Where("id = ?", job.ID).Update("state", models.OutboxSent)
		}
		if got := len(srv.Messages()) - before; got != 1 {
			t.Errorf("three runs of one confirmation sent %d emails, want 1", got)
		}
	})
}

func TestLowStockAlertOncePerCrossing(t *testing.T) {
	eachWithMail(t, func(t *testing.T, e *apptest.Env, srv *mailtest.Server) {
		e.Background()
		admin, admin2, cust := e.Admin(), e.Admin(), e.Customer()
		p := apptest.CreateProduct(t, e, admin, "LOW-1", "Lamp", 1000, 7) // threshold is 5 in tests
		alerts := func() []mailtest.Message {
			var out []mailtest.Message
			for _, m := range srv.Messages() {
				if strings.HasPrefix(m.Subject, "Low stock: Lamp") && strings.Contains(m.Text, fmt.Sprintf("product %d)", p)) {
					out = append(out, m)
				}
			}
			return out
		}
		apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: p, Quantity: 1}) // 7 → 6: above the threshold
		apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: p, Quantity: 2}) // 6 → 4: crosses
		apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: p, Quantity: 1}) // 4 → 3: already below
		apptest.WaitOutboxDone(t, e, 10*time.Second)
		got := alerts()
		if len(got) != 1 {
			t.Fatalf("%d low-stock alerts after one crossing, want 1", len(got))
		}
		if !strings.Contains(got[0].Text, "down to 4") || len(got[0].To) != 2 ||
			!strings.Contains(strings.Join(got[0].To, ","), admin.Email) || !strings.Contains(strings.Join(got[0].To, ","), admin2.Email) {
			t.Errorf("alert = to %v: %q; want both admins told of stock 4", got[0].To, got[0].Text)
		}
		apptest.Expect(t, e.Patch(fmt.Sprintf("/products/%d", p), admin.Token, map[string]any{"stock": 10}), http.StatusOK, "restock")
		apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: p, Quantity: 6}) // 10 → 4: crosses again
		apptest.WaitOutboxDone(t, e, 10*time.Second)
		if n := len(alerts()); n != 2 {
			t.Errorf("%d alerts after the second crossing, want 2", n)
		}
	})
}

func TestSalesReport(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		e.Background()
		admin, cust := e.Admin(), e.Customer()
		a := apptest.CreateProduct(t, e, admin, "A", "Apple", 150, 1000)
		b := apptest.CreateProduct(t, e, admin, "B", "Bread", 300, 1000)
		apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: a, Quantity: 2}, apptest.OrderLine{ProductID: b, Quantity: 1}) // 600, 3 items
		apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: b, Quantity: 3})                                               // 900, 3 items
		cancelled := apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: a, Quantity: 10})
		apptest.Expect(t, e.Post(fmt.Sprintf("/orders/%d/cancel", cancelled), cust.Token, nil), http.StatusOK, "cancel")

		now := time.Now().UTC()
		today := now.Format(time.DateOnly)
		id := apptest.StartReport(t, e, admin, now.AddDate(0, 0, -30).Format(time.DateOnly), today)
		st := apptest.WaitTask(t, e, admin.Token, id, 15*time.Second)
		if st.State != "SUCCESS" || st.Name != "build_sales_report" || st.TaskID != id {
			t.Fatalf("report task = %+v, want build_sales_report SUCCESS", st)
		}
		r := st.Result
		if len(r.Days) != 1 || r.Days[0].Day != today || r.Days[0].Orders != 2 || r.Days[0].Items != 6 || r.Days[0].RevenueCents != 1500 {
			t.Errorf("days = %+v; want today with 2 orders, 6 items, 1500 cents (cancelled excluded)", r.Days)
		}
		if r.Totals.Orders != 2 || r.Totals.RevenueCents != 1500 {
			t.Errorf("totals = %+v", r.Totals)
		}
		if st.Progress == nil || *st.Progress != 100 || st.UpdatedAt == nil {
			t.Errorf("finished report: progress %v, updated_at %v; want 100 and a time", st.Progress, st.UpdatedAt)
		}
		if r.URL != "/api/v1/reports/"+id+".csv" {
			t.Fatalf("result url = %q, want the report's download", r.URL)
		}
		dl := apptest.Download(t, e, admin.Token, r.URL)
		apptest.Expect(t, dl, http.StatusOK, "download the report")
		if ct, cd := dl.Header.Get("Content-Type"), dl.Header.Get("Content-Disposition"); ct != "text/csv; charset=utf-8" ||
			cd != "attachment; filename=sales_"+now.AddDate(0, 0, -30).Format(time.DateOnly)+"_"+today+".csv" {
			t.Errorf("download headers: Content-Type %q, Content-Disposition %q", ct, cd)
		}
		rows, err := csv.NewReader(bytes.NewReader(dl.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{{"day", "orders", "items", "revenue_cents"}, {today, "2", "6", "1500"}, {"total", "2", "6", "1500"}}
		if fmt.Sprint(rows) != fmt.Sprint(want) {
			t.Errorf("CSV = %v, want %v", rows, want)
		}
		apptest.Expect(t, apptest.Download(t, e, cust.Token, r.URL), http.StatusForbidden, "a customer downloads a report")
		apptest.Expect(t, apptest.Download(t, e, "", r.URL), http.StatusUnauthorized, "anonymous download")
		apptest.Expect(t, e.Get("/reports/00000000-0000-4000-8000-000000000000.csv", admin.Token), http.StatusNotFound, "unknown report")
		apptest.Expect(t, e.Get("/reports/not-a-uuid.csv", admin.Token), http.StatusBadRequest, "malformed report id")
		apptest.Expect(t, e.Get("/reports/"+id, admin.Token), http.StatusNotFound, "report without .csv")

		// After tasks.result_ttl the report is gone: 404 at once, deleted by the housekeeping.
		e.Clock.Advance(time.Hour + time.Minute)
		apptest.Expect(t, apptest.Download(t, e, e.Login(admin.Email).Token, r.URL), http.StatusNotFound, "expired report")
		if n, err := e.App.Reports.PurgeExpired(t.Context()); err != nil || n != 1 {
			t.Errorf("purge = %d, %v; want the 1 expired report", n, err)
		}
		var left int64
		if err := e.DB.Table("report_rows").Count(&left).Error; err != nil || left != 0 {
			t.Errorf("report rows after the purge: %d, %v; want none", left, err)
		}
		e.Clock.Advance(-time.Hour - time.Minute)

		empty := apptest.WaitTask(t, e, admin.Token, apptest.StartReport(t, e, admin, "1999-01-01", "1999-12-31"), 15*time.Second)
		if empty.State != "SUCCESS" || len(empty.Result.Days) != 0 || empty.Result.Totals.Orders != 0 {
			t.Errorf("report of an empty range = %+v", empty)
		}
	})
}

func TestTaskAPIErrors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, cust := e.Admin(), e.Customer()
		cases := []struct {
			name string
			resp apptest.Response
			code int
		}{
			{"unknown task", e.Get("/tasks/00000000-0000-4000-8000-000000000000", admin.Token), http.StatusNotFound},
			{"malformed task id", e.Get("/tasks/not-a-uuid", admin.Token), http.StatusBadRequest},
			{"customer reads a task", e.Get("/tasks/00000000-0000-4000-8000-000000000000", cust.Token), http.StatusForbidden},
			{"customer starts a report", e.Post("/reports/sales", cust.Token, map[string]string{"from": "2026-01-01", "to": "2026-01-31"}), http.StatusForbidden},
			{"anonymous starts a report", e.Post("/reports/sales", "", map[string]string{"from": "2026-01-01", "to": "2026-01-31"}), http.StatusUnauthorized},
			{"bad date", e.Post("/reports/sales", admin.Token, map[string]string{"from": "2026-13-01", "to": "2026-01-31"}), http.StatusUnprocessableEntity},
			{"to before from", e.Post("/reports/sales", admin.Token, map[string]string{"from": "2026-02-01", "to": "2026-01-31"}), http.StatusUnprocessableEntity},
			{"missing dates", e.Post("/reports/sales", admin.Token, map[string]string{}), http.StatusUnprocessableEntity},
		}
		for _, c := range cases {
			if c.resp.Code != c.code || c.resp.ErrorCode() == "" {
				t.Errorf("%s: got %s, want %d with the error envelope", c.name, c.resp, c.code)
			}
		}
		// A report requested but not yet handed to the queue is PENDING, not unknown.
		id := apptest.StartReport(t, e, admin, "2026-01-01", "2026-01-31")
		var st apptest.Task
		apptest.Expect(t, e.Get("/tasks/"+id, admin.Token), http.StatusOK, "pending task").Decode(t, &st)
		if st.State != "PENDING" || st.Name != "build_sales_report" {
			t.Errorf("task not yet relayed = %+v, want PENDING build_sales_report", st)
		}
	})
}

// TestImpossibleReportFailsAtOnce (issue #16, item 4): POST /reports/sales with to=9999-12-31
// was accepted, then the job failed on every hand-off (the day after to is in year 10000) while
// GET /tasks/{id} said PENDING for minutes. The request is refused now; and a job that cannot
// succeed (here one written before the check existed) ends FAILURE at once, its outbox row
// failed after a single hand-off.
func TestImpossibleReportFailsAtOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin()
		for _, body := range []map[string]string{
			{"from": "9999-01-01", "to": "9999-12-31"},
			{"from": "2026-01-01", "to": "9999-12-31"},
			{"from": "0001-01-01", "to": "0001-01-31"},
		} {
			r := apptest.Expect(t, e.Post("/reports/sales", admin.Token, body), http.StatusUnprocessableEntity, fmt.Sprintf("report %v", body))
			if !strings.Contains(string(r.Body), "years 1970..2999") {
				t.Errorf("report %v: %s; the refusal should name the years allowed", body, r.Body)
			}
		}

		poison := models.OutboxMessage{Task: "build_sales_report", Payload: `{"from":"9999-12-30","to":"9999-12-31"}`,
			State: models.OutboxPending, DueAt: time.Now(), TaskUUID: "7a0c3d4e-1b2f-4c5d-8e9f-0a1b2c3d4e5f", Recipient: "admin"}
		if err := e.DB.Create(&poison).Error; err != nil {
			t.Fatal(err)
		}
		e.Background()
		st := apptest.WaitTask(t, e, admin.Token, poison.TaskUUID, 3*time.Second) // machinery's own retries alone would take 1+2+3 s
		if st.State != "FAILURE" || st.Error == "" {
			t.Errorf("the impossible report is %+v, want FAILURE with its reason", st)
		}
		var row models.OutboxMessage
		if err := e.DB.First(&row, poison.ID).Error; err != nil {
			t.Fatal(err)
		}
		if row.State != models.OutboxFailed || row.Attempts != 1 {
			t.Errorf("outbox row state %q after %d hand-offs, want %q after 1: never handed out again", row.State, row.Attempts, models.OutboxFailed)
		}
	})
}

// TestSlowFinalReplyIsNotResent (issue #16, item 5): a mail server whose final reply to DATA
// came after mail.timeout got each message twice (6 of 12 orders had two confirmations). The
// DATA phase now has its own deadline, mail.data_timeout; and when even that passes after the
// whole message was handed over, the message is recorded as unknown and not sent again.
func TestSlowFinalReplyIsNotResent(t *testing.T) {
	engine := dbtest.Engines()[0]
	run := func(t *testing.T, dataTimeout, replyDelay time.Duration, wantState string) {
		srv := mailtest.Start(t)
		srv.OnData(func() { time.Sleep(replyDelay) })
		e := apptest.New(t, engine, apptest.WithSMTP(srv.Host, srv.Port), apptest.WithConfig(func(c *config.Config) {
			c.Mail.Timeout, c.Mail.DataTimeout = 300*time.Millisecond, dataTimeout
		}))
		e.Background()
		admin, cust := e.Admin(), e.Customer()
		p := apptest.CreateProduct(t, e, admin, "SLOW-1", "Snail", 100, 100)
		apptest.PlaceOrder(t, e, cust, apptest.OrderLine{ProductID: p, Quantity: 1})
		apptest.WaitOutboxDone(t, e, 20*time.Second)
		time.Sleep(4 * time.Second) // machinery's retries (1 s, then 2 s) would have resent by now
		if n := srv.Received(); n != 1 {
			t.Errorf("the server received %d messages, want exactly 1", n)
		}
		var d models.Delivery
		if err := e.DB.Take(&d).Error; err != nil {
			t.Fatal(err)
		}
		if d.State != wantState || d.Attempts != 1 {
			t.Errorf("delivery %q after %d attempts, want %q after 1", d.State, d.Attempts, wantState)
		}
	}
	t.Run("final reply after mail.timeout, within mail.data_timeout", func(t *testing.T) {
		t.Parallel()
		run(t, 5*time.Second, time.Second, models.DeliverySent)
	})
	t.Run("final reply after mail.data_timeout", func(t *testing.T) {
		t.Parallel()
		run(t, 500*time.Millisecond, 1500*time.Millisecond, models.DeliveryUnknown)
	})
}

// TestReportProgress: a report not started yet shows progress 0; one its worker is building
// shows the progress and updated_at it stored (another process's worker may be building it).
func TestReportProgress(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin()
		id := apptest.StartReport(t, e, admin, "2026-01-01", "2026-12-31") // no worker runs
		var st apptest.Task
		apptest.Expect(t, e.Get("/tasks/"+id, admin.Token), http.StatusOK, "pending report").Decode(t, &st)
		if st.State != "PENDING" || st.Progress == nil || *st.Progress != 0 || st.UpdatedAt != nil {
			t.Fatalf("pending report: state %s progress %v updated_at %v; want PENDING, 0, none", st.State, st.Progress, st.UpdatedAt)
		}
		store := repositories.NewStore(e.DB)
		if err := store.Reports.Start(t.Context(), models.Report{TaskUUID: id, FromDay: "2026-01-01", ToDay: "2026-12-31", ExpiresAt: e.Clock.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := store.Reports.AddDays(t.Context(), id, []repositories.SalesDay{{Day: "2026-01-02", Orders: 1, Items: 1, RevenueCents: 100}}, 40); err != nil {
			t.Fatal(err)
		}
		apptest.Expect(t, e.Get("/tasks/"+id, admin.Token), http.StatusOK, "report being built").Decode(t, &st)
		if st.Progress == nil || *st.Progress != 40 || st.UpdatedAt == nil {
			t.Fatalf("report being built: progress %v updated_at %v; want 40 and a time", st.Progress, st.UpdatedAt)
		}
		apptest.Expect(t, e.Get("/reports/"+id+".csv", admin.Token), http.StatusNotFound, "an unfinished report is not downloadable")
	})
}

// TestReportProgressMoves: the worker moves a report's progress as it goes through the range
// (every slice's update is seen), up to 100 when the report is complete.
func TestReportProgressMoves(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var mu sync.Mutex
		var seen []int
		err := e.DB.Callback().Update().After("gorm:update").Register("test:report_progress", func(tx *gorm.DB) {
			if tx.Statement.Table != "reports" || tx.Error != nil {
				return
			}
			if m, ok := tx.Statement.Dest.(map[string]any); ok {
				if p, ok := m["progress"].(int); ok {
					mu.Lock()
					seen = append(seen, p)
					mu.Unlock()
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		e.Background()
		admin := e.Admin()
		id := apptest.StartReport(t, e, admin, "2026-01-01", "2026-12-31")
		if st := apptest.WaitTask(t, e, admin.Token, id, 15*time.Second); st.State != "SUCCESS" {
			t.Fatalf("report: %+v", st)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(seen) < 10 || seen[len(seen)-1] != 100 || !slices.IsSorted(seen) || seen[0] >= 50 {
			t.Errorf("progress moved through %v; want about 20 rising steps from under 50 to 100", seen)
		}
	})
}
