package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/routes"
)

// swaggerSpec is the part of docs/swagger.json the tests read.
type swaggerSpec struct {
	Swagger             string                                 `json:"swagger"`
	BasePath            string                                 `json:"basePath"`
	SecurityDefinitions map[string]map[string]any              `json:"securityDefinitions"`
	Paths               map[string]map[string]swaggerOperation `json:"paths"`
}

type swaggerOperation struct {
	// Security is nil when the operation has no security member.
	Security   *[]map[string][]string `json:"security"`
	Parameters []swaggerParam         `json:"parameters"`
	Responses  map[string]any         `json:"responses"`
}

type swaggerParam struct {
	Name string `json:"name"`
	In   string `json:"in"`
}

// opsRoutes are served outside the API contract and are not in the spec.
var opsRoutes = []string{"/", "/healthz", "/readyz", "/metrics", "/swagger/*any", "/admin/*path"}

// tokenCheckedByHandler are the Public routes whose handler itself requires a bearer token:
// POST /auth/refresh must accept an expired token, so no JWT middleware may guard it, yet it
// answers 401 without a token and its operation declares BearerAuth so that Swagger UI sends
// one.
var tokenCheckedByHandler = map[string]bool{"POST /auth/refresh": true}

func readSpec(t *testing.T) (swaggerSpec, []byte) {
	t.Helper()
	raw, err := os.ReadFile("../docs/swagger.json")
	if err != nil {
		t.Fatalf("read the spec: %v", err)
	}
	var spec swaggerSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatalf("docs/swagger.json is not a spec: %v", err)
	}
	return spec, raw
}

func TestSwaggerMatchesRouter(t *testing.T) {
	t.Parallel()
	spec, _ := readSpec(t)
	e := apptest.New(t, dbtest.Engines()[0])

	registered := map[string]bool{}
	for _, r := range e.App.Handler.(*gin.Engine).Routes() {
		if slices.Contains(opsRoutes, r.Path) {
			continue
		}
		if !strings.HasPrefix(r.Path, routes.BasePath+"/") {
			t.Errorf("route %s %s is neither an ops route nor under %s", r.Method, r.Path, routes.BasePath)
			continue
		}
		registered[r.Method+" "+apptest.SwaggerPath(r.Path)] = true
	}
	documented := map[string]bool{}
	for path, ops := range spec.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for k := range registered {
		if !documented[k] {
			t.Errorf("route %s is registered but not in docs/swagger.json", k)
		}
	}
	for k := range documented {
		if !registered[k] {
			t.Errorf("docs/swagger.json documents %s, which the router does not serve", k)
		}
	}
	if len(registered) == 0 {
		t.Fatal("no API route registered")
	}
	if spec.Swagger != "2.0" || spec.BasePath != routes.BasePath {
		t.Errorf("swagger %q basePath %q, want 2.0 and %s", spec.Swagger, spec.BasePath, routes.BasePath)
	}
	bearer := spec.SecurityDefinitions["BearerAuth"]
	if bearer["type"] != "apiKey" || bearer["in"] != "header" || bearer["name"] != "Authorization" {
		t.Errorf("securityDefinitions.BearerAuth = %v, want an apiKey in the Authorization header", bearer)
	}
}

func TestSwaggerSecurityAndResponses(t *testing.T) {
	t.Parallel()
	spec, _ := readSpec(t)
	access := apptest.AccessByRoute()
	bearer := []map[string][]string{{"BearerAuth": {}}}
	optional := []map[string][]string{{}, {"BearerAuth": {}}}

	for path, ops := range spec.Paths {
		for method, op := range ops {
			key := strings.ToUpper(method) + " " + path
			level, ok := access[key]
			if !ok {
				t.Errorf("%s: documented but not in routes.API", key)
				continue
			}
			var sec []map[string][]string
			if op.Security != nil {
				sec = *op.Security
			}
			switch {
			case level == routes.Admin || level == routes.User || tokenCheckedByHandler[key]:
				if !reflect.DeepEqual(sec, bearer) {
					t.Errorf("%s (access %d): security %v, want [{BearerAuth: []}]", key, level, sec)
				}
			case level == routes.Optional:
				if !reflect.DeepEqual(sec, optional) {
					t.Errorf("%s (optional auth): security %v, want [{}, {BearerAuth: []}]", key, sec)
				}
			default:
				if op.Security != nil {
					t.Errorf("%s (public): security %v, want none", key, sec)
				}
			}

			if _, ok := op.Responses["500"]; !ok {
				t.Errorf("%s: no 500 response documented", key)
			}
			hasInput := slices.ContainsFunc(op.Parameters, func(p swaggerParam) bool {
				return p.In == "body" || p.In == "path"
			})
			if _, ok := op.Responses["400"]; hasInput && !ok {
				t.Errorf("%s: takes a body or path parameter but documents no 400", key)
			}
			if level != routes.Public || tokenCheckedByHandler[key] {
				if _, ok := op.Responses["401"]; !ok {
					t.Errorf("%s: looks at tokens but documents no 401", key)
				}
			}
			if level == routes.Admin {
				if _, ok := op.Responses["403"]; !ok {
					t.Errorf("%s: admins only but documents no 403", key)
				}
			}
		}
	}
}

