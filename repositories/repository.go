// Package repositories holds every SQL query tienda runs. Each resource repository builds on the
// generic Repo; Store groups them and runs transactions. Repositories translate driver errors
// into ErrNotFound and ErrDuplicate and know nothing of HTTP or business rules.
package repositories

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"tienda/listing"
)

// Errors the repositories return instead of driver errors.
var (
	ErrNotFound  = errors.New("record not found")
	ErrDuplicate = errors.New("duplicate key")
)

// Repo is the generic repository of model T: create, get, list, update and (soft) delete by id,
// all bound to the caller's context.
type Repo[T any] struct {
	db *gorm.DB
	// prep holds the hot paths' statements prepared on the pool (MySQL only; nil otherwise).
	prep *prepared
	// columns maps the API's sortable field names to columns; nothing else can be sorted on.
	columns map[string]string
}

// NewRepo returns a Repo for T on db, sortable by the given fields (API name to column). Every
// field of sortable must have a column: a list of listing's that outgrows its repository is a
// programming error, caught when the store is built.
func NewRepo[T any](db *gorm.DB, sortable listing.Fields, columns map[string]string) Repo[T] {
	for _, f := range sortable {
		if _, ok := columns[f]; !ok {
			panic(fmt.Sprintf("repositories: sortable field %q has no column", f))
		}
	}
	return Repo[T]{db: db, columns: columns}
}

// DB returns the handle for a query of T bound to ctx.
func (r Repo[T]) DB(ctx context.Context) *gorm.DB {
	return r.db.WithContext(ctx).Model(new(T))
}

// Create inserts v and fills in its generated fields.
func (r Repo[T]) Create(ctx context.Context, v *T) error {
	return translate(r.db.WithContext(ctx).Create(v).Error)
}

// Get returns the live row with id, or ErrNotFound.
func (r Repo[T]) Get(ctx context.Context, id uint) (T, error) {
	var v T
	err := r.db.WithContext(ctx).Where("id = ?", id).Take(&v).Error
	return v, translate(err)
}

// Update sets changes on the live row with id (updated_at included), or returns ErrNotFound.
func (r Repo[T]) Update(ctx context.Context, id uint, changes map[string]any) error {
	res := r.DB(ctx).Where("id = ?", id).Updates(changes)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// set puts *v into changes under column when v is not nil.
func set[V any](changes map[string]any, column string, v *V) {
	if v != nil {
		changes[column] = *v
	}
}

// Delete soft-deletes the live row with id, or returns ErrNotFound.
func (r Repo[T]) Delete(ctx context.Context, id uint) error {
	res := r.db.WithContext(ctx).Where("id = ?", id).Delete(new(T))
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// List returns one page of the rows that filter selects, and how many rows it selects in all.
// It costs two queries (count, then page) and skips the second when the page is empty.
func (r Repo[T]) List(ctx context.Context, filter func(*gorm.DB) *gorm.DB, opts listing.Options) ([]T, int64, error) {
	var total int64
	if err := r.DB(ctx).Scopes(filter).Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	items := []T{}
	if total == 0 || int64(opts.Offset()) >= total {
		return items, total, nil
	}
	err := r.DB(ctx).Scopes(filter).
		Order(r.orderBy(opts.Sort)).
		Limit(opts.PageSize).
		Offset(opts.Offset()).
		Find(&items).Error
	return items, total, translate(err)
}

// orderBy builds the ORDER BY of a list: the requested fields, then id in the direction of the
// last one, so that rows with equal sort values keep a stable order across pages.
func (r Repo[T]) orderBy(sorts []listing.Sort) clause.OrderBy {
	var by clause.OrderBy
	desc := false
	for _, s := range sorts {
		col, ok := r.columns[s.Field]
		if !ok {
			continue // callers validate against listing's Fields; an unknown field never reaches SQL
		}
		by.Columns = append(by.Columns, clause.OrderByColumn{Column: clause.Column{Name: col}, Desc: s.Desc})
		desc = s.Desc
		if col == "id" {
			return by
		}
	}
	by.Columns = append(by.Columns, clause.OrderByColumn{Column: clause.Column{Name: "id"}, Desc: desc})
	return by
}

// translate maps driver errors to the repository's errors.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return ErrNotFound
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return errors.Join(ErrDuplicate, err)
	}
	return err
}

// queryRow runs a hand-written query of the hot paths and scans its first row into dest, or
// returns ErrNotFound. The SQL must be portable, take no slices, and spell out the soft-delete
// condition (deleted_at = 0) itself. On MySQL it runs as a statement prepared once per
// connection (see prepared); elsewhere GORM's Raw writes the placeholders in the dialect's
// syntax (SQL Server's @p1, ...). Either way it runs on r's pool or transaction, and GORM's
// query builder and reflective scan, the costly part of a GORM query, are skipped.
func (r Repo[T]) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
	rows, release, err := r.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer release()
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return translate(err)
		}
		return ErrNotFound
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return translate(rows.Close())
}

