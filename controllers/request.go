// Package controllers holds the HTTP handlers. A handler parses and validates the request, calls
// one service method and writes the response; errors go to the error middleware through
// c.Error. No SQL and no business rules here.
package controllers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"tienda/apperr"
	"tienda/listing"
)

// validator is a request body that can check itself.
type validator interface {
	Validate() error
}

// bindJSON decodes the JSON body into dst and validates it. Unknown fields are ignored (a client
// cannot set what dst does not have); malformed JSON, a wrong type (null included), an empty
// body or trailing data is a 400 `bad_request`, a body over the cap (http.max_body_bytes, which
// middleware.BodyLimit puts on every request) a 413, a broken rule a 422.
func bindJSON(c *gin.Context, dst validator) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return apperr.BadRequest("Content-Type must be application/json")
		}
	}
	dec := json.NewDecoder(c.Request.Body)
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if tooLarge(err) {
			return decodeError(err)
		}
		return apperr.BadRequest("the body must hold a single JSON value")
	}
	// null decodes into a struct as nothing at all: a PATCH of null would pass as an empty
	// patch, and a POST of null would be judged field by field instead of as the wrong type.
	if bytes.Equal(raw, []byte("null")) {
		return apperr.BadRequest("the body must be a JSON object")
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return decodeError(err)
	}
	return dst.Validate()
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return apperr.BadRequest("the request body is empty; a JSON object is expected")
	case tooLarge(err):
		return apperr.New(apperr.CodePayloadTooLarge, "the request body is too large")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.BadRequest("malformed JSON")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return apperr.BadRequest("the body must be a JSON object")
		}
		e := apperr.BadRequest("a field has the wrong type")
		e.Details = []apperr.FieldError{{Field: typ.Field, Message: "must be " + jsonType(typ.Type.Kind().String())}}
		return e
	}
	return apperr.BadRequest("malformed JSON")
}

func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func jsonType(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "an integer"
	case kind == "bool":
		return "a boolean"
	case kind == "string":
		return "a string"
	case kind == "slice":
		return "an array"
	case kind == "struct", kind == "map":
		return "an object"
	}
	return "of another type"
}

// pathID parses the :id path parameter: a positive integer, else 400.
func pathID(c *gin.Context) (uint, error) {
	return parseID("id", c.Param("id"))
}

func parseID(name, s string) (uint, error) {
	id, err := strconv.ParseUint(s, 10, 63)
	if err != nil || id == 0 {
		return 0, apperr.InvalidParams(apperr.FieldError{Field: name, Message: "must be a positive integer"})
	}
	return uint(id), nil
}

// Query-parameter limits of the contract's lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	// MaxPage keeps (page-1)*page_size far from overflow; no real list has this many pages.
	MaxPage = 1_000_000
	// MaxQueryLength bounds free-text filters.
	MaxQueryLength = 200
)

// query reads query parameters, collecting every problem as a 400 with details.
type query struct {
	c      *gin.Context
	errors apperr.Checker
}

func newQuery(c *gin.Context) *query { return &query{c: c} }

// int64 parses an optional integer parameter within [lo, hi].
func (q *query) int64(name string, lo, hi int64) *int64 {
	s, ok := q.c.GetQuery(name)
	if !ok {
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		q.errors.Add(name, "must be an integer")
		return nil
	}
	if v < lo || v > hi {
		q.errors.Add(name, "must be between %d and %d", lo, hi)
		return nil
	}
	return &v
}

// bool parses an optional true/false parameter.
func (q *query) bool(name string) *bool {
	s, ok := q.c.GetQuery(name)
	if !ok {
		return nil
	}
	switch strings.ToLower(s) {
	case "true", "1":
		v := true
		return &v
	case "false", "0":
		v := false
		return &v
	}
	q.errors.Add(name, "must be true or false")
	return nil
}

// text reads an optional free-text parameter of at most MaxQueryLength characters, without NUL.
func (q *query) text(name string) string {
	s := strings.TrimSpace(q.c.Query(name))
	switch {
	case apperr.Len(s) > MaxQueryLength:
		q.errors.Add(name, "must be at most %d characters", MaxQueryLength)
		return ""
	case strings.ContainsRune(s, 0):
		// SQLite's LIKE stops at a NUL: "a\x00b" would search for "a", and "\x00" match all.
		q.errors.Add(name, "must not contain NUL characters")
		return ""
	}
	return s
}

// oneOf reads an optional parameter that must be one of allowed.
func (q *query) oneOf(name string, allowed ...string) string {
	s, ok := q.c.GetQuery(name)
	if !ok {
		return ""
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	q.errors.Add(name, "must be one of %s", strings.Join(allowed, ", "))
	return ""
}

// list parses page, page_size and sort. sort is a comma-separated list of fields, each with an
// optional '-' for descending; fields outside sortable are rejected.
func (q *query) list(sortable listing.Fields) listing.Options {
	opts := listing.Options{Page: 1, PageSize: DefaultPageSize}
	if p := q.int64("page", 1, MaxPage); p != nil {
		opts.Page = int(*p)
	}
	if s := q.int64("page_size", 1, MaxPageSize); s != nil {
		opts.PageSize = int(*s)
	}
	if raw, ok := q.c.GetQuery("sort"); ok {
		for field := range strings.SplitSeq(raw, ",") {
			desc := strings.HasPrefix(field, "-")
			field = strings.TrimPrefix(field, "-")
			if !sortable.Has(field) {
				q.errors.Add("sort", "cannot sort by %q", field)
				continue
			}
			opts.Sort = append(opts.Sort, listing.Sort{Field: field, Desc: desc})
		}
	}
	return opts
}

// err returns the collected parameter errors as one 400.
func (q *query) err() error {
	if err := q.errors.Err(); err != nil {
		ae, _ := apperr.As(err)
		return apperr.InvalidParams(ae.Details...)
	}
	return nil
}

// setLocation sets the Location header of a created resource: the route's path with suffix
// replaced by collection, then "/<id>" (POST /api/v1/auth/register → /api/v1/users/7).
func setLocation(c *gin.Context, suffix, collection string, id uint) {
	c.Header("Location", strings.TrimSuffix(c.FullPath(), suffix)+collection+"/"+strconv.FormatUint(uint64(id), 10))
}
