// Package docs holds tienda's Swagger 2.0 spec: swagger.json is generated from the handlers'
// annotations by `make swag` (swag init, then tools/swagpost) and must not be edited by hand.
package docs

import _ "embed"

//go:embed swagger.json
var swaggerJSON []byte

// SwaggerJSON returns the spec, served at /swagger/doc.json.
func SwaggerJSON() []byte { return swaggerJSON }
