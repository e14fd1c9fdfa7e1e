package dto

import (
	"encoding/json"
	"time"

	"tienda/apperr"
	"tienda/services"
)

// SalesReportRequest is the body of POST /reports/sales: dates, both included, in the years
// 1970..2999, to not before from and at most 3660 days after it.
type SalesReportRequest struct {
	From string `json:"from" binding:"required" format:"date" example:"2026-11-01"`
	To   string `json:"to" binding:"required" format:"date" example:"2026-11-30"`
}

// Validate checks the dates and their order.
func (r *SalesReportRequest) Validate() error {
	_, _, err := r.Sales().Range()
	return err
}

// Sales is the request as the service takes it.
func (r *SalesReportRequest) Sales() services.SalesRequest {
	return services.SalesRequest{From: r.From, To: r.To}
}

// TaskAccepted answers a request that started a task.
type TaskAccepted struct {
	TaskID string `json:"task_id" example:"9f1c2b1e-6a7d-4f0e-8a59-3c1f7e0b2d44"`
}

// Task is a background task's state.
type Task struct {
	TaskID string          `json:"task_id" example:"9f1c2b1e-6a7d-4f0e-8a59-3c1f7e0b2d44"`
	Name   string          `json:"name" example:"build_sales_report"`
	State  string          `json:"state" enums:"PENDING,RECEIVED,STARTED,RETRY,SUCCESS,FAILURE" example:"SUCCESS"`
	Result json.RawMessage `json:"result,omitempty" swaggertype:"object"`
	Error  string          `json:"error,omitempty"`
	// Progress is how far a sales report has come, 0 to 100 (100 once it succeeded); only
	// sales reports have it.
	Progress *int `json:"progress,omitempty" minimum:"0" maximum:"100" example:"45"`
	// UpdatedAt is when the report's progress last moved; absent until its worker starts it.
	UpdatedAt *time.Time `json:"updated_at,omitempty" format:"date-time" example:"2026-11-30T12:00:05Z"`
}

// CheckTaskID accepts task IDs as tienda makes them: UUIDs (36 characters of hex and dashes).
func CheckTaskID(id string) error {
	ok := len(id) == 36
	for i := 0; ok && i < len(id); i++ {
		ch := id[i]
		ok = ch == '-' || ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f' || ch >= 'A' && ch <= 'F'
	}
	if !ok {
		return apperr.InvalidParams(apperr.FieldError{Field: "task_id", Message: "must be a task ID (a UUID)"})
	}
	return nil
}
