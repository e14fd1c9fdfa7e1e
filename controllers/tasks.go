package controllers

import (
	"context"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"tienda/apperr"
	"tienda/controllers/dto"
	"tienda/middleware"
	"tienda/services"
	"tienda/tasks"
)

// ReportService starts report tasks and reads the reports they stored.
type ReportService interface {
	RequestSales(ctx context.Context, actor services.Actor, req services.SalesRequest) (string, error)
	Stored(ctx context.Context, id string) (services.StoredReport, error)
	WriteCSV(ctx context.Context, rep services.StoredReport, w io.Writer) error
}

// TaskStatuses looks up task states.
type TaskStatuses interface {
	Get(ctx context.Context, id string) (tasks.Status, error)
}

// Tasks handles /reports and /tasks (admins).
type Tasks struct {
	Reports  ReportService
	Statuses TaskStatuses
}

// SalesReport godoc
//
//	@Summary		Start a sales report
//	@Description	Daily totals (orders, items, revenue in cents; cancelled orders excluded) between two dates, both included (years 1970..2999; to not before from and at most 3660 days after it). A worker builds it; follow it with GET /tasks/{task_id}. A report that cannot be built ends FAILURE at once, never handed out again.
//	@Tags			tasks
//	@Accept			json
//	@Produce		json
//	@Param			body	body		dto.SalesReportRequest	true	"the date range"
//	@Success		202		{object}	dto.TaskAccepted
//	@Failure		400		{object}	apperr.ErrorResponse	"malformed JSON"
//	@Failure		401		{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		403		{object}	apperr.ErrorResponse	"not an admin"
//	@Failure		413		{object}	apperr.ErrorResponse	"body too large"
//	@Failure		422		{object}	apperr.ErrorResponse	"bad dates"
//	@Failure		500		{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID			startSalesReport
//	@Router			/reports/sales [post]
func (tc Tasks) SalesReport(c *gin.Context) {
	var req dto.SalesReportRequest
	if err := bindJSON(c, &req); err != nil {
		_ = c.Error(err)
		return
	}
	id, err := tc.Reports.RequestSales(c.Request.Context(), middleware.ActorOf(c), req.Sales())
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.Header("Location", strings.TrimSuffix(c.FullPath(), "/reports/sales")+"/tasks/"+url.PathEscape(id))
	c.JSON(http.StatusAccepted, dto.TaskAccepted{TaskID: id})
}

// Get godoc
//
//	@Summary		A background task's state
//	@Description	Machinery's state of the task; on SUCCESS, its result (for a sales report: the days, the totals and the url of its CSV download, GET /reports/{task_id}.csv). A sales report also has progress (0-100, moved by the worker as it goes through the range; 100 on SUCCESS) and updated_at (when its progress last moved).
//	@Tags			tasks
//	@Produce		json
//	@Param			task_id	path		string	true	"task ID"	maxLength(64)
//	@Success		200		{object}	dto.Task{result=tasks.SalesReport}	"the task; result is the report once state is SUCCESS"
//	@Failure		400		{object}	apperr.ErrorResponse	"bad ID"
//	@Failure		401		{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		403		{object}	apperr.ErrorResponse	"not an admin"
//	@Failure		404		{object}	apperr.ErrorResponse	"no such task"
//	@Failure		500		{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID			getTask
//	@Router			/tasks/{task_id} [get]
func (tc Tasks) Get(c *gin.Context) {
	id := c.Param("task_id")
	if err := dto.CheckTaskID(id); err != nil {
		_ = c.Error(err)
		return
	}
	st, err := tc.Statuses.Get(c.Request.Context(), id)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.Task{
		TaskID: st.TaskID, Name: st.Name, State: st.State, Result: st.Result, Error: st.Error,
		Progress: st.Progress, UpdatedAt: st.UpdatedAt,
	})
}

// Download godoc
//
//	@Summary		Download a sales report as CSV
//	@Description	The report a build_sales_report task stored, as CSV: a header line (day,orders,items,revenue_cents), one line per day with sales, then the totals (day "total"). Any serve process answers it; the rows are streamed from the database. A report is kept for tasks.result_ttl after it is built; before it is complete, and after it expired, the answer is 404.
//	@Tags			tasks
//	@Produce		text/csv
//	@Produce		json
//	@Param			task_id	path		string	true	"task ID of the report"	maxLength(64)
//	@Success		200		{string}	string	"the report as CSV (Content-Disposition names the file)"
//	@Header			200		{string}	Content-Disposition	"attachment; filename=sales_<from>_<to>.csv"
//	@Failure		400		{object}	apperr.ErrorResponse	"bad ID"
//	@Failure		401		{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		403		{object}	apperr.ErrorResponse	"not an admin"
//	@Failure		404		{object}	apperr.ErrorResponse	"no such report (not built yet, or expired)"
//	@Failure		500		{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID			downloadSalesReport
//	@Router			/reports/{task_id}.csv [get]
func (tc Tasks) Download(c *gin.Context) {
	// Gin names the parameter of the segment "{task_id}.csv" after the whole segment.
	id, ok := strings.CutSuffix(c.Param("task_id.csv"), ".csv")
	if !ok {
		_ = c.Error(apperr.NotFound("report"))
		return
	}
	if err := dto.CheckTaskID(id); err != nil {
		_ = c.Error(err)
		return
	}
	rep, err := tc.Reports.Stored(c.Request.Context(), id)
	if err != nil {
		_ = c.Error(err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": rep.FileName()}))
	c.Status(http.StatusOK)
	if err := tc.Reports.WriteCSV(c.Request.Context(), rep, c.Writer); err != nil {
		if !c.Writer.Written() {
			h.Del("Content-Type")
			h.Del("Content-Disposition")
			_ = c.Error(err)
			return
		}
		// Part of the file is out: cut the connection, so that the client sees a broken
		// download rather than a short file that looks whole.
		panic(http.ErrAbortHandler)
	}
}
