package dto

import (
	"time"

	"tienda/apperr"
	"tienda/models"
	"tienda/services"
)

// Limits of product fields: the service's. The price and stock ceilings are far above any real
// shop and keep order totals (price x quantity x lines) well inside int64.
const (
	MaxSKU         = services.MaxSKU
	MaxName        = services.MaxProductName
	MaxDescription = services.MaxDescription
	MaxPriceCents  = services.MaxPriceCents
	MaxStock       = services.MaxStock
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

// Validate applies the service's rules (services.ProductPatch.Check on a whole product); SKU
// and name are trimmed of surrounding spaces first.
func (r *ProductRequest) Validate() error {
	var c apperr.Checker
	services.ProductPatch{
		SKU: &r.SKU, Name: &r.Name, Description: &r.Description, PriceCents: r.PriceCents, Stock: r.Stock,
	}.Check(&c, true)
	return c.Err()
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

// Validate applies the service's rules to the fields that are present.
func (r *ProductPatchRequest) Validate() error {
	var c apperr.Checker
	r.Patch().Check(&c, false)
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
