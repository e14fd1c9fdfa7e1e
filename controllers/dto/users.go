package dto

import (
	"time"

	"tienda/apperr"
	"tienda/models"
	"tienda/services"
)

// Limits of user fields; services enforces them.
const (
	MaxEmail    = services.MaxEmail
	MaxFullName = services.MaxFullName
)

// User is an account as the API shows it. It has no password field of any kind.
type User struct {
	ID        uint      `json:"id" example:"7"`
	Email     string    `json:"email" example:"ana@example.com"`
	FullName  string    `json:"full_name" example:"Ana Pérez"`
	Role      string    `json:"role" enums:"admin,customer" example:"customer"`
	IsActive  bool      `json:"is_active" example:"true"`
	CreatedAt time.Time `json:"created_at" example:"2026-11-28T13:45:00Z"`
	UpdatedAt time.Time `json:"updated_at" example:"2026-11-28T13:45:00Z"`
}

// NewUser renders a user.
func NewUser(u models.User) User {
	return User{
		ID:        u.ID,
		Email:     u.Email,
		FullName:  u.FullName,
		Role:      string(u.Role),
		IsActive:  u.IsActive,
		CreatedAt: utc(u.CreatedAt),
		UpdatedAt: utc(u.UpdatedAt),
	}
}

// RegisterRequest is the body of POST /auth/register. Any role or is_active sent along is
// ignored: a registration is always an active customer.
type RegisterRequest struct {
	Email    string `json:"email" binding:"required" maxLength:"254" example:"ana@example.com"`
	Password string `json:"password" binding:"required" minLength:"8" maxLength:"72" example:"correct horse battery"`
	FullName string `json:"full_name" binding:"required" minLength:"1" maxLength:"200" example:"Ana Pérez"`
}

// Validate normalizes the email to lower case and checks every field.
func (r *RegisterRequest) Validate() error {
	reg, err := r.Registration().Validate()
	r.Email, r.FullName = reg.Email, reg.FullName
	return err
}

// Registration is the validated request as the service takes it.
func (r *RegisterRequest) Registration() services.Registration {
	return services.Registration{Email: r.Email, Password: r.Password, FullName: r.FullName}
}

// LoginRequest is the body of POST /auth/login.
type LoginRequest struct {
	Email    string `json:"email" binding:"required" example:"ana@example.com"`
	Password string `json:"password" binding:"required" example:"correct horse battery"`
}

// Validate normalizes the email; it does not judge the password, so that a login with a password
// too short to exist is refused like any wrong password.
func (r *LoginRequest) Validate() error {
	r.Email = NormalizeEmail(r.Email)
	var c apperr.Checker
	c.Check(r.Email != "", "email", "must not be empty")
	c.Check(r.Password != "", "password", "must not be empty")
	c.Check(len(r.Email) <= MaxEmail, "email", "must be at most 254 characters")
	c.Check(len(r.Password) <= 1024, "password", "must be at most 1024 bytes")
	return c.Err()
}

// TokenResponse answers a login or a refresh.
type TokenResponse struct {
	AccessToken string    `json:"access_token" example:"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..."`
	TokenType   string    `json:"token_type" enums:"bearer" example:"bearer"`
	ExpiresAt   time.Time `json:"expires_at" example:"2026-11-28T14:00:00Z"`
}

// UserPatchRequest is the body of PATCH /users/{id}; absent (or null) fields are left alone.
type UserPatchRequest struct {
	FullName *string `json:"full_name" minLength:"1" maxLength:"200" example:"Ana Pérez"`
	Role     *string `json:"role" enums:"admin,customer" example:"admin"`
	IsActive *bool   `json:"is_active" example:"false"`
	Password *string `json:"password" minLength:"8" maxLength:"72" example:"a new long password"`
}

