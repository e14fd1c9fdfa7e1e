package dto

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"tienda/apperr"
	"tienda/models"
	"tienda/services"
)

// Limits of an order.
const (
	MaxOrderLines = 50
	MaxQuantity   = 1000
	// MaxIdempotencyKey is the longest Idempotency-Key header accepted.
	MaxIdempotencyKey = 128
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

// Validate checks the number of lines, each line, and that no product appears twice.
func (r *PlaceOrderRequest) Validate() error {
	var c apperr.Checker
	switch {
	case len(r.Items) == 0:
		c.Add("items", "must have at least one line")
	case len(r.Items) > MaxOrderLines:
		c.Add("items", "must have at most %d lines", MaxOrderLines)
	}
	// A product appearing twice is found by comparing each line with the earlier ones: orders
	// are short (at most MaxOrderLines), and field names are only formatted for a line that
	// is wrong, so that a valid order costs no allocation here.
	for i, l := range r.Items {
		field := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		switch {
		case l.ProductID < 1:
			c.Add(field("product_id"), "must be a positive integer")
		case slices.ContainsFunc(r.Items[:i], func(e OrderLineRequest) bool { return e.ProductID == l.ProductID }):
			c.Add(field("product_id"), "product %d appears more than once", l.ProductID)
		}
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			c.Range(field("quantity"), l.Quantity, 1, MaxQuantity)
		}
	}
	return c.Err()
}

// Input is the validated request as the service takes it.
func (r *PlaceOrderRequest) Input(idempotencyKey string) services.PlaceOrder {
	lines := make([]services.OrderLine, len(r.Items))
	for i, l := range r.Items {
		lines[i] = services.OrderLine{ProductID: uint(l.ProductID), Quantity: l.Quantity}
	}
	return services.PlaceOrder{Lines: lines, IdempotencyKey: idempotencyKey}
}

// CheckIdempotencyKey validates an Idempotency-Key header value: 1 to 128 printable ASCII
// characters. An absent header is "".
func CheckIdempotencyKey(key string) error {
	ok := len(key) <= MaxIdempotencyKey
	for i := 0; ok && i < len(key); i++ {
		ok = key[i] >= 0x20 && key[i] <= 0x7e
	}
	if !ok {
		return apperr.InvalidParams(apperr.FieldError{
			Field: "Idempotency-Key", Message: "must be 1 to 128 printable ASCII characters",
		})
	}
	return nil
}

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
