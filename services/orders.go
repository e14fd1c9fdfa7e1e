package services

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"tienda/apperr"
	"tienda/listing"
	"tienda/models"
	"tienda/repositories"
)

// Task names of the jobs that orders record in the outbox.
const (
	TaskOrderConfirmation = "send_order_confirmation"
	TaskOrderCancelled    = "send_order_cancelled"
	TaskLowStockAlert     = "low_stock_alert"
)

// RecipientAdmins addresses a job to every active admin.
const RecipientAdmins = "admins"

// Orders holds the rules for orders: stock is taken and returned in the same transaction as the
// order changes, never oversold, and every change that must be told to the customer records an
// outbox job in that transaction too.
type Orders struct {
	store *repositories.Store
	cfg   OrdersConfig
}

// OrdersConfig holds the orders service's settings.
type OrdersConfig struct {
	Now func() time.Time
	// KeyTTL is how long an idempotency key is remembered.
	KeyTTL time.Duration
	// LowStock is the stock level below which an order that takes a product there alerts the
	// admins (once per crossing); 0 turns alerts off.
	LowStock int64
}

// NewOrders returns the orders service.
func NewOrders(store *repositories.Store, cfg OrdersConfig) *Orders {
	return &Orders{store: store, cfg: cfg}
}

// OrderLine is one line of an order to place.
type OrderLine struct {
	ProductID uint
	Quantity  int64
}

// PlaceOrder is an order to place. Lines are validated (1..50, quantities 1..1000, each product
// once); IdempotencyKey is optional.
type PlaceOrder struct {
	Lines          []OrderLine
	IdempotencyKey string
}

// Limits of an order.
const (
	MaxOrderLines = 50
	MaxQuantity   = 1000
	// MaxIdempotencyKey is the longest idempotency key accepted.
	MaxIdempotencyKey = 128
)

// Validate checks the number of lines, each line, that no product appears twice, and the
// idempotency key.
func (in PlaceOrder) Validate() error {
	if err := CheckIdempotencyKey(in.IdempotencyKey); err != nil {
		return err
	}
	var c apperr.Checker
	switch {
	case len(in.Lines) == 0:
		c.Add("items", "must have at least one line")
	case len(in.Lines) > MaxOrderLines:
		c.Add("items", "must have at most %d lines", MaxOrderLines)
	}
	// A product appearing twice is found by comparing each line with the earlier ones: orders
	// are short (at most MaxOrderLines), and field names are only formatted for a line that
	// is wrong, so that a valid order costs no allocation here.
	for i, l := range in.Lines {
		field := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		switch {
		case l.ProductID < 1:
			c.Add(field("product_id"), "must be a positive integer")
		case slices.ContainsFunc(in.Lines[:i], func(e OrderLine) bool { return e.ProductID == l.ProductID }):
			c.Add(field("product_id"), "product %d appears more than once", l.ProductID)
		}
		if l.Quantity < 1 || l.Quantity > MaxQuantity {
			c.Range(field("quantity"), l.Quantity, 1, MaxQuantity)
		}
	}
	return c.Err()
}

// CheckIdempotencyKey validates an idempotency key: at most 128 printable ASCII characters
// ("" is no key). The key arrives in the Idempotency-Key header, and the error names it.
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

// OrderQuery selects a page of orders.
type OrderQuery struct {
	Filter listing.OrderFilter
	List   listing.Options
}

// Place places an order for actor. It reports created=false when an earlier request with the
// same idempotency key and the same lines already made the order, which it returns unchanged.
func (s *Orders) Place(ctx context.Context, actor Actor, in PlaceOrder) (order models.Order, created bool, err error) {
	if err := in.Validate(); err != nil {
		return models.Order{}, false, err
	}
	var hash string
	if in.IdempotencyKey != "" {
		hash = linesHash(in.Lines)
		if o, found, err := s.replay(ctx, actor.UserID, in.IdempotencyKey, hash); found || err != nil {
			return o, false, err
		}
	}
	err = s.store.InTx(ctx, func(tx *repositories.Store) error {
		var err error
		order, err = s.place(ctx, tx, actor, in, hash)
		return err
	})
	if errors.Is(err, errShortStock) {
		// The stock UPDATE took fewer lines than the order has, and the transaction is rolled
		// back: the first line, in product-id order, that cannot be served says why.
		return models.Order{}, false, s.unavailable(ctx, in.Lines)
	}
	if errors.Is(err, repositories.ErrDuplicate) && in.IdempotencyKey != "" {
		// A concurrent request with the same key committed first: answer with its order.
		o, found, rerr := s.replay(ctx, actor.UserID, in.IdempotencyKey, hash)
		if rerr != nil || found {
			return o, false, rerr
		}
		return models.Order{}, false, apperr.Conflict("a request with this Idempotency-Key is in progress; retry")
	}
	if err != nil {
		return models.Order{}, false, err
	}
	return order, true, nil
}

