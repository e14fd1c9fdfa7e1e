package controllers

import (
	"errors"
	"math"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"tienda/apperr"
	"tienda/auth"
	"tienda/controllers/dto"
)

// OAuth 2.0 error codes of RFC 6749 §5.2 (and temporarily_unavailable, §4.1.2.1, for the login
// throttle).
const (
	oauthInvalidRequest      = "invalid_request"
	oauthInvalidGrant        = "invalid_grant"
	oauthUnsupportedGrant    = "unsupported_grant_type"
	oauthTemporarilyDisabled = "temporarily_unavailable"
)

// Token godoc
//
//	@Summary		Get an access token (OAuth2 password grant)
//	@Description	The resource owner password credentials grant of RFC 6749 §4.3: a form with grant_type=password, username (the email) and password. It is the same login as POST /auth/login (same throttle, same token) for OAuth2 clients such as Swagger UI's Authorize dialog. Client credentials (client_id, an Authorization: Basic header) and scope are accepted and ignored: there are no registered clients. Errors follow RFC 6749 §5.2: 400 {"error","error_description"}; too many failed logins answer 429 with error temporarily_unavailable and Retry-After.
//	@Tags			auth
//	@Accept			x-www-form-urlencoded
//	@Produce		json
//	@Param			grant_type	formData	string	true	"always password"	Enums(password)
//	@Param			username	formData	string	true	"the account's email"
//	@Param			password	formData	string	true	"the account's password"
//	@Success		200			{object}	dto.OAuthTokenResponse
//	@Failure		400			{object}	dto.OAuthError	"invalid_request, unsupported_grant_type or invalid_grant (wrong email or password, inactive account)"
//	@Failure		413			{object}	apperr.ErrorResponse	"body too large"
//	@Failure		429			{object}	dto.OAuthError	"too many failed logins (temporarily_unavailable)"
//	@Failure		500			{object}	apperr.ErrorResponse
//	@ID			issueToken
//	@Router			/auth/token [post]
func (ac Auth) Token(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		oauthError(c, http.StatusBadRequest, oauthInvalidRequest, "Content-Type must be application/x-www-form-urlencoded")
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		if tooLarge(err) {
			_ = c.Error(apperr.New(apperr.CodePayloadTooLarge, "the request body is too large"))
			return
		}
		oauthError(c, http.StatusBadRequest, oauthInvalidRequest, "the body is not a valid form")
		return
	}
	form := c.Request.PostForm
	for _, name := range []string{"grant_type", "username", "password"} {
		if len(form[name]) > 1 {
			oauthError(c, http.StatusBadRequest, oauthInvalidRequest, name+" is given more than once")
			return
		}
	}
	switch gt := form.Get("grant_type"); gt {
	case "password":
	case "":
		oauthError(c, http.StatusBadRequest, oauthInvalidRequest, "grant_type is missing")
		return
	default:
		oauthError(c, http.StatusBadRequest, oauthUnsupportedGrant, "only grant_type=password is supported")
		return
	}
	req := dto.LoginRequest{Email: form.Get("username"), Password: form.Get("password")}
	if err := req.Validate(); err != nil {
		oauthError(c, http.StatusBadRequest, oauthInvalidRequest, "username and password are required")
		return
	}
	u, err := ac.Accounts.Login(c.Request.Context(), req.Email, req.Password, c.ClientIP())
	if err == nil {
		var t auth.Token
		if t, err = ac.Tokens.Issue(u); err == nil {
			c.JSON(http.StatusOK, dto.OAuthTokenResponse{
				AccessToken: t.Value, TokenType: "bearer",
				ExpiresIn: max(0, int64(math.Ceil(t.Lifetime.Seconds()))),
			})
			return
		}
	}
	var ae *apperr.Error
	switch {
	case !errors.As(err, &ae):
	case ae.Code == apperr.CodeUnauthorized:
		oauthError(c, http.StatusBadRequest, oauthInvalidGrant, ae.Message)
		return
	case ae.Code == apperr.CodeRateLimited:
		if ae.RetryAfter > 0 {
			c.Header("Retry-After", strconv.Itoa(ae.RetryAfter))
		}
		oauthError(c, http.StatusTooManyRequests, oauthTemporarilyDisabled, ae.Message)
		return
	}
	_ = c.Error(err)
}

func oauthError(c *gin.Context, status int, code, description string) {
	c.AbortWithStatusJSON(status, dto.OAuthError{Error: code, ErrorDescription: description})
}
