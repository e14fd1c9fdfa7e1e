// Command limit is the yardstick of tienda's load benchmark: a deliberately minimal server for
// the four benchmarked endpoints (GET /products/{id}, GET /products, POST /orders, POST
// /auth/login) on tienda's own MySQL schema, written straight on net/http and database/sql with
// statements prepared once per connection and no framework. It answers in the contract's JSON
// shapes and is correct where it matters (an order checks that its user is still active with the
// token's version, and takes stock in one transaction with one conditional UPDATE for all its
// lines, never oversells; logins check bcrypt and issue HS256 tokens), and does nothing else: no
// idempotency keys, no outbox, no request IDs, no logging.
//
// What makes it fast (docs/benchmarks.md): the list's total is read from the counter row tienda
// keeps in product_counts (decision 0020) instead of COUNT(*); a page's ids come from the covering
// index (deleted_at, is_active, id) and are joined back to the rows ("deferred join"), and a page
// past the middle is read backwards from the end, so that no page walks more than half the index;
// an order is a fixed number of round trips whatever its line count (user check, BEGIN, one stock
// UPDATE, one price SELECT, the order INSERT, one multi-row INSERT of the lines, COMMIT).
//
// It is not part of tienda and must never serve real traffic: `make bench` builds and runs it.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/golang-jwt/jwt/v4"
	"golang.org/x/crypto/bcrypt"
)