// place runs inside the order's transaction.
func (s *Orders) place(ctx context.Context, tx *repositories.Store, actor Actor, in PlaceOrder, hash string) (models.Order, error) {
	now := s.cfg.Now()
	var key *models.IdempotencyKey
	if in.IdempotencyKey != "" {
		key = &models.IdempotencyKey{
			UserID: actor.UserID, Key: in.IdempotencyKey, RequestHash: hash,
			CreatedAt: now, ExpiresAt: now.Add(s.cfg.KeyTTL),
		}
		if err := tx.Orders.ClaimKey(ctx, key); err != nil {
			return models.Order{}, err
		}
	}

	// Take stock in product-id order: every transaction locks product rows in the same order,
	// so two orders over the same products cannot deadlock each other.
	index := make(map[uint]int, len(in.Lines))
	ids := make([]uint, len(in.Lines))
	for i, l := range in.Lines {
		index[l.ProductID], ids[i] = i, l.ProductID
	}
	slices.Sort(ids)
	takes := make([]repositories.StockTake, len(ids))
	for i, id := range ids {
		takes[i] = repositories.StockTake{ProductID: id, Quantity: in.Lines[index[id]].Quantity}
	}
	ok, err := tx.Orders.TakeStocks(ctx, takes)
	if err != nil {
		return models.Order{}, err
	}
	if !ok {
		return models.Order{}, errShortStock
	}

	products, err := tx.Orders.Products(ctx, ids)
	if err != nil {
		return models.Order{}, err
	}
	byID := make(map[uint]models.Product, len(products))
	for _, p := range products {
		byID[p.ID] = p
	}
	order := models.Order{UserID: actor.UserID, Status: models.OrderPending, Items: make([]models.OrderItem, len(in.Lines))}
	var alerts []models.Product
	for i, l := range in.Lines {
		p := byID[l.ProductID]
		// p.Stock is read after this order took its units, under the row lock: the crossing
		// below the threshold is seen by exactly one order.
		if t := s.cfg.LowStock; p.Stock < t && p.Stock+l.Quantity >= t {
			alerts = append(alerts, p)
		}
		order.Items[i] = models.OrderItem{
			ProductID:      p.ID,
			SKU:            p.SKU,
			Name:           p.Name,
			Quantity:       l.Quantity,
			UnitPriceCents: p.PriceCents,
			LineTotalCents: p.PriceCents * l.Quantity,
		}
		order.TotalCents += order.Items[i].LineTotalCents
	}
	if err := tx.Orders.Insert(ctx, &order); err != nil {
		return models.Order{}, err
	}
	if key != nil {
		if err := tx.Orders.SetKeyOrder(ctx, key.ID, order.ID); err != nil {
			return models.Order{}, err
		}
	}
	jobs := []models.OutboxMessage{notice(TaskOrderConfirmation, order.ID, actor.Email, now)}
	for _, p := range alerts {
		jobs = append(jobs, job(TaskLowStockAlert, nil, RecipientAdmins,
			map[string]any{"product_id": p.ID, "stock": p.Stock, "threshold": s.cfg.LowStock}, now))
	}
	return order, tx.Outbox.Add(ctx, jobs)
}

// errShortStock rolls an order back when its stock UPDATE did not take every line.
var errShortStock = errors.New("not every line's stock was taken")

// unavailable explains, after an order's transaction was rolled back, why its lines could not
// take their stock: the first line in product-id order whose product cannot be ordered (422) or
// has too little stock (409).
func (s *Orders) unavailable(ctx context.Context, lines []OrderLine) error {
	byID := slices.SortedFunc(slices.Values(slices.Clone(lines)), func(a, b OrderLine) int { return cmp.Compare(a.ProductID, b.ProductID) })
	for _, l := range byID {
		if err := s.lineUnavailable(ctx, slices.Index(lines, l), l); err != nil {
			return err
		}
	}
	return apperr.Conflict("the stock changed while the order was placed; retry")
}

