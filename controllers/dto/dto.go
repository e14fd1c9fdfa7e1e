// Package dto holds the JSON request and response types of the API. Requests are bound into
// these types, never into models, so a client cannot set a field the type does not have;
// responses are built from models by small functions, so nothing leaks that the type does not
// name. Struct tags other than json document the schema for Swagger; the rules are enforced by
// each request's Validate method.
package dto

import (
	"time"
)

// Page is the contract's list envelope.
type Page[T any] struct {
	Items    []T   `json:"items"`
	Total    int64 `json:"total" example:"1234"`
	Page     int   `json:"page" example:"1"`
	PageSize int   `json:"page_size" example:"20"`
}

// NewPage converts a page of models with conv.
func NewPage[M, T any](items []M, total int64, page, pageSize int, conv func(M) T) Page[T] {
	out := make([]T, len(items))
	for i, m := range items {
		out[i] = conv(m)
	}
	return Page[T]{Items: out, Total: total, Page: page, PageSize: pageSize}
}

// utc renders a stored time as UTC, whatever zone the driver scanned it in.
func utc(t time.Time) time.Time { return t.UTC() }
