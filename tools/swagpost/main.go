// Command swagpost finishes the Swagger spec that swag generates, for what swag annotations
// cannot say: an operation annotated `@x-optional-auth true` gets the security requirement
// [{}, {"BearerAuth": []}] (a token is optional: sent, it identifies the caller; absent, the
// caller is anonymous), so Swagger UI sends the token and clients see it is not required.
// `make swag` runs it after `swag init`.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: swagpost docs/swagger.json")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "swagpost:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		return err
	}
	paths, _ := spec["paths"].(map[string]any)
	for _, item := range paths {
		ops, _ := item.(map[string]any)
		for _, o := range ops {
			op, _ := o.(map[string]any)
			if op == nil || op["x-optional-auth"] != true {
				continue
			}
			delete(op, "x-optional-auth")
			op["security"] = []any{map[string]any{}, map[string]any{"BearerAuth": []any{}}}
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(spec); err != nil {
		return err
	}
	return os.WriteFile(path, out.Bytes(), 0o644)
}
