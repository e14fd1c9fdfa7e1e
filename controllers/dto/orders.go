package dto

import (
	"strings"
	"time"

	"tienda/apperr"
	"tienda/models"
	"tienda/services"
)

// Limits of an order: the service's.
const (
	MaxOrderLines     = services.MaxOrderLines
	MaxQuantity       = services.MaxQuantity
	MaxIdempotencyKey = services.MaxIdempotencyKey
)

// Order is an order as the API shows it.
type Order struct {
	ID         uint        `json:"id" example:"1001"`
	UserID     uint        `json:"user_id" example:"7"`
	Status     string      `json:"status" enums:"pending,paid,shipped,delivered,cancelled" example:"pending"`
	TotalCents int64       `json:"total_cents" example:"2598"`
	Items      []OrderItem `json:"items"`
	CreatedAt  time.Time   `json:"created_at" example:"2026-11-28T13:45:00Z"`
	UpdatedAt  time.Time   `json:"updated_at" example:"2026-11-28T13:45:00Z"`
}

// OrderItem is one line of an order, with the product's SKU, name and price as they were when
// the order was placed.
type OrderItem struct {
	ProductID      uint   `json:"product_id" example:"42"`
	SKU            string `json:"sku" example:"MUG-001"`
	Name           string `json:"name" example:"Enamel mug"`
	Quantity       int64  `json:"quantity" example:"2"`
	UnitPriceCents int64  `json:"unit_price_cents" example:"1299"`
	LineTotalCents int64  `json:"line_total_cents" example:"2598"`
}

// NewOrder renders an order.
func NewOrder(o models.Order) Order {
	items := make([]OrderItem, len(o.Items))
	for i, it := range o.Items {
		items[i] = OrderItem{
			ProductID:      it.ProductID,
			SKU:            it.SKU,
			Name:           it.Name,
			Quantity:       it.Quantity,
			UnitPriceCents: it.UnitPriceCents,
			LineTotalCents: it.LineTotalCents,
		}
	}
	return Order{
		ID:         o.ID,
		UserID:     o.UserID,
		Status:     string(o.Status),
		TotalCents: o.TotalCents,
		Items:      items,
		CreatedAt:  utc(o.CreatedAt),
		UpdatedAt:  utc(o.UpdatedAt),
	}
}

// PlaceOrderRequest is the body of POST /orders.
type PlaceOrderRequest struct {
	Items []OrderLineRequest `json:"items" binding:"required,min=1,max=50"`
}

// OrderLineRequest is one line of PlaceOrderRequest.
type OrderLineRequest struct {
	ProductID int64 `json:"product_id" binding:"required" minimum:"1" example:"1"`
	Quantity  int64 `json:"quantity" binding:"required" minimum:"1" maximum:"1000" example:"2"`
}

// Validate applies the service's rules (services.PlaceOrder.Validate) to the lines. A
// product_id below 1 reaches them as 0, which they refuse.
func (r *PlaceOrderRequest) Validate() error {
	in := r.Input("")
	return in.Validate()
}

// Input is the validated request as the service takes it.
func (r *PlaceOrderRequest) Input(idempotencyKey string) services.PlaceOrder {
	lines := make([]services.OrderLine, len(r.Items))
	for i, l := range r.Items {
		lines[i] = services.OrderLine{ProductID: uint(max(l.ProductID, 0)), Quantity: l.Quantity}
	}
	return services.PlaceOrder{Lines: lines, IdempotencyKey: idempotencyKey}
}

// CheckIdempotencyKey validates an Idempotency-Key header value: 1 to 128 printable ASCII
// characters. An absent header is "".
func CheckIdempotencyKey(key string) error { return services.CheckIdempotencyKey(key) }

// OrderStatusRequest is the body of PATCH /orders/{id}/status.
type OrderStatusRequest struct {
	Status string `json:"status" binding:"required" enums:"pending,paid,shipped,delivered,cancelled" example:"paid"`
}

// Validate accepts the statuses an order can have.
func (r *OrderStatusRequest) Validate() error {
	if models.OrderStatus(r.Status).Valid() {
		return nil
	}
	return apperr.Invalid(apperr.FieldError{Field: "status", Message: "must be one of " + strings.Join(OrderStatusNames(), ", ")})
}

// OrderStatusNames is the statuses an order can have, as the API writes them.
func OrderStatusNames() []string {
	names := make([]string, 0, len(models.OrderStatuses()))
	for _, st := range models.OrderStatuses() {
		names = append(names, string(st))
	}
	return names
}
