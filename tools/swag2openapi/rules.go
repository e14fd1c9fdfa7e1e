package main

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
)

type obj = map[string]any

// rule is one post-processing step on the converted document.
type rule struct {
	name  string
	apply func(doc obj) error
}

// Names used in the document.
const (
	bearerScheme = "BearerAuth"
	oauthScheme  = "OAuth2Password"
	tokenURL     = "/api/v1/auth/token"
	jsonType     = "application/json; charset=utf-8"
	csvType      = "text/csv; charset=utf-8"
	errorSchema  = "ErrorResponse"
)

// rules are applied in this order; later ones see the earlier ones' work.
func rules(types goTypes) []rule {
	return []rule{
		{"servers", servers},
		{"security schemes", securitySchemes},
		{"go types", func(doc obj) error { return fromGoTypes(doc, types) }},
		{"integer formats", integerFormats},
		{"schema names", schemaNames},
		{"composed schemas", composedSchemas},
		{"property descriptions", describeProperties},
		{"path examples", pathExamples},
		{"media types", mediaTypes},
		{"common responses", commonResponses},
		{"response headers", responseHeaders},
		{"sort parameters", sortParameters},
		{"error examples", errorExamples},
		{"operation ids", operationIDs},
		{"tags", tagsDescribed},
	}
}

