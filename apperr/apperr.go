// Package apperr is tienda's error vocabulary: typed application errors that carry the API
// contract's codes. Services return them; one middleware turns them into an HTTP status and the
// contract's error envelope. Any other error is an internal one and is never shown to clients.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is an error code of the API contract.
type Code string

// The contract's error codes.
const (
	CodeValidation       Code = "validation_error"
	CodeBadRequest       Code = "bad_request"
	CodeUnauthorized     Code = "unauthorized"
	CodeForbidden        Code = "forbidden"
	CodeNotFound         Code = "not_found"
	CodeMethodNotAllowed Code = "method_not_allowed"
	CodeConflict         Code = "conflict"
	CodePayloadTooLarge  Code = "payload_too_large"
	CodeRateLimited      Code = "rate_limited"
	CodeInternal         Code = "internal"
	CodeUnavailable      Code = "unavailable"
)

// FieldError names one invalid field or parameter.
type FieldError struct {
	Field   string `json:"field" example:"price_cents"`
	Message string `json:"message" example:"must be >= 0"`
}

// Error is an application error with a contract code and a message safe to show to clients.
type Error struct {
	Code    Code
	Message string
	Details []FieldError
	// RetryAfter, when positive, is sent as the Retry-After header (in seconds).
	RetryAfter int
	// Err is the cause, for logs only.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// HTTPStatus is the status the error is answered with.
func (e *Error) HTTPStatus() int {
	return e.Code.Status()
}

// Status is the HTTP status that goes with the code.
func (c Code) Status() int {
	switch c {
	case CodeValidation:
		return http.StatusUnprocessableEntity
	case CodeBadRequest:
		return http.StatusBadRequest
	case CodeUnauthorized:
		return http.StatusUnauthorized
	case CodeForbidden:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case CodeConflict:
		return http.StatusConflict
	case CodePayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// New returns an error with code and a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound is the error for a missing resource, e.g. NotFound("product").
func NotFound(what string) *Error { return New(CodeNotFound, "%s not found", what) }

// Conflict is the error for a request that clashes with the current state.
func Conflict(format string, args ...any) *Error { return New(CodeConflict, format, args...) }

// BadRequest is the error for a malformed request.
func BadRequest(format string, args ...any) *Error { return New(CodeBadRequest, format, args...) }

// Forbidden is the error for an authenticated caller that may not do this.
func Forbidden(format string, args ...any) *Error { return New(CodeForbidden, format, args...) }

// Unauthorized is the error for a missing or invalid credential.
func Unauthorized(format string, args ...any) *Error {
	return New(CodeUnauthorized, format, args...)
}

// Unavailable is the error for a dependency that is down or overloaded; the client may retry.
func Unavailable(cause error, format string, args ...any) *Error {
	e := New(CodeUnavailable, format, args...)
	e.Err = cause
	return e
}

// Invalid is a validation error listing the offending fields.
func Invalid(details ...FieldError) *Error {
	return &Error{Code: CodeValidation, Message: "the request is not valid", Details: details}
}

// InvalidParams is a 400 for query or path parameters that are out of range or unknown.
func InvalidParams(details ...FieldError) *Error {
	return &Error{Code: CodeBadRequest, Message: "invalid parameters", Details: details}
}

// As returns the application error inside err, if there is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