func main() {
	if err := run(); err != nil {
		log.Fatalf("limit: %v", err)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	dsn := flag.String("dsn", "", "MySQL DSN of a database migrated by `tienda migrate up`")
	secret := flag.String("secret", os.Getenv("LIMIT_JWT_SECRET"), "HS256 secret (default $LIMIT_JWT_SECRET)")
	conns := flag.Int("max-conns", 32, "database connection pool size")
	cost := flag.Int("bcrypt-cost", 10, "bcrypt cost of the dummy hash compared for unknown emails")
	ttl := flag.Duration("ttl", time.Hour, "token lifetime")
	flag.Parse()
	if *dsn == "" || len(*secret) < 32 {
		return errors.New("-dsn and a secret of >= 32 bytes are required")
	}
	cfg, err := mysql.ParseDSN(*dsn)
	if err != nil {
		return err
	}
	cfg.ParseTime, cfg.Loc, cfg.ClientFoundRows = true, time.UTC, true
	cfg.Collation = "utf8mb4_unicode_ci"
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(*conns)
	db.SetMaxIdleConns(*conns)
	db.SetConnMaxLifetime(time.Hour)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	s, err := newServer(ctx, db, []byte(*secret), *cost, *ttl)
	if err != nil {
		return err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type server struct {
	db     *sql.DB
	secret []byte
	dummy  []byte
	ttl    time.Duration

	getProduct, countActive, pageForward, pageBackward, userByEmail, userByID, insertOrder *sql.Stmt

	mu        sync.Mutex
	byIDs     map[int]*sql.Stmt // SELECT ... WHERE id IN (?,?...) by number of ids
	itemsStmt map[int]*sql.Stmt // INSERT INTO order_items ... VALUES (...),(...) by number of rows
	takeStmt  map[int]*sql.Stmt // UPDATE products ... CASE id ... WHERE id IN (...) by number of ids
}

const productColumns = "id, sku, name, description, price_cents, stock, is_active, created_at, updated_at"

func newServer(ctx context.Context, db *sql.DB, secret []byte, cost int, ttl time.Duration) (*server, error) {
	dummy, err := bcrypt.GenerateFromPassword([]byte("no user has this password"), cost)
	if err != nil {
		return nil, err
	}
	s := &server{db: db, secret: secret, dummy: dummy, ttl: ttl,
		byIDs: map[int]*sql.Stmt{}, itemsStmt: map[int]*sql.Stmt{}, takeStmt: map[int]*sql.Stmt{}}
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&s.getProduct, "SELECT " + productColumns + " FROM products WHERE id = ? AND deleted_at = 0 AND is_active = 1"},
		{&s.countActive, "SELECT active_count FROM product_counts WHERE id = 1"},
		{&s.pageForward, pageQuery("")},
		{&s.pageBackward, pageQuery(" DESC")},
		{&s.userByEmail, "SELECT id, password_hash, role, is_active, token_version FROM users WHERE email = ? AND deleted_at = 0"},
		{&s.userByID, "SELECT is_active, token_version FROM users WHERE id = ? AND deleted_at = 0"},
		{&s.insertOrder, "INSERT INTO orders (user_id, status, total_cents, created_at, updated_at) VALUES (?, 'pending', ?, ?, ?)"},
	} {
		// The statements live as long as the server; closing the pool closes them.
		if *p.dst, err = db.PrepareContext(ctx, p.query); err != nil { //nolint:sqlclosecheck // see above
			return nil, fmt.Errorf("prepare %q: %w", p.query, err)
		}
	}
	return s, nil
}

// pageQuery reads a page of active products by a deferred join: LIMIT and OFFSET walk the
// covering index for ids only, and only the page's rows are read. With dir " DESC" it counts from
// the end (for pages past the middle); the rows come back in id order either way.
func pageQuery(dir string) string {
	return "SELECT " + prefixed("p.", productColumns) + " FROM products p JOIN (SELECT id FROM products" +
		" WHERE deleted_at = 0 AND is_active = 1 ORDER BY id" + dir + " LIMIT ? OFFSET ?) k ON k.id = p.id ORDER BY p.id"
}

func prefixed(prefix, columns string) string {
	return prefix + strings.ReplaceAll(columns, ", ", ", "+prefix)
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /api/v1/products/{id}", s.product)
	mux.HandleFunc("GET /api/v1/products", s.products)
	mux.HandleFunc("POST /api/v1/orders", s.placeOrder)
	mux.HandleFunc("POST /api/v1/auth/login", s.login)
	return mux
}

// The response shapes of the contract.

type product struct {
	ID          uint64    `json:"id"`
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	PriceCents  int64     `json:"price_cents"`
	Stock       int64     `json:"stock"`
	IsActive    bool      `json:"is_active"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type page struct {
	Items    []product `json:"items"`
	Total    int64     `json:"total"`
	Page     int       `json:"page"`
	PageSize int       `json:"page_size"`
}

type orderItem struct {
	ProductID      uint64 `json:"product_id"`
	SKU            string `json:"sku"`
	Name           string `json:"name"`
	Quantity       int64  `json:"quantity"`
	UnitPriceCents int64  `json:"unit_price_cents"`
	LineTotalCents int64  `json:"line_total_cents"`
}

type order struct {
	ID         uint64      `json:"id"`
	UserID     uint64      `json:"user_id"`
	Status     string      `json:"status"`
	TotalCents int64       `json:"total_cents"`
	Items      []orderItem `json:"items"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	var e errorBody
	e.Error.Code, e.Error.Message = code, msg
	writeJSON(w, status, e)
}

func internal(w http.ResponseWriter, err error) {
	if !errors.Is(err, context.Canceled) { // wrk hangs up on requests in flight when it stops
		log.Printf("limit: %v", err)
	}
	fail(w, http.StatusInternalServerError, "internal", "internal error")
}

type scanner interface{ Scan(...any) error }

func scanProduct(row scanner) (product, error) {
	var p product
	err := row.Scan(&p.ID, &p.SKU, &p.Name, &p.Description, &p.PriceCents, &p.Stock, &p.IsActive, &p.CreatedAt, &p.UpdatedAt)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

func (s *server) product(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 63)
	if err != nil || id == 0 {
		fail(w, http.StatusBadRequest, "validation_error", "id must be a positive integer")
		return
	}
	p, err := scanProduct(s.getProduct.QueryRowContext(r.Context(), id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		fail(w, http.StatusNotFound, "not_found", "product not found")
	case err != nil:
		internal(w, err)
	default:
		writeJSON(w, http.StatusOK, p)
	}
}

// queryInt reads an optional integer parameter within [lo, hi].
func queryInt(r *http.Request, name string, def, lo, hi int) (int, bool) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, true
	}
	v, err := strconv.Atoi(s)
	return v, err == nil && v >= lo && v <= hi
}

