package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tienda/apperr"
	"tienda/listing"
	"tienda/models"
	"tienda/services"
)

// Catalogue is what the product pages need. Create and Replace validate their input with the
// API's rules and messages.
type Catalogue interface {
	List(ctx context.Context, actor services.Actor, q services.ProductQuery) (services.Page[models.Product], error)
	Get(ctx context.Context, actor services.Actor, id uint) (models.Product, error)
	Create(ctx context.Context, actor services.Actor, in services.ProductInput) (models.Product, error)
	Replace(ctx context.Context, actor services.Actor, id uint, in services.ProductInput) (models.Product, error)
	SetActive(ctx context.Context, actor services.Actor, id uint, active bool) (models.Product, error)
	Delete(ctx context.Context, actor services.Actor, id uint) error
	AdjustStock(ctx context.Context, actor services.Actor, id uint, delta int64) (models.Product, error)
}

func (c *Console) productRoutes() {
	p := Prefix + "/products"
	c.mux.Handle("GET "+p, c.admin(c.products))
	c.mux.Handle("GET "+p+"/new", c.admin(c.newProduct))
	c.mux.Handle("POST "+p, c.admin(c.createProduct))
	c.mux.Handle("GET "+p+"/{id}", c.admin(c.editProduct))
	c.mux.Handle("POST "+p+"/{id}", c.admin(c.replaceProduct))
	c.mux.Handle("POST "+p+"/{id}/active", c.admin(c.setProductActive))
	c.mux.Handle("POST "+p+"/{id}/stock", c.admin(c.adjustStock))
	c.mux.Handle("GET "+p+"/{id}/delete", c.admin(c.confirmDeleteProduct))
	c.mux.Handle("POST "+p+"/{id}/delete", c.admin(c.deleteProduct))
}

// productsPage is the content of products.html.
type productsPage struct {
	Filter  url.Values
	Sorts   []option
	Page    services.Page[models.Product]
	Pager   pager
	Problem string
}

func (c *Console) products(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r.URL.Query())
	filter := listing.ProductFilter{
		Q:             q.text("q"),
		MinPriceCents: q.int64("min_price_cents"),
		MaxPriceCents: q.int64("max_price_cents"),
		InStock:       q.bool("in_stock"),
		Active:        q.bool("is_active"),
	}
	opts := q.list(listing.ProductSorts)
	data := productsPage{Filter: q.values, Sorts: sortOptions(listing.ProductSorts, q.values.Get("sort"))}
	if err := q.err(); err != nil {
		data.Problem = err.Error()
		c.render(w, r, http.StatusBadRequest, "products.html", "Products", data)
		return
	}
	page, err := c.deps.Catalogue.List(r.Context(), actorOf(r), services.ProductQuery{Filter: filter, List: opts})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data.Page, data.Pager = page, newPager(r.URL, page.Page, page.PageSize, page.Total)
	c.render(w, r, http.StatusOK, "products.html", "Products", data)
}

// productForm is the content of product_form.html: the values as typed, and the errors next
// to their fields.
type productForm struct {
	Product models.Product // the product edited (ID 0 when new)
	Values  map[string]string
	Active  bool
	Errors  map[string]string
	Problem string
}

func (c *Console) newProduct(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "product_form.html", "New product", productForm{Active: true, Values: map[string]string{}})
}

func (c *Console) editProduct(w http.ResponseWriter, r *http.Request) {
	p, ok := c.product(w, r)
	if !ok {
		return
	}
	c.render(w, r, http.StatusOK, "product_form.html", p.Name, productFormOf(p))
}

func productFormOf(p models.Product) productForm {
	return productForm{Product: p, Active: p.IsActive, Values: map[string]string{
		"sku": p.SKU, "name": p.Name, "description": p.Description,
		"price_cents": strconv.FormatInt(p.PriceCents, 10), "stock": strconv.FormatInt(p.Stock, 10),
	}}
}

// product loads the product named by the path, or answers the error.
func (c *Console) product(w http.ResponseWriter, r *http.Request) (models.Product, bool) {
	id, ok := c.pathID(w, r)
	if !ok {
		return models.Product{}, false
	}
	p, err := c.deps.Catalogue.Get(r.Context(), actorOf(r), id)
	if err != nil {
		c.fail(w, r, err)
		return models.Product{}, false
	}
	return p, true
}

