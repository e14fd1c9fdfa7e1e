package database_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"syscall"
	"testing"

	mysqldriver "github.com/go-sql-driver/mysql"
	mssql "github.com/microsoft/go-mssqldb"
	"github.com/ncruces/go-sqlite3"
	"gorm.io/gorm"

	"tienda/database"
)

func TestRetryable(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"sqlserver deadlock victim 1205", mssql.Error{Number: 1205}, true},
		{"sqlserver lock request timeout 1222", mssql.Error{Number: 1222}, true},
		{"sqlserver 1205 wrapped", fmt.Errorf("place order: %w", mssql.Error{Number: 1205}), true},
		{"sqlserver duplicate key 2627", mssql.Error{Number: 2627}, false},
		{"sqlserver duplicate key 2601", mssql.Error{Number: 2601}, false},
		{"sqlserver foreign key 547", mssql.Error{Number: 547}, false},
		{"mysql deadlock 1213", &mysqldriver.MySQLError{Number: 1213}, true},
		{"mysql lock wait timeout 1205", &mysqldriver.MySQLError{Number: 1205}, true},
		{"mysql 1213 wrapped", fmt.Errorf("tx: %w", &mysqldriver.MySQLError{Number: 1213}), true},
		{"mysql duplicate key 1062", &mysqldriver.MySQLError{Number: 1062}, false},
		{"sqlite busy", sqliteBusy(t), true},
		{"sqlite busy wrapped", fmt.Errorf("tx: %w", sqliteBusy(t)), true},
		{"sqlite busy code", sqlite3.BUSY, true},
		{"sqlite busy_snapshot extended code", sqlite3.BUSY_SNAPSHOT, true},
		{"sqlite locked code", sqlite3.LOCKED, true},
		{"sqlite constraint code", sqlite3.CONSTRAINT_UNIQUE, false},
		{"duplicate key", gorm.ErrDuplicatedKey, false},
		{"not found", gorm.ErrRecordNotFound, false},
		{"deadline", context.DeadlineExceeded, false},
		{"other", errors.New("boom"), false},
	}
	for _, c := range cases {
		if got := database.Retryable(c.err); got != c.want {
			t.Errorf("%s: Retryable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}

// sqliteBusy returns the error SQLite gives a second writer while another connection holds the
// write lock and no busy timeout is set. It is SQLite-only on purpose: the MySQL and SQL Server
// errors above are plain structs the drivers return as they are, but SQLite's driver picks the
// error's form itself (a bare code here, a *sqlite3.Error with a message elsewhere), and only a
// real one shows which form Retryable must handle.
func sqliteBusy(t *testing.T) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "busy.db")
	holder, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = holder.Close() })
	other, err := sqlite3.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close() })
	if err := holder.Exec("BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	err = other.Exec("BEGIN IMMEDIATE")
	if !errors.Is(err, sqlite3.BUSY) {
		t.Fatalf("second writer: err = %v, want SQLITE_BUSY", err)
	}
	return err
}

func TestConnectionLost(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"bad connection", driver.ErrBadConn, true},
		{"bad connection wrapped", fmt.Errorf("tx: %w", driver.ErrBadConn), true},
		{"mysql invalid connection", mysqldriver.ErrInvalidConn, true},
		{"mariadb connection killed 1927", &mysqldriver.MySQLError{Number: 1927}, true},
		{"mysql server shutdown 1053", &mysqldriver.MySQLError{Number: 1053}, true},
		{"mysql 8 query interrupted by kill 1317", &mysqldriver.MySQLError{Number: 1317}, true},
		{"mysql 8 session killed 3169", &mysqldriver.MySQLError{Number: 3169}, true},
		{"mysql 8 idle disconnect 4031", &mysqldriver.MySQLError{Number: 4031}, true},
		{"server lost 2013", &mysqldriver.MySQLError{Number: 2013}, true},
		{"server gone 2006", &mysqldriver.MySQLError{Number: 2006}, true},
		{"mysql 8 killed wrapped", fmt.Errorf("commit: %w", &mysqldriver.MySQLError{Number: 3169}), true},
		{"mysql lock wait timeout 1205", &mysqldriver.MySQLError{Number: 1205}, false},
		{"mysql statement timeout 3024", &mysqldriver.MySQLError{Number: 3024}, false},
		{"mysql deadlock 1213", &mysqldriver.MySQLError{Number: 1213}, false},
		{"mysql duplicate key 1062", &mysqldriver.MySQLError{Number: 1062}, false},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"sqlserver deadlock 1205", mssql.Error{Number: 1205}, false},
		{"deadline", context.DeadlineExceeded, false},
		{"not found", gorm.ErrRecordNotFound, false},
		{"other", errors.New("boom"), false},
	}
	for _, c := range cases {
		if got := database.ConnectionLost(c.err); got != c.want {
			t.Errorf("%s: ConnectionLost(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
