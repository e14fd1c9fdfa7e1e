package controllers

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"tienda/controllers/dto"
	"tienda/middleware"
	"tienda/services"
	"tienda/tasks"
)

// ReportService starts report tasks.
type ReportService interface {
	RequestSales(ctx context.Context, actor services.Actor, req services.SalesRequest) (string, error)
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
//	@Description	Machinery's state of the task; on SUCCESS, its result (for a sales report: the days, the totals and the CSV file).
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
	c.JSON(http.StatusOK, dto.Task{TaskID: st.TaskID, Name: st.Name, State: st.State, Result: st.Result, Error: st.Error})
}
