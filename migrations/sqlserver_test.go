package migrations_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tienda/database"
	"tienda/database/dbtest"
	"tienda/database/sqlrecord"
	"tienda/migrations"
)

var update = flag.Bool("update", false, "rewrite golden files with the statements recorded now")

// TestSQLServerGolden records the statements the migrations send on the SQL Server dialect,
// without a server, and compares them with the reviewed files in testdata/sqlserver. After an
// intended change, rerun with -update and review the diff.
func TestSQLServerGolden(t *testing.T) {
	db, rec, err := sqlrecord.SQLServer(nil, database.GormConfig(dbtest.Logger(), 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.NewRunner(db, migrations.All()).Up(context.Background()); err != nil {
		t.Fatalf("up: %v", err)
	}
	golden(t, "testdata/sqlserver/up.sql", rec.Statements())

	for _, m := range migrations.All() {
		rec.Reset()
		if err := m.Rollback(db); err != nil {
			t.Fatalf("rollback %s: %v", m.ID, err)
		}
		golden(t, "testdata/sqlserver/"+m.ID+".down.sql", rec.Statements())
	}
}

// golden compares statements with the file at path, or rewrites it under -update.
func golden(t *testing.T, path string, statements []string) {
	t.Helper()
	var b strings.Builder
	for _, s := range statements {
		b.WriteString(canonical(strings.TrimSuffix(strings.TrimSpace(s), ";")) + ";\n")
	}
	got := b.String()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s: recorded statements differ from the golden file (rerun with -update after review)\n--- got\n%s", path, got)
	}
}

// canonical sorts the constraint clauses of a CREATE TABLE, which GORM emits in map order.
func canonical(stmt string) string {
	if !strings.HasPrefix(stmt, "CREATE TABLE") || !strings.HasSuffix(stmt, ")") {
		return stmt
	}
	head, rest, found := strings.Cut(strings.TrimSuffix(stmt, ")"), ",CONSTRAINT ")
	if !found {
		return stmt
	}
	constraints := strings.Split(rest, ",CONSTRAINT ")
	slices.Sort(constraints)
	return head + ",CONSTRAINT " + strings.Join(constraints, ",CONSTRAINT ") + ")"
}
