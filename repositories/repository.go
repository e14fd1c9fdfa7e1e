// Package repositories holds every SQL query tienda runs. Each resource repository builds on the
// generic Repo; Store groups them and runs transactions. Repositories translate driver errors
// into ErrNotFound and ErrDuplicate and know nothing of HTTP or business rules.
package repositories

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
// returns ErrNotFound. GORM's Raw still writes the placeholders in the dialect's syntax (SQL
// Server's @p1, ...) and expands slices for IN, and runs on db's pool or transaction; the
// query builder and the reflective scan, the costly part of a GORM query, are skipped. The SQL
// must be portable and must spell out the soft-delete condition (deleted_at = 0) itself.
func queryRow(ctx context.Context, db *gorm.DB, query string, args []any, dest ...any) error {
	rows, err := db.WithContext(ctx).Raw(query, args...).Rows()
	if err != nil {
		return translate(err)
	}
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

// likeEscape is the escape character of every LIKE pattern tienda builds; '!' has no special
// meaning on any of the engines, unlike '\' (MySQL's default) or '[' (SQL Server's wildcard).
const likeEscape = "!"

// containsPattern is a LIKE pattern that matches s anywhere, with wildcards in s escaped.
func containsPattern(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_", "[", "![")
	return "%" + r.Replace(s) + "%"
}
