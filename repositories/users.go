package repositories

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"tienda/listing"
	"tienda/models"
)

// Users is the users repository.
type Users struct {
	Repo[models.User]
}

// NewUsers returns the users repository on db.
func NewUsers(db *gorm.DB) Users {
	return Users{NewRepo[models.User](db, listing.UserSorts, map[string]string{
		"id": "id", "email": "email", "created_at": "created_at",
	})}
}

// Search returns one page of the users f selects, and how many it selects in all.
func (r Users) Search(ctx context.Context, f listing.UserFilter, opts listing.Options) ([]models.User, int64, error) {
	return r.List(ctx, userScope(f), opts)
}

// userScope turns f into WHERE conditions.
func userScope(f listing.UserFilter) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if f.Q != "" {
			p := containsPattern(f.Q)
			q = q.Where("(email LIKE ? ESCAPE '"+likeEscape+"' OR full_name LIKE ? ESCAPE '"+likeEscape+"')", p, p)
		}
		if f.Role != "" {
			q = q.Where("role = ?", f.Role)
		}
		if f.Active != nil {
			q = q.Where("is_active = ?", *f.Active)
		}
		return q
	}
}

// ByEmail returns the live user with email (compared case-insensitively), or ErrNotFound.
func (r Users) ByEmail(ctx context.Context, email string) (models.User, error) {
	var u models.User
	err := r.DB(ctx).Where("email = ?", email).Take(&u).Error
	return u, translate(err)
}

// Session returns what the check of every authenticated request needs of the live user with
// id (ID, Email, Role, IsActive and TokenVersion; no password hash, no timestamps), or
// ErrNotFound. Like Products.Get it is written out for the hot path.
func (r Users) Session(ctx context.Context, id uint) (models.User, error) {
	var u models.User
	err := r.queryRow(ctx, "SELECT id, email, role, is_active, token_version FROM users WHERE id = ? AND deleted_at = 0",
		[]any{id}, &u.ID, &u.Email, &u.Role, &u.IsActive, &u.TokenVersion)
	return u, err
}

// activeAdmins selects the live, active admins.
func (r Users) activeAdmins(ctx context.Context) *gorm.DB {
	return r.DB(ctx).Where("role = ? AND is_active = ?", models.RoleAdmin, true)
}

// LockActiveAdmins write-locks the rows of every live, active admin until the transaction ends,
// so that transactions that could remove the last admin take turns and each sees the others'
// outcome. It must run inside a transaction, before the transaction's first plain read (on
// MySQL that read fixes the snapshot).
func (r Users) LockActiveAdmins(ctx context.Context) error {
	// UpdateColumn, not Update: the no-op write must not touch updated_at, or every admin
	// would look changed whenever any user is demoted, deactivated or deleted.
	return translate(r.activeAdmins(ctx).UpdateColumn("role", gorm.Expr("role")).Error)
}

// CountActiveAdmins counts the live, active admins.
func (r Users) CountActiveAdmins(ctx context.Context) (int64, error) {
	var n int64
	err := r.activeAdmins(ctx).Count(&n).Error
	return n, translate(err)
}

// EmailOf returns the email of a user, deleted or not.
func (r Users) EmailOf(ctx context.Context, id uint) (string, error) {
	return r.columnOf(ctx, id, "email")
}

// FullNameOf returns the full name of a user, deleted or not.
func (r Users) FullNameOf(ctx context.Context, id uint) (string, error) {
	return r.columnOf(ctx, id, "full_name")
}

func (r Users) columnOf(ctx context.Context, id uint, column string) (string, error) {
	var values []string
	err := r.db.WithContext(ctx).Unscoped().Model(&models.User{}).Where("id = ?", id).Pluck(column, &values).Error
	if err != nil {
		return "", translate(err)
	}
	if len(values) == 0 {
		return "", ErrNotFound
	}
	return values[0], nil
}

// ActiveAdminEmails returns the emails of the live, active admins.
func (r Users) ActiveAdminEmails(ctx context.Context) ([]string, error) {
	var emails []string
	err := r.activeAdmins(ctx).Order("id").Pluck("email", &emails).Error
	return emails, translate(err)
}

// UserPatch names the fields of a user to change; nil fields stay as they are. RevokeTokens
// raises the token version, which ends every session of the user.
type UserPatch struct {
	FullName     *string
	Role         *models.Role
	IsActive     *bool
	PasswordHash *string
	RevokeTokens bool
}

// Empty reports whether p changes nothing.
func (p UserPatch) Empty() bool { return len(p.columns()) == 0 }

func (p UserPatch) columns() map[string]any {
	c := map[string]any{}
	set(c, "full_name", p.FullName)
	set(c, "role", p.Role)
	set(c, "is_active", p.IsActive)
	set(c, "password_hash", p.PasswordHash)
	if p.RevokeTokens {
		c["token_version"] = gorm.Expr("? + 1", clause.Column{Name: "token_version"})
	}
	return c
}

// Patch applies p to the live user with id (updated_at included), or returns ErrNotFound.
func (r Users) Patch(ctx context.Context, id uint, p UserPatch) error {
	return r.Update(ctx, id, p.columns())
}
