// Package migrations holds tienda's versioned schema migrations and the runner behind
// `tienda migrate` and `serve`'s auto-migration. Each migration carries its own frozen structs or
// DDL and a real rollback; none may use today's models.
package migrations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"tienda/database"
)

// Table is the table that records applied migration IDs.
const Table = "migrations"

// lockName is the database-wide lock that serializes concurrent migration runs.
const lockName = "tienda_migrate"

// All returns every migration, oldest first. IDs are timestamps, so the order is also the
// order of the IDs.
func All() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		coreTables(),
		userTokenVersion(),
		ordersSupport(),
		deliveries(),
		productsListingIndex(),
		idempotencyKeyExact(),
		auditLog(),
		reports(),
		passwordResets(),
		productCounts(),
	}
}

// Status says which migrations a database has applied.
type Status struct {
	Applied []string // known migrations applied, in order
	Pending []string // known migrations not applied, in order
	Unknown []string // applied migrations this binary does not know (the database is newer)
}

// Runner applies and rolls back migrations on one database.
type Runner struct {
	db   *gorm.DB
	list []*gormigrate.Migration
}

// NewRunner returns a Runner for db with the given migrations (normally All()).
func NewRunner(db *gorm.DB, list []*gormigrate.Migration) *Runner {
	return &Runner{db: db, list: list}
}

// Up applies every pending migration. Several processes may call it at once: a database lock
// makes them take turns, and the later ones find nothing to do.
func (r *Runner) Up(ctx context.Context) error {
	return r.locked(ctx, func(m *gormigrate.Gormigrate, _ Status) error { return m.Migrate() })
}

// Down rolls back the most recently applied migration.
func (r *Runner) Down(ctx context.Context) error {
	return r.locked(ctx, func(m *gormigrate.Gormigrate, _ Status) error {
		err := m.RollbackLast()
		if errors.Is(err, gormigrate.ErrNoRunMigration) {
			return errors.New("no applied migration to roll back")
		}
		return err
	})
}

// To migrates up or down so that id is the last applied migration.
func (r *Runner) To(ctx context.Context, id string) error {
	if !slices.ContainsFunc(r.list, func(m *gormigrate.Migration) bool { return m.ID == id }) {
		return fmt.Errorf("unknown migration %q (see `tienda migrate status`)", id)
	}
	return r.locked(ctx, func(m *gormigrate.Gormigrate, st Status) error {
		if applied := st.Applied; len(applied) > 0 && applied[len(applied)-1] > id {
			return m.RollbackTo(id)
		}
		return m.MigrateTo(id)
	})
}

// Status reports applied, pending and unknown migrations.
func (r *Runner) Status(ctx context.Context) (Status, error) {
	return r.status(r.db.WithContext(ctx))
}

func (r *Runner) status(db *gorm.DB) (Status, error) {
	var applied []string
	if db.Migrator().HasTable(Table) {
		if err := db.Table(Table).Order("id").Pluck("id", &applied).Error; err != nil {
			return Status{}, fmt.Errorf("read %s: %w", Table, err)
		}
	}
	var st Status
	for _, m := range r.list {
		if slices.Contains(applied, m.ID) {
			st.Applied = append(st.Applied, m.ID)
		} else {
			st.Pending = append(st.Pending, m.ID)
		}
	}
	for _, id := range applied {
		if !slices.ContainsFunc(r.list, func(m *gormigrate.Migration) bool { return m.ID == id }) {
			st.Unknown = append(st.Unknown, id)
		}
	}
	return st, nil
}

// locked runs fn with a gormigrate bound to one connection that holds the migration lock.
// Unknown applied migrations stop any change: the database was migrated by a newer binary.
func (r *Runner) locked(ctx context.Context, fn func(*gormigrate.Gormigrate, Status) error) error {
	return database.WithLock(ctx, r.db, lockName, func(conn *gorm.DB) error {
		st, err := r.status(conn)
		if err != nil {
			return err
		}
		if len(st.Unknown) > 0 {
			return fmt.Errorf("the database has migrations this binary does not know (%s): use a newer tienda",
				strings.Join(st.Unknown, ", "))
		}
		m := gormigrate.New(conn, &gormigrate.Options{
			TableName:    Table,
			IDColumnName: "id",
			IDColumnSize: 255,
			// MySQL commits DDL implicitly, so a transaction there would only pretend; SQLite and
			// SQL Server run DDL transactionally, and a failed migration leaves nothing behind.
			UseTransaction:            r.db.Dialector.Name() != "mysql",
			ValidateUnknownMigrations: true,
		}, r.list)
		return fn(m, st)
	})
}

// nocase is a string column that compares case-insensitively on every engine: MySQL's and SQL
// Server's default collations already do; SQLite needs NOCASE on the column, so that both the
// unique index and ordinary lookups use it.
type nocase string

// GormDBDataType implements gorm's per-dialect column type hook.
func (nocase) GormDBDataType(db *gorm.DB, field *schema.Field) string {
	t := db.Dialector.DataTypeOf(field)
	if db.Dialector.Name() == "sqlite" {
		t += " COLLATE NOCASE"
	}
	return t
}

// mysqlTableOptions pins the engine and a collation that ignores case but not accents, whatever
// the server's defaults, so that the live-uniqueness indexes on email and SKU treat "ABC" and
// "abc" as the same and "cafe" and "café" as different, as SQLite (NOCASE) and SQL Server's
// default collation do. MariaDB (10.10+) and MySQL 8 name that collation differently; a server
// with neither gets utf8mb4_unicode_ci, which also ignores accents.
func mysqlTableOptions(tx *gorm.DB) string {
	collation := "utf8mb4_unicode_ci"
	for _, c := range []string{"utf8mb4_uca1400_as_ci", "utf8mb4_0900_as_ci"} {
		if tx.Exec("SELECT _utf8mb4'a' COLLATE "+c).Error == nil {
			collation = c
			break
		}
	}
	return "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=" + collation
}

func createTables(tx *gorm.DB, tables ...schema.Tabler) error {
	if tx.Dialector.Name() == "mysql" {
		tx = tx.Set("gorm:table_options", mysqlTableOptions(tx))
	}
	for _, t := range tables {
		if err := tx.Migrator().CreateTable(t); err != nil {
			return err
		}
	}
	return nil
}

// dropTables drops tables in reverse order, so that referencing tables go first. It issues
// plain DROP TABLE: GORM's MySQL migrator wraps its drop in a connection of its own, which
// cannot be taken on the single connection that holds the migration lock.
func dropTables(tx *gorm.DB, tables ...schema.Tabler) error {
	for i := len(tables) - 1; i >= 0; i-- {
		if err := tx.Exec("DROP TABLE ?", clause.Table{Name: tables[i].TableName()}).Error; err != nil {
			return err
		}
	}
	return nil
}