// lineUnavailable says why line i cannot be served now, or returns nil if it can.
func (s *Orders) lineUnavailable(ctx context.Context, i int, l OrderLine) error {
	p, err := s.store.Products.Get(ctx, l.ProductID)
	if errors.Is(err, repositories.ErrNotFound) || err == nil && !p.IsActive {
		return apperr.Invalid(apperr.FieldError{
			Field:   fmt.Sprintf("items[%d].product_id", i),
			Message: fmt.Sprintf("product %d does not exist or is not for sale", l.ProductID),
		})
	}
	if err != nil {
		return err
	}
	if p.Stock >= l.Quantity {
		return nil
	}
	e := apperr.Conflict("not enough stock for product %d (%s): %d requested, %d available", p.ID, p.SKU, l.Quantity, p.Stock)
	e.Details = []apperr.FieldError{{Field: fmt.Sprintf("items[%d].quantity", i), Message: "exceeds the stock"}}
	return e
}

// replay finds an earlier order placed with the same idempotency key.
func (s *Orders) replay(ctx context.Context, userID uint, key, hash string) (models.Order, bool, error) {
	k, err := s.store.Orders.FindKey(ctx, userID, key, s.cfg.Now())
	if errors.Is(err, repositories.ErrNotFound) {
		return models.Order{}, false, nil
	}
	if err != nil {
		return models.Order{}, false, err
	}
	if k.RequestHash != hash {
		return models.Order{}, false, apperr.Conflict("this Idempotency-Key was used with a different request")
	}
	o, err := s.store.Orders.GetWithItems(ctx, k.OrderID)
	return o, err == nil, err
}