// readProduct parses the product form; numbers that do not parse are field errors.
func readProduct(r *http.Request) (services.ProductInput, productForm, error) {
	f := productForm{Values: map[string]string{}, Active: r.PostFormValue("is_active") == "true"}
	for _, k := range []string{"sku", "name", "description", "price_cents", "stock"} {
		f.Values[k] = r.PostFormValue(k)
	}
	in := services.ProductInput{
		SKU: f.Values["sku"], Name: f.Values["name"], Description: f.Values["description"], IsActive: f.Active,
	}
	var c apperr.Checker
	var err error
	if in.PriceCents, err = strconv.ParseInt(strings.TrimSpace(f.Values["price_cents"]), 10, 64); err != nil {
		c.Add("price_cents", "must be a whole number of cents")
	}
	if in.Stock, err = strconv.ParseInt(strings.TrimSpace(f.Values["stock"]), 10, 64); err != nil {
		c.Add("stock", "must be a whole number")
	}
	return in, f, c.Err()
}

func (c *Console) createProduct(w http.ResponseWriter, r *http.Request) {
	in, form, err := readProduct(r)
	var p models.Product
	if err == nil {
		p, err = c.deps.Catalogue.Create(r.Context(), actorOf(r), in)
	}
	if err != nil {
		c.formError(w, r, err, "product_form.html", "New product", &form)
		return
	}
	c.redirect(w, r, productPath(p.ID), flash{Kind: "ok", Text: "Product " + p.SKU + " created."})
}

func (c *Console) replaceProduct(w http.ResponseWriter, r *http.Request) {
	p, ok := c.product(w, r)
	if !ok {
		return
	}
	in, form, err := readProduct(r)
	form.Product = p
	saved := p
	if err == nil {
		saved, err = c.deps.Catalogue.Replace(r.Context(), actorOf(r), p.ID, in)
	}
	if err != nil {
		c.formError(w, r, err, "product_form.html", p.Name, &form)
		return
	}
	c.redirect(w, r, productPath(p.ID), flash{Kind: "ok", Text: "Product " + saved.SKU + " saved."})
}

func (c *Console) setProductActive(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	active := r.PostFormValue("active") == "true"
	p, err := c.deps.Catalogue.SetActive(r.Context(), actorOf(r), id, active)
	if err != nil {
		c.actionError(w, r, productPath(id), err)
		return
	}
	word := "deactivated: customers no longer see it"
	if active {
		word = "activated: customers can order it"
	}
	c.redirect(w, r, backTo(r, productPath(id)), flash{Kind: "ok", Text: "Product " + p.SKU + " " + word + "."})
}

func (c *Console) adjustStock(w http.ResponseWriter, r *http.Request) {
	id, ok := c.pathID(w, r)
	if !ok {
		return
	}
	delta, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("delta")), 10, 64)
	if err != nil {
		c.redirect(w, r, productPath(id), flash{Kind: "error", Text: "The stock change must be a whole number, like 5 or -2."})
		return
	}
	p, err := c.deps.Catalogue.AdjustStock(r.Context(), actorOf(r), id, delta)
	if err != nil {
		c.actionError(w, r, productPath(id), err)
		return
	}
	c.redirect(w, r, productPath(id), flash{Kind: "ok", Text: "Stock of " + p.SKU + " is now " + strconv.FormatInt(p.Stock, 10) + "."})
}

func (c *Console) confirmDeleteProduct(w http.ResponseWriter, r *http.Request) {
	p, ok := c.product(w, r)
	if !ok {
		return
	}
	c.render(w, r, http.StatusOK, "product_delete.html", "Delete "+p.Name, p)
}

func (c *Console) deleteProduct(w http.ResponseWriter, r *http.Request) {
	p, ok := c.product(w, r)
	if !ok {
		return
	}
	if err := c.deps.Catalogue.Delete(r.Context(), actorOf(r), p.ID); err != nil {
		c.actionError(w, r, productPath(p.ID), err)
		return
	}
	c.redirect(w, r, Prefix+"/products", flash{Kind: "ok", Text: "Product " + p.SKU + " deleted."})
}

func productPath(id uint) string { return Prefix + "/products/" + strconv.FormatUint(uint64(id), 10) }
