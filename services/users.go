package services

import (
	"context"
	"errors"

	"tienda/apperr"
	"tienda/listing"
	"tienda/models"
	"tienda/repositories"
)

// Users holds the rules for accounts: registration, login, sessions and admin management.
type Users struct {
	store     *repositories.Store
	passwords *Passwords
	throttle  LoginThrottle
}

// NewUsers returns the users service.
func NewUsers(store *repositories.Store, passwords *Passwords, throttle LoginThrottle) *Users {
	return &Users{store: store, passwords: passwords, throttle: throttle}
}

// Registration is a new customer account. Email is already normalized (lower case).
type Registration struct {
	Email    string
	Password string
	FullName string
}

// UserPatch changes the fields that are not nil.
type UserPatch struct {
	FullName *string
	Role     *models.Role
	IsActive *bool
	Password *string
}

// UserQuery selects a page of users.
type UserQuery struct {
	Filter listing.UserFilter
	List   listing.Options
}

// errBadCredentials is the one answer for a wrong email, a wrong password and an inactive
// account, so that a caller cannot tell which.
func errBadCredentials() error { return apperr.Unauthorized("invalid email or password") }

// Register creates an active customer. A live account with the same email is a conflict.
func (s *Users) Register(ctx context.Context, in Registration) (models.User, error) {
	in, err := in.Validate()
	if err != nil {
		return models.User{}, err
	}
	return s.create(ctx, in, models.RoleCustomer)
}

func (s *Users) create(ctx context.Context, in Registration, role models.Role) (models.User, error) {
	hash, err := s.passwords.Hash(in.Password)
	if err != nil {
		return models.User{}, err
	}
	u := models.User{
		Email:        in.Email,
		PasswordHash: hash,
		FullName:     in.FullName,
		Role:         role,
		IsActive:     true,
	}
	if err := s.store.Users.Create(ctx, &u); err != nil {
		return models.User{}, emailConflict(err)
	}
	return u, nil
}

// Login checks credentials. ip is the client's address, counted by the login throttle together
// with the email. The same error, after about the same time, answers an unknown email, a wrong
// password and an inactive account.
func (s *Users) Login(ctx context.Context, email, password, ip string) (models.User, error) {
	u, err := s.store.Users.ByEmail(ctx, email)
	if err != nil && !errors.Is(err, repositories.ErrNotFound) {
		return models.User{}, err
	}
	// The database may match several spellings to one account (MySQL's and SQL Server's
	// collations ignore characters such as U+200D or U+00AD): count them all on the account's own
	// address, or each spelling would bring a fresh allowance of guesses.
	if err == nil {
		email = u.Email
	}
	attempt := newLoginAttempt(email, ip)
	if err := s.throttle.Attempt(ctx, attempt); err != nil {
		return models.User{}, err
	}
	// With no such user, u.PasswordHash is empty and Match compares against a dummy hash.
	if !s.passwords.Match(u.PasswordHash, password) || !u.IsActive {
		return models.User{}, errBadCredentials()
	}
	s.throttle.Succeeded(ctx, attempt)
	return u, nil
}

// Session returns the actor behind a token for userID issued at tokenVersion, or 401 when the
// user is gone, deactivated, or has changed password since. It runs on every authenticated
// request, so a deactivation or a deletion takes effect at once.
func (s *Users) Session(ctx context.Context, userID uint, tokenVersion int64) (Actor, error) {
	u, err := s.store.Users.Session(ctx, userID)
	switch {
	case errors.Is(err, repositories.ErrNotFound):
		return Actor{}, apperr.Unauthorized("the account no longer exists")
	case err != nil:
		return Actor{}, err
	case !u.IsActive:
		return Actor{}, apperr.Unauthorized("the account is deactivated")
	case u.TokenVersion != tokenVersion:
		return Actor{}, apperr.Unauthorized("the token was revoked; log in again")
	}
	return Actor{UserID: u.ID, Role: u.Role, Email: u.Email}, nil
}

// Get returns a live user.
func (s *Users) Get(ctx context.Context, id uint) (models.User, error) {
	u, err := s.store.Users.Get(ctx, id)
	return u, notFound(err, "user")
}

// List returns a page of users.
func (s *Users) List(ctx context.Context, q UserQuery) (Page[models.User], error) {
	items, total, err := s.store.Users.Search(ctx, q.Filter, q.List)
	if err != nil {
		return Page[models.User]{}, err
	}
	return newPage(items, total, q.List), nil
}

