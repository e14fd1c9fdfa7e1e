package sqlrecord_test

import (
	"testing"
	"time"

	"gorm.io/plugin/soft_delete"

	"tienda/database/sqlrecord"
	"tienda/models"
)

// TestArgumentsAreConvertedAsTheDriverWould: the recorder refuses an argument go-mssqldb would
// refuse, and accepts the kinds tienda passes (named string types, uint, pointers, Valuers).
func TestArgumentsAreConvertedAsTheDriverWould(t *testing.T) {
	db, rec, err := sqlrecord.SQLServer(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := uint(7)
	var none *time.Time
	ok := []any{models.RoleAdmin, models.OrderPaid, uint(3), &id, none, true, time.Now(), soft_delete.DeletedAt(0), []byte("x")}
	for _, arg := range ok {
		if err := db.Exec("UPDATE t SET c = ?", arg).Error; err != nil {
			t.Errorf("argument %T: %v", arg, err)
		}
	}
	if err := db.Exec("UPDATE t SET c = ?", struct{ A int }{1}).Error; err == nil {
		t.Error("a struct argument was accepted; go-mssqldb refuses it")
	}
	if n := len(rec.Statements()); n < len(ok) {
		t.Errorf("recorded %d statements, want at least %d", n, len(ok))
	}
}
