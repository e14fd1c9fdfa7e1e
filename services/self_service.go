package services

import (
	"context"

	"tienda/apperr"
	"tienda/models"
)

// UpdateProfile changes the caller's own full name (the only field users edit themselves).
func (s *Users) UpdateProfile(ctx context.Context, actor Actor, fullName string) (models.User, error) {
	return s.Patch(ctx, actor, actor.UserID, UserPatch{FullName: &fullName})
}

// ChangePassword sets the caller's new password once current is checked. The token version goes
// up, so every session of the account ends; the caller gets the account back to issue a fresh
// token. A wrong current password counts as a failed login of the account from ip (the login
// throttle), so this is no way around the login's limits.
func (s *Users) ChangePassword(ctx context.Context, actor Actor, ip, current, next string) (models.User, error) {
	var c apperr.Checker
	CheckPasswordField(&c, "new_password", next)
	if err := c.Err(); err != nil {
		return models.User{}, err
	}
	u, err := s.store.Users.Get(ctx, actor.UserID)
	if err != nil {
		return models.User{}, notFound(err, "user")
	}
	attempt := newLoginAttempt(u.Email, ip)
	if err := s.throttle.Attempt(ctx, attempt); err != nil {
		return models.User{}, err
	}
	if !s.passwords.Match(u.PasswordHash, current) {
		return models.User{}, apperr.Invalid(apperr.FieldError{Field: "current_password", Message: "is not the account's password"})
	}
	s.throttle.Succeeded(ctx, attempt)
	return s.Patch(ctx, actor, actor.UserID, UserPatch{Password: &next})
}
