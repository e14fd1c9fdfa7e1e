package console

import (
	"context"
	"net/http"
	"net/url"

	"tienda/listing"
	"tienda/models"
	"tienda/services"
)

// People is what the users page needs. A change that would leave no active admin is refused
// by the service with a conflict, which the page shows as a message.
type People interface {
	List(ctx context.Context, actor services.Actor, q services.UserQuery) (services.Page[models.User], error)
	SetRole(ctx context.Context, actor services.Actor, id uint, role models.Role) (models.User, error)
	SetActive(ctx context.Context, actor services.Actor, id uint, active bool) (models.User, error)
}

var roles = []string{string(models.RoleAdmin), string(models.RoleCustomer)}

func (c *Console) userRoutes() {
	p := Prefix + "/users"
	c.mux.Handle("GET "+p, c.admin(c.users))
	c.mux.Handle("POST "+p+"/{id}/role", c.admin(c.setUserRole))
	c.mux.Handle("POST "+p+"/{id}/active", c.admin(c.setUserActive))
}

// usersPage is the content of users.html.
type usersPage struct {
	Filter  url.Values
	Roles   []option
	Sorts   []option
	Page    services.Page[models.User]
	Pager   pager
	Back    string
	Me      uint
	Problem string
}

func (c *Console) users(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r.URL.Query())
	filter := listing.UserFilter{
		Q:      q.text("q"),
		Role:   models.Role(q.oneOf("role", roles...)),
		Active: q.bool("is_active"),
	}
	opts := q.list(listing.UserSorts)
	data := usersPage{
		Filter: q.values, Roles: choices(roles, q.values.Get("role")),
		Sorts: sortOptions(listing.UserSorts, q.values.Get("sort")), Back: r.URL.RequestURI(), Me: actorOf(r).UserID,
	}
	if err := q.err(); err != nil {
		data.Problem = err.Error()
		c.render(w, r, http.StatusBadRequest, "users.html", "Users", data)
		return
	}
	page, err := c.deps.People.List(r.Context(), actorOf(r), services.UserQuery{Filter: filter, List: opts})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.Page, data.Pager = page, newPager(r.URL, page.Page, page.PageSize, page.Total)
	c.render(w, r, http.StatusOK, "users.html", "Users", data)
}

func (c *Console) setUserRole(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	u, err := c.deps.People.SetRole(r.Context(), actorOf(r), id, models.Role(r.PostFormValue("role")))
	if err != nil {
		c.actionError(w, r, Prefix+"/users", err)
		return
	}
	c.redirect(w, r, backTo(r, Prefix+"/users"), flash{Kind: "ok", Text: u.Email + " is now " + string(u.Role) + "; their sessions have ended."})
}

func (c *Console) setUserActive(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	active := r.PostFormValue("active") == "true"
	u, err := c.deps.People.SetActive(r.Context(), actorOf(r), id, active)
	if err != nil {
		c.actionError(w, r, Prefix+"/users", err)
		return
	}
	text := u.Email + " is deactivated and signed out everywhere."
	if active {
		text = u.Email + " is active again."
	}
	c.redirect(w, r, backTo(r, Prefix+"/users"), flash{Kind: "ok", Text: text})
}
