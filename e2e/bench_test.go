package e2e

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/models"
)

// The benchmarks below drive the hot paths of the load benchmark (bench/, docs/benchmarks.md)
// in isolation: the real router, middleware, services and repositories on a fresh SQLite
// database, without HTTP sockets or a load generator, so that a regression in the code shows
// as ns/op and allocs/op without MariaDB or wrk. Run them with `make bench-go`.

const benchProducts = 1000

// benchEnv is an application with benchProducts active products of ample stock, on SQLite, or
// on the engine TIENDA_BENCH_ENGINE names among those dbtest offers (e.g. mysql, with
// TIENDA_TEST_MYSQL_DSN set), to see a driver's share of the cost.
func benchEnv(b *testing.B) *apptest.Env {
	b.Helper()
	engine := dbtest.Engines()[0] // SQLite: always there
	if name := os.Getenv("TIENDA_BENCH_ENGINE"); name != "" {
		i := slices.IndexFunc(dbtest.Engines(), func(e dbtest.Engine) bool { return e.Name == name })
		if i < 0 {
			b.Fatalf("TIENDA_BENCH_ENGINE=%s is not among the engines this run offers", name)
		}
		engine = dbtest.Engines()[i]
	}
	e := apptest.New(b, engine)
	now := time.Now().UTC()
	products := make([]models.Product, benchProducts)
	for i := range products {
		products[i] = models.Product{
			SKU: fmt.Sprintf("BENCH-%05d", i+1), Name: fmt.Sprintf("Benchmark product %d", i+1),
			Description: "A product of the Go benchmarks.", PriceCents: int64(100 + i), Stock: 1_000_000_000,
			IsActive: true, CreatedAt: now, UpdatedAt: now,
		}
	}
	if err := e.DB.CreateInBatches(products, 200).Error; err != nil {
		b.Fatal(err)
	}
	// Bulk-inserted rows bypass the repository: set the list's counters (decision 0020) too.
	if err := e.DB.Exec("UPDATE product_counts SET live_count = ?, active_count = ? WHERE id = 1", benchProducts, benchProducts).Error; err != nil {
		b.Fatal(err)
	}
	return e
}

// reportCPU adds the process's CPU time per operation (user + system, all goroutines, GC
// included) to the benchmark's results: on a database server, wall time per operation is
// mostly waiting for it, while CPU time is what the code under test costs. Call it just before
// the loop and defer the function it returns.
func reportCPU(b *testing.B) func() {
	b.Helper()
	start := cpuNow()
	return func() { b.ReportMetric(float64(cpuNow()-start)/float64(b.N), "cpu-ns/op") }
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func expectOK(b *testing.B, r apptest.Response) {
	if r.Code < 200 || r.Code > 299 {
		b.Fatalf("got %s, want a 2xx", r)
	}
}

func BenchmarkGetProduct(b *testing.B) {
	e := benchEnv(b)
	b.ReportAllocs()
	defer reportCPU(b)()
	i := 0
	for b.Loop() {
		expectOK(b, e.Get(fmt.Sprintf("/products/%d", i%benchProducts+1), ""))
		i++
	}
}

// BenchmarkGetProductWithToken adds what a logged-in caller costs: the token check and the
// per-request user lookup that makes a deactivation take effect at once.
func BenchmarkGetProductWithToken(b *testing.B) {
	e := benchEnv(b)
	u := e.Customer()
	b.ReportAllocs()
	defer reportCPU(b)()
	i := 0
	for b.Loop() {
		expectOK(b, e.Get(fmt.Sprintf("/products/%d", i%benchProducts+1), u.Token))
		i++
	}
}

func BenchmarkListProducts(b *testing.B) {
	e := benchEnv(b)
	pages := benchProducts / 20
	b.ReportAllocs()
	defer reportCPU(b)()
	i := 0
	for b.Loop() {
		expectOK(b, e.Get(fmt.Sprintf("/products?page=%d&page_size=20", i%pages+1), ""))
		i++
	}
}

func BenchmarkPlaceOrder(b *testing.B) {
	e := benchEnv(b)
	u := e.Customer()
	b.ReportAllocs()
	defer reportCPU(b)()
	i := 0
	for b.Loop() {
		first := uint(i*7%benchProducts + 1)
		lines := []line{{ProductID: first, Quantity: 1}}
		for n := 1; n <= i%3; n++ { // 1 to 3 distinct products
			lines = append(lines, line{ProductID: (first+uint(n)*101-1)%benchProducts + 1, Quantity: 1})
		}
		r := e.Post("/orders", u.Token, orderBody(lines...))
		if r.Code != http.StatusCreated {
			b.Fatalf("place order: %s", r)
		}
		i++
	}
}