// Patch changes a user. A new password, a new role, a deactivation and a reactivation revoke
// the user's tokens (the token version goes up): a session outlives none of them, so a token
// issued before a deactivation does not come back with the account. Demoting or deactivating
// the last active admin is a conflict. actor is who makes the change (an admin, or the system
// for the command line).
func (s *Users) Patch(ctx context.Context, actor Actor, id uint, in UserPatch) (models.User, error) {
	in, err := in.Validate()
	if err != nil {
		return models.User{}, err
	}
	patch := repositories.UserPatch{FullName: in.FullName, Role: in.Role, IsActive: in.IsActive}
	if in.Password != nil {
		hash, err := s.passwords.Hash(*in.Password)
		if err != nil {
			return models.User{}, err
		}
		patch.PasswordHash, patch.RevokeTokens = &hash, true
	}
	demotes := in.Role != nil && *in.Role != models.RoleAdmin || in.IsActive != nil && !*in.IsActive
	var u models.User
	err = s.store.InTx(ctx, func(tx *repositories.Store) error {
		var before models.User
		if err := s.guardLastAdmin(ctx, tx, demotes, func() error {
			// Read inside the guard, after its lock: on MySQL the first plain read fixes the
			// transaction's snapshot, and one taken before the lock would hide a concurrent
			// demotion from the guard's count.
			var err error
			if before, err = tx.Users.Get(ctx, id); err != nil {
				return err
			}
			if in.Role != nil && *in.Role != before.Role || in.IsActive != nil && *in.IsActive != before.IsActive {
				patch.RevokeTokens = true
			}
			if patch.Empty() {
				return nil
			}
			return tx.Users.Patch(ctx, id, patch)
		}); err != nil {
			return err
		}
		var err error
		if u, err = tx.Users.Get(ctx, id); err != nil {
			return err
		}
		after := userAudit(u)
		if in.Password != nil {
			after["password_changed"] = true // never the password or its hash
		}
		return audit(ctx, tx, actor, AuditUserUpdate, id, userAudit(before), after)
	})
	return u, notFound(err, "user")
}

// Delete soft-deletes a user (the email can register again); deleting the last active admin is a
// conflict. actor is who deletes it.
func (s *Users) Delete(ctx context.Context, actor Actor, id uint) error {
	err := s.store.InTx(ctx, func(tx *repositories.Store) error {
		before, err := tx.Users.Get(ctx, id)
		if err != nil {
			return err
		}
		if err := s.guardLastAdmin(ctx, tx, true, func() error { return tx.Users.Delete(ctx, id) }); err != nil {
			return err
		}
		return audit(ctx, tx, actor, AuditUserDelete, id, userAudit(before), nil)
	})
	return notFound(err, "user")
}

// guardLastAdmin runs change inside tx. When the change may take away admin rights
// (mayRemoveAdmin), every active admin row is locked first, and the change is refused when no
// active admin would be left; with the lock, two admins demoting each other at once cannot both
// succeed.
func (s *Users) guardLastAdmin(ctx context.Context, tx *repositories.Store, mayRemoveAdmin bool, change func() error) error {
	if !mayRemoveAdmin {
		return change()
	}
	if err := tx.Users.LockActiveAdmins(ctx); err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	n, err := tx.Users.CountActiveAdmins(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.Conflict("this would leave no active admin")
	}
	return nil
}

// EnsureAdmin makes email an active admin with password: it creates the account, or promotes,
// reactivates and re-passwords an existing one. It reports whether it created the account.
// actor is who asks: the system (the command line, a test), never an admin made up here.
func (s *Users) EnsureAdmin(ctx context.Context, actor Actor, email, password, fullName string) (bool, error) {
	in, err := Registration{Email: email, Password: password, FullName: fullName}.Validate()
	if err != nil {
		return false, err
	}
	email, password = in.Email, in.Password
	u, err := s.store.Users.ByEmail(ctx, email)
	if errors.Is(err, repositories.ErrNotFound) {
		_, err = s.create(ctx, in, models.RoleAdmin)
		return err == nil, err
	}
	if err != nil {
		return false, err
	}
	admin, active := models.RoleAdmin, true
	_, err = s.Patch(ctx, actor, u.ID, UserPatch{Role: &admin, IsActive: &active, Password: &password})
	return false, err
}

func emailConflict(err error) error {
	if errors.Is(err, repositories.ErrDuplicate) {
		return apperr.Conflict("an account with this email already exists")
	}
	return err
}