// linesHash identifies an order's content independently of the order of its lines.
func linesHash(lines []OrderLine) string {
	sorted := slices.SortedFunc(slices.Values(lines), func(a, b OrderLine) int { return cmp.Compare(a.ProductID, b.ProductID) })
	h := sha256.New()
	for _, l := range sorted {
		fmt.Fprintf(h, "%d:%d;", l.ProductID, l.Quantity)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// notice is an outbox job telling recipient about an order. Its payload is written out rather
// than marshalled: it is on the hot path of every order, and digits need no JSON escaping.
func notice(task string, orderID uint, recipient string, now time.Time) models.OutboxMessage {
	return newJob(task, &orderID, recipient, `{"order_id":`+strconv.FormatUint(uint64(orderID), 10)+`}`, now)
}

// job is an outbox job with a payload of plain values.
func job(task string, orderID *uint, recipient string, payload map[string]any, now time.Time) models.OutboxMessage {
	body, _ := json.Marshal(payload) // maps of plain values always marshal
	return newJob(task, orderID, recipient, string(body), now)
}

// newJob is an outbox job due now, with the UUID its task will run under.
func newJob(task string, orderID *uint, recipient, payload string, now time.Time) models.OutboxMessage {
	return models.OutboxMessage{
		Task:      task,
		OrderID:   orderID,
		Recipient: recipient,
		Payload:   payload,
		State:     models.OutboxPending,
		DueAt:     now,
		TaskUUID:  uuid.NewString(),
	}
}

// Get returns an order its owner or an admin may see; anyone else gets not_found.
func (s *Orders) Get(ctx context.Context, actor Actor, id uint) (models.Order, error) {
	o, err := s.store.Orders.GetWithItems(ctx, id)
	if err != nil {
		return models.Order{}, notFound(err, "order")
	}
	if !actor.IsAdmin() && o.UserID != actor.UserID {
		return models.Order{}, apperr.NotFound("order")
	}
	return o, nil
}

// List returns a page of orders: a customer's own, or anyone's for an admin.
func (s *Orders) List(ctx context.Context, actor Actor, q OrderQuery) (Page[models.Order], error) {
	if !actor.IsAdmin() {
		if q.Filter.UserID != 0 && q.Filter.UserID != actor.UserID {
			return newPage([]models.Order{}, 0, q.List), nil
		}
		q.Filter.UserID = actor.UserID
	}
	items, total, err := s.store.Orders.ListWithItems(ctx, q.Filter, q.List)
	if err != nil {
		return Page[models.Order]{}, err
	}
	return newPage(items, total, q.List), nil
}

// Cancel cancels an order and returns its stock, in one transaction. The owner may cancel while
// it is pending, an admin while pending or paid. Of concurrent cancels exactly one moves the
// order, so the stock comes back once.
func (s *Orders) Cancel(ctx context.Context, actor Actor, id uint) (models.Order, error) {
	from, owner := CancellableFrom(actor), actor.UserID
	if actor.IsAdmin() {
		owner = 0
	}
	var order models.Order
	err := s.store.InTx(ctx, func(tx *repositories.Store) error {
		moved, err := tx.Orders.Transition(ctx, id, owner, from, models.OrderCancelled)
		if err != nil {
			return err
		}
		if !moved {
			return s.whyNotMoved(ctx, tx, actor, id, "cancel it")
		}
		if order, err = tx.Orders.GetWithItems(ctx, id); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, AuditOrderCancel, id, nil, orderAudit(order)); err != nil {
			return err
		}
		items := slices.SortedFunc(slices.Values(order.Items), func(a, b models.OrderItem) int { return cmp.Compare(a.ProductID, b.ProductID) })
		for _, it := range items {
			if err := tx.Orders.ReturnStock(ctx, it.ProductID, it.Quantity); err != nil {
				return err
			}
		}
		recipient, err := s.ownerEmail(ctx, tx, actor, order.UserID)
		if err != nil {
			return err
		}
		return tx.Outbox.Add(ctx, []models.OutboxMessage{notice(TaskOrderCancelled, order.ID, recipient, s.cfg.Now())})
	})
	return order, err
}

// ownerEmail is where a notice about an order goes: its owner's email, deleted account or not.
func (s *Orders) ownerEmail(ctx context.Context, tx *repositories.Store, actor Actor, owner uint) (string, error) {
	if owner == actor.UserID {
		return actor.Email, nil
	}
	return tx.Users.EmailOf(ctx, owner)
}

// previousStatus returns the status an order must have to be moved to to.
func previousStatus(to models.OrderStatus) (models.OrderStatus, bool) {
	switch to {
	case models.OrderPaid:
		return models.OrderPending, true
	case models.OrderShipped:
		return models.OrderPaid, true
	case models.OrderDelivered:
		return models.OrderShipped, true
	}
	return "", false
}

// SetStatus moves an order along pending → paid → shipped → delivered; any other move is a
// conflict.
func (s *Orders) SetStatus(ctx context.Context, actor Actor, id uint, to models.OrderStatus) (models.Order, error) {
	var order models.Order
	err := s.store.InTx(ctx, func(tx *repositories.Store) error {
		from, ok := previousStatus(to)
		moved := false
		if ok {
			var err error
			if moved, err = tx.Orders.Transition(ctx, id, 0, []models.OrderStatus{from}, to); err != nil {
				return err
			}
		}
		if !moved {
			return s.whyNotMoved(ctx, tx, actor, id, "move it to "+string(to))
		}
		var err error
		if order, err = tx.Orders.GetWithItems(ctx, id); err != nil {
			return err
		}
		return audit(ctx, tx, actor, AuditOrderStatus, id, map[string]any{"status": from}, orderAudit(order))
	})
	return order, err
}

// whyNotMoved explains a transition that did not happen: the order is not there (for this
// actor), or its status does not allow what was tried.
func (s *Orders) whyNotMoved(ctx context.Context, tx *repositories.Store, actor Actor, id uint, what string) error {
	o, err := tx.Orders.Get(ctx, id)
	if err != nil {
		return notFound(err, "order")
	}
	if !actor.IsAdmin() && o.UserID != actor.UserID {
		return apperr.NotFound("order")
	}
	return apperr.Conflict("the order is %s: cannot %s", o.Status, what)
}

// PurgeExpiredKeys deletes expired idempotency keys in batches and returns how many. actor is
// who runs the housekeeping (the system); keys are nobody's data once expired, so any actor may.
func (s *Orders) PurgeExpiredKeys(ctx context.Context, _ Actor) (int64, error) {
	const batch = 500
	var total int64
	for {
		n, err := s.store.Orders.PurgeKeys(ctx, s.cfg.Now(), batch)
		total += n
		if err != nil || n < batch {
			return total, err
		}
	}
}
