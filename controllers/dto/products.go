package dto

import (
	"strings"
	"time"

	"tienda/apperr"
	"tienda/models"
	"tienda/services"
)

// Limits of product fields. The price and stock ceilings are far above any real shop and keep
// order totals (price x quantity x lines) well inside int64.
const (
	MaxSKU         = 64
	MaxName        = 200
	MaxDescription = 2000
	MaxPriceCents  = 1_000_000_000_000 // ten billion in the currency's unit
	MaxStock       = 1_000_000_000
)

// Product is a product as the API shows it.
type Product struct {
	ID          uint      `json:"id" example:"42"`
	SKU         string    `json:"sku" example:"MUG-001"`
	Name        string    `json:"name" example:"Enamel mug"`
	Description string    `json:"description" example:"Blue enamel mug, 350 ml"`
	PriceCents  int64     `json:"price_cents" example:"1299"`
	Stock       int64     `json:"stock" example:"25"`
	IsActive    bool      `json:"is_active" example:"true"`
	CreatedAt   time.Time `json:"created_at" example:"2026-11-28T13:45:00Z"`
	UpdatedAt   time.Time `json:"updated_at" example:"2026-11-28T13:45:00Z"`
}

// NewProduct renders a product.
func NewProduct(p models.Product) Product {
	return Product{
		ID:          p.ID,
		SKU:         p.SKU,
		Name:        p.Name,
		Description: p.Description,
		PriceCents:  p.PriceCents,
		Stock:       p.Stock,
		IsActive:    p.IsActive,
		CreatedAt:   utc(p.CreatedAt),
		UpdatedAt:   utc(p.UpdatedAt),
	}
}

// ProductRequest is the body of POST /products and PUT /products/{id}. is_active defaults to
// true and description to "".
type ProductRequest struct {
	SKU         string `json:"sku" binding:"required" minLength:"1" maxLength:"64" example:"MUG-001"`
	Name        string `json:"name" binding:"required" minLength:"1" maxLength:"200" example:"Enamel mug"`
	Description string `json:"description" maxLength:"2000" example:"Blue enamel mug, 350 ml"`
	PriceCents  *int64 `json:"price_cents" binding:"required" minimum:"0" maximum:"1000000000000" example:"1299"`
	Stock       *int64 `json:"stock" binding:"required" minimum:"0" maximum:"1000000000" example:"25"`
	IsActive    *bool  `json:"is_active" example:"true"`
}

// Validate applies the contract's rules; SKU and name are trimmed of surrounding spaces first.
func (r *ProductRequest) Validate() error {
	r.SKU, r.Name = strings.TrimSpace(r.SKU), strings.TrimSpace(r.Name)
	var c apperr.Checker
	c.Length("sku", r.SKU, 1, MaxSKU)
	c.Plain("sku", r.SKU, false, true)
	c.Length("name", r.Name, 1, MaxName)
	c.Plain("name", r.Name, false, false)
	c.Length("description", r.Description, 0, MaxDescription)
	c.Plain("description", r.Description, true, false)
	checkMoney(&c, "price_cents", r.PriceCents, MaxPriceCents)
	checkMoney(&c, "stock", r.Stock, MaxStock)
	return c.Err()
}

func checkMoney(c *apperr.Checker, field string, v *int64, hi int64) {
	if v == nil {
		c.Add(field, "is required")
		return
	}
	c.Range(field, *v, 0, hi)
}

// Input is the validated request as the service takes it.
func (r *ProductRequest) Input() services.ProductInput {
	active := true
	if r.IsActive != nil {
		active = *r.IsActive
	}
	return services.ProductInput{
		SKU:         r.SKU,
		Name:        r.Name,
		Description: r.Description,
		PriceCents:  *r.PriceCents,
		Stock:       *r.Stock,
		IsActive:    active,
	}
}

// ProductPatchRequest is the body of PATCH /products/{id}: any subset of the fields. An absent
// field (or null) is left as it is; a field given, even as 0, "" or false, is set.
type ProductPatchRequest struct {
	SKU         *string `json:"sku" minLength:"1" maxLength:"64" example:"MUG-002"`
	Name        *string `json:"name" minLength:"1" maxLength:"200"`
	Description *string `json:"description" maxLength:"2000"`
	PriceCents  *int64  `json:"price_cents" minimum:"0" maximum:"1000000000000" example:"999"`
	Stock       *int64  `json:"stock" minimum:"0" maximum:"1000000000" example:"0"`
	IsActive    *bool   `json:"is_active" example:"false"`
}

// Validate applies the contract's rules to the fields that are present.
func (r *ProductPatchRequest) Validate() error {
	var c apperr.Checker
	if r.SKU != nil {
		*r.SKU = strings.TrimSpace(*r.SKU)
		c.Length("sku", *r.SKU, 1, MaxSKU)
		c.Plain("sku", *r.SKU, false, true)
	}
	if r.Name != nil {
		*r.Name = strings.TrimSpace(*r.Name)
		c.Length("name", *r.Name, 1, MaxName)
		c.Plain("name", *r.Name, false, false)
	}
	if r.Description != nil {
		c.Length("description", *r.Description, 0, MaxDescription)
		c.Plain("description", *r.Description, true, false)
	}
	if r.PriceCents != nil {
		c.Range("price_cents", *r.PriceCents, 0, MaxPriceCents)
	}
	if r.Stock != nil {
		c.Range("stock", *r.Stock, 0, MaxStock)
	}
	return c.Err()
}

// Patch is the validated request as the service takes it.
func (r *ProductPatchRequest) Patch() services.ProductPatch {
	return services.ProductPatch{
		SKU:         r.SKU,
		Name:        r.Name,
		Description: r.Description,
		PriceCents:  r.PriceCents,
		Stock:       r.Stock,
		IsActive:    r.IsActive,
	}
}
