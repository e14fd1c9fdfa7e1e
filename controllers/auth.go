package controllers

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"tienda/auth"
	"tienda/controllers/dto"
	"tienda/middleware"
	"tienda/models"
	"tienda/services"
)

// AccountService is what the auth controller needs from the users service.
type AccountService interface {
	Register(ctx context.Context, in services.Registration) (models.User, error)
	Login(ctx context.Context, email, password, ip string) (models.User, error)
	Get(ctx context.Context, id uint) (models.User, error)
	UpdateProfile(ctx context.Context, actor services.Actor, fullName string) (models.User, error)
	ChangePassword(ctx context.Context, actor services.Actor, ip, current, next string) (models.User, error)
}

// Tokens issues and refreshes access tokens.
type Tokens interface {
	Issue(u models.User) (auth.Token, error)
	Refresh(ctx context.Context, authorization string) (auth.Token, error)
}

// ResetService handles password resets by email.
type ResetService interface {
	Request(ctx context.Context, email string) error
	Confirm(ctx context.Context, token, password string) error
}

// Auth handles /auth and /users/me.
type Auth struct {
	Accounts AccountService
	Tokens   Tokens
	Resets   ResetService
}

// Register godoc
//
//	@Summary		Register a customer account
//	@Description	The account is always an active customer; role or is_active in the body are ignored. The email is stored in lower case.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		dto.RegisterRequest	true	"the new account"
//	@Success		201		{object}	dto.User
//	@Failure		400		{object}	apperr.ErrorResponse	"malformed JSON"
//	@Failure		409		{object}	apperr.ErrorResponse	"the email is taken"
//	@Failure		413		{object}	apperr.ErrorResponse	"body too large"
//	@Failure		422		{object}	apperr.ErrorResponse	"invalid field"
//	@Failure		500		{object}	apperr.ErrorResponse
//	@ID			register
//	@Router			/auth/register [post]
func (ac Auth) Register(c *gin.Context) {
	var req dto.RegisterRequest
	if err := bindJSON(c, &req); err != nil {
		_ = c.Error(err)
		return
	}
	u, err := ac.Accounts.Register(c.Request.Context(), req.Registration())
	if err != nil {
		_ = c.Error(err)
		return
	}
	setLocation(c, "/auth/register", "/users", u.ID)
	c.JSON(http.StatusCreated, dto.NewUser(u))
}

// Login godoc
//
//	@Summary		Log in
//	@Description	A wrong email, a wrong password and an inactive account get the same 401. Too many failures for one email or one client IP get 429 with Retry-After.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		dto.LoginRequest	true	"credentials"
//	@Success		200		{object}	dto.TokenResponse
//	@Failure		400		{object}	apperr.ErrorResponse	"malformed JSON"
//	@Failure		401		{object}	apperr.ErrorResponse	"invalid email or password"
//	@Failure		413		{object}	apperr.ErrorResponse	"body too large"
//	@Failure		422		{object}	apperr.ErrorResponse	"missing field"
//	@Failure		429		{object}	apperr.ErrorResponse	"too many failed logins"
//	@Failure		500		{object}	apperr.ErrorResponse
//	@ID			login
//	@Router			/auth/login [post]
func (ac Auth) Login(c *gin.Context) {
	var req dto.LoginRequest
	if err := bindJSON(c, &req); err != nil {
		_ = c.Error(err)
		return
	}
	u, err := ac.Accounts.Login(c.Request.Context(), req.Email, req.Password, c.ClientIP())
	ac.issue(c, u, err)
}

// issue answers a fresh token for u, or err when the step before failed.
func (ac Auth) issue(c *gin.Context, u models.User, err error) {
	if err != nil {
		_ = c.Error(err)
		return
	}
	t, err := ac.Tokens.Issue(u)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, tokenResponse(t))
}

// Refresh godoc
//
//	@Summary		Refresh the access token
//	@Description	Accepts a valid or expired token and returns a new one, until jwt.max_refresh after the original login.
//	@Tags			auth
//	@Produce		json
//	@Success		200	{object}	dto.TokenResponse
//	@Failure		401	{object}	apperr.ErrorResponse	"invalid token or session over"
//	@Failure		500	{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID			refreshToken
//	@Router			/auth/refresh [post]
func (ac Auth) Refresh(c *gin.Context) {
	t, err := ac.Tokens.Refresh(c.Request.Context(), c.GetHeader("Authorization"))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, tokenResponse(t))
}

func tokenResponse(t auth.Token) dto.TokenResponse {
	return dto.TokenResponse{AccessToken: t.Value, TokenType: "bearer", ExpiresAt: t.ExpiresAt}
}

// Me godoc
//
//	@Summary	The logged-in user
//	@Description	The account of the token's user, as it is now (a role changed since login shows here).
//	@Tags		users
//	@Produce	json
//	@Success	200	{object}	dto.User
//	@Failure	401	{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure	500	{object}	apperr.ErrorResponse
//	@Security	BearerAuth
//	@ID		getMe
//	@Router		/users/me [get]
func (ac Auth) Me(c *gin.Context) {
	u, err := ac.Accounts.Get(c.Request.Context(), middleware.ActorOf(c).UserID)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewUser(u))
}

