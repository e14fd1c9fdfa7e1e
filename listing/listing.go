// Package listing is the vocabulary of the API's lists: which page, in which order, and which
// rows. Handlers parse query parameters into these types, services pass them on, and
// repositories turn them into SQL (the mapping of field names to columns stays there). It knows
// nothing of HTTP or SQL, so every layer may import it.
package listing

import (
	"slices"
	"time"

	"tienda/models"
)

// Sort is one term of an ordering: an API field name, ascending unless Desc.
type Sort struct {
	Field string
	Desc  bool
}

// Options selects one page of a list, in an order.
type Options struct {
	Page     int // 1-based
	PageSize int
	Sort     []Sort
}

// Offset is the number of rows before the page.
func (o Options) Offset() int { return (o.Page - 1) * o.PageSize }

// Fields names the fields a list may be sorted by.
type Fields []string

// Has reports whether name is one of f.
func (f Fields) Has(name string) bool { return slices.Contains(f, name) }

// The fields each list may be sorted by; the repositories map each to a column.
var (
	ProductSorts = Fields{"id", "name", "price_cents", "created_at"}
	UserSorts    = Fields{"id", "email", "created_at"}
	OrderSorts   = Fields{"id", "created_at", "total_cents"}
)

// ProductFilter selects products; nil fields do not filter.
type ProductFilter struct {
	Q             string // in name or SKU, case-insensitively
	MinPriceCents *int64
	MaxPriceCents *int64
	InStock       *bool
	Active        *bool
}

// UserFilter selects users; zero fields do not filter.
type UserFilter struct {
	Q      string // in email or full name, case-insensitively
	Role   models.Role
	Active *bool
}

// OrderFilter selects orders; zero fields do not filter.
type OrderFilter struct {
	UserID uint
	Status models.OrderStatus
	// PlacedFrom and PlacedBefore bound created_at: from included, before excluded.
	PlacedFrom, PlacedBefore time.Time
}

// AuditSorts are the fields the audit log may be sorted by.
var AuditSorts = Fields{"id", "created_at"}

// AuditFilter selects audit entries; zero fields do not filter.
type AuditFilter struct {
	ActorID uint
	Entity  string
	Action  string
}

// JobSorts are the fields the outbox jobs may be sorted by.
var JobSorts = Fields{"id", "created_at"}
