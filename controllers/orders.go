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

// OrderService is what the orders controller needs from the service layer.
type OrderService interface {
	Place(ctx context.Context, actor services.Actor, in services.PlaceOrder) (models.Order, bool, error)
	Get(ctx context.Context, actor services.Actor, id uint) (models.Order, error)
	List(ctx context.Context, actor services.Actor, q services.OrderQuery) (services.Page[models.Order], error)
	Cancel(ctx context.Context, actor services.Actor, id uint) (models.Order, error)
	SetStatus(ctx context.Context, actor services.Actor, id uint, to models.OrderStatus) (models.Order, error)
}

// Orders handles /orders.
type Orders struct {
	Service OrderService
}

// Create godoc
//
//	@Summary		Place an order
//	@Description	Takes the stock of every line in one transaction and copies each product's price, name and SKU. With an Idempotency-Key, a retry with the same key and lines returns the first order (200) and takes no stock; the same key with other lines is a 409.
//	@Tags			orders
//	@Accept			json
//	@Produce		json
//	@Param			Idempotency-Key	header		string					false	"1..128 printable characters; makes retries safe"	maxLength(128)
//	@Param			body			body		dto.PlaceOrderRequest	true	"the lines"
//	@Success		201				{object}	dto.Order				"placed"
//	@Success		200				{object}	dto.Order				"the order an earlier request with this Idempotency-Key placed"
//	@Failure		400				{object}	apperr.ErrorResponse		"malformed JSON or Idempotency-Key"
//	@Failure		401				{object}	apperr.ErrorResponse		"no or invalid token"
//	@Failure		409				{object}	apperr.ErrorResponse		"not enough stock, or Idempotency-Key reused with other lines"
//	@Failure		413				{object}	apperr.ErrorResponse		"body too large"
//	@Failure		422				{object}	apperr.ErrorResponse		"invalid lines, or a product that does not exist or is not for sale"
//	@Failure		500				{object}	apperr.ErrorResponse
//	@Failure		503				{object}	apperr.ErrorResponse	"the database is too busy; retry"
//	@Security		BearerAuth
//	@ID			placeOrder
//	@Router			/orders [post]
func (oc Orders) Create(c *gin.Context) {
	key := c.GetHeader("Idempotency-Key")
	if err := dto.CheckIdempotencyKey(key); err != nil {
		_ = c.Error(err)
		return
	}
	var req dto.PlaceOrderRequest
	if err := bindJSON(c, &req); err != nil {
		_ = c.Error(err)
		return
	}
	o, created, err := oc.Service.Place(c.Request.Context(), middleware.ActorOf(c), req.Input(key))
	if err != nil {
		_ = c.Error(err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	setLocation(c, "/orders", "/orders", o.ID)
	c.JSON(status, dto.NewOrder(o))
}

// List godoc
//
//	@Summary		List orders
//	@Description	Customers see their own orders; admins see all and may filter by user_id.
//	@Tags			orders
//	@Produce		json
//	@Param			user_id		query		int		false	"admins: orders of this user"	minimum(1)
//	@Param			status		query		string	false	"status"						Enums(pending, paid, shipped, delivered, cancelled)
//	@Param			sort		query		string	false	"comma-separated fields, '-' for descending"	Enums(id, -id, created_at, -created_at, total_cents, -total_cents)
//	@Param			page		query		int		false	"page number"	minimum(1)	maximum(1000000)	default(1)
//	@Param			page_size	query		int		false	"items per page"	minimum(1)	maximum(100)	default(20)
//	@Success		200			{object}	dto.Page[dto.Order]
//	@Failure		400			{object}	apperr.ErrorResponse	"bad parameter"
//	@Failure		401			{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		500			{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID			listOrders
//	@Router			/orders [get]
func (oc Orders) List(c *gin.Context) {
	q := newQuery(c)
	var filter listing.OrderFilter
	if uid := q.int64("user_id", 1, math.MaxInt64); uid != nil {
		filter.UserID = uint(*uid)
	}
	filter.Status = models.OrderStatus(q.oneOf("status", dto.OrderStatusNames()...))
	list := q.list(listing.OrderSorts)
	if err := q.err(); err != nil {
		_ = c.Error(err)
		return
	}
	page, err := oc.Service.List(c.Request.Context(), middleware.ActorOf(c), services.OrderQuery{Filter: filter, List: list})
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewPage(page.Items, page.Total, page.Page, page.PageSize, dto.NewOrder))
}

// Get godoc
//
//	@Summary		Get an order
//	@Description	The owner's or any for an admin; another customer's order is a 404.
//	@Tags			orders
//	@Produce		json
//	@Param			id	path		int	true	"order ID"	minimum(1)
//	@Success		200	{object}	dto.Order
//	@Failure		400	{object}	apperr.ErrorResponse	"bad ID"
//	@Failure		401	{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		404	{object}	apperr.ErrorResponse	"no such order"
//	@Failure		500	{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID			getOrder
//	@Router			/orders/{id} [get]
func (oc Orders) Get(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	o, err := oc.Service.Get(c.Request.Context(), middleware.ActorOf(c), id)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewOrder(o))
}

// Cancel godoc
//
//	@Summary		Cancel an order
//	@Description	The owner while pending, an admin while pending or paid. The stock comes back in the same transaction.
//	@Tags			orders
//	@Produce		json
//	@Param			id	path		int	true	"order ID"	minimum(1)
//	@Success		200	{object}	dto.Order
//	@Failure		400	{object}	apperr.ErrorResponse	"bad ID"
//	@Failure		401	{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		404	{object}	apperr.ErrorResponse	"no such order"
//	@Failure		409	{object}	apperr.ErrorResponse	"the order's status does not allow it"
//	@Failure		500	{object}	apperr.ErrorResponse
//	@Failure		503	{object}	apperr.ErrorResponse	"the database is too busy; retry"
//	@Security		BearerAuth
//	@ID			cancelOrder
//	@Router			/orders/{id}/cancel [post]
func (oc Orders) Cancel(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	o, err := oc.Service.Cancel(c.Request.Context(), middleware.ActorOf(c), id)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewOrder(o))
}

// SetStatus godoc
//
//	@Summary		Move an order along its workflow
//	@Description	pending → paid → shipped → delivered, one step at a time; anything else is a 409.
//	@Tags			orders
//	@Accept			json
//	@Produce		json
//	@Param			id		path		int						true	"order ID"	minimum(1)
//	@Param			body	body		dto.OrderStatusRequest	true	"the new status"
//	@Success		200		{object}	dto.Order
//	@Failure		400		{object}	apperr.ErrorResponse	"malformed JSON or bad ID"
//	@Failure		401		{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		403		{object}	apperr.ErrorResponse	"not an admin"
//	@Failure		404		{object}	apperr.ErrorResponse	"no such order"
//	@Failure		409		{object}	apperr.ErrorResponse	"not an allowed move"
//	@Failure		413		{object}	apperr.ErrorResponse	"body too large"
//	@Failure		422		{object}	apperr.ErrorResponse	"unknown status"
//	@Failure		500		{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID			setOrderStatus
//	@Router			/orders/{id}/status [patch]
func (oc Orders) SetStatus(c *gin.Context) {
	id, err := pathID(c)
	if err != nil {
		_ = c.Error(err)
		return
	}
	var req dto.OrderStatusRequest
	if err := bindJSON(c, &req); err != nil {
		_ = c.Error(err)
		return
	}
	o, err := oc.Service.SetStatus(c.Request.Context(), middleware.ActorOf(c), id, models.OrderStatus(req.Status))
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewOrder(o))
}
