package tasks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/RichardKnop/machinery/v2/brokers/iface"
	"github.com/RichardKnop/machinery/v2/common"
	mconfig "github.com/RichardKnop/machinery/v2/config"
	mtasks "github.com/RichardKnop/machinery/v2/tasks"
)

// memoryBroker is machinery's broker for a single process: published tasks wait in a buffered
// channel (ETAs on timers) and StartConsuming runs them on `concurrency` goroutines until
// StopConsuming. Unlike machinery's eager broker, Publish returns at once and retries honour
// their ETA. Tasks it holds die with the process; the outbox relay hands them out again.
type memoryBroker struct {
	common.Broker
	queue chan *mtasks.Signature

	mu     sync.Mutex
	timers map[*time.Timer]struct{}
}

func newMemoryBroker(cnf *mconfig.Config, capacity int) *memoryBroker {
	return &memoryBroker{
		Broker: common.NewBroker(cnf),
		queue:  make(chan *mtasks.Signature, capacity),
		timers: map[*time.Timer]struct{}{},
	}
}

// StartConsuming implements iface.Broker: it blocks until StopConsuming, then waits for the
// tasks being processed.
func (b *memoryBroker) StartConsuming(consumerTag string, concurrency int, p iface.TaskProcessor) (bool, error) {
	b.Broker.StartConsuming(consumerTag, concurrency, p)
	var wg sync.WaitGroup
	for range max(concurrency, 1) {
		wg.Go(func() {
			for {
				select {
				case <-b.GetStopChan():
					return
				case sig := <-b.queue:
					_ = p.Process(sig) // the worker records failures in the backend
				}
			}
		})
	}
	wg.Wait()
	return false, nil
}

// StopConsuming implements iface.Broker.
func (b *memoryBroker) StopConsuming() {
	b.mu.Lock()
	for t := range b.timers {
		t.Stop()
	}
	b.timers = map[*time.Timer]struct{}{}
	b.mu.Unlock()
	b.Broker.StopConsuming()
}

// Publish implements iface.Broker. The signature is copied through JSON, as a real broker
// would, so that the worker's changes (retry counts) do not reach the caller's copy.
func (b *memoryBroker) Publish(ctx context.Context, sig *mtasks.Signature) error {
	raw, err := json.Marshal(sig)
	if err != nil {
		return fmt.Errorf("encode task: %w", err)
	}
	cp := new(mtasks.Signature)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(cp); err != nil {
		return fmt.Errorf("decode task: %w", err)
	}
	if cp.ETA != nil {
		if wait := time.Until(*cp.ETA); wait > 0 {
			b.after(wait, cp)
			return nil
		}
	}
	select {
	case b.queue <- cp:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	default:
		return errors.New("the in-process task queue is full")
	}
}

// after enqueues sig once wait has passed, unless the broker stops first.
func (b *memoryBroker) after(wait time.Duration, sig *mtasks.Signature) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var t *time.Timer
	t = time.AfterFunc(wait, func() {
		b.mu.Lock()
		delete(b.timers, t)
		b.mu.Unlock()
		select {
		case b.queue <- sig:
		case <-b.GetStopChan():
		}
	})
	b.timers[t] = struct{}{}
}

// memoryBackend keeps task states in this process's memory for the result TTL.
type memoryBackend struct {
	common.Backend
	ttl time.Duration

	mu     sync.Mutex
	states map[string]*mtasks.TaskState
}

func newMemoryBackend(cnf *mconfig.Config, ttl time.Duration) *memoryBackend {
	return &memoryBackend{Backend: common.NewBackend(cnf), ttl: ttl, states: map[string]*mtasks.TaskState{}}
}

var errGroupsUnsupported = errors.New("task groups are not supported in-process")

func (b *memoryBackend) InitGroup(string, []string) error         { return errGroupsUnsupported }
func (b *memoryBackend) GroupCompleted(string, int) (bool, error) { return false, errGroupsUnsupported }
func (b *memoryBackend) TriggerChord(string) (bool, error)        { return false, errGroupsUnsupported }
func (b *memoryBackend) PurgeGroupMeta(string) error              { return nil }
func (b *memoryBackend) GroupTaskStates(string, int) ([]*mtasks.TaskState, error) {
	return nil, errGroupsUnsupported
}

func (b *memoryBackend) SetStatePending(s *mtasks.Signature) error {
	return b.put(mtasks.NewPendingTaskState(s))
}

func (b *memoryBackend) SetStateReceived(s *mtasks.Signature) error {
	return b.put(mtasks.NewReceivedTaskState(s))
}

func (b *memoryBackend) SetStateStarted(s *mtasks.Signature) error {
	return b.put(mtasks.NewStartedTaskState(s))
}

func (b *memoryBackend) SetStateRetry(s *mtasks.Signature) error {
	return b.put(mtasks.NewRetryTaskState(s))
}

func (b *memoryBackend) SetStateSuccess(s *mtasks.Signature, results []*mtasks.TaskResult) error {
	return b.put(mtasks.NewSuccessTaskState(s, results))
}

func (b *memoryBackend) SetStateFailure(s *mtasks.Signature, err string) error {
	return b.put(mtasks.NewFailureTaskState(s, err))
}

// errNoState is what GetState returns for an unknown (or expired) task.
var errNoState = errors.New("no such task state")

func (b *memoryBackend) GetState(uuid string) (*mtasks.TaskState, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st, ok := b.states[uuid]
	if !ok || time.Since(st.CreatedAt) > b.ttl {
		return nil, errNoState
	}
	cp := *st
	return &cp, nil
}

func (b *memoryBackend) PurgeState(uuid string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.states, uuid)
	return nil
}

// put stores st, keeping its first creation time, and drops states past the TTL.
func (b *memoryBackend) put(st *mtasks.TaskState) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if old, ok := b.states[st.TaskUUID]; ok {
		st.CreatedAt, st.TaskName = old.CreatedAt, old.TaskName
	} else {
		st.CreatedAt = now
		for id, s := range b.states {
			if now.Sub(s.CreatedAt) > b.ttl {
				delete(b.states, id)
			}
		}
	}
	b.states[st.TaskUUID] = st
	return nil
}
