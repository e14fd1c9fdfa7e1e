package console

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tienda/apperr"
	"tienda/listing"
)

// formErrors is a page with a form that can show a service's refusal: messages next to their
// fields, and one for the whole form.
type formErrors interface {
	setErrors(fields map[string]string, problem string)
}

func (f productForm) value(name string) string   { return f.Values[name] }
func (f productForm) errorOf(name string) string { return f.Errors[name] }

func (f *productForm) setErrors(fields map[string]string, problem string) {
	f.Errors, f.Problem = fields, problem
}

// formError shows the form page again with the errors of err, when they are the user's to fix
// (4xx); anything else is a failure.
func (c *Console) formError(w http.ResponseWriter, r *http.Request, err error, name, title string, form formErrors) {
	e, ok := apperr.As(err)
	if !ok || e.HTTPStatus() >= 500 {
		c.fail(w, r, err)
		return
	}
	fields := map[string]string{}
	for _, d := range e.Details {
		if _, seen := fields[d.Field]; !seen {
			fields[d.Field] = d.Message
		}
	}
	problem := e.Message
	if len(e.Details) > 0 {
		problem = "Some fields need correcting: see the messages next to them."
	}
	form.setErrors(fields, problem)
	c.render(w, r, e.HTTPStatus(), name, title, form)
}

// actionError ends a button's post that the service refused with the reason as a flash message
// on back (a user's error is a message, not an error page).
func (c *Console) actionError(w http.ResponseWriter, r *http.Request, back string, err error) {
	e, ok := apperr.As(err)
	if !ok || e.HTTPStatus() >= 500 || e.Code == apperr.CodeNotFound {
		c.fail(w, r, err)
		return
	}
	c.redirect(w, r, backTo(r, back), flash{Kind: "error", Text: describe(e)})
}

// describe is an application error as one sentence.
func describe(e *apperr.Error) string {
	if len(e.Details) == 0 {
		return capitalize(e.Message) + "."
	}
	parts := make([]string, len(e.Details))
	for i, d := range e.Details {
		parts[i] = d.Field + " " + d.Message
	}
	return capitalize(strings.Join(parts, "; ")) + "."
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// backTo is the page a button's form names in its "back" field when it is a console page, else
// fallback.
func backTo(r *http.Request, fallback string) string {
	if b := r.PostFormValue("back"); b != "" && safeNext(b) == b {
		return b
	}
	return fallback
}

// pathID reads the {id} of the path, answering 404 when it is not a positive integer.
func (c *Console) pathID(w http.ResponseWriter, r *http.Request) (uint, bool) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 32)
	if err != nil || id == 0 {
		c.fail(w, r, apperr.NotFound("page"))
		return 0, false
	}
	return uint(id), true
}

// query reads a list page's filters, sort and page like the API does: out-of-range values are
// collected as errors, never silently clamped.
type query struct {
	values url.Values
	check  apperr.Checker
}

func newQuery(v url.Values) *query { return &query{values: v} }

func (q *query) text(k string) string {
	s := strings.TrimSpace(q.values.Get(k))
	q.check.Length(k, s, 0, 200)
	return s
}

func (q *query) int64(k string) *int64 {
	s := strings.TrimSpace(q.values.Get(k))
	if s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		q.check.Add(k, "must be a whole number >= 0")
		return nil
	}
	return &n
}

func (q *query) bool(k string) *bool {
	switch q.values.Get(k) {
	case "":
		return nil
	case "true":
		b := true
		return &b
	case "false":
		b := false
		return &b
	}
	q.check.Add(k, "must be true or false")
	return nil
}

func (q *query) uint(k string) uint {
	s := strings.TrimSpace(q.values.Get(k))
	if s == "" {
		return 0
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n == 0 {
		q.check.Add(k, "must be a positive whole number")
		return 0
	}
	return uint(n)
}

// oneOf returns the value of k when it is empty or one of allowed.
func (q *query) oneOf(k string, allowed ...string) string {
	v := q.values.Get(k)
	if v == "" {
		return ""
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	q.check.Add(k, "must be one of %s", strings.Join(allowed, ", "))
	return ""
}

// date reads a YYYY-MM-DD day as its midnight UTC; days after is added (1 for an end date that
// is included).
func (q *query) date(k string, after int) time.Time {
	s := strings.TrimSpace(q.values.Get(k))
	if s == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		q.check.Add(k, "must be a date like 2026-11-30")
		return time.Time{}
	}
	return d.AddDate(0, 0, after)
}

// pageSize is the console's page length.
const pageSize = 20

func (q *query) list(sortable listing.Fields) listing.Options {
	opts := listing.Options{Page: 1, PageSize: pageSize}
	if s := q.values.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > math.MaxInt32/pageSize {
			q.check.Add("page", "must be a page number")
		} else {
			opts.Page = n
		}
	}
	for _, term := range strings.Split(q.values.Get("sort"), ",") {
		if term == "" {
			continue
		}
		field, desc := strings.CutPrefix(term, "-")
		if !sortable.Has(field) {
			q.check.Add("sort", "cannot sort by %q", field)
			continue
		}
		opts.Sort = append(opts.Sort, listing.Sort{Field: field, Desc: desc})
	}
	return opts
}

// err returns the parameters' errors as one sentence, or nil.
func (q *query) err() error {
	if err := q.check.Err(); err != nil {
		e, _ := apperr.As(err)
		return fmt.Errorf("%s", describe(e))
	}
	return nil
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// sortOptions offers every sort of a list, both directions.
func sortOptions(fields listing.Fields, current string) []option {
	opts := []option{{Value: "", Label: "default", Selected: current == ""}}
	for _, f := range fields {
		label := strings.ReplaceAll(f, "_", " ")
		opts = append(opts,
			option{Value: f, Label: label + " ↑", Selected: current == f},
			option{Value: "-" + f, Label: label + " ↓", Selected: current == "-"+f})
	}
	return opts
}

// pager links to the pages around the current one, keeping the filters.
type pager struct {
	Page, Pages int
	Total       int64
	Prev, Next  string
}

func newPager(u *url.URL, page, size int, total int64) pager {
	pages := int((total + int64(size) - 1) / int64(size))
	p := pager{Page: page, Pages: max(pages, 1), Total: total}
	link := func(n int) string {
		v := u.Query()
		v.Set("page", strconv.Itoa(n))
		return u.Path + "?" + v.Encode()
	}
	if page > 1 {
		p.Prev = link(min(page-1, p.Pages))
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	return p
}
