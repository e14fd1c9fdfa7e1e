package console

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"time"

	"tienda/apperr"
	"tienda/services"
)

// ReportDesk starts sales reports, tells how they are doing and hands out their CSV.
type ReportDesk interface {
	RequestSales(ctx context.Context, actor services.Actor, req services.SalesRequest) (string, error)
	Report(ctx context.Context, taskID string) (ReportStatus, error)
	Stored(ctx context.Context, taskID string) (services.StoredReport, error)
	WriteCSV(ctx context.Context, rep services.StoredReport, w io.Writer) error
}

// ReportStatus is where a report task stands; Days and Totals are set once it succeeded.
type ReportStatus struct {
	TaskID   string
	State    string // PENDING, RECEIVED, STARTED, RETRY, SUCCESS, FAILURE
	Error    string
	Progress int // 0-100
	Days     []services.SalesDay
	Totals   services.SalesDay
}

// Done reports whether the task has finished, well or not.
func (s ReportStatus) Done() bool { return s.State == "SUCCESS" || s.State == "FAILURE" }

func (c *Console) reportRoutes() {
	p := Prefix + "/reports"
	c.mux.Handle("GET "+p, c.admin(c.reportForm))
	c.mux.Handle("POST "+p, c.admin(c.startReport))
	c.mux.Handle("GET "+p+"/{task}", c.admin(c.report))
	c.mux.Handle("GET "+p+"/{task}/state", c.admin(c.reportState))
	c.mux.Handle("GET "+p+"/{task}/csv", c.admin(c.reportCSV))
}

// reportFormPage is the content of reports.html.
type reportFormPage struct {
	Values  map[string]string
	Errors  map[string]string
	Problem string
}

func (f reportFormPage) value(name string) string   { return f.Values[name] }
func (f reportFormPage) errorOf(name string) string { return f.Errors[name] }

func (f *reportFormPage) setErrors(fields map[string]string, problem string) {
	f.Errors, f.Problem = fields, problem
}

func (c *Console) reportForm(w http.ResponseWriter, r *http.Request) {
	today := c.cfg.Now().UTC()
	c.render(w, r, http.StatusOK, "reports.html", "Reports", reportFormPage{Values: map[string]string{
		"from": today.AddDate(0, 0, -29).Format(time.DateOnly), "to": today.Format(time.DateOnly),
	}})
}

func (c *Console) startReport(w http.ResponseWriter, r *http.Request) {
	req := services.SalesRequest{From: r.PostFormValue("from"), To: r.PostFormValue("to")}
	id, err := c.deps.Reports.RequestSales(r.Context(), actorOf(r), req)
	if err != nil {
		form := reportFormPage{Values: map[string]string{"from": req.From, "to": req.To}}
		c.formError(w, r, err, "reports.html", "Reports", &form)
		return
	}
	c.redirect(w, r, Prefix+"/reports/"+id, flash{Kind: "ok", Text: "The report from " + req.From + " to " + req.To + " is being built."})
}

// reportPage is the content of report.html.
type reportPage struct {
	ReportStatus
	Chart chart
}

// reportStatus reads the task of the path, answering 404 for an ID tienda never makes.
func (c *Console) reportStatus(w http.ResponseWriter, r *http.Request) (ReportStatus, bool) {
	id := r.PathValue("task")
	if !taskID(id) {
		c.fail(w, r, apperr.NotFound("report"))
		return ReportStatus{}, false
	}
	st, err := c.deps.Reports.Report(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return ReportStatus{}, false
	}
	return st, true
}

func (c *Console) report(w http.ResponseWriter, r *http.Request) {
	st, ok := c.reportStatus(w, r)
	if !ok {
		return
	}
	c.render(w, r, http.StatusOK, "report.html", "Sales report", reportPage{ReportStatus: st, Chart: revenueChart(st.Days)})
}

// reportState answers the progress poll of report.html's script.
func (c *Console) reportState(w http.ResponseWriter, r *http.Request) {
	st, ok := c.reportStatus(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"state": st.State, "progress": st.Progress, "done": st.Done()})
}

// reportCSV downloads the stored report with the console's session (the API's download,
// GET /api/v1/reports/{task_id}.csv, wants a bearer token).
func (c *Console) reportCSV(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("task")
	if !taskID(id) {
		c.fail(w, r, apperr.NotFound("report"))
		return
	}
	rep, err := c.deps.Reports.Stored(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": rep.FileName()}))
	if err := c.deps.Reports.WriteCSV(r.Context(), rep, w); err != nil {
		c.cfg.Log.ErrorContext(r.Context(), "report download broke off", "task_id", id, "error", err)
		panic(http.ErrAbortHandler) // a cut connection, not a short file that looks whole
	}
}

// taskID reports whether id looks like the UUIDs tienda gives tasks.
func taskID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := range len(id) {
		ch := id[i]
		hex := ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f'
		if !hex && ch != '-' {
			return false
		}
	}
	return true
}
