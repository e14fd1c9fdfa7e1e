package database

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"

	mysqldriver "github.com/go-sql-driver/mysql"
	mssql "github.com/microsoft/go-mssqldb"
	"github.com/ncruces/go-sqlite3"
)

// Retryable reports whether err means the transaction lost a race for locks (a deadlock victim
// or a lock wait timeout) and running it again from the start may succeed: MySQL 1213 and 1205,
// SQL Server 1205 and 1222, SQLite BUSY and LOCKED.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	if me, ok := errors.AsType[*mysqldriver.MySQLError](err); ok {
		return me.Number == 1213 || me.Number == 1205
	}
	if se, ok := errors.AsType[mssql.Error](err); ok {
		return se.Number == 1205 || se.Number == 1222
	}
	// SQLite's driver returns a *sqlite3.Error only when the message adds something to the code;
	// a plain "database is locked" arrives as a bare sqlite3.ExtendedErrorCode. errors.Is
	// matches BUSY and LOCKED (and their extended codes) in every form.
	return errors.Is(err, sqlite3.BUSY) || errors.Is(err, sqlite3.LOCKED)
}

// ConnectionLost reports whether err means the connection to the database broke under the
// statement: killed (MariaDB 1927), the server shutting down (1053), the driver finding its
// connection dead (driver.ErrBadConn, go-sql-driver's ErrInvalidConn), or a network error. The
// database is then unavailable for this request rather than the request being wrong: the caller
// answers 503. Inside a transaction the server rolled the work back, unless the connection broke
// during COMMIT, whose outcome is unknown.
func ConnectionLost(err error) bool {
	// A context's deadline also satisfies net.Error; it is the request giving up, not the
	// connection breaking.
	if err == nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysqldriver.ErrInvalidConn) {
		return true
	}
	if me, ok := errors.AsType[*mysqldriver.MySQLError](err); ok {
		return me.Number == 1927 || me.Number == 1053
	}
	_, ok := errors.AsType[net.Error](err)
	return ok
}
