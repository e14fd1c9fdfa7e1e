package services

import (
	"context"
	"errors"
	"strings"

	"tienda/apperr"
	"tienda/listing"
	"tienda/models"
	"tienda/repositories"
)

// Products holds the rules for the catalogue.
type Products struct {
	store *repositories.Store
}

// NewProducts returns the products service.
func NewProducts(store *repositories.Store) *Products { return &Products{store: store} }

// ProductInput is a whole product as created or replaced.
type ProductInput struct {
	SKU         string
	Name        string
	Description string
	PriceCents  int64
	Stock       int64
	IsActive    bool
}

// ProductPatch changes the fields that are not nil.
type ProductPatch struct {
	SKU         *string
	Name        *string
	Description *string
	PriceCents  *int64
	Stock       *int64
	IsActive    *bool
}

// Limits of product fields.
const (
	MaxSKU         = 64
	MaxProductName = 200
	MaxDescription = 2000
	MaxPriceCents  = 1_000_000_000_000 // ten billion in the currency's unit
	// MaxStock is the most units a product may have in stock.
	MaxStock = 1_000_000_000
)

// Validate checks a whole product and returns it normalized (SKU and name trimmed of
// surrounding spaces); the error lists every invalid field.
func (in ProductInput) Validate() (ProductInput, error) {
	p := ProductPatch{
		SKU: &in.SKU, Name: &in.Name, Description: &in.Description,
		PriceCents: &in.PriceCents, Stock: &in.Stock, IsActive: &in.IsActive,
	}
	var c apperr.Checker
	p.Check(&c, true)
	return in, c.Err()
}

// Validate checks the fields a patch sets and returns it normalized, as ProductInput.Validate.
func (p ProductPatch) Validate() (ProductPatch, error) {
	var c apperr.Checker
	p.Check(&c, false)
	return p, c.Err()
}

// Check adds to c what is wrong with the fields p sets, trimming the SKU and the name where
// they point. With whole, p is a whole product and a missing price or stock is reported too.
// The API's request types report into the same checker, so their messages are these.
func (p ProductPatch) Check(c *apperr.Checker, whole bool) {
	if p.SKU != nil {
		*p.SKU = strings.TrimSpace(*p.SKU)
		c.Length("sku", *p.SKU, 1, MaxSKU)
		c.Plain("sku", *p.SKU, false, true)
	}
	if p.Name != nil {
		*p.Name = strings.TrimSpace(*p.Name)
		c.Length("name", *p.Name, 1, MaxProductName)
		c.Plain("name", *p.Name, false, false)
	}
	if p.Description != nil {
		c.Length("description", *p.Description, 0, MaxDescription)
		c.Plain("description", *p.Description, true, false)
	}
	checkAmount(c, "price_cents", p.PriceCents, MaxPriceCents, whole)
	checkAmount(c, "stock", p.Stock, MaxStock, whole)
}

func checkAmount(c *apperr.Checker, field string, v *int64, hi int64, required bool) {
	switch {
	case v != nil:
		c.Range(field, *v, 0, hi)
	case required:
		c.Add(field, "is required")
	}
}

// ProductQuery selects a page of products.
type ProductQuery struct {
	Filter listing.ProductFilter
	List   listing.Options
}

// Create adds a product; a live product with the same SKU is a conflict.
func (s *Products) Create(ctx context.Context, actor Actor, in ProductInput) (models.Product, error) {
	in, err := in.Validate()
	if err != nil {
		return models.Product{}, err
	}
	var p models.Product
	err = s.store.InTx(ctx, func(tx *repositories.Store) error {
		p = models.Product{
			SKU:         in.SKU,
			Name:        in.Name,
			Description: in.Description,
			PriceCents:  in.PriceCents,
			Stock:       in.Stock,
			IsActive:    in.IsActive,
		}
		if err := tx.Products.Create(ctx, &p); err != nil {
			return err
		}
		return audit(ctx, tx, actor, AuditProductCreate, p.ID, nil, productAudit(p))
	})
	if err != nil {
		return models.Product{}, skuConflict(err, in.SKU)
	}
	return p, nil
}

// Get returns a product. Inactive products exist only for admins; others get not_found.
func (s *Products) Get(ctx context.Context, actor Actor, id uint) (models.Product, error) {
	p, err := s.store.Products.Get(ctx, id)
	if err != nil {
		return models.Product{}, notFound(err, "product")
	}
	if !p.IsActive && !actor.IsAdmin() {
		return models.Product{}, apperr.NotFound("product")
	}
	return p, nil
}