func m(v any) obj {
	o, _ := v.(obj)
	return o
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// operations calls f for every operation of the document, in a stable order.
func operations(doc obj, f func(path, method string, op obj) error) error {
	paths := m(doc["paths"])
	for _, p := range sortedKeys(paths) {
		item := m(paths[p])
		for _, meth := range sortedKeys(item) {
			if op := m(item[meth]); op != nil && slices.Contains([]string{"get", "put", "post", "delete", "patch", "head", "options"}, meth) {
				if err := f(p, meth, op); err != nil {
					return fmt.Errorf("%s %s: %w", strings.ToUpper(meth), p, err)
				}
			}
		}
	}
	return nil
}

func sortedKeys[V any](o map[string]V) []string {
	ks := make([]string, 0, len(o))
	for k := range o {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// servers: the API lives under /api/v1 of the server that serves the description.
func servers(doc obj) error {
	doc["servers"] = []any{obj{"url": "/api/v1", "description": "this server"}}
	return nil
}

// securitySchemes: an HTTP bearer scheme (the user pastes the bare token; clients add
// "Bearer ") and the OAuth2 password flow of POST /auth/token, accepted wherever the bearer is.
func securitySchemes(doc obj) error {
	comps := m(doc["components"])
	if comps == nil {
		return fmt.Errorf("no components")
	}
	comps["securitySchemes"] = obj{
		bearerScheme: obj{
			"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
			"description": "The access_token of POST /auth/login or POST /auth/token, sent as `Authorization: Bearer <access_token>`. In Swagger UI's Authorize dialog paste the bare token.",
		},
		oauthScheme: obj{
			"type":        "oauth2",
			"description": "OAuth2 resource owner password grant (RFC 6749 §4.3): email and password for a bearer token. No client registration: client_id and client_secret may be left empty.",
			"flows":       obj{"password": obj{"tokenUrl": tokenURL, "scopes": obj{}}},
		},
	}
	return operations(doc, func(_, _ string, op obj) error {
		sec := list(op["security"])
		for _, req := range sec {
			if _, ok := m(req)[bearerScheme]; ok {
				op["security"] = append(sec, obj{oauthScheme: []any{}})
				return nil
			}
		}
		return nil
	})
}

// fromGoTypes reads the Go struct behind each schema: a response field that is neither a pointer
// nor omitempty is always sent, so it is required; a time.Time is a date-time. Request bodies
// keep swag's required list (binding:"required").
func fromGoTypes(doc obj, types goTypes) error {
	schemas := m(m(doc["components"])["schemas"])
	for _, name := range sortedKeys(schemas) {
		goName, _, _ := strings.Cut(name, "-") // dto.Page-dto_Order: the generic dto.Page
		fields, ok := types[goName]
		if !ok {
			return fmt.Errorf("schema %s: no Go type %s", name, goName)
		}
		s := m(schemas[name])
		props := m(s["properties"])
		var required []any
		for _, p := range sortedKeys(props) {
			f, ok := fields[p]
			if !ok {
				return fmt.Errorf("schema %s: property %s is not a JSON field of %s", name, p, goName)
			}
			if f.Time {
				ps := m(props[p])
				ps["type"], ps["format"] = "string", "date-time"
			}
			if !f.Optional {
				required = append(required, p)
			}
		}
		if !strings.HasSuffix(goName, "Request") && len(required) > 0 {
			s["required"] = required
		}
	}
	return nil
}

// integerFormats: every integer is an int64 unless swag said otherwise.
func integerFormats(doc obj) error {
	walk(doc, func(o obj) {
		if o["type"] == "integer" && o["format"] == nil {
			o["format"] = "int64"
		}
	})
	return nil
}

// walk calls f on every object of the tree.
func walk(v any, f func(obj)) {
	switch t := v.(type) {
	case obj:
		f(t)
		for _, k := range sortedKeys(t) {
			walk(t[k], f)
		}
	case []any:
		for _, e := range t {
			walk(e, f)
		}
	}
}

var genericName = regexp.MustCompile(`^(?:\w+\.)?(\w+)-(?:\w+_)?(\w+)$`)

// schemaNames drops the Go package from schema names: dto.Product → Product,
// dto.Page-dto_Order → OrderPage.
func schemaNames(doc obj) error {
	schemas := m(m(doc["components"])["schemas"])
	renamed := obj{}
	refs := map[string]string{}
	for _, old := range sortedKeys(schemas) {
		name := old[strings.LastIndex(old, ".")+1:]
		if g := genericName.FindStringSubmatch(old); g != nil {
			name = g[2] + g[1]
		}
		if _, dup := renamed[name]; dup {
			return fmt.Errorf("%s and another schema would both be named %s", old, name)
		}
		renamed[name] = schemas[old]
		refs["#/components/schemas/"+old] = "#/components/schemas/" + name
	}
	m(doc["components"])["schemas"] = renamed
	walk(doc, func(o obj) {
		if r, ok := o["$ref"].(string); ok {
			if n, ok := refs[r]; ok {
				o["$ref"] = n
			}
		}
	})
	return nil
}

// composedSchemas names swag's composition (@Success 200 {object} dto.Task{result=tasks.SalesReport},
// an allOf of Task and an object overriding result) as one schema, SalesReportTask: a copy of
// Task with the overridden properties. Generated clients then see one type, not an intersection
// with Task's untyped result.
func composedSchemas(doc obj) error {
	schemas := m(m(doc["components"])["schemas"])
	const prefix = "#/components/schemas/"
	var err error
	var composed []string
	walk(doc["paths"], func(o obj) {
		all := list(o["allOf"])
		if len(all) != 2 || err != nil {
			return
		}
		base, _ := m(all[0])["$ref"].(string)
		over := m(m(all[1])["properties"])
		if !strings.HasPrefix(base, prefix) || len(over) != 1 {
			return
		}
		var prop string
		for k := range over {
			prop = k
		}
		part, _ := m(over[prop])["$ref"].(string)
		name := strings.TrimPrefix(part, prefix) + strings.TrimPrefix(base, prefix)
		src := m(schemas[strings.TrimPrefix(base, prefix)])
		if src == nil || part == "" {
			err = fmt.Errorf("cannot compose %s with %s", base, part)
			return
		}
		copied := obj{}
		for k, v := range src {
			copied[k] = v
		}
		props := obj{}
		for k, v := range m(src["properties"]) {
			props[k] = v
		}
		props[prop] = obj{"$ref": part}
		copied["properties"] = props
		schemas[name] = copied
		delete(o, "allOf")
		o["$ref"] = prefix + name
		composed = append(composed, strings.TrimPrefix(base, prefix))
	})
	// A base schema that only served compositions is no longer used.
	for _, base := range composed {
		used := false
		walk(doc, func(o obj) { used = used || o["$ref"] == prefix+base })
		if !used {
			delete(schemas, base)
		}
	}
	return err
}

// mediaTypes: the server answers JSON as "application/json; charset=utf-8"; a 204 has no body.
// An operation that produces CSV (a download) answers its success as "text/csv; charset=utf-8"
// only, and its errors in the JSON envelope only.
func mediaTypes(doc obj) error {
	return operations(doc, func(_, _ string, op obj) error {
		// swag's formData parameters become a form body; its fields are required, so is it.
		if body := m(op["requestBody"]); body != nil && m(body["content"])["application/x-www-form-urlencoded"] != nil {
			body["required"] = true
		}
		for code, r := range m(op["responses"]) {
			resp := m(r)
			if code == "204" {
				delete(resp, "content")
				continue
			}
			content := m(resp["content"])
			if csv, ok := content["text/csv"]; ok {
				delete(content, "text/csv")
				if code[0] == '2' {
					resp["content"] = obj{csvType: csv}
					continue
				}
			}
			if mt, ok := content["application/json"]; ok {
				delete(content, "application/json")
				content[jsonType] = mt
			}
		}
		return nil
	})
}

// commonResponses: every API operation is rate limited (429) and has a deadline (503); both
// answers are documented once in components.responses and referenced everywhere.
func commonResponses(doc obj) error {
	comps := m(doc["components"])
	errRef := obj{"$ref": "#/components/schemas/" + errorSchema}
	retry := obj{"$ref": "#/components/headers/Retry-After"}
	reqID := obj{"$ref": "#/components/headers/X-Request-ID"}
	comps["headers"] = obj{
		"Retry-After": obj{
			"description": "Seconds to wait before trying again.",
			"schema":      obj{"type": "integer", "format": "int64", "minimum": 1, "example": 30},
		},
		"X-Request-ID": obj{
			"description": "The request's ID, echoed from the request's X-Request-ID or made up; every log line of the request carries it.",
			"schema":      obj{"type": "string", "example": "b7e4c3a2-1f0d-4e6b-9a8c-2d3e4f5a6b7c"},
		},
		"Location": obj{
			"description": "Path of the created resource.",
			"schema":      obj{"type": "string", "format": "uri-reference", "example": "/api/v1/orders/1"},
		},
	}
	comps["responses"] = obj{
		"TooManyRequests": obj{
			"description": "Too many requests from this client IP or user; retry after Retry-After seconds.",
			"headers":     obj{"Retry-After": retry, "X-Request-ID": reqID},
			"content":     obj{jsonType: obj{"schema": errRef, "example": errorExample(http.StatusTooManyRequests, "too many requests; slow down")}},
		},
		"Unavailable": obj{
			"description": "The request's deadline passed or the database is busy; retry after Retry-After seconds.",
			"headers":     obj{"Retry-After": retry, "X-Request-ID": reqID},
			"content":     obj{jsonType: obj{"schema": errRef, "example": errorExample(http.StatusServiceUnavailable, "the service is busy; try again")}},
		},
	}
	return operations(doc, func(_, _ string, op obj) error {
		rs := m(op["responses"])
		for code, name := range map[string]string{"429": "TooManyRequests", "503": "Unavailable"} {
			if r := m(rs[code]); r == nil || !strings.Contains(fmt.Sprint(m(r["content"])), "OAuthError") {
				rs[code] = obj{"$ref": "#/components/responses/" + name}
			}
		}
		return nil
	})
}

// responseHeaders: X-Request-ID on every answer, Retry-After on 429 and 503, Location on 201 and
// 202 (and on the 200 of POST /orders that replays an Idempotency-Key).
func responseHeaders(doc obj) error {
	return operations(doc, func(path, method string, op obj) error {
		for code, r := range m(op["responses"]) {
			resp := m(r)
			if _, ref := resp["$ref"]; ref {
				continue
			}
			h := m(resp["headers"])
			if h == nil {
				h = obj{}
				resp["headers"] = h
			}
			h["X-Request-ID"] = obj{"$ref": "#/components/headers/X-Request-ID"}
			switch {
			case code == "429" || code == "503":
				h["Retry-After"] = obj{"$ref": "#/components/headers/Retry-After"}
			case code == "201", code == "202", code == "200" && method == "post" && path == "/orders":
				h["Location"] = obj{"$ref": "#/components/headers/Location"}
			}
		}
		return nil
	})
}

// sortParameters: sort takes several comma-separated fields; swag can only say an enum of one.
func sortParameters(doc obj) error {
	return operations(doc, func(_, _ string, op obj) error {
		for _, p := range list(op["parameters"]) {
			param := m(p)
			if param["name"] != "sort" || param["in"] != "query" {
				continue
			}
			schema := m(param["schema"])
			var fields []string
			for _, v := range list(schema["enum"]) {
				f := strings.TrimPrefix(fmt.Sprint(v), "-")
				if !slices.Contains(fields, f) {
					fields = append(fields, f)
				}
			}
			if len(fields) == 0 {
				return fmt.Errorf("sort has no enum of fields")
			}
			one := "-?(" + strings.Join(fields, "|") + ")"
			delete(schema, "enum")
			schema["pattern"] = "^" + one + "(," + one + ")*$"
			schema["example"] = "-" + fields[len(fields)-1] + "," + fields[0]
			param["description"] = "Comma-separated fields to sort by, each with an optional '-' for descending; earlier fields take precedence. Fields: " + strings.Join(fields, ", ") + "."
		}
		return nil
	})
}

// errorCodes are the contract's error codes by status.
var errorCodes = map[int]string{
	400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
	409: "conflict", 413: "payload_too_large", 422: "validation_error", 429: "rate_limited",
	500: "internal", 503: "unavailable",
}

func errorExample(status int, message string) obj {
	return obj{"error": obj{"code": errorCodes[status], "message": message}}
}

// invalidExample is a 422 naming field of the request body.
func invalidExample(field, message string) obj {
	return obj{"error": obj{"code": errorCodes[http.StatusUnprocessableEntity], "message": "the request is not valid",
		"details": []any{obj{"field": field, "message": message}}}}
}

// bodyField is the first required property of op's JSON request body (else its first property).
func bodyField(doc obj, op obj) string {
	for _, mt := range m(m(op["requestBody"])["content"]) {
		ref, _ := m(m(mt)["schema"])["$ref"].(string)
		schema := m(m(m(doc["components"])["schemas"])[strings.TrimPrefix(ref, "#/components/schemas/")])
		if req := list(schema["required"]); len(req) > 0 {
			return fmt.Sprint(req[0])
		}
		if props := sortedKeys(m(schema["properties"])); len(props) > 0 {
			return props[0]
		}
	}
	return "body"
}

// errorExamples: each error answer gets an example with its own status's code and the
// annotation's description as the message, instead of swag's one example for every status.
func errorExamples(doc obj) error {
	return operations(doc, func(_, _ string, op obj) error {
		for code, r := range m(op["responses"]) {
			resp := m(r)
			var status int
			if _, err := fmt.Sscan(code, &status); err != nil || status < 400 {
				continue
			}
			for _, mt := range m(resp["content"]) {
				media := m(mt)
				if m(media["schema"])["$ref"] != "#/components/schemas/"+errorSchema {
					continue
				}
				msg := fmt.Sprint(resp["description"])
				if msg == http.StatusText(status) || msg == "" {
					msg = strings.ToLower(http.StatusText(status))
				}
				media["example"] = errorExample(status, msg)
				if status == http.StatusUnprocessableEntity {
					media["example"] = invalidExample(bodyField(doc, op), msg)
				}
			}
		}
		return nil
	})
}

// operationIDs: every operation must have one (swag's @ID); they are the client's method names.
func operationIDs(doc obj) error {
	seen := map[string]bool{}
	return operations(doc, func(_, _ string, op obj) error {
		id, _ := op["operationId"].(string)
		if id == "" {
			return fmt.Errorf("no operationId: add @ID to its annotations")
		}
		if seen[id] {
			return fmt.Errorf("operationId %s is used twice", id)
		}
		seen[id] = true
		return nil
	})
}

// tagsDescribed: every operation's tag is declared with a description (@tag.name and
// @tag.description in routes/routes.go), so that Swagger UI and generated docs explain it.
func tagsDescribed(doc obj) error {
	described := map[string]bool{}
	for _, t := range list(doc["tags"]) {
		if d, _ := m(t)["description"].(string); d != "" {
			described[fmt.Sprint(m(t)["name"])] = true
		}
	}
	return operations(doc, func(_, _ string, op obj) error {
		for _, t := range list(op["tags"]) {
			if !described[fmt.Sprint(t)] {
				return fmt.Errorf("tag %v is not declared with @tag.name and @tag.description in routes/routes.go", t)
			}
		}
		return nil
	})
}
