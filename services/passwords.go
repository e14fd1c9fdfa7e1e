package services

import (
	"fmt"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"tienda/apperr"
)

// Password lengths: at least 8 characters, as the contract says (a password of three
// three-byte characters is not "8 long"); at most 72 bytes, because bcrypt ignores bytes after
// the 72nd, so longer passwords are refused rather than silently truncated.
const (
	MinPasswordChars = 8
	MaxPasswordBytes = 72
)

// Passwords hashes and checks passwords with bcrypt.
type Passwords struct {
	cost int
	// dummy is a hash of a password at the same cost, compared against when the user does not
	// exist, so that an unknown email takes as long to refuse as a wrong password. It is made on
	// first use: commands that never log anyone in (migrate, worker) need not pay for it.
	dummy func() []byte
}

// NewPasswords returns a hasher at the given bcrypt cost.
func NewPasswords(cost int) (*Passwords, error) {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("bcrypt cost %d is outside %d..%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	return &Passwords{cost: cost, dummy: sync.OnceValue(func() []byte {
		h, _ := bcrypt.GenerateFromPassword([]byte("no user has this password"), cost) // the cost is valid
		return h
	})}, nil
}

// Hash returns the bcrypt hash of password; a password over MaxPasswordBytes is a
// validation_error, whoever asks (HTTP, the CLI, a seed). See
// docs/decisions/0017-passwords-at-most-72-bytes.md.
func (p *Passwords) Hash(password string) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", apperr.Invalid(apperr.FieldError{Field: "password",
			Message: fmt.Sprintf("must be at most %d bytes (bcrypt's limit)", MaxPasswordBytes)})
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), p.cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// Match reports whether password matches hash; an empty hash is compared with the dummy hash
// and never matches. A password over MaxPasswordBytes never matches either: bcrypt reads only
// the first 72 bytes, so without this a stored 72-byte password followed by anything would.
func (p *Passwords) Match(hash, password string) bool {
	if hash == "" || len(password) > MaxPasswordBytes {
		_ = bcrypt.CompareHashAndPassword(p.dummy(), []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
