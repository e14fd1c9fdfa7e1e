package controllers

import (
	"context"
	"math"
	"net/http"

	"github.com/gin-gonic/gin"

	"tienda/controllers/dto"
	"tienda/listing"
	"tienda/middleware"
	"tienda/models"
	"tienda/services"
)

// ProductService is what the products controller needs from the service layer.
type ProductService interface {
	Create(ctx context.Context, actor services.Actor, in services.ProductInput) (models.Product, error)
	Get(ctx context.Context, actor services.Actor, id uint) (models.Product, error)
	List(ctx context.Context, actor services.Actor, q services.ProductQuery) (services.Page[models.Product], error)
	Replace(ctx context.Context, actor services.Actor, id uint, in services.ProductInput) (models.Product, error)
	Patch(ctx context.Context, actor services.Actor, id uint, in services.ProductPatch) (models.Product, error)
	Delete(ctx context.Context, actor services.Actor, id uint) error
}

// Products handles /products.
type Products struct {
	Service ProductService
}

// List godoc
//
//	@Summary		List products
//	@Description	Active products for everyone; admins also see inactive ones and may filter on is_active.
//	@Tags			products
//	@Produce		json
//	@Param			q				query		string	false	"name or SKU contains (case-insensitive)"	maxLength(200)
//	@Param			min_price_cents	query		int		false	"lowest price in cents"						minimum(0)
//	@Param			max_price_cents	query		int		false	"highest price in cents"					minimum(0)
//	@Param			in_stock		query		bool	false	"only products with (true) or without (false) stock"
//	@Param			is_active		query		bool	false	"admins only: active (true) or inactive (false) products"
//	@Param			sort			query		string	false	"comma-separated fields, '-' for descending"	Enums(id, -id, name, -name, price_cents, -price_cents, created_at, -created_at)
//	@Param			page			query		int		false	"page number"								minimum(1)	maximum(1000000)	default(1)
//	@Param			page_size		query		int		false	"items per page"							minimum(1)	maximum(100)	default(20)
//	@Success		200				{object}	dto.Page[dto.Product]
//	@Failure		400				{object}	apperr.ErrorResponse	"bad parameter"
//	@Failure		401				{object}	apperr.ErrorResponse	"invalid token"
//	@Failure		500				{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@x-optional-auth	true
//	@ID			listProducts
//	@Router			/products [get]
func (pc Products) List(c *gin.Context) {
	q := newQuery(c)
	filter := listing.ProductFilter{
		Q:             q.text("q"),
		MinPriceCents: q.int64("min_price_cents", 0, math.MaxInt64),
		MaxPriceCents: q.int64("max_price_cents", 0, math.MaxInt64),
		InStock:       q.bool("in_stock"),
		Active:        q.bool("is_active"),
	}
	list := q.list(listing.ProductSorts)
	if err := q.err(); err != nil {
		_ = c.Error(err)
		return
	}
	page, err := pc.Service.List(c.Request.Context(), middleware.ActorOf(c), services.ProductQuery{Filter: filter, List: list})
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewPage(page.Items, page.Total, page.Page, page.PageSize, dto.NewProduct))
}

// Get godoc
//
//	@Summary		Get a product
//	@Description	Inactive products are visible to admins only; others get 404.
//	@Tags			products
//	@Produce		json
//	@Param			id	path		int	true	"product ID"	minimum(1)
//	@Success		200	{object}	dto.Product
//	@Failure		400	{object}	apperr.ErrorResponse	"bad ID"
//	@Failure		401	{object}	apperr.ErrorResponse	"invalid token"
//	@Failure		404	{object}	apperr.ErrorResponse	"no such product"
//	@Failure		500	{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@x-optional-auth	true
//	@ID			getProduct
//	@Router			/products/{id} [get]
func (pc Products) Get(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	p, err := pc.Service.Get(c.Request.Context(), middleware.ActorOf(c), id)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewProduct(p))
}

