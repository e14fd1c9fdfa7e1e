// Package seed fills a database with demo data for trying the API: an admin, a customer, a
// catalogue with realistic names and a few orders. It goes through the services, so the data
// obeys the same rules as data made through the API, and it is idempotent: the accounts and
// products have fixed emails and SKUs, and what exists already is left as it is. It must not
// run SQL of its own.
package seed

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"tienda/apperr"
	"tienda/listing"
	"tienda/models"
	"tienda/services"
)

// Fixed identities of the demo data; running the seed again finds them.
const (
	AdminEmail    = "demo-admin@example.com"
	CustomerEmail = "demo-customer@example.com"
	SKUPrefix     = "DEMO-"
)

// DefaultProducts is how many products a seed makes unless told otherwise; MaxProducts bounds it.
const (
	DefaultProducts = 50
	MaxProducts     = 10_000
)

// UserService is what the seed needs from the users service.
type UserService interface {
	List(ctx context.Context, q services.UserQuery) (services.Page[models.User], error)
	EnsureAdmin(ctx context.Context, actor services.Actor, email, password, fullName string) (bool, error)
	Register(ctx context.Context, in services.Registration) (models.User, error)
}

// ProductService is what the seed needs from the products service.
type ProductService interface {
	Create(ctx context.Context, actor services.Actor, in services.ProductInput) (models.Product, error)
	List(ctx context.Context, actor services.Actor, q services.ProductQuery) (services.Page[models.Product], error)
}

// OrderService is what the seed needs from the orders service.
type OrderService interface {
	Place(ctx context.Context, actor services.Actor, in services.PlaceOrder) (models.Order, bool, error)
	List(ctx context.Context, actor services.Actor, q services.OrderQuery) (services.Page[models.Order], error)
	SetStatus(ctx context.Context, actor services.Actor, id uint, to models.OrderStatus) (models.Order, error)
	Cancel(ctx context.Context, actor services.Actor, id uint) (models.Order, error)
}

// Services are the services the seed works through.
type Services struct {
	Users    UserService
	Products ProductService
	Orders   OrderService
}

// Options say how much to make.
type Options struct {
	// Products is the number of demo products (SKUs DEMO-0001 ... DEMO-nnnn).
	Products int
}

// Account is a demo account and, when the seed created it, its password.
type Account struct {
	Role     models.Role
	Email    string
	Password string // "" when the account was already there: its password was not touched
	Created  bool
}

// Report says what the seed made and what it found.
type Report struct {
	Accounts         []Account
	ProductsCreated  int
	ProductsExisting int
	OrdersCreated    int
}

// Run makes whatever demo data is missing.
func Run(ctx context.Context, s Services, opts Options) (Report, error) {
	if opts.Products < 0 || opts.Products > MaxProducts {
		return Report{}, fmt.Errorf("products must be between 0 and %d, got %d", MaxProducts, opts.Products)
	}
	var rep Report
	admin, err := ensureAccount(ctx, s.Users, models.RoleAdmin, AdminEmail, "Demo Admin")
	if err != nil {
		return rep, fmt.Errorf("admin: %w", err)
	}
	customer, err := ensureAccount(ctx, s.Users, models.RoleCustomer, CustomerEmail, "Demo Customer")
	if err != nil {
		return rep, fmt.Errorf("customer: %w", err)
	}
	rep.Accounts = []Account{admin.Account, customer.Account}

	for i := 1; i <= opts.Products; i++ {
		_, err := s.Products.Create(ctx, services.System("seed"), Product(i))
		switch {
		case err == nil:
			rep.ProductsCreated++
		case isConflict(err):
			rep.ProductsExisting++
		default:
			return rep, fmt.Errorf("product %s: %w", Product(i).SKU, err)
		}
	}

	n, err := ensureOrders(ctx, s, admin.actor, customer.actor)
	rep.OrdersCreated = n
	if err != nil {
		return rep, fmt.Errorf("orders: %w", err)
	}
	return rep, nil
}

type account struct {
	Account
	actor services.Actor
}

// ensureAccount finds the account with email or creates it with a fresh random password.
func ensureAccount(ctx context.Context, users UserService, role models.Role, email, name string) (account, error) {
	page, err := users.List(ctx, services.UserQuery{
		Filter: listing.UserFilter{Q: email},
		List:   listing.Options{Page: 1, PageSize: 10},
	})
	if err != nil {
		return account{}, err
	}
	for _, u := range page.Items {
		if strings.EqualFold(u.Email, email) {
			return account{
				Account: Account{Role: u.Role, Email: u.Email},
				actor:   services.Actor{UserID: u.ID, Role: u.Role, Email: u.Email},
			}, nil
		}
	}
	password := newPassword()
	if role == models.RoleAdmin {
		if _, err := users.EnsureAdmin(ctx, services.System("seed"), email, password, name); err != nil {
			return account{}, err
		}
	} else if _, err := users.Register(ctx, services.Registration{Email: email, Password: password, FullName: name}); err != nil {
		return account{}, err
	}
	// Read it back for its ID (EnsureAdmin does not return the user).
	found, err := ensureAccount(ctx, users, role, email, name)
	if err != nil {
		return account{}, err
	}
	found.Password, found.Created = password, true
	return found, nil
}

// ensureOrders places a few orders for the customer unless the customer has orders already:
// one stays pending, one is paid by the admin, one is cancelled by the customer.
func ensureOrders(ctx context.Context, s Services, admin, customer services.Actor) (int, error) {
	existing, err := s.Orders.List(ctx, customer, services.OrderQuery{List: listing.Options{Page: 1, PageSize: 1}})
	if err != nil || existing.Total > 0 {
		return 0, err
	}
	products, err := s.Products.List(ctx, admin, services.ProductQuery{
		Filter: listing.ProductFilter{Q: SKUPrefix},
		List:   listing.Options{Page: 1, PageSize: 6, Sort: []listing.Sort{{Field: "id"}}},
	})
	if err != nil {
		return 0, err
	}
	var ids []uint
	for _, p := range products.Items {
		if p.IsActive && p.Stock >= 3 && strings.HasPrefix(p.SKU, SKUPrefix) {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) < 3 {
		return 0, nil // no catalogue to order from (--products 0 on an empty database)
	}
	baskets := [][]services.OrderLine{
		{{ProductID: ids[0], Quantity: 1}, {ProductID: ids[1], Quantity: 2}},
		{{ProductID: ids[2], Quantity: 1}},
		{{ProductID: ids[0], Quantity: 1}, {ProductID: ids[len(ids)-1], Quantity: 1}},
	}
	var placed []models.Order
	for _, lines := range baskets {
		o, _, err := s.Orders.Place(ctx, customer, services.PlaceOrder{Lines: lines})
		if err != nil {
			return len(placed), err
		}
		placed = append(placed, o)
	}
	if _, err := s.Orders.SetStatus(ctx, admin, placed[1].ID, models.OrderPaid); err != nil {
		return len(placed), err
	}
	if _, err := s.Orders.Cancel(ctx, customer, placed[2].ID); err != nil {
		return len(placed), err
	}
	return len(placed), nil
}

func isConflict(err error) bool {
	ae, ok := apperr.As(err)
	return ok && ae.Code == apperr.CodeConflict
}

func newPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
