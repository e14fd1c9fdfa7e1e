package repositories

import (
	"context"
	"time"

	"gorm.io/gorm"

	"tienda/database"
)

// Store groups the repositories on one database handle, which is either the pool or a
// transaction.
type Store struct {
	db         *gorm.DB
	Products   Products
	Users      Users
	Orders     Orders
	Outbox     Outbox
	Deliveries Deliveries
	Reports    Reports
	Audit      Audit
	Jobs       Jobs
	Resets     PasswordResets
	prep       *prepared
}

// NewStore returns the repositories on db.
func NewStore(db *gorm.DB) *Store {
	return newStore(db, newPrepared(db))
}

// newStore returns the repositories on db (the pool or a transaction), the hot paths with the
// pool's prepared statements.
func newStore(db *gorm.DB, prep *prepared) *Store {
	s := &Store{
		db:         db,
		Products:   NewProducts(db),
		Users:      NewUsers(db),
		Orders:     NewOrders(db),
		Outbox:     NewOutbox(db),
		Deliveries: NewDeliveries(db),
		Reports:    NewReports(db),
		Audit:      NewAudit(db),
		Jobs:       NewJobs(db),
		Resets:     NewPasswordResets(db),
		prep:       prep,
	}
	s.Products.prep, s.Users.prep, s.Orders.prep, s.Outbox.prep = prep, prep, prep, prep
	return s
}

// maxAttempts bounds how often InTx runs a transaction that lost a lock race.
const maxAttempts = 4

// InTx runs fn in one transaction with repositories bound to it: committed when fn returns nil,
// rolled back otherwise. A transaction chosen as a deadlock victim, timed out waiting for a lock,
// or whose database connection broke before COMMIT (the server rolled it back) is run again from
// the start, a few times, with a short growing pause; if it still fails, the error satisfies
// database.Retryable or database.ConnectionLost and the caller answers 503. One whose connection
// broke during COMMIT is not run again: it may have been committed, and a rerun could do its
// work twice (an order placed twice). Its error satisfies database.ConnectionLost (503 too); a
// client that retries with the same Idempotency-Key finds out safely.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		committing := false
		err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			ferr := fn(newStore(tx, s.prep))
			committing = ferr == nil
			return ferr
		})
		rerun := database.Retryable(err) || database.ConnectionLost(err) && !committing
		if !rerun || attempt == maxAttempts {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
		}
	}
	return translate(err)
}
