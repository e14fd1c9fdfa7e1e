package apperr

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
)

// Checker collects field errors; Err returns them as one validation error.
type Checker struct {
	details []FieldError
}

// Add records that field is invalid.
func (c *Checker) Add(field, format string, args ...any) {
	c.details = append(c.details, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Check records message for field unless ok.
func (c *Checker) Check(ok bool, field, message string) {
	if !ok {
		c.Add(field, "%s", message)
	}
}

// Length checks that s is between lo and hi characters long. Characters are counted in UTF-16
// code units, the unit of SQL Server's nvarchar, so that a value accepted here fits its column on
// every database (a character outside the Basic Multilingual Plane counts twice).
func (c *Checker) Length(field, s string, lo, hi int) {
	n := Len(s)
	switch {
	case n < lo && lo == 1:
		c.Add(field, "must not be empty")
	case n < lo:
		c.Add(field, "must be at least %d characters", lo)
	case n > hi:
		c.Add(field, "must be at most %d characters", hi)
	}
}

// Plain checks that s has no control characters (NUL, ESC, DEL...; tab, line feed and carriage
// return too unless multiline) and, when strict, no format characters either (zero-width
// spaces, bidirectional overrides), which make look-alikes of identifiers. A NUL also made a
// value that MariaDB's collation takes for the same text without it.
func (c *Checker) Plain(field, s string, multiline, strict bool) {
	bad := strings.IndexFunc(s, func(r rune) bool {
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
			return false
		case unicode.Is(unicode.Cc, r):
			return true
		default:
			return strict && unicode.Is(unicode.Cf, r)
		}
	})
	if bad >= 0 {
		c.Add(field, "must not contain control characters")
	}
}

// Range checks lo <= v <= hi.
func (c *Checker) Range(field string, v, lo, hi int64) {
	switch {
	case v < lo:
		c.Add(field, "must be >= %d", lo)
	case v > hi:
		c.Add(field, "must be <= %d", hi)
	}
}

// Err returns the collected errors as a validation error, or nil.
func (c *Checker) Err() error {
	if len(c.details) == 0 {
		return nil
	}
	return Invalid(c.details...)
}

// Len is the length of s in UTF-16 code units.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
