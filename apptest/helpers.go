package apptest

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"tienda/config"
	"tienda/models"
)

// FreeAddr returns a loopback host:port that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// SyncBuffer is a bytes.Buffer safe for the goroutines of a server or a child process.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Bytes returns a copy of what was written so far.
func (b *SyncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// String returns what was written so far.
func (b *SyncBuffer) String() string { return string(b.Bytes()) }

// WaitUntil polls ready every 20 ms until it reports true, and fails the test with what after
// timeout.
func WaitUntil(t testing.TB, timeout time.Duration, what string, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ready() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not ready after %s", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Product is a product as the API renders it.
type Product struct {
	ID          uint      `json:"id"`
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	PriceCents  int64     `json:"price_cents"`
	Stock       int64     `json:"stock"`
	IsActive    bool      `json:"is_active"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// OrderLine is a line of a POST /orders body.
type OrderLine struct {
	ProductID uint  `json:"product_id"`
	Quantity  int64 `json:"quantity"`
}

// CreateProduct creates a product as admin through the API and returns its ID.
func CreateProduct(t testing.TB, e *Env, admin User, sku, name string, price, stock int64) uint {
	t.Helper()
	var p Product
	Expect(t, e.Post("/products", admin.Token, map[string]any{
		"sku": sku, "name": name, "price_cents": price, "stock": stock,
	}), http.StatusCreated, "create product").Decode(t, &p)
	return p.ID
}

// PlaceOrder places an order as u through the API and returns its ID.
func PlaceOrder(t testing.TB, e *Env, u User, lines ...OrderLine) uint {
	t.Helper()
	var o struct {
		ID uint `json:"id"`
	}
	Expect(t, e.Post("/orders", u.Token, map[string]any{"items": lines}), http.StatusCreated, "place order").Decode(t, &o)
	return o.ID
}

// WithSMTP points the app's mailer at an SMTP server on host:port (e.g. a mailtest.Server).
func WithSMTP(host string, port int) Option {
	return WithConfig(func(c *config.Config) {
		c.Mail.SMTPHost, c.Mail.SMTPPort, c.Mail.StartTLS = host, port, false
	})
}

// WaitOutboxDone waits until every outbox message is done.
func WaitOutboxDone(t testing.TB, e *Env, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var open int64
		e.DB.Model(&models.OutboxMessage{}).Where("state <> ?", models.OutboxDone).Count(&open)
		if open == 0 {
			return
		}
		if time.Now().After(deadline) {
			var msgs []models.OutboxMessage
			e.DB.Find(&msgs)
			t.Fatalf("outbox not done after %s: %+v", timeout, msgs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
