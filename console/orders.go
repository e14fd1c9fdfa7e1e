package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"tienda/listing"
	"tienda/models"
	"tienda/services"
)

// OrderDesk is what the order pages need.
type OrderDesk interface {
	List(ctx context.Context, actor services.Actor, q services.OrderQuery) (services.Page[models.Order], error)
	Get(ctx context.Context, actor services.Actor, id uint) (models.Order, error)
	SetStatus(ctx context.Context, actor services.Actor, id uint, to models.OrderStatus) (models.Order, error)
	Cancel(ctx context.Context, actor services.Actor, id uint) (models.Order, error)
}

// orderStatuses are the statuses an order can have, in workflow order.
var orderStatuses = []string{
	string(models.OrderPending), string(models.OrderPaid), string(models.OrderShipped),
	string(models.OrderDelivered), string(models.OrderCancelled),
}

func (c *Console) orderRoutes() {
	p := Prefix + "/orders"
	c.mux.Handle("GET "+p, c.admin(c.orders))
	c.mux.Handle("GET "+p+"/{id}", c.admin(c.order))
	c.mux.Handle("POST "+p+"/{id}/status", c.admin(c.setOrderStatus))
	c.mux.Handle("POST "+p+"/{id}/cancel", c.admin(c.cancelOrder))
}

// ordersPage is the content of orders.html.
type ordersPage struct {
	Filter   url.Values
	Statuses []option
	Sorts    []option
	Page     services.Page[models.Order]
	Pager    pager
	Problem  string
}

func (c *Console) orders(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r.URL.Query())
	filter := listing.OrderFilter{
		UserID:       q.uint("user_id"),
		Status:       models.OrderStatus(q.oneOf("status", orderStatuses...)),
		PlacedFrom:   q.date("from", 0),
		PlacedBefore: q.date("to", 1),
	}
	opts := q.list(listing.OrderSorts)
	if len(opts.Sort) == 0 {
		opts.Sort = []listing.Sort{{Field: "created_at", Desc: true}}
	}
	data := ordersPage{
		Filter: q.values, Sorts: sortOptions(listing.OrderSorts, q.values.Get("sort")),
		Statuses: choices(orderStatuses, q.values.Get("status")),
	}
	if err := q.err(); err != nil {
		data.Problem = err.Error()
		c.render(w, r, http.StatusBadRequest, "orders.html", "Orders", data)
		return
	}
	page, err := c.deps.Orders.List(r.Context(), actorOf(r), services.OrderQuery{Filter: filter, List: opts})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.Page, data.Pager = page, newPager(r.URL, page.Page, page.PageSize, page.Total)
	c.render(w, r, http.StatusOK, "orders.html", "Orders", data)
}

// orderPage is the content of order.html: the order and the moves allowed now.
type orderPage struct {
	Order     models.Order
	Next      []models.OrderStatus
	CanCancel bool
}

func (c *Console) order(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	actor := actorOf(r)
	o, err := c.deps.Orders.Get(r.Context(), actor, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "order.html", "Order #"+strconv.FormatUint(uint64(o.ID), 10), orderPage{
		Order: o, Next: services.NextStatuses(o.Status), CanCancel: services.CanCancel(actor, o.Status),
	})
}

func (c *Console) setOrderStatus(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	to := models.OrderStatus(r.PostFormValue("status"))
	o, err := c.deps.Orders.SetStatus(r.Context(), actorOf(r), id, to)
	if err != nil {
		c.actionError(w, r, orderPath(id), err)
		return
	}
	c.redirect(w, r, orderPath(id), flash{Kind: "ok", Text: "Order #" + strconv.FormatUint(uint64(o.ID), 10) + " is now " + string(o.Status) + "."})
}

func (c *Console) cancelOrder(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	o, err := c.deps.Orders.Cancel(r.Context(), actorOf(r), id)
	if err != nil {
		c.actionError(w, r, orderPath(id), err)
		return
	}
	c.redirect(w, r, orderPath(id), flash{Kind: "ok", Text: "Order #" + strconv.FormatUint(uint64(o.ID), 10) + " is cancelled; its stock is back."})
}

func orderPath(id uint) string { return Prefix + "/orders/" + strconv.FormatUint(uint64(id), 10) }

// choices offers values in a select, with "any" first.
func choices(values []string, current string) []option {
	opts := []option{{Value: "", Label: "any", Selected: current == ""}}
	for _, v := range values {
		opts = append(opts, option{Value: v, Label: v, Selected: current == v})
	}
	return opts
}
