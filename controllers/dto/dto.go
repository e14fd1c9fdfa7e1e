// Package dto holds the JSON request and response types of the API. Requests are bound into
// these types, never into models, so a client cannot set a field the type does not have;
// responses are built from models by small functions, so nothing leaks that the type does not
// name. Struct tags other than json document the schema for Swagger; the rules are enforced by
// each request's Validate method.
package dto

import (
	"time"

	"tienda/apperr"
)

// ErrorResponse is the contract's error envelope.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody describes what went wrong.
type ErrorBody struct {
	Code    apperr.Code         `json:"code" swaggertype:"string" enums:"validation_error,bad_request,unauthorized,forbidden,not_found,method_not_allowed,conflict,payload_too_large,rate_limited,internal,unavailable" example:"validation_error"`
	Message string              `json:"message" example:"the request is not valid"`
	Details []apperr.FieldError `json:"details,omitempty"`
}

// NewError builds the envelope for e.
func NewError(e *apperr.Error) ErrorResponse {
	return ErrorResponse{Error: ErrorBody{Code: e.Code, Message: e.Message, Details: e.Details}}
}

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
