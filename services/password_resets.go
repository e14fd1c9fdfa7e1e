package services

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"time"

	"tienda/apperr"
	"tienda/models"
	"tienda/repositories"
)

// TaskPasswordReset is the task that emails a password reset token.
const TaskPasswordReset = "send_password_reset"

// PasswordResets lets the owner of an account's mailbox set a new password: a request records an
// email job (the worker makes the token, stores its hash and sends it), and the token, used once
// before it expires, sets the password and ends every session.
type PasswordResets struct {
	users *Users
	// Counter counts reset requests per email address over an hour; Max is the most that send an
	// email (later ones still answer 202, so that the answer tells nothing).
	counter Counter
	max     int64
	now     func() time.Time
	log     *slog.Logger
}

// NewPasswordResets returns the password reset service over users.
func NewPasswordResets(users *Users, counter Counter, maxPerHour int64, now func() time.Time, log *slog.Logger) *PasswordResets {
	return &PasswordResets{users: users, counter: counter, max: maxPerHour, now: now, log: log}
}

// HashResetToken is how a reset token is stored: its SHA-256 in hex. The token has 256 random
// bits, so a fast hash is enough (nothing to brute-force).
func HashResetToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Request asks for a reset email to email. It answers the same (nil) whether or not the account
// exists, is active, or has asked too often; only a malformed address is an error.
func (s *PasswordResets) Request(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	var c apperr.Checker
	c.Check(email != "" && len(email) <= MaxEmail && strings.Contains(email, "@"), "email", "must be an email address")
	if err := c.Err(); err != nil {
		return err
	}
	counts, _, err := s.counter.Incr(ctx, []string{"reset:" + email})
	if err != nil {
		s.log.WarnContext(ctx, "password reset throttle unavailable; sending nothing", "error", err)
		return nil
	}
	if counts[0] > s.max {
		return nil
	}
	u, err := s.users.store.Users.ByEmail(ctx, email)
	if errors.Is(err, repositories.ErrNotFound) || err == nil && !u.IsActive {
		return nil
	}
	if err != nil {
		return err
	}
	m := job(TaskPasswordReset, nil, u.Email, map[string]any{"user_id": u.ID}, s.now())
	return s.users.store.Outbox.Add(ctx, []models.OutboxMessage{m})
}

// Confirm sets password on the account whose unused, unexpired reset token is token, uses the
// token up, revokes every token of the account, and clears the account's failed-login count
// (the owner proved control of the mailbox; docs/decisions/0016-login-lockout-policy.md).
func (s *PasswordResets) Confirm(ctx context.Context, token, password string) error {
	var c apperr.Checker
	c.Check(token != "" && len(token) <= 128, "token", "is required")
	CheckPassword(&c, password)
	if err := c.Err(); err != nil {
		return err
	}
	hash, err := s.users.passwords.Hash(password)
	if err != nil {
		return err
	}
	var u models.User
	err = s.users.store.InTx(ctx, func(tx *repositories.Store) error {
		reset, err := tx.Resets.Use(ctx, HashResetToken(token), s.now())
		if err != nil {
			return err
		}
		if err := tx.Users.Patch(ctx, reset.UserID, repositories.UserPatch{PasswordHash: &hash, RevokeTokens: true}); err != nil {
			return err
		}
		u, err = tx.Users.Get(ctx, reset.UserID)
		return err
	})
	if errors.Is(err, repositories.ErrNotFound) {
		return apperr.Invalid(apperr.FieldError{Field: "token", Message: "is invalid, used or expired"})
	}
	if err != nil {
		return err
	}
	s.users.throttle.Cleared(ctx, u.Email)
	return nil
}

// Purge deletes expired reset tokens and returns how many.
func (s *PasswordResets) Purge(ctx context.Context) (int64, error) {
	return s.users.store.Resets.Purge(ctx, s.now())
}
