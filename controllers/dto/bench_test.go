package dto_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"tienda/controllers/dto"
	"tienda/models"
)

// BenchmarkEncodeProductPage measures the JSON encoding of a list page of 20 products, the
// body of GET /products in the load benchmark.
func BenchmarkEncodeProductPage(b *testing.B) {
	now := time.Date(2026, 11, 28, 13, 45, 0, 123456000, time.UTC)
	items := make([]models.Product, 20)
	for i := range items {
		items[i] = models.Product{
			ID: uint(i + 1), SKU: fmt.Sprintf("BENCH-%05d", i+1), Name: fmt.Sprintf("Benchmark product %d", i+1),
			Description: "Product number 1 of the load benchmark's catalogue.", PriceCents: 1299, Stock: 1_000_000,
			IsActive: true, CreatedAt: now, UpdatedAt: now,
		}
	}
	b.ReportAllocs()
	var size int
	for b.Loop() {
		raw, err := json.Marshal(dto.NewPage(items, 10_000, 3, 20, dto.NewProduct))
		if err != nil {
			b.Fatal(err)
		}
		size = len(raw)
	}
	b.SetBytes(int64(size))
}
