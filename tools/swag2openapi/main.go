// Command swag2openapi turns the Swagger 2.0 spec that `swag init` writes (docs/swagger.json)
// into the OpenAPI 3 description tienda serves at /swagger/openapi.json (docs/openapi.json):
// kin-openapi's openapi2conv converts it, then the rules in rules.go, applied in order, add what
// swag's annotations cannot say (security schemes, media types, common responses and headers,
// required fields and formats read from the Go types, readable schema names). `make swag` runs
// it; CI checks that docs/ is fresh.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: swag2openapi docs/swagger.json docs/openapi.json MODULE_ROOT")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "swag2openapi:", err)
		os.Exit(1)
	}
}

func run(in, out, root string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	types, err := loadGoTypes(root)
	if err != nil {
		return err
	}
	doc, err := convert(raw, types)
	if err != nil {
		return err
	}
	return os.WriteFile(out, doc, 0o644)
}

// convert returns the OpenAPI 3 document for the Swagger 2.0 document raw, checked by
// kin-openapi's validator.
func convert(raw []byte, types goTypes) ([]byte, error) {
	var v2 openapi2.T
	if err := json.Unmarshal(raw, &v2); err != nil {
		return nil, fmt.Errorf("read the Swagger 2.0 spec: %w", err)
	}
	v3, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return nil, fmt.Errorf("convert: %w", err)
	}
	b, err := json.Marshal(v3)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	for _, r := range rules(types) {
		if err := r.apply(doc); err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.name, err)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	check, err := loader.LoadFromData(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("load the result: %w", err)
	}
	if err := check.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the result is not valid OpenAPI 3: %w", err)
	}
	return buf.Bytes(), nil
}
