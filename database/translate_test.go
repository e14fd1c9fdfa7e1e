package database_test

import (
	"errors"
	"testing"

	mssql "github.com/microsoft/go-mssqldb"
	"gorm.io/gorm"

	"tienda/apptest/dbtest"
	"tienda/config"
	"tienda/database"
)

// TestSQLServerTranslatesDuplicateKeys: with the production dialector and GORM config, SQL
// Server's duplicate-key errors become gorm.ErrDuplicatedKey (then repositories.ErrDuplicate,
// answered 409), as MySQL's and SQLite's do. 2627 is a violated PRIMARY KEY or UNIQUE
// constraint, 2601 a violated unique index (what the live-uniqueness indexes raise).
func TestSQLServerTranslatesDuplicateKeys(t *testing.T) {
	if !database.GormConfig(dbtest.Logger(), 0).TranslateError {
		t.Fatal("GormConfig does not translate errors: duplicate keys would be 500s")
	}
	// Opening the dialector does not connect; only Initialize does.
	d, err := database.Dialector(config.DriverSQLServer, "sqlserver://tienda@localhost:1433?database=tienda")
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := d.(gorm.ErrorTranslator)
	if !ok {
		t.Fatalf("%T does not translate errors", d)
	}
	cases := []struct {
		number int32
		want   error
	}{
		{2627, gorm.ErrDuplicatedKey},
		{2601, gorm.ErrDuplicatedKey},
		{547, gorm.ErrForeignKeyViolated},
	}
	for _, c := range cases {
		if got := tr.Translate(mssql.Error{Number: c.number, Class: 14}); !errors.Is(got, c.want) {
			t.Errorf("Translate(mssql error %d) = %v, want %v", c.number, got, c.want)
		}
	}
	// Anything else goes through unchanged, so that Retryable still sees a deadlock's number.
	deadlock := mssql.Error{Number: 1205, Class: 13}
	got := tr.Translate(deadlock)
	if se, ok := errors.AsType[mssql.Error](got); !ok || se.Number != 1205 || !database.Retryable(got) {
		t.Errorf("Translate(deadlock) = %v, want the mssql error 1205 unchanged", got)
	}
}
