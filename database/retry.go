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

// lostConnectionCodes are the MariaDB and MySQL 8 error numbers of a connection broken or killed
// under the statement (the server's ER_* and the client library's CR_* codes the server may relay).
var lostConnectionCodes = map[uint16]bool{
	1053: true, // ER_SERVER_SHUTDOWN
	1317: true, // ER_QUERY_INTERRUPTED: MySQL 8's answer to a statement whose session is killed
	1927: true, // MariaDB ER_CONNECTION_KILLED
	2006: true, // CR_SERVER_GONE_ERROR
	2013: true, // CR_SERVER_LOST
	3169: true, // ER_SESSION_WAS_KILLED (MySQL 8)
	4031: true, // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8.0.24+): disconnected for inactivity
}

// ConnectionLost reports whether err means the connection to the database broke under the
// statement: killed (MariaDB 1927; MySQL 8 reports a killed session as 1317, 3169 or, to the
// client reading the next packet, 2013/2006, and an idle disconnect as 4031), the server
// shutting down (1053), the driver finding its
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
		return lostConnectionCodes[me.Number]
	}
	_, ok := errors.AsType[net.Error](err)
	return ok
}
