package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tienda/apptest"
)

func TestReportPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin, ana := e.Admin(), e.Customer()
		placeOrder(t, e, admin, ana, "REP-1", 3) // 15.00 today
		e.Background()
		b := newBrowser(t, e)
		b.signIn(admin.Email)

		today := e.Clock.Now().UTC().Format(time.DateOnly)
		expect(t, b.get("/admin/reports"), http.StatusOK, "report form", `<label for="from">From</label>`, `value="`+today+`"`)
		p := b.post("/admin/reports", url.Values{"from": {today}, "to": {"2001-01-01"}})
		expect(t, p, http.StatusUnprocessableEntity, "to before from", `id="to-error">must`)

		p = b.post("/admin/reports", url.Values{"from": {today}, "to": {today}})
		id, ok := strings.CutPrefix(p.Location(), "/admin/reports/")
		if p.Code != http.StatusSeeOther || !ok {
			t.Fatalf("start report: %d to %q", p.Code, p.Location())
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			st := b.get("/admin/reports/" + id + "/state")
			if st.Code != http.StatusOK {
				t.Fatalf("state: %d %s", st.Code, st.Body)
			}
			if strings.Contains(st.Body, `"done":true`) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the report did not finish: %s", st.Body)
			}
			time.Sleep(50 * time.Millisecond)
		}
		expect(t, b.get("/admin/reports/"+id), http.StatusOK, "finished report", "State: <strong>SUCCESS</strong>",
			`<p class="figure">15.00</p>`, "15.00 revenue, 1 orders</title>")
		expect(t, b.get("/admin/reports/"+id), http.StatusOK, "download link", `<a href="/admin/reports/`+id+`/csv" download>`)
		dl := b.get("/admin/reports/" + id + "/csv")
		expect(t, dl, http.StatusOK, "download with the session",
			"day,orders,items,revenue_cents\n"+today+",1,3,1500\ntotal,1,3,1500\n")
		if ct := dl.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("download Content-Type = %q", ct)
		}
		expect(t, b.get("/admin/reports/00000000-0000-0000-0000-000000000000/csv"), http.StatusNotFound, "unknown report's CSV")
		expect(t, b.get("/admin/reports/00000000-0000-0000-0000-000000000000"), http.StatusNotFound, "unknown task")
		expect(t, b.get("/admin/reports/x"), http.StatusNotFound, "not a task ID")
		expect(t, b.get("/admin/audit?action=report.request"), http.StatusOK, "audited", "1 in all")
	})
}