func TestSwaggerUIServesTheSpec(t *testing.T) {
	t.Parallel()
	_, raw := readSpec(t)
	e := apptest.New(t, dbtest.Engines()[0])

	r := apptest.Expect(t, e.Get("//swagger/doc.json", ""), http.StatusOK, "GET /swagger/doc.json")
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("doc.json Content-Type %q, want application/json", ct)
	}
	var served, file any
	if err := json.Unmarshal(r.Body, &served); err != nil {
		t.Fatalf("doc.json is not JSON: %v", err)
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(served, file) {
		t.Error("GET /swagger/doc.json differs from docs/swagger.json")
	}

	want, err := os.ReadFile("../docs/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	r = apptest.Expect(t, e.Get("/"+routes.OpenAPIPath, ""), http.StatusOK, "GET "+routes.OpenAPIPath)
	if string(r.Body) != string(want) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("GET %s: Content-Type %q, want docs/openapi.json as JSON", routes.OpenAPIPath, r.Header.Get("Content-Type"))
	}
	r = apptest.Expect(t, e.Get("//swagger/swagger-initializer.js", ""), http.StatusOK, "Swagger UI's initializer")
	if !strings.Contains(string(r.Body), `"`+routes.OpenAPIPath+`"`) {
		t.Errorf("Swagger UI does not load %s: %.300s", routes.OpenAPIPath, r.Body)
	}

	r = apptest.Expect(t, e.Get("//swagger/index.html", ""), http.StatusOK, "GET /swagger/index.html")
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("index.html Content-Type %q, want text/html", ct)
	}
	if !strings.Contains(string(r.Body), "swagger-ui") {
		t.Errorf("index.html does not load Swagger UI: %.200s", r.Body)
	}
	apptest.Expect(t, e.Get("//swagger/swagger-ui-bundle.js?v=1", ""), http.StatusOK, "a Swagger UI script with a query string")

	// gin-swagger answered these 500 with an empty body: it matches "doc.json" anywhere.
	for _, path := range []string{"/swagger/doc.json/", "/swagger/doc.json/x", "/swagger/a/b/doc.json",
		"/swagger/a/index.html", "/swagger/nothing.js"} {
		expectError(t, e.Get("/"+path, ""), http.StatusNotFound, "not_found", "GET "+path)
	}
	r = apptest.Expect(t, e.Get("//swagger/index.html?x=doc.json", ""), http.StatusOK, "index.html with doc.json in the query")
	if !strings.Contains(string(r.Body), "swagger-ui") {
		t.Errorf("index.html?x=doc.json is not Swagger UI: %.200s", r.Body)
	}

	r = apptest.Expect(t, e.Get("//", ""), http.StatusFound, "GET /")
	if loc := r.Header.Get("Location"); loc != routes.SwaggerUIPath {
		t.Errorf("GET / redirects to %q, want %s", loc, routes.SwaggerUIPath)
	}
}

// TestHeadOnProbes: load balancers may probe with HEAD; it answers as GET does.
func TestHeadOnProbes(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, dbtest.Engines()[0])
	for _, path := range []string{routes.HealthPath, routes.ReadyPath} {
		apptest.Expect(t, e.Do(apptest.Request{Method: http.MethodHead, Path: "/" + path}), http.StatusOK, "HEAD "+path)
	}
}
