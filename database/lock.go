package database

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// LockTimeout is how long WithLock waits for another holder before giving up.
const LockTimeout = 2 * time.Minute

// WithLock runs fn on a single connection that holds the database-wide named lock: GET_LOCK on
// MySQL, sp_getapplock on SQL Server. On SQLite there is no such lock; callers serialize through
// an immediate (write-locking) transaction instead. fn receives a fresh session on that
// connection.
func WithLock(ctx context.Context, db *gorm.DB, name string, fn func(conn *gorm.DB) error) error {
	return db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		release, err := acquire(conn, name)
		if err != nil {
			return err
		}
		defer release()
		return fn(conn.Session(&gorm.Session{NewDB: true}))
	})
}

func acquire(conn *gorm.DB, name string) (release func(), err error) {
	switch conn.Dialector.Name() {
	case "mysql":
		var got *int
		if err := conn.Raw("SELECT GET_LOCK(?, ?)", name, int(LockTimeout.Seconds())).Scan(&got).Error; err != nil {
			return nil, fmt.Errorf("take lock %s: %w", name, err)
		}
		if got == nil || *got != 1 {
			return nil, fmt.Errorf("take lock %s: timed out after %s", name, LockTimeout)
		}
		return func() { conn.Exec("DO RELEASE_LOCK(?)", name) }, nil
	case "sqlserver":
		var rc int
		err := conn.Raw(`DECLARE @rc int;
EXEC @rc = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = ?;
SELECT @rc`, name, LockTimeout.Milliseconds()).Scan(&rc).Error
		if err != nil {
			return nil, fmt.Errorf("take lock %s: %w", name, err)
		}
		if rc < 0 {
			return nil, fmt.Errorf("take lock %s: sp_getapplock returned %d", name, rc)
		}
		return func() { conn.Exec("EXEC sp_releaseapplock @Resource = ?, @LockOwner = 'Session'", name) }, nil
	case "sqlite":
		return func() {}, nil
	}
	return nil, errors.New("no lock for dialect " + conn.Dialector.Name())
}