// query runs a hand-written query of the hot paths as queryRow does and returns its rows; call
// release after closing them.
func (r Repo[T]) query(ctx context.Context, query string, args ...any) (rows *sql.Rows, release func(), err error) {
	if st, done, ok := r.prep.stmt(ctx, r.db, query); ok { //nolint:sqlclosecheck // done closes it
		rows, err = st.QueryContext(ctx, args...)
		if err != nil {
			done()
			return nil, nil, translate(err)
		}
		return rows, done, nil
	}
	rows, err = r.db.WithContext(ctx).Raw(query, args...).Rows()
	return rows, func() {}, translate(err)
}

// exec runs a hand-written statement of the hot paths, as queryRow does, and returns the
// number of rows it changed.
func (r Repo[T]) exec(ctx context.Context, query string, args ...any) (int64, error) {
	if st, release, ok := r.prep.stmt(ctx, r.db, query); ok { //nolint:sqlclosecheck // release closes it
		defer release()
		res, err := st.ExecContext(ctx, args...)
		if err != nil {
			return 0, translate(err)
		}
		n, err := res.RowsAffected()
		return n, translate(err)
	}
	res := r.db.WithContext(ctx).Exec(query, args...)
	return res.RowsAffected, translate(res.Error)
}

// insert runs a hand-written INSERT of the hot paths as a prepared statement and returns the
// first generated id. ok is false where statements are not prepared (not MySQL): the caller
// then inserts through GORM, which knows each dialect's way of returning ids.
func (r Repo[T]) insert(ctx context.Context, query string, args ...any) (id uint, ok bool, err error) {
	return r.prep.insert(ctx, r.db, query, args...)
}

func (p *prepared) insert(ctx context.Context, db *gorm.DB, query string, args ...any) (id uint, ok bool, err error) {
	st, release, ok := p.stmt(ctx, db, query) //nolint:sqlclosecheck // release closes it
	if !ok {
		return 0, false, nil
	}
	defer release()
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, true, translate(err)
	}
	first, err := res.LastInsertId()
	return uint(first), true, translate(err) //nolint:gosec // an auto-increment id is positive
}

// prepare prepares query on the pool (database/sql then prepares it on each connection the
// first time it runs there) and keeps it for the pool's life; on failure the next use retries.
func (p *prepared) prepare(ctx context.Context, query string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := p.db.PrepareContext(ctx, query) //nolint:sqlclosecheck // kept for the pool's life
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		delete(p.m, query)
		return
	}
	p.m[query] = st
}

// rowsOf returns n placeholder tuples of width columns: "(?,?),(?,?)".
func rowsOf(n, width int) string {
	row := "(?" + strings.Repeat(",?", width-1) + ")"
	return row + strings.Repeat(","+row, n-1)
}

// prepared caches the statements of the hot paths, prepared on the MySQL pool: database/sql
// prepares each on a connection the first time it runs there and reuses it afterwards, so the
// server parses and plans it once per connection instead of on every request, and the binary
// protocol carries the arguments (the DSN's interpolateParams still serves every other query).
// The statements are few (Orders.TakeStocks has one per line count, at most 50), so the
// server's count of prepared statements stays far below its limit (max_prepared_stmt_count,
// 16,382 by default): at most one per statement and connection of the pool.
type prepared struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// newPrepared returns the cache for db's pool, or nil where statements are not prepared (other
// engines: SQLite is in-process, SQL Server is not a target of the hot paths' tuning).
func newPrepared(db *gorm.DB) *prepared {
	pool, ok := db.Statement.ConnPool.(*sql.DB)
	if !ok || db.Dialector.Name() != "mysql" {
		return nil
	}
	return &prepared{db: pool, m: map[string]*sql.Stmt{}}
}

// stmt returns query's statement for db's pool or transaction and a function to call when done
// with it; ok is false where there is no cache, and the caller goes through GORM.
func (p *prepared) stmt(ctx context.Context, db *gorm.DB, query string) (st *sql.Stmt, release func(), ok bool) {
	if p == nil {
		return nil, nil, false
	}
	tx, inTx := db.Statement.ConnPool.(*sql.Tx)
	if !inTx && db.Statement.ConnPool != p.db {
		return nil, nil, false
	}
	p.mu.Lock()
	st, found := p.m[query]
	if !found {
		p.m[query] = nil // being prepared
	}
	p.mu.Unlock()
	if !found {
		// Preparing takes a connection of the pool; a transaction already holds one, and waiting
		// for a second could starve the pool (every connection held by a transaction waiting
		// here). So the statement is prepared beside the request, which goes through GORM.
		go p.prepare(context.WithoutCancel(ctx), query)
		return nil, nil, false
	}
	if st == nil {
		return nil, nil, false // still being prepared
	}
	if !inTx {
		return st, func() {}, true
	}
	// The transaction's connection reuses its own preparation of st, or prepares it once.
	ts := tx.StmtContext(ctx, st)
	return ts, func() { _ = ts.Close() }, true
}

// likeEscape is the escape character of every LIKE pattern tienda builds; '!' has no special
// meaning on any of the engines, unlike '\' (MySQL's default) or '[' (SQL Server's wildcard).
const likeEscape = "!"

// containsPattern is a LIKE pattern that matches s anywhere, with wildcards in s escaped.
func containsPattern(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_", "[", "![")
	return "%" + r.Replace(s) + "%"
}
