package console

import (
	"context"
	"net/http"
	"net/url"

	"tienda/listing"
	"tienda/models"
	"tienda/services"
)

// AuditLog is what the audit page needs.
type AuditLog interface {
	List(ctx context.Context, q services.AuditQuery) (services.Page[models.AuditEntry], error)
}

// auditPage is the content of audit.html.
type auditPage struct {
	Filter   url.Values
	Entities []option
	Actions  []option
	Page     services.Page[models.AuditEntry]
	Pager    pager
	Problem  string
}

func (c *Console) audit(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r.URL.Query())
	filter := listing.AuditFilter{
		ActorID: q.uint("actor_id"),
		Entity:  q.oneOf("entity", services.AuditEntities...),
		Action:  q.oneOf("action", services.AuditActions...),
	}
	opts := q.list(listing.AuditSorts)
	if len(opts.Sort) == 0 {
		opts.Sort = []listing.Sort{{Field: "created_at", Desc: true}}
	}
	data := auditPage{
		Filter:   q.values,
		Entities: choices(services.AuditEntities, q.values.Get("entity")),
		Actions:  choices(services.AuditActions, q.values.Get("action")),
	}
	if err := q.err(); err != nil {
		data.Problem = err.Error()
		c.render(w, r, http.StatusBadRequest, "audit.html", "Audit log", data)
		return
	}
	page, err := c.deps.Audit.List(r.Context(), services.AuditQuery{Filter: filter, List: opts})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.Page, data.Pager = page, newPager(r.URL, page.Page, page.PageSize, page.Total)
	c.render(w, r, http.StatusOK, "audit.html", "Audit log", data)
}
