// Package tasks runs tienda's background work on RichardKnop/machinery: the task functions
// (emails, low-stock alerts, sales reports), the machinery server on Redis (or, without Redis, an
// in-process broker and backend), the worker, and the relay that hands outbox jobs to the queue.
// Machinery's Redis broker can lose tasks (a killed worker loses what it holds), so the relay
// hands out again any job whose task did not finish in time, and the tasks are idempotent.
package tasks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/RichardKnop/machinery/v2"
	redisbackend "github.com/RichardKnop/machinery/v2/backends/redis"
	redisbroker "github.com/RichardKnop/machinery/v2/brokers/redis"
	mconfig "github.com/RichardKnop/machinery/v2/config"
	eagerlock "github.com/RichardKnop/machinery/v2/locks/eager"
	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	"github.com/redis/go-redis/v9"

	"tienda/config"
	"tienda/metrics"
	"tienda/models"
)

// Observer is told of task events (metrics.TaskSent, TaskSucceeded, TaskFailed, TaskRetried).
type Observer interface {
	TaskEvent(task, event string)
}

// Queue is the machinery server: it publishes tasks and runs workers.
type Queue struct {
	server    *machinery.Server
	inProcess bool
	cfg       config.Tasks
	log       *slog.Logger
	observe   Observer
	// statePrefix goes in front of every task UUID given to machinery: its Redis result backend
	// stores a task's state under the bare UUID and has no option for a prefix, so the prefix
	// travels in the UUID, and redis.key_prefix covers machinery's state keys too.
	statePrefix string
}

// retries is how often machinery itself retries a failing task (with Fibonacci backoff from
// retryBase seconds) before it gives up; the relay redelivers later still.
const (
	retries   = 3
	retryBase = 1
)

// NewQueue builds the machinery server for cfg: on Redis when redis.addr is set, in-process
// otherwise, with the task functions of h registered.
func NewQueue(cfg config.Config, h *Handlers, observe Observer, log *slog.Logger) (*Queue, error) {
	prefix := cfg.Redis.KeyPrefix
	mcfg := &mconfig.Config{
		DefaultQueue:    prefix + cfg.Tasks.Queue,
		ResultsExpireIn: int(cfg.Tasks.ResultTTL.Seconds()),
		NoUnixSignals:   true, // the CLI owns signals and stops workers itself
		Redis: &mconfig.RedisConfig{
			MaxIdle:                3,
			IdleTimeout:            240,
			ReadTimeout:            15,
			WriteTimeout:           15,
			ConnectTimeout:         5,
			NormalTasksPollPeriod:  1000,
			DelayedTasksPollPeriod: 500,
			DelayedTasksKey:        prefix + "delayed_tasks",
		},
	}
	q := &Queue{cfg: cfg.Tasks, log: log, observe: observe, statePrefix: prefix + "task:"}
	if cfg.Redis.Addr != "" {
		addr := cfg.Redis.Addr
		if cfg.Redis.Password != "" {
			addr = cfg.Redis.Password + "@" + addr
		}
		mcfg.Broker = "redis://" + cfg.Redis.Addr
		mcfg.ResultBackend = mcfg.Broker
		q.server = machinery.NewServer(mcfg,
			redisbroker.NewGR(mcfg, []string{addr}, cfg.Redis.DB),
			redisbackend.NewGR(mcfg, []string{addr}, cfg.Redis.DB),
			eagerlock.New())
	} else {
		q.inProcess = true
		q.server = machinery.NewServer(mcfg,
			newMemoryBroker(mcfg, 4096),
			newMemoryBackend(mcfg, cfg.Tasks.ResultTTL),
			eagerlock.New())
	}
	if err := q.server.RegisterTasks(h.Functions()); err != nil {
		return nil, fmt.Errorf("register tasks: %w", err)
	}
	return q, nil
}

// InProcess reports whether tasks run in this process (no Redis).
func (q *Queue) InProcess() bool { return q.inProcess }

// Publish hands an outbox job's task to the queue, under the job's task UUID.
func (q *Queue) Publish(ctx context.Context, m models.OutboxMessage) error {
	sig := &mtasks.Signature{
		UUID:         q.statePrefix + m.TaskUUID,
		Name:         m.Task,
		Args:         []mtasks.Arg{{Name: "outbox_id", Type: "int64", Value: int64(m.ID)}},
		RetryCount:   retries,
		RetryTimeout: retryBase,
	}
	if _, err := q.server.SendTaskWithContext(ctx, sig); err != nil {
		return err
	}
	q.observe.TaskEvent(m.Task, metrics.TaskSent)
	return nil
}

// State returns the state machinery recorded for a task, or ErrNoState.
func (q *Queue) State(uuid string) (*mtasks.TaskState, error) {
	st, err := q.server.GetBackend().GetState(q.statePrefix + uuid)
	if errors.Is(err, redis.Nil) || errors.Is(err, errNoState) {
		return nil, ErrNoState
	}
	if err != nil {
		return nil, err
	}
	st.TaskUUID = strings.TrimPrefix(st.TaskUUID, q.statePrefix)
	return st, nil
}

// ErrNoState means the queue knows no task with that UUID (never sent, or expired).
var ErrNoState = errors.New("no state for this task")

// Work consumes tasks with concurrency workers until ctx ends, then stops taking tasks and
// waits up to grace for the running ones.
func (q *Queue) Work(ctx context.Context, concurrency int, grace time.Duration) error {
	w := q.server.NewWorker("tienda", concurrency)
	w.SetPostTaskHandler(func(sig *mtasks.Signature) {
		st, err := q.server.GetBackend().GetState(sig.UUID)
		if err != nil {
			return
		}
		switch st.State {
		case mtasks.StateSuccess:
			q.observe.TaskEvent(sig.Name, metrics.TaskSucceeded)
		case mtasks.StateFailure:
			q.observe.TaskEvent(sig.Name, metrics.TaskFailed)
		case mtasks.StateRetry:
			q.observe.TaskEvent(sig.Name, metrics.TaskRetried)
		}
	})
	w.SetErrorHandler(func(err error) {
		q.log.Warn("task failed", "error", err)
	})
	errc := make(chan error, 1)
	w.LaunchAsync(errc)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stopped := make(chan struct{})
	go func() {
		w.Quit()
		close(stopped)
	}()
	select {
	case <-stopped:
		q.log.Info("worker stopped")
	case <-time.After(grace):
		q.log.Warn("worker grace period over; tasks still running are left to redelivery", "grace", grace.String())
	}
	return nil
}
