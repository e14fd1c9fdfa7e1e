package apptest

import (
	"net/http"
	"testing"
	"time"
)

// Task is a task as GET /tasks/{id} renders it (the sales report's result spelled out).
type Task struct {
	TaskID string `json:"task_id"`
	Name   string `json:"name"`
	State  string `json:"state"`
	Error  string `json:"error"`
	Result struct {
		From string `json:"from"`
		To   string `json:"to"`
		Days []struct {
			Day          string `json:"day"`
			Orders       int64  `json:"orders"`
			Items        int64  `json:"items"`
			RevenueCents int64  `json:"revenue_cents"`
		} `json:"days"`
		Totals struct {
			Orders       int64 `json:"orders"`
			Items        int64 `json:"items"`
			RevenueCents int64 `json:"revenue_cents"`
		} `json:"totals"`
		URL string `json:"url"`
	} `json:"result"`
	Progress  *int       `json:"progress"`
	UpdatedAt *time.Time `json:"updated_at"`
}

// WaitTask polls GET /tasks/{id} until the task succeeds or fails.
func WaitTask(t testing.TB, e *Env, token, id string, timeout time.Duration) Task {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var st Task
		Expect(t, e.Get("/tasks/"+id, token), http.StatusOK, "task state").Decode(t, &st)
		if st.State == "SUCCESS" || st.State == "FAILURE" {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s still %s after %s", id, st.State, timeout)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// StartReport asks for a sales report from..to as admin and returns its task ID.
func StartReport(t testing.TB, e *Env, admin User, from, to string) string {
	t.Helper()
	var accepted struct {
		TaskID string `json:"task_id"`
	}
	Expect(t, e.Post("/reports/sales", admin.Token, map[string]string{"from": from, "to": to}),
		http.StatusAccepted, "start report").Decode(t, &accepted)
	return accepted.TaskID
}

// Download GETs a URL the API handed out (a path from the root, such as a report's url) with
// token.
func Download(t testing.TB, e *Env, token, url string) Response {
	t.Helper()
	return e.Get("/"+url, token)
}
