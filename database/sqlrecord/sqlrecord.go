// Package sqlrecord is a database/sql driver that records every statement it is given and
// answers with canned rows. Under GORM's SQL Server dialector it shows, without a server, the
// exact SQL tienda would send to SQL Server, so that tests can compare it with reviewed golden
// files. It is for tests only.
package sqlrecord

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"strings"
	"sync"

	"gorm.io/driver/sqlserver"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Rows is a canned answer to a query.
type Rows struct {
	Columns []string
	Values  [][]driver.Value
}

// Answer picks the rows a query gets. It returns false to let the default answer apply.
type Answer func(query string) (Rows, bool)

// Recorder is a driver.Connector that records statements.
type Recorder struct {
	mu     sync.Mutex
	stmts  []string
	answer Answer
	fail   func(query string) error
}

// New returns a Recorder that answers queries with answer first, then with DefaultAnswer.
func New(answer Answer) *Recorder { return &Recorder{answer: answer} }

// SQLServer opens a GORM database on the SQL Server dialect backed by a new Recorder.
func SQLServer(answer Answer, cfg *gorm.Config) (*gorm.DB, *Recorder, error) {
	rec := New(answer)
	if cfg == nil {
		cfg = &gorm.Config{}
	}
	if cfg.Logger == nil {
		cfg.Logger = logger.Discard
	}
	db, err := gorm.Open(sqlserver.New(sqlserver.Config{Conn: sql.OpenDB(rec)}), cfg)
	return db, rec, err
}

// Statements returns what was recorded so far, one statement per entry.
func (r *Recorder) Statements() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.stmts...)
}

// Reset forgets what was recorded.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stmts = nil
}

// FailWith makes every statement for which fail returns an error fail with that error, as the
// server would answer it (a driver error such as mssql.Error); the statement is still recorded.
// A nil fail lets every statement succeed again.
func (r *Recorder) FailWith(fail func(query string) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = fail
}

// record records s and returns the error it must fail with, if any.
func (r *Recorder) record(s string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stmts = append(r.stmts, s)
	if r.fail != nil {
		return r.fail(s)
	}
	return nil
}

// Connect implements driver.Connector.
func (r *Recorder) Connect(context.Context) (driver.Conn, error) { return &conn{r}, nil }

// Driver implements driver.Connector.
func (r *Recorder) Driver() driver.Driver { return drv{r} }

type drv struct{ r *Recorder }

func (d drv) Open(string) (driver.Conn, error) { return &conn{d.r}, nil }

// DefaultAnswer answers the catalogue queries GORM's migrator asks as an empty database would:
// no table, index or constraint exists, the database is "tienda", and lock procedures succeed.
func DefaultAnswer(query string) Rows {
	q := strings.ToLower(query)
	switch {
	case strings.Contains(q, "count(*)"):
		return Rows{Columns: []string{"count"}, Values: [][]driver.Value{{int64(0)}}}
	case strings.Contains(q, "db_name()"):
		return Rows{Columns: []string{"name"}, Values: [][]driver.Value{{"tienda"}}}
	case strings.Contains(q, "schema_name()"):
		return Rows{Columns: []string{"name"}, Values: [][]driver.Value{{"dbo"}}}
	case strings.Contains(q, "sp_getapplock"):
		return Rows{Columns: []string{"rc"}, Values: [][]driver.Value{{int64(0)}}}
	}
	return Rows{Columns: []string{"id"}}
}

type conn struct{ r *Recorder }

func (c *conn) Prepare(query string) (driver.Stmt, error) { return &stmt{c: c, query: query}, nil }
func (c *conn) Close() error                              { return nil }
func (c *conn) Begin() (driver.Tx, error)                 { return c.BeginTx(context.Background(), driver.TxOptions{}) }

func (c *conn) BeginTx(context.Context, driver.TxOptions) (driver.Tx, error) {
	if err := c.r.record("BEGIN TRANSACTION"); err != nil {
		return nil, err
	}
	return tx{c.r}, nil
}

// CheckNamedValue converts arguments as go-mssqldb does for the types tienda passes: a
// driver.Valuer is kept (the driver calls it later), anything else goes through database/sql's
// default converter, so that an argument SQL Server's driver would refuse fails here too. The
// values themselves are not recorded.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if v, ok := nv.Value.(driver.Valuer); ok {
		_, err := driver.DefaultParameterConverter.ConvertValue(v)
		return err
	}
	var err error
	nv.Value, err = driver.DefaultParameterConverter.ConvertValue(nv.Value)
	return err
}

func (c *conn) ExecContext(_ context.Context, query string, _ []driver.NamedValue) (driver.Result, error) {
	if err := c.r.record(query); err != nil {
		return nil, err
	}
	return driver.RowsAffected(1), nil
}

func (c *conn) QueryContext(_ context.Context, query string, _ []driver.NamedValue) (driver.Rows, error) {
	if err := c.r.record(query); err != nil {
		return nil, err
	}
	if c.r.answer != nil {
		if rows, ok := c.r.answer(query); ok {
			return &iter{rows}, nil
		}
	}
	return &iter{DefaultAnswer(query)}, nil
}

type tx struct{ r *Recorder }

func (t tx) Commit() error   { return t.r.record("COMMIT") }
func (t tx) Rollback() error { return t.r.record("ROLLBACK") }

type stmt struct {
	c     *conn
	query string
}

func (s *stmt) Close() error  { return nil }
func (s *stmt) NumInput() int { return -1 }
func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.c.ExecContext(context.Background(), s.query, nil)
}
func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.c.QueryContext(context.Background(), s.query, nil)
}

// iter walks canned rows as a driver.Rows.
type iter struct{ rows Rows }

func (it *iter) Columns() []string { return it.rows.Columns }
func (it *iter) Close() error      { return nil }

func (it *iter) Next(dest []driver.Value) error {
	if len(it.rows.Values) == 0 {
		return io.EOF
	}
	copy(dest, it.rows.Values[0])
	it.rows.Values = it.rows.Values[1:]
	return nil
}
