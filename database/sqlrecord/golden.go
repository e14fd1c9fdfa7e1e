package sqlrecord

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Golden compares statements, one per line and each ended by ";", with the file at path, or
// rewrites the file with them when update is set (tests pass their own -update flag). CREATE
// TABLE constraint clauses are put in a stable order first, since GORM emits them in map order.
func Golden(t testing.TB, path string, statements []string, update bool) {
	t.Helper()
	got := Format(statements)
	if update {
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

// Format renders statements as Golden writes them: trimmed, canonical, one per line with ";".
func Format(statements []string) string {
	var b strings.Builder
	for _, s := range statements {
		b.WriteString(Canonical(strings.TrimSuffix(strings.TrimSpace(s), ";")) + ";\n")
	}
	return b.String()
}

// Canonical sorts the constraint clauses of a CREATE TABLE, which GORM emits in map order; any
// other statement is returned as it is.
func Canonical(stmt string) string {
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
