package controllers

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"tienda/controllers/dto"
	"tienda/listing"
	"tienda/middleware"
	"tienda/models"
	"tienda/services"
)

// UserService is what the users controller needs from the service layer.
type UserService interface {
	Get(ctx context.Context, id uint) (models.User, error)
	List(ctx context.Context, q services.UserQuery) (services.Page[models.User], error)
	Patch(ctx context.Context, actor services.Actor, id uint, in services.UserPatch) (models.User, error)
	Delete(ctx context.Context, actor services.Actor, id uint) error
}

// Users handles /users (admins).
type Users struct {
	Service UserService
}

// List godoc
//
//	@Summary	List users
//	@Description	Every live user, paged; filter by q (email or name contains), role and is_active; sort by id, email or created_at.
//	@Tags		users
//	@Produce	json
//	@Param		q			query		string	false	"email or name contains (case-insensitive)"	maxLength(200)
//	@Param		role		query		string	false	"role"										Enums(admin, customer)
//	@Param		is_active	query		bool	false	"active (true) or deactivated (false) accounts"
//	@Param		sort		query		string	false	"comma-separated fields, '-' for descending"	Enums(id, -id, email, -email, created_at, -created_at)
//	@Param		page		query		int		false	"page number"								minimum(1)	maximum(1000000)	default(1)
//	@Param		page_size	query		int		false	"items per page"							minimum(1)	maximum(100)	default(20)
//	@Success	200			{object}	dto.Page[dto.User]
//	@Failure	400			{object}	apperr.ErrorResponse	"bad parameter"
//	@Failure	401			{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure	403			{object}	apperr.ErrorResponse	"not an admin"
//	@Failure	500			{object}	apperr.ErrorResponse
//	@Security	BearerAuth
//	@ID		listUsers
//	@Router		/users [get]
func (uc Users) List(c *gin.Context) {
	q := newQuery(c)
	filter := listing.UserFilter{
		Q:      q.text("q"),
		Role:   models.Role(q.oneOf("role", string(models.RoleAdmin), string(models.RoleCustomer))),
		Active: q.bool("is_active"),
	}
	list := q.list(listing.UserSorts)
	if err := q.err(); err != nil {
		_ = c.Error(err)
		return
	}
	page, err := uc.Service.List(c.Request.Context(), services.UserQuery{Filter: filter, List: list})
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewPage(page.Items, page.Total, page.Page, page.PageSize, dto.NewUser))
}

// Get godoc
//
//	@Summary	Get a user
//	@Description	A live user by ID; deleted users are 404.
//	@Tags		users
//	@Produce	json
//	@Param		id	path		int	true	"user ID"	minimum(1)
//	@Success	200	{object}	dto.User
//	@Failure	400	{object}	apperr.ErrorResponse	"bad ID"
//	@Failure	401	{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure	403	{object}	apperr.ErrorResponse	"not an admin"
//	@Failure	404	{object}	apperr.ErrorResponse	"no such user"
//	@Failure	500	{object}	apperr.ErrorResponse
//	@Security	BearerAuth
//	@ID		getUser
//	@Router		/users/{id} [get]
func (uc Users) Get(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	u, err := uc.Service.Get(c.Request.Context(), id)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewUser(u))
}

// Patch godoc
//
//	@Summary		Change a user
//	@Description	Role, active flag, full name or password. A new password revokes the user's tokens. The last active admin cannot be demoted or deactivated (409).
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int						true	"user ID"	minimum(1)
//	@Param			body	body		dto.UserPatchRequest	true	"the fields to change"
//	@Success		200		{object}	dto.User
//	@Failure		400		{object}	apperr.ErrorResponse	"malformed JSON or bad ID"
//	@Failure		401		{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		403		{object}	apperr.ErrorResponse	"not an admin"
//	@Failure		404		{object}	apperr.ErrorResponse	"no such user"
//	@Failure		409		{object}	apperr.ErrorResponse	"would leave no active admin"
//	@Failure		413		{object}	apperr.ErrorResponse	"body too large"
//	@Failure		422		{object}	apperr.ErrorResponse	"invalid field"
//	@Failure		500		{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID			updateUser
//	@Router			/users/{id} [patch]
func (uc Users) Patch(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	var req dto.UserPatchRequest
	if err := bindJSON(c, &req); err != nil {
		_ = c.Error(err)
		return
	}
	u, err := uc.Service.Patch(c.Request.Context(), middleware.ActorOf(c), id, req.Patch())
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewUser(u))
}

// Delete godoc
//
//	@Summary		Delete a user
//	@Description	Soft delete: the account stops working at once and its email can register again. The last active admin cannot be deleted (409).
//	@Tags			users
//	@Produce		json
//	@Param			id	path	int	true	"user ID"	minimum(1)
//	@Success		204
//	@Failure		400	{object}	apperr.ErrorResponse	"bad ID"
//	@Failure		401	{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		403	{object}	apperr.ErrorResponse	"not an admin"
//	@Failure		404	{object}	apperr.ErrorResponse	"no such user"
//	@Failure		409	{object}	apperr.ErrorResponse	"would leave no active admin"
//	@Failure		500	{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID			deleteUser
//	@Router			/users/{id} [delete]
func (uc Users) Delete(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	if err := uc.Service.Delete(c.Request.Context(), middleware.ActorOf(c), id); err != nil {
		_ = c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}
