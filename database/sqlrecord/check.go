package sqlrecord

import (
	"regexp"
	"testing"
)

// A sqlServerRule is something SQL Server rejects, or runs unsafely, in a statement.
type sqlServerRule struct {
	bad  *regexp.Regexp // matched against the statement with literals and quoted names blanked
	need *regexp.Regexp // when set, the rule is broken only if bad matches and need does not
	why  string
}

var sqlServerRules = []sqlServerRule{
	{bad: regexp.MustCompile("`"), why: "backtick quoting is MySQL's; SQL Server quotes with \"...\" or [...]"},
	{bad: regexp.MustCompile(`(?i)\bFOR\s+UPDATE\b`), why: "SELECT ... FOR UPDATE is a syntax error on SQL Server; use a conditional UPDATE or WITH (UPDLOCK, ROWLOCK)"},
	{bad: regexp.MustCompile(`(?i)\bLIMIT\b`), why: "SQL Server has no LIMIT; GORM's dialect writes OFFSET ... FETCH"},
	{bad: regexp.MustCompile(`(?i)\b(OFFSET|FETCH)\b`), need: regexp.MustCompile(`(?i)\bORDER\s+BY\b`), why: "OFFSET/FETCH without ORDER BY is a syntax error on SQL Server"},
	{bad: regexp.MustCompile(`(?i)\bORDER\s+BY\s+\(\s*SELECT\s+NULL\s*\)`), why: "ORDER BY (SELECT NULL) makes the page's rows arbitrary"},
	{bad: regexp.MustCompile(`(?i)\bSELECT\s+TOP\b`), need: regexp.MustCompile(`(?i)\bORDER\s+BY\b`), why: "TOP without ORDER BY picks arbitrary rows"},
	{bad: regexp.MustCompile(`(?i)^\s*MERGE\b`), need: regexp.MustCompile(`(?i)\b(HOLDLOCK|SERIALIZABLE)\b`), why: "MERGE without HOLDLOCK races with concurrent inserts of the same key"},
	{bad: regexp.MustCompile(`(?i)\b(TRUE|FALSE)\b`), why: "SQL Server has no boolean literals; compare bit columns with 1/0 or a parameter"},
	{bad: regexp.MustCompile(`(?i)\b(NOW|IFNULL|GROUP_CONCAT)\s*\(`), why: "not a SQL Server function (SYSUTCDATETIME, ISNULL, STRING_AGG)"},
	{bad: regexp.MustCompile(`(?i)\b(AUTO_INCREMENT|INSERT\s+IGNORE|ON\s+DUPLICATE\s+KEY|ON\s+CONFLICT|RETURNING)\b`), why: "MySQL/SQLite syntax that SQL Server does not have"},
}

// SQLServerProblems lists what SQL Server would reject, or run unsafely, in stmt; nil when
// nothing is found. Text inside string literals and quoted names is ignored.
func SQLServerProblems(stmt string) []string {
	s := blankQuoted(stmt)
	var problems []string
	for _, r := range sqlServerRules {
		if r.bad.MatchString(s) && (r.need == nil || !r.need.MatchString(s)) {
			problems = append(problems, r.why)
		}
	}
	return problems
}

// CheckSQLServer fails t once for every recorded statement that has SQLServerProblems.
func CheckSQLServer(t testing.TB, statements []string) {
	t.Helper()
	for _, s := range statements {
		for _, p := range SQLServerProblems(s) {
			t.Errorf("%s\n  in: %s", p, s)
		}
	}
}

// blankQuoted replaces the contents of '...' literals and "..." / [...] names with spaces, so
// that the rules only see SQL keywords. A backtick is kept: it is itself a problem.
func blankQuoted(s string) string {
	b := []byte(s)
	var closer byte
	for i, c := range b {
		switch {
		case closer != 0 && c == closer:
			closer = 0
		case closer != 0:
			b[i] = ' '
		case c == '\'':
			closer = '\''
		case c == '"':
			closer = '"'
		case c == '[':
			closer = ']'
		}
	}
	return string(b)
}