// List returns a page of products. Non-admins see active products only.
func (s *Products) List(ctx context.Context, actor Actor, q ProductQuery) (Page[models.Product], error) {
	if !actor.IsAdmin() {
		if q.Filter.Active != nil && !*q.Filter.Active {
			return newPage([]models.Product{}, 0, q.List), nil
		}
		active := true
		q.Filter.Active = &active
	}
	items, total, err := s.store.Products.Search(ctx, q.Filter, q.List)
	if err != nil {
		return Page[models.Product]{}, err
	}
	return newPage(items, total, q.List), nil
}

// Replace overwrites every field of a product.
func (s *Products) Replace(ctx context.Context, actor Actor, id uint, in ProductInput) (models.Product, error) {
	in, err := in.Validate()
	if err != nil {
		return models.Product{}, err
	}
	return s.update(ctx, actor, id, repositories.ProductPatch{
		SKU: &in.SKU, Name: &in.Name, Description: &in.Description,
		PriceCents: &in.PriceCents, Stock: &in.Stock, IsActive: &in.IsActive,
	})
}

// Patch changes the given fields of a product.
func (s *Products) Patch(ctx context.Context, actor Actor, id uint, in ProductPatch) (models.Product, error) {
	in, err := in.Validate()
	if err != nil {
		return models.Product{}, err
	}
	patch := repositories.ProductPatch{
		SKU: in.SKU, Name: in.Name, Description: in.Description,
		PriceCents: in.PriceCents, Stock: in.Stock, IsActive: in.IsActive,
	}
	if patch.Empty() {
		// Nothing to change: the product as it stands, whether active or not (only admins
		// reach Patch), without making up an admin to read it.
		p, err := s.store.Products.Get(ctx, id)
		return p, notFound(err, "product")
	}
	return s.update(ctx, actor, id, patch)
}

// update applies changes and reads the product back in the same transaction.
func (s *Products) update(ctx context.Context, actor Actor, id uint, patch repositories.ProductPatch) (models.Product, error) {
	var p models.Product
	err := s.store.InTx(ctx, func(tx *repositories.Store) error {
		before, err := tx.Products.Get(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.Products.Patch(ctx, id, patch); err != nil {
			return err
		}
		if p, err = tx.Products.Get(ctx, id); err != nil {
			return err
		}
		return audit(ctx, tx, actor, AuditProductUpdate, id, productAudit(before), productAudit(p))
	})
	if err != nil {
		sku := ""
		if patch.SKU != nil {
			sku = *patch.SKU
		}
		return models.Product{}, notFound(skuConflict(err, sku), "product")
	}
	return p, nil
}

// Delete soft-deletes a product; its SKU can then be used again.
func (s *Products) Delete(ctx context.Context, actor Actor, id uint) error {
	err := s.store.InTx(ctx, func(tx *repositories.Store) error {
		before, err := tx.Products.Get(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.Products.Delete(ctx, id); err != nil {
			return err
		}
		return audit(ctx, tx, actor, AuditProductDelete, id, productAudit(before), nil)
	})
	return notFound(err, "product")
}

func skuConflict(err error, sku string) error {
	if errors.Is(err, repositories.ErrDuplicate) {
		return apperr.Conflict("a product with SKU %q already exists", sku)
	}
	return err
}

// AdjustStock adds delta units (negative to take some away) to a product's stock, after a count
// or a delivery, in one conditional update: concurrent orders and adjustments never take it
// below zero, and a change that would is a conflict.
func (s *Products) AdjustStock(ctx context.Context, actor Actor, id uint, delta int64) (models.Product, error) {
	var c apperr.Checker
	c.Check(delta != 0, "delta", "must not be 0")
	c.Range("delta", delta, -MaxStock, MaxStock)
	if err := c.Err(); err != nil {
		return models.Product{}, err
	}
	var p models.Product
	err := s.store.InTx(ctx, func(tx *repositories.Store) error {
		changed, err := tx.Products.AdjustStock(ctx, id, delta, MaxStock)
		if err != nil {
			return err
		}
		if p, err = tx.Products.Get(ctx, id); err != nil {
			return err
		}
		if !changed {
			return apperr.Conflict("the stock is %d: adding %d would take it outside 0..%d", p.Stock, delta, MaxStock)
		}
		return audit(ctx, tx, actor, AuditProductStock, id, map[string]any{"stock": p.Stock - delta}, map[string]any{"stock": p.Stock})
	})
	return p, notFound(err, "product")
}
