package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"

	"tienda/apperr"
	"tienda/models"
	"tienda/repositories"
	"tienda/services"
)

// Status is a task's state as the API shows it.
type Status struct {
	TaskID string
	Name   string
	State  string // PENDING, RECEIVED, STARTED, RETRY, SUCCESS, FAILURE
	Result json.RawMessage
	Error  string
	// Progress (0-100) and UpdatedAt tell how far a sales report has come; nil for other tasks.
	Progress  *int
	UpdatedAt *time.Time
}

// Statuses looks tasks up in the queue's result backend, and in the outbox for tasks not handed
// to the queue yet (or whose state expired).
type Statuses struct {
	Queue   *Queue
	Outbox  repositories.Outbox
	Reports repositories.Reports
}

// Get returns the status of task id, or not_found. A sales report's status has its progress.
func (s Statuses) Get(ctx context.Context, id string) (Status, error) {
	st, err := s.get(ctx, id)
	if err != nil || st.Name != services.TaskSalesReport {
		return st, err
	}
	rep, err := s.Reports.Get(ctx, id)
	switch {
	case err == nil:
		st.Progress, st.UpdatedAt = &rep.Progress, &rep.UpdatedAt
	case !errors.Is(err, repositories.ErrNotFound):
		return Status{}, err
	}
	if st.State == mtasks.StateSuccess || st.Progress == nil {
		p := 0
		if st.State == mtasks.StateSuccess {
			p = 100 // also once the stored report has expired
		}
		st.Progress = &p
	}
	return st, nil
}

func (s Statuses) get(ctx context.Context, id string) (Status, error) {
	st, err := s.Queue.State(id)
	switch {
	case err == nil:
		return fromState(st), nil
	case !errors.Is(err, ErrNoState):
		return Status{}, err
	}
	m, err := s.Outbox.ByTaskUUID(ctx, id)
	if errors.Is(err, repositories.ErrNotFound) {
		return Status{}, apperr.NotFound("task")
	}
	if err != nil {
		return Status{}, err
	}
	out := Status{TaskID: id, Name: m.Task, State: mtasks.StatePending}
	switch m.State {
	case models.OutboxDone:
		out.State = mtasks.StateSuccess
	case models.OutboxFailed:
		out.State, out.Error = mtasks.StateFailure, m.LastError
	}
	return out, nil
}

func fromState(st *mtasks.TaskState) Status {
	out := Status{TaskID: st.TaskUUID, Name: st.TaskName, State: st.State, Error: st.Error}
	if st.State == mtasks.StateSuccess && len(st.Results) > 0 {
		// Tasks return JSON text; show it as JSON. Anything else is shown as a JSON value.
		if s, ok := st.Results[0].Value.(string); ok && json.Valid([]byte(s)) {
			out.Result = json.RawMessage(s)
		} else if raw, err := json.Marshal(st.Results[0].Value); err == nil {
			out.Result = raw
		}
	}
	return out
}
