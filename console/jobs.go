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

// JobQueue is what the jobs page needs.
type JobQueue interface {
	List(ctx context.Context, state string, opts listing.Options) (services.Page[models.OutboxMessage], error)
	Requeue(ctx context.Context, actor services.Actor, id uint) (models.OutboxMessage, error)
}

// jobsPage is the content of jobs.html.
type jobsPage struct {
	Filter  url.Values
	States  []option
	Back    string
	Page    services.Page[models.OutboxMessage]
	Pager   pager
	Problem string
}

func (c *Console) jobRoutes() {
	c.mux.Handle("GET "+Prefix+"/jobs", c.admin(c.jobs))
	c.mux.Handle("POST "+Prefix+"/jobs/{id}/requeue", c.admin(c.requeueJob))
}

func (c *Console) jobs(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r.URL.Query())
	state := q.oneOf("state", services.JobStates...)
	opts := q.list(listing.JobSorts)
	if len(opts.Sort) == 0 {
		opts.Sort = []listing.Sort{{Field: "created_at", Desc: true}}
	}
	data := jobsPage{Filter: q.values, States: choices(services.JobStates, q.values.Get("state")), Back: r.URL.RequestURI()}
	if err := q.err(); err != nil {
		data.Problem = err.Error()
		c.render(w, r, http.StatusBadRequest, "jobs.html", "Jobs", data)
		return
	}
	page, err := c.deps.Jobs.List(r.Context(), state, opts)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.Page, data.Pager = page, newPager(r.URL, page.Page, page.PageSize, page.Total)
	c.render(w, r, http.StatusOK, "jobs.html", "Jobs", data)
}

func (c *Console) requeueJob(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	m, err := c.deps.Jobs.Requeue(r.Context(), actorOf(r), id)
	if err != nil {
		c.actionError(w, r, Prefix+"/jobs", err)
		return
	}
	c.redirect(w, r, backTo(r, Prefix+"/jobs"), flash{Kind: "ok", Text: "Job " + strconv.FormatUint(uint64(m.ID), 10) + " (" + m.Task + ") is queued again."})
}
