package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"tienda/apptest"
	"tienda/models"
)

func TestJobsPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, ana := e.Admin(), e.Customer()
		b := newBrowser(t, e)
		b.signIn(admin.Email)
		expect(t, b.get("/admin/jobs"), http.StatusOK, "no jobs", "No jobs match these filters.")

		placeOrder(t, e, admin, ana, "JOB-1", 1) // records an order confirmation job
		var job models.OutboxMessage
		if err := e.DB.Where("task = ?", "send_order_confirmation").Take(&job).Error; err != nil {
			t.Fatal(err)
		}
		expect(t, b.get("/admin/jobs?state=pending"), http.StatusOK, "pending jobs", "send_order_confirmation", "1 in all")
		// The relay gives a job up after its attempts; here it is made failed directly.
		if err := e.DB.Model(&job).Updates(map[string]any{"state": models.OutboxFailed, "attempts": 10, "last_error": "smtp: 554 <refused>"}).Error; err != nil {
			t.Fatal(err)
		}
		failed := b.get("/admin/jobs?state=failed")
		expect(t, failed, http.StatusOK, "failed jobs", "smtp: 554 &lt;refused&gt;", fmt.Sprintf(`action="/admin/jobs/%d/requeue"`, job.ID))
		expect(t, b.get("/admin/"), http.StatusOK, "dashboard counts it", `<a href="/admin/jobs?state=failed">1</a>`)

		p := b.follow(fmt.Sprintf("/admin/jobs/%d/requeue", job.ID), url.Values{"back": {"/admin/jobs?state=failed"}})
		expect(t, p, http.StatusOK, "requeue", fmt.Sprintf("Job %d (send_order_confirmation) is queued again.", job.ID), "No jobs match")
		var again models.OutboxMessage
		if err := e.DB.Take(&again, job.ID).Error; err != nil || again.State != models.OutboxPending || again.Attempts != 0 {
			t.Fatalf("after requeue: %+v, %v; want pending with 0 attempts", again, err)
		}
		expect(t, b.follow(fmt.Sprintf("/admin/jobs/%d/requeue", job.ID), url.Values{}), http.StatusOK, "requeue a pending job",
			"flash-error", "only a failed job can be queued again")
		expect(t, b.get("/admin/audit?action=job.requeue"), http.StatusOK, "audited", "1 in all")
		expect(t, b.get("/admin/jobs?state=lost"), http.StatusBadRequest, "bad state", "must be one of pending")
		expect(t, b.do(http.MethodPost, fmt.Sprintf("/admin/jobs/%d/requeue", job.ID), url.Values{}, map[string]string{"Sec-Fetch-Site": "cross-site"}),
			http.StatusForbidden, "cross-site requeue", "Request refused")
	})
}
