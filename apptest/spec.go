package apptest

import (
	"context"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"

	"tienda/docs"
	"tienda/routes"
)

var ginParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// optionalResponseFields are the response properties the API leaves out when empty (omitempty):
// every other documented property of a response object must be present.
var optionalResponseFields = map[string]bool{"details": true, "result": true, "error": true, "before": true, "after": true}

// OpenAPI3 reads docs/swagger.json and converts it to OpenAPI 3. Response object schemas
// are closed: the API must send every documented property (except the omitempty ones) and
// nothing else, so a leaked field (a password hash, a deleted_at) fails validation.
func OpenAPI3(t *testing.T) *openapi3.T {
	t.Helper()
	raw := docs.SwaggerJSON()
	var doc2 openapi2.T
	if err := json.Unmarshal(raw, &doc2); err != nil {
		t.Fatalf("docs/swagger.json: %v", err)
	}
	doc, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		t.Fatalf("convert docs/swagger.json to OpenAPI 3: %v", err)
	}
	if err := openapi3.NewLoader().ResolveRefsIn(doc, nil); err != nil {
		t.Fatalf("resolve $refs: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the converted spec is not valid OpenAPI 3: %v", err)
	}
	seen := map[*openapi3.Schema]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, resp := range op.Responses.Map() {
				for _, mt := range resp.Value.Content {
					closeSchema(mt.Schema, seen)
				}
			}
		}
	}
	return doc
}

func closeSchema(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	if len(s.Properties) > 0 {
		no := false
		s.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
		s.Required = nil
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			if !optionalResponseFields[name] {
				s.Required = append(s.Required, name)
			}
			closeSchema(s.Properties[name], seen)
		}
	}
	closeSchema(s.Items, seen)
}

// SwaggerPath turns a Gin path under BasePath into the spec's form.
func SwaggerPath(ginPath string) string {
	return ginParam.ReplaceAllString(strings.TrimPrefix(ginPath, routes.BasePath), "{$1}")
}

// AccessByRoute maps "METHOD /path" (spec form) to the route table's access level. The table
// is read with zero-value dependencies: only methods, paths and access levels are used.
func AccessByRoute() map[string]routes.Access {
	m := map[string]routes.Access{}
	for _, r := range routes.API(routes.Deps{}) {
		m[r.Method+" "+SwaggerPath(r.Path)] = r.Access
	}
	return m
}