// Create godoc
//
//	@Summary	Create a product
//	@Description	A new product; its SKU must not belong to another live product (409). Prices are integer cents, stock a count of units; is_active defaults to true. The answer's Location names the product.
//	@Tags		products
//	@Accept		json
//	@Produce	json
//	@Param		body	body		dto.ProductRequest	true	"the product"
//	@Success	201		{object}	dto.Product
//	@Failure	400		{object}	apperr.ErrorResponse	"malformed JSON"
//	@Failure	401		{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure	403		{object}	apperr.ErrorResponse	"not an admin"
//	@Failure	409		{object}	apperr.ErrorResponse	"a live product has this SKU"
//	@Failure	413		{object}	apperr.ErrorResponse	"body too large"
//	@Failure	422		{object}	apperr.ErrorResponse	"invalid field"
//	@Failure	500		{object}	apperr.ErrorResponse
//	@Security	BearerAuth
//	@ID		createProduct
//	@Router		/products [post]
func (pc Products) Create(c *gin.Context) {
	var req dto.ProductRequest
	if err := bindJSON(c, &req); err != nil {
		_ = c.Error(err)
		return
	}
	p, err := pc.Service.Create(c.Request.Context(), middleware.ActorOf(c), req.Input())
	if err != nil {
		_ = c.Error(err)
		return
	}
	setLocation(c, "/products", "/products", p.ID)
	c.JSON(http.StatusCreated, dto.NewProduct(p))
}

// Replace godoc
//
//	@Summary	Replace a product
//	@Description	Replaces every field with the body's, as POST /products takes it; a field left out takes its default (description empty, is_active true).
//	@Tags		products
//	@Accept		json
//	@Produce	json
//	@Param		id		path		int					true	"product ID"	minimum(1)
//	@Param		body	body		dto.ProductRequest	true	"the whole product"
//	@Success	200		{object}	dto.Product
//	@Failure	400		{object}	apperr.ErrorResponse	"malformed JSON or bad ID"
//	@Failure	401		{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure	403		{object}	apperr.ErrorResponse	"not an admin"
//	@Failure	404		{object}	apperr.ErrorResponse	"no such product"
//	@Failure	409		{object}	apperr.ErrorResponse	"a live product has this SKU"
//	@Failure	413		{object}	apperr.ErrorResponse	"body too large"
//	@Failure	422		{object}	apperr.ErrorResponse	"invalid field"
//	@Failure	500		{object}	apperr.ErrorResponse
//	@Security	BearerAuth
//	@ID		replaceProduct
//	@Router		/products/{id} [put]
func (pc Products) Replace(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	var req dto.ProductRequest
	if err := bindJSON(c, &req); err != nil {
		_ = c.Error(err)
		return
	}
	p, err := pc.Service.Replace(c.Request.Context(), middleware.ActorOf(c), id, req.Input())
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewProduct(p))
}

// Patch godoc
//
//	@Summary		Change some fields of a product
//	@Description	Fields left out (or null) keep their value; a field given as 0, "" or false is set.
//	@Tags			products
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int						true	"product ID"	minimum(1)
//	@Param			body	body		dto.ProductPatchRequest	true	"the fields to change"
//	@Success		200		{object}	dto.Product
//	@Failure		400		{object}	apperr.ErrorResponse	"malformed JSON or bad ID"
//	@Failure		401		{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		403		{object}	apperr.ErrorResponse	"not an admin"
//	@Failure		404		{object}	apperr.ErrorResponse	"no such product"
//	@Failure		409		{object}	apperr.ErrorResponse	"a live product has this SKU"
//	@Failure		413		{object}	apperr.ErrorResponse	"body too large"
//	@Failure		422		{object}	apperr.ErrorResponse	"invalid field"
//	@Failure		500		{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID			updateProduct
//	@Router			/products/{id} [patch]
func (pc Products) Patch(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	var req dto.ProductPatchRequest
	if err := bindJSON(c, &req); err != nil {
		_ = c.Error(err)
		return
	}
	p, err := pc.Service.Patch(c.Request.Context(), middleware.ActorOf(c), id, req.Patch())
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewProduct(p))
}

// Delete godoc
//
//	@Summary		Delete a product
//	@Description	Soft delete: the product disappears and its SKU can be used again; past orders keep their copy.
//	@Tags			products
//	@Produce		json
//	@Param			id	path	int	true	"product ID"	minimum(1)
//	@Success		204
//	@Failure		400	{object}	apperr.ErrorResponse	"bad ID"
//	@Failure		401	{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		403	{object}	apperr.ErrorResponse	"not an admin"
//	@Failure		404	{object}	apperr.ErrorResponse	"no such product"
//	@Failure		500	{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID			deleteProduct
//	@Router			/products/{id} [delete]
func (pc Products) Delete(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	if err := pc.Service.Delete(c.Request.Context(), middleware.ActorOf(c), id); err != nil {
		_ = c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}
