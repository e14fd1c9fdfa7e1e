package sqlrecord_test

import (
	"strings"
	"testing"

	"tienda/database/sqlrecord"
)

func TestSQLServerProblems(t *testing.T) {
	bad := map[string]string{
		"SELECT * FROM `users`":                                                      "backtick",
		"SELECT * FROM products WHERE id = @p1 FOR UPDATE":                           "FOR UPDATE",
		"SELECT * FROM products LIMIT 10":                                            "LIMIT",
		"SELECT * FROM products OFFSET 10 ROWS FETCH NEXT 10 ROWS ONLY":              "OFFSET/FETCH without ORDER BY",
		"SELECT * FROM x ORDER BY (SELECT NULL) OFFSET 0 ROW FETCH NEXT 1 ROWS ONLY": "arbitrary",
		"SELECT TOP 5 id FROM idempotency_keys":                                      "TOP without ORDER BY",
		`MERGE INTO "t" USING (VALUES(@p1)) AS excluded ("id") ON "t"."id" = "excluded"."id" WHEN NOT MATCHED THEN INSERT ("id") VALUES ("excluded"."id");`: "HOLDLOCK",
		"UPDATE users SET is_active = true":                          "boolean literals",
		"UPDATE users SET updated_at = NOW()":                        "not a SQL Server function",
		"INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = 1": "MySQL/SQLite syntax",
		"INSERT INTO t (a) VALUES (1) ON CONFLICT DO NOTHING":        "MySQL/SQLite syntax",
	}
	for stmt, want := range bad {
		got := sqlrecord.SQLServerProblems(stmt)
		if len(got) == 0 || !strings.Contains(strings.Join(got, "; "), want) {
			t.Errorf("%s: problems = %q, want one about %q", stmt, got, want)
		}
	}
	good := []string{
		`SELECT * FROM "products" WHERE is_active = @p1 ORDER BY "name","id" OFFSET 20 ROWS FETCH NEXT 20 ROWS ONLY`,
		`SELECT * FROM "users" WHERE id = @p1 ORDER BY "users"."id" OFFSET 0 ROW FETCH NEXT 1 ROWS ONLY`,
		`SELECT * FROM "products" WHERE (name LIKE @p1 ESCAPE '!' OR sku LIKE @p2 ESCAPE '!')`,
		`SELECT * FROM t WHERE note = 'limit true for update' AND "limit" = 1 AND [offset] = 2`,
		`MERGE INTO "t" WITH (HOLDLOCK) USING (VALUES(@p1)) AS excluded ("id") ON "t"."id" = "excluded"."id" WHEN NOT MATCHED THEN INSERT ("id") VALUES ("excluded"."id");`,
		"DECLARE @rc int;\nEXEC @rc = sp_getapplock @Resource = @p1, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = @p2;\nSELECT @rc",
	}
	for _, stmt := range good {
		if got := sqlrecord.SQLServerProblems(stmt); got != nil {
			t.Errorf("%s: problems = %q, want none", stmt, got)
		}
	}
}