// Validate applies the service's rules (services.UserPatch.Check) to the fields that are
// present; the full name is trimmed first.
func (r *UserPatchRequest) Validate() error {
	p := r.Patch()
	var c apperr.Checker
	p.Check(&c)
	r.FullName = p.FullName
	return c.Err()
}

// Patch is the validated request as the service takes it.
func (r *UserPatchRequest) Patch() services.UserPatch {
	p := services.UserPatch{FullName: r.FullName, IsActive: r.IsActive, Password: r.Password}
	if r.Role != nil {
		role := models.Role(*r.Role)
		p.Role = &role
	}
	return p
}

// NormalizeEmail is the stored form of an email: trimmed and in lower case.
func NormalizeEmail(s string) string { return services.NormalizeEmail(s) }

// OAuthTokenResponse answers POST /auth/token (RFC 6749 §5.1).
type OAuthTokenResponse struct {
	AccessToken string `json:"access_token" example:"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..."`
	TokenType   string `json:"token_type" enums:"bearer" example:"bearer"`
	ExpiresIn   int64  `json:"expires_in" example:"900"`
}

// OAuthError is an error of POST /auth/token as RFC 6749 §5.2 describes it.
type OAuthError struct {
	Error            string `json:"error" enums:"invalid_request,invalid_grant,unsupported_grant_type,temporarily_unavailable" example:"invalid_grant"`
	ErrorDescription string `json:"error_description" example:"invalid email or password"`
}

// ProfilePatchRequest is the body of PATCH /users/me: what users change about themselves.
type ProfilePatchRequest struct {
	FullName *string `json:"full_name" binding:"required" minLength:"1" maxLength:"200" example:"Ana Pérez"`
}

// Validate checks the full name (trimmed) with the service's rules.
func (r *ProfilePatchRequest) Validate() error {
	if r.FullName == nil {
		return apperr.Invalid(apperr.FieldError{Field: "full_name", Message: "is required"})
	}
	p := services.UserPatch{FullName: r.FullName}
	var c apperr.Checker
	p.Check(&c)
	r.FullName = p.FullName
	return c.Err()
}

// PasswordChangeRequest is the body of POST /users/me/password.
type PasswordChangeRequest struct {
	CurrentPassword string `json:"current_password" binding:"required" example:"correct horse battery"`
	NewPassword     string `json:"new_password" binding:"required" minLength:"8" maxLength:"72" example:"a new long password"`
}

// Validate checks the new password's length (8 characters to 72 bytes).
func (r *PasswordChangeRequest) Validate() error {
	var c apperr.Checker
	c.Check(r.CurrentPassword != "", "current_password", "is required")
	services.CheckPasswordField(&c, "new_password", r.NewPassword)
	return c.Err()
}

// PasswordResetRequest is the body of POST /auth/password-reset.
type PasswordResetRequest struct {
	Email string `json:"email" binding:"required" maxLength:"254" example:"ana@example.com"`
}

// Validate checks that an email was given (the service checks its form).
func (r *PasswordResetRequest) Validate() error {
	var c apperr.Checker
	c.Check(r.Email != "", "email", "is required")
	return c.Err()
}

// PasswordResetConfirmRequest is the body of POST /auth/password-reset/confirm.
type PasswordResetConfirmRequest struct {
	Token    string `json:"token" binding:"required" maxLength:"128" example:"q3v9bX0fTz1yL2mN4oP5rS6tU7vW8xY9zA0bC1dE2fG"`
	Password string `json:"password" binding:"required" minLength:"8" maxLength:"72" example:"a new long password"`
}

// Validate checks the token's presence and the password's length.
func (r *PasswordResetConfirmRequest) Validate() error {
	var c apperr.Checker
	c.Check(r.Token != "" && len(r.Token) <= 128, "token", "is required (at most 128 characters)")
	services.CheckPassword(&c, r.Password)
	return c.Err()
}

// Accepted answers a request whose effect is not told (202).
type Accepted struct {
	Message string `json:"message" example:"if an account has this email, a reset link is on its way"`
}
