package migrations_test

import (
	"context"
	"flag"
	"testing"

	"tienda/apptest/dbtest"
	"tienda/database"
	"tienda/database/sqlrecord"
	"tienda/migrations"
)

var update = flag.Bool("update", false, "rewrite golden files with the statements recorded now")

// TestSQLServerGolden records the statements the migrations send on the SQL Server dialect,
// without a server, and compares them with the reviewed files in testdata/sqlserver; every
// statement is also checked for what SQL Server rejects (sqlrecord.SQLServerProblems). After an
// intended change, rerun with -update and review the diff.
func TestSQLServerGolden(t *testing.T) {
	db, rec, err := sqlrecord.SQLServer(nil, database.GormConfig(dbtest.Logger(), 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.NewRunner(db, migrations.All()).Up(context.Background()); err != nil {
		t.Fatalf("up: %v", err)
	}
	all := rec.Statements()
	sqlrecord.Golden(t, "testdata/sqlserver/up.sql", rec.Statements(), *update)

	for _, m := range migrations.All() {
		rec.Reset()
		if err := m.Rollback(db); err != nil {
			t.Fatalf("rollback %s: %v", m.ID, err)
		}
		sqlrecord.Golden(t, "testdata/sqlserver/"+m.ID+".down.sql", rec.Statements(), *update)
		all = append(all, rec.Statements()...)
	}
	sqlrecord.CheckSQLServer(t, all)
}