// UpdateMe godoc
//
//	@Summary		Change my profile
//	@Description	The logged-in user changes their own full name (trimmed, 1 to 200 characters); nothing else about the account. An admin's change is in the audit log, like every change an admin makes.
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Param			body	body		dto.ProfilePatchRequest	true	"the new full name"
//	@Success		200		{object}	dto.User
//	@Failure		400		{object}	apperr.ErrorResponse	"malformed JSON"
//	@Failure		401		{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		413		{object}	apperr.ErrorResponse	"body too large"
//	@Failure		422		{object}	apperr.ErrorResponse	"invalid full name"
//	@Failure		500		{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID			updateMe
//	@Router			/users/me [patch]
func (ac Auth) UpdateMe(c *gin.Context) {
	var req dto.ProfilePatchRequest
	if err := bindJSON(c, &req); err != nil {
		_ = c.Error(err)
		return
	}
	u, err := ac.Accounts.UpdateProfile(c.Request.Context(), middleware.ActorOf(c), *req.FullName)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewUser(u))
}

// ChangePassword godoc
//
//	@Summary		Change my password
//	@Description	The logged-in user sets a new password (8 characters to 72 bytes) after giving the current one. Every other session of the account ends (its tokens are revoked); the answer is a fresh token for this one. A wrong current password counts as a failed login (429 after too many).
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Param			body	body		dto.PasswordChangeRequest	true	"the current and the new password"
//	@Success		200		{object}	dto.TokenResponse	"a fresh token; every older token is revoked"
//	@Failure		400		{object}	apperr.ErrorResponse	"malformed JSON"
//	@Failure		401		{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		413		{object}	apperr.ErrorResponse	"body too large"
//	@Failure		422		{object}	apperr.ErrorResponse	"wrong current password or invalid new one"
//	@Failure		500		{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID			changeMyPassword
//	@Router			/users/me/password [post]
func (ac Auth) ChangePassword(c *gin.Context) {
	var req dto.PasswordChangeRequest
	if err := bindJSON(c, &req); err != nil {
		_ = c.Error(err)
		return
	}
	u, err := ac.Accounts.ChangePassword(c.Request.Context(), middleware.ActorOf(c), c.ClientIP(), req.CurrentPassword, req.NewPassword)
	ac.issue(c, u, err)
}

// RequestPasswordReset godoc
//
//	@Summary		Ask for a password reset email
//	@Description	Always 202, whether or not an active account has this email, so that the answer tells nothing. When one has, an email with a single-use token (valid auth.password_reset_ttl, 30 minutes by default) is sent by a worker. Limited per client IP (429) and per email address (auth.password_resets_per_hour; past it nothing is sent, still 202).
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body	dto.PasswordResetRequest	true	"the account's email"
//	@Success		202		{object}	dto.Accepted	"if the account exists, an email is on its way"
//	@Failure		400		{object}	apperr.ErrorResponse	"malformed JSON"
//	@Failure		413		{object}	apperr.ErrorResponse	"body too large"
//	@Failure		422		{object}	apperr.ErrorResponse	"not an email address"
//	@Failure		500		{object}	apperr.ErrorResponse
//	@ID			requestPasswordReset
//	@Router			/auth/password-reset [post]
func (ac Auth) RequestPasswordReset(c *gin.Context) {
	var req dto.PasswordResetRequest
	if err := bindJSON(c, &req); err != nil {
		_ = c.Error(err)
		return
	}
	if err := ac.Resets.Request(c.Request.Context(), req.Email); err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusAccepted, dto.Accepted{Message: "if an account has this email, a reset link is on its way"})
}

// ConfirmPasswordReset godoc
//
//	@Summary		Set a new password with a reset token
//	@Description	The token from the reset email sets the account's new password (8 characters to 72 bytes). The token works once; every session of the account ends, and its failed-login count is cleared. Limited per client IP (429).
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body	dto.PasswordResetConfirmRequest	true	"the token and the new password"
//	@Success		204
//	@Failure		400		{object}	apperr.ErrorResponse	"malformed JSON"
//	@Failure		413		{object}	apperr.ErrorResponse	"body too large"
//	@Failure		422		{object}	apperr.ErrorResponse	"token invalid, used or expired, or invalid password"
//	@Failure		500		{object}	apperr.ErrorResponse
//	@ID			confirmPasswordReset
//	@Router			/auth/password-reset/confirm [post]
func (ac Auth) ConfirmPasswordReset(c *gin.Context) {
	var req dto.PasswordResetConfirmRequest
	if err := bindJSON(c, &req); err != nil {
		_ = c.Error(err)
		return
	}
	if err := ac.Resets.Confirm(c.Request.Context(), req.Token, req.Password); err != nil {
		_ = c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}
