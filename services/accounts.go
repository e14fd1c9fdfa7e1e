package services

// The rules of account fields. Services enforce them on every way in (the API, the command
// line, the seed), and the API's request types report them field by field.

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"tienda/apperr"
)

// Limits of user fields.
const (
	MaxEmail    = 254
	MaxFullName = 200
)

// Validate checks a registration and returns it normalized (email lower-cased and trimmed, full
// name trimmed); the error lists every invalid field.
func (r Registration) Validate() (Registration, error) {
	var c apperr.Checker
	r.Email = CheckEmail(&c, r.Email)
	CheckPassword(&c, r.Password)
	r.FullName = strings.TrimSpace(r.FullName)
	c.Length("full_name", r.FullName, 1, MaxFullName)
	c.Plain("full_name", r.FullName, false, false)
	return r, c.Err()
}

// NormalizeEmail is the stored form of an email: trimmed and in lower case.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckEmail validates a plain address (no display name) and returns its normalized form.
func CheckEmail(c *apperr.Checker, raw string) string {
	email := NormalizeEmail(raw)
	switch {
	case email == "":
		c.Add("email", "must not be empty")
	case len(email) > MaxEmail:
		c.Add("email", "must be at most %d characters", MaxEmail)
	case strings.IndexFunc(email, invisible) >= 0:
		// "victim\u200b@example.com" looks like victim@example.com; SQLite would store it as
		// another account, MariaDB's collation takes it for the same one.
		c.Add("email", "must not contain invisible or control characters")
	case strings.IndexFunc(raw, func(r rune) bool { return r > unicode.MaxASCII }) >= 0:
		// raw, not email: lower-casing maps the Kelvin sign U+212A to an ASCII k.
		// Refused, not normalised: "caſe@example.com" (U+017F) is another address on SQLite and
		// the same as case@example.com under MariaDB's collation; NFKC would fold this one but
		// not every look-alike, and the mail relay may not speak SMTPUTF8 anyway.
		c.Add("email", "must be ASCII: letters, digits and punctuation without accents")
	default:
		addr, err := mail.ParseAddress(email)
		domain := email[strings.LastIndexByte(email, '@')+1:]
		switch {
		case err != nil || addr.Address != email || !strings.Contains(domain, "."):
			c.Add("email", "must be an email address like name@example.com")
		case strings.ContainsAny(domain, "[]:"):
			// a@[127.0.0.1] makes the mail relay deliver to whatever address it names.
			c.Add("email", "must have a domain name, not an address literal")
		}
	}
	return email
}

// invisible reports control and format characters (U+0000, U+200B, U+200D, U+00AD, U+202E...).
func invisible(r rune) bool { return unicode.In(r, unicode.Cc, unicode.Cf) }

// CheckPassword checks a new password against the length rules.
func CheckPassword(c *apperr.Checker, p string) { CheckPasswordField(c, "password", p) }

// CheckPasswordField is CheckPassword for a field with another name (new_password).
func CheckPasswordField(c *apperr.Checker, field, p string) {
	switch {
	case utf8.RuneCountInString(p) < MinPasswordChars:
		c.Add(field, "must be at least %d characters", MinPasswordChars)
	case len(p) > MaxPasswordBytes:
		c.Add(field, "must be at most %d bytes (bcrypt's limit; longer passwords are refused, not cut)", MaxPasswordBytes)
	}
}

// Validate checks the fields a patch sets and returns it normalized (full name trimmed); the
// error lists every invalid field.
func (p UserPatch) Validate() (UserPatch, error) {
	var c apperr.Checker
	p.Check(&c)
	return p, c.Err()
}

// Check adds to c what is wrong with the fields p sets, trimming the full name in place: the
// API's request type reports its own fields into the same checker.
func (p *UserPatch) Check(c *apperr.Checker) {
	if p.FullName != nil {
		name := strings.TrimSpace(*p.FullName)
		p.FullName = &name
		c.Length("full_name", name, 1, MaxFullName)
		c.Plain("full_name", name, false, false)
	}
	if p.Role != nil {
		c.Check(p.Role.Valid(), "role", "must be admin or customer")
	}
	if p.Password != nil {
		CheckPassword(c, *p.Password)
	}
}
