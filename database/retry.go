package database

import (
	"errors"

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