func (s *server) products(w http.ResponseWriter, r *http.Request) {
	pg, ok1 := queryInt(r, "page", 1, 1, 1_000_000)
	size, ok2 := queryInt(r, "page_size", 20, 1, 100)
	if !ok1 || !ok2 {
		fail(w, http.StatusBadRequest, "validation_error", "bad page or page_size")
		return
	}
	ctx := r.Context()
	out := page{Items: []product{}, Page: pg, PageSize: size}
	if err := s.countActive.QueryRowContext(ctx).Scan(&out.Total); err != nil {
		internal(w, err)
		return
	}
	if offset := int64(pg-1) * int64(size); offset < out.Total {
		st, limit := s.pageForward, int64(size)
		if n := min(limit, out.Total-offset); offset+n/2 > out.Total/2 {
			// Past the middle: skip the rows after the page rather than those before it.
			st, limit, offset = s.pageBackward, n, out.Total-offset-n
		}
		rows, err := st.QueryContext(ctx, limit, offset)
		if err != nil {
			internal(w, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanProduct(rows)
			if err != nil {
				internal(w, err)
				return
			}
			out.Items = append(out.Items, p)
		}
		if err := rows.Err(); err != nil {
			internal(w, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// stmt returns the prepared statement for n placeholders of a variable-length query, preparing
// it once.
func (s *server) stmt(ctx context.Context, cache map[int]*sql.Stmt, n int, build func(int) string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := cache[n]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, build(n)) //nolint:sqlclosecheck // cached for the server's life
	if err != nil {
		return nil, err
	}
	cache[n] = st
	return st, nil
}

func productsByIDs(n int) string {
	return "SELECT id, sku, name, price_cents FROM products WHERE id IN (?" + strings.Repeat(",?", n-1) + ")"
}

// takeStock takes the stock of n order lines in one conditional UPDATE: it changes a row only if
// the product is live, active and has the quantity, and the order goes on only if it changed all
// n. The scan of the primary key locks the rows in id order, as concurrent orders need.
// Arguments: (id, quantity) n times, the time, the n ids, (id, quantity) n times.
func takeStock(n int) string {
	cases := "CASE id" + strings.Repeat(" WHEN ? THEN ?", n) + " END"
	return "UPDATE products SET stock = stock - " + cases + ", updated_at = ? WHERE id IN (?" + strings.Repeat(",?", n-1) +
		") AND deleted_at = 0 AND is_active = 1 AND stock >= " + cases
}

func insertItems(n int) string {
	return "INSERT INTO order_items (order_id, product_id, sku, name, quantity, unit_price_cents, line_total_cents) VALUES " +
		"(?,?,?,?,?,?,?)" + strings.Repeat(",(?,?,?,?,?,?,?)", n-1)
}

type errConflict struct{ msg string }

func (e errConflict) Error() string { return e.msg }

func (s *server) placeOrder(w http.ResponseWriter, r *http.Request) {
	token, ok := s.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tienda"`)
		fail(w, http.StatusUnauthorized, "unauthorized", "invalid token")
		return
	}
	ok, err := s.userCurrent(r.Context(), token)
	if err != nil {
		internal(w, err)
		return
	}
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tienda"`)
		fail(w, http.StatusUnauthorized, "unauthorized", "invalid token")
		return
	}
	var req struct {
		Items []struct {
			ProductID uint64 `json:"product_id"`
			Quantity  int64  `json:"quantity"`
		} `json:"items"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "bad_request", "malformed JSON")
		return
	}
	n := len(req.Items)
	valid := n >= 1 && n <= 50
	qty := make(map[uint64]int64, n)
	for _, it := range req.Items {
		if it.ProductID == 0 || it.Quantity < 1 || it.Quantity > 1000 || qty[it.ProductID] != 0 {
			valid = false
		}
		qty[it.ProductID] = it.Quantity
	}
	if !valid {
		fail(w, http.StatusUnprocessableEntity, "validation_error", "1..50 distinct lines with quantities 1..1000")
		return
	}
	o, err := s.place(r.Context(), token.id, qty, func(yield func(uint64) bool) {
		for _, it := range req.Items {
			if !yield(it.ProductID) {
				return
			}
		}
	})
	var conflict errConflict
	switch {
	case errors.As(err, &conflict):
		fail(w, http.StatusConflict, "conflict", conflict.msg)
	case err != nil:
		internal(w, err)
	default:
		writeJSON(w, http.StatusCreated, o)
	}
}

// place runs the order's transaction: conditional stock updates in product-id order, the
// products' prices, the order row and its items in one batch.
func (s *server) place(ctx context.Context, userID uint64, qty map[uint64]int64, lineOrder func(func(uint64) bool)) (order, error) {
	ids := make([]uint64, 0, len(qty))
	for id := range qty {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	args := make([]any, len(ids))
	cases := make([]any, 0, 2*len(ids))
	for i, id := range ids {
		args[i] = id
		cases = append(cases, id, qty[id])
	}
	byIDs, err := s.stmt(ctx, s.byIDs, len(ids), productsByIDs)
	if err != nil {
		return order{}, err
	}
	items, err := s.stmt(ctx, s.itemsStmt, len(ids), insertItems)
	if err != nil {
		return order{}, err
	}
	take, err := s.stmt(ctx, s.takeStmt, len(ids), takeStock)
	if err != nil {
		return order{}, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return order{}, err
	}
	defer func() { _ = tx.Rollback() }()
	takeArgs := append(append(append(slices.Clip(cases), now), args...), cases...)
	res, err := txExec(ctx, tx, take, takeArgs...)
	if err != nil {
		return order{}, err
	}
	if n, err := res.RowsAffected(); err != nil || n != int64(len(ids)) {
		return order{}, errConflict{"not enough stock for a product, or it is not for sale"}
	}
	prices, err := readPrices(ctx, tx.StmtContext(ctx, byIDs), args, len(ids))
	if err != nil {
		return order{}, err
	}
	o := order{UserID: userID, Status: "pending", CreatedAt: now, UpdatedAt: now}
	for id := range lineOrder {
		p := prices[id]
		it := orderItem{ProductID: id, SKU: p.sku, Name: p.name, Quantity: qty[id], UnitPriceCents: p.cents, LineTotalCents: p.cents * qty[id]}
		o.Items = append(o.Items, it)
		o.TotalCents += it.LineTotalCents
	}
	res, err = txExec(ctx, tx, s.insertOrder, userID, o.TotalCents, now, now)
	if err != nil {
		return order{}, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return order{}, err
	}
	o.ID = uint64(id)
	itemArgs := make([]any, 0, 7*len(o.Items))
	for _, it := range o.Items {
		itemArgs = append(itemArgs, o.ID, it.ProductID, it.SKU, it.Name, it.Quantity, it.UnitPriceCents, it.LineTotalCents)
	}
	if _, err := txExec(ctx, tx, items, itemArgs...); err != nil {
		return order{}, err
	}
	return o, tx.Commit()
}

// txExec runs a prepared statement in tx.
func txExec(ctx context.Context, tx *sql.Tx, st *sql.Stmt, args ...any) (sql.Result, error) {
	ts := tx.StmtContext(ctx, st)
	defer ts.Close()
	return ts.ExecContext(ctx, args...)
}

// price is what an order line copies from its product.
type price struct {
	sku, name string
	cents     int64
}

func readPrices(ctx context.Context, st *sql.Stmt, args []any, n int) (map[uint64]price, error) {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	prices := make(map[uint64]price, n)
	for rows.Next() {
		var id uint64
		var p price
		if err := rows.Scan(&id, &p.sku, &p.name, &p.cents); err != nil {
			return nil, err
		}
		prices[id] = p
	}
	return prices, rows.Err()
}

// userCurrent reports whether the token's user still exists, is active and has not ended its
// sessions since the token was issued (the token's version is the user's).
func (s *server) userCurrent(ctx context.Context, c claims) (bool, error) {
	var active bool
	var version int64
	err := s.userByID.QueryRowContext(ctx, c.id).Scan(&active, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return active && version == c.Ver, err
}

// claims are those of the tokens login issues.
type claims struct {
	jwt.RegisteredClaims
	Ver int64 `json:"ver"`
	id  uint64
}

// authenticate checks an HS256 bearer token and returns its subject.
func (s *server) authenticate(r *http.Request) (claims, bool) {
	var c claims
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return c, false
	}
	_, err := jwt.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return s.secret, nil },
		jwt.WithValidMethods([]string{"HS256"}))
	if err != nil || c.ExpiresAt == nil {
		return c, false
	}
	c.id, err = strconv.ParseUint(c.Subject, 10, 63)
	return c, err == nil && c.id > 0
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "bad_request", "malformed JSON")
		return
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if email == "" || req.Password == "" {
		fail(w, http.StatusUnprocessableEntity, "validation_error", "email and password are required")
		return
	}
	var (
		id      uint64
		hash    string
		role    string
		active  bool
		version int64
	)
	err := s.userByEmail.QueryRowContext(r.Context(), email).Scan(&id, &hash, &role, &active, &version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		internal(w, err)
		return
	}
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(s.dummy, []byte(req.Password))
	}
	if hash == "" || bcrypt.CompareHashAndPassword([]byte(hash), []byte(req.Password)) != nil || !active {
		fail(w, http.StatusUnauthorized, "unauthorized", "invalid email or password")
		return
	}
	now := time.Now()
	exp := now.Add(s.ttl)
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": strconv.FormatUint(id, 10), "ver": version, "role": role,
		"exp": exp.Unix(), "orig_iat": now.Unix(),
	}).SignedString(s.secret)
	if err != nil {
		internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		AccessToken string    `json:"access_token"`
		TokenType   string    `json:"token_type"`
		ExpiresAt   time.Time `json:"expires_at"`
	}{token, "bearer", time.Unix(exp.Unix(), 0).UTC()})
}
