package main

import (
	"fmt"
	"strings"
)

// descriptions say what each property means, with its unit, by "Schema.property" or, for a
// property that means the same everywhere, by its name alone. Every property must have one
// (from here or from a Go field comment); the rule fails on any that does not.
var descriptions = map[string]string{
	"id":                "Unique ID of the resource.",
	"created_at":        "When it was created (RFC 3339, UTC).",
	"updated_at":        "When it last changed (RFC 3339, UTC).",
	"email":             "Email address, stored in lower case; the login name.",
	"password":          "Password, 8 to 72 bytes of UTF-8. Never returned.",
	"full_name":         "The person's name, 1 to 200 characters.",
	"role":              "admin (manages everything) or customer (orders for themselves).",
	"is_active":         "false hides a product from customers, or keeps a user from logging in.",
	"sku":               "Stock keeping unit: the shop's own product code, 1 to 64 characters, unique among live products.",
	"name":              "Product name, 1 to 200 characters.",
	"description":       "Free text about the product, up to 2000 characters.",
	"price_cents":       "Price of one unit in integer cents (1299 = 12.99 in the shop's currency).",
	"stock":             "Units in stock.",
	"items":             "The items, in the requested order.",
	"total":             "Number of items matching the filters, over every page.",
	"page":              "Page number, from 1.",
	"page_size":         "Items per page.",
	"status":            "Order status: pending → paid → shipped → delivered, or cancelled (from pending or paid).",
	"total_cents":       "Sum of the lines, in integer cents.",
	"user_id":           "ID of the customer who placed it.",
	"product_id":        "ID of the product.",
	"quantity":          "Units of the product, 1 to 1000.",
	"unit_price_cents":  "Price of one unit when the order was placed, in integer cents.",
	"line_total_cents":  "quantity × unit_price_cents, in integer cents.",
	"access_token":      "The bearer token: send it as `Authorization: Bearer <access_token>`.",
	"token_type":        "Always bearer.",
	"expires_at":        "When the access token expires (RFC 3339, UTC).",
	"expires_in":        "Lifetime of the access token, in seconds.",
	"task_id":           "ID of the background task (a UUID); follow it with GET /tasks/{task_id}.",
	"state":             "Machinery's task state; SUCCESS and FAILURE are final.",
	"error":             "Why the task failed (state FAILURE).",
	"error_description": "Human-readable explanation of the error, in English.",
	"from":              "First day of the report, YYYY-MM-DD (UTC), included.",
	"to":                "Last day of the report, YYYY-MM-DD (UTC), included.",
	"field":             "The field or parameter that is wrong (a JSON name, a dotted path such as items.0.quantity, or a parameter name).",
	"message":           "Human-readable explanation, in English.",
	"code":              "Machine-readable error code; one per HTTP status.",
	"details":           "The invalid fields or parameters, for validation errors.",
	"orders":            "Orders placed that day (cancelled ones excluded).",
	"revenue_cents":     "Revenue of those orders, in integer cents.",
	"url":               "Path of the report's CSV download (GET /reports/{task_id}.csv, under the server's base): a header line, one line per day, then the totals.",
	"token":             "The token from the password reset email.",
	"current_password":  "The account's password now.",
	"new_password":      "The new password: at least 8 characters and at most 72 bytes (bcrypt's limit).",
	"progress":          "How far a sales report has come, 0 to 100 (100 once it succeeded); only sales reports have it.",
	"days":              "One entry per day of the range that has orders, oldest first.",

	"Order.items":                "The order's lines, one per product.",
	"PlaceOrderRequest.items":    "The lines, 1 to 50, each product at most once.",
	"OrderItem.name":             "The product's name when the order was placed.",
	"OrderItem.sku":              "The product's SKU when the order was placed.",
	"SalesDay.items":             "Units sold that day.",
	"SalesDay.day":               "The day, YYYY-MM-DD (UTC); \"total\" in totals.",
	"SalesReport.totals":         "Sums over the whole range.",
	"OAuthError.error":           "The RFC 6749 §5.2 error code.",
	"Task.name":                  "The task's name, e.g. build_sales_report.",
	"Task.updated_at":            "When a sales report's progress last moved (RFC 3339, UTC); absent before its worker starts it.",
	"SalesReportTask.updated_at": "When the report's progress last moved (RFC 3339, UTC); absent before its worker starts it.",
	"Task.result":                "The task's result once state is SUCCESS.",
	"SalesReportTask.name":       "The task's name: build_sales_report.",
	"SalesReportTask.result":     "The report, once state is SUCCESS.",
	"ErrorResponse.error":        "The error.",
	"OrderStatusRequest.status":  "The next status: paid, shipped, delivered (one step along the workflow).",
}

// describeProperties gives every property a description and email properties the email format.
func describeProperties(doc obj) error {
	schemas := m(m(doc["components"])["schemas"])
	var missing []string
	for _, name := range sortedKeys(schemas) {
		props := m(m(schemas[name])["properties"])
		for _, p := range sortedKeys(props) {
			ps := m(props[p])
			if p == "email" && ps["type"] == "string" {
				ps["format"] = "email"
			}
			if _, ref := ps["$ref"]; ref {
				// OpenAPI 3.0 ignores siblings of $ref: the referenced schema describes it.
				continue
			}
			d, ok := descriptions[name+"."+p]
			if !ok {
				d, ok = descriptions[p]
			}
			if s, _ := ps["description"].(string); s != "" && !strings.HasPrefix(s, "YYYY") {
				continue
			}
			if !ok {
				missing = append(missing, name+"."+p)
				continue
			}
			ps["description"] = d
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no description for %s: add one to descriptions", strings.Join(missing, ", "))
	}
	return nil
}

// pathExamples: path parameters get an example that names a resource on a database made by
// `tienda seed` (tools such as Dredd need one to build requests).
func pathExamples(doc obj) error {
	return operations(doc, func(_, _ string, op obj) error {
		for _, p := range list(op["parameters"]) {
			param := m(p)
			if param["in"] != "path" {
				continue
			}
			switch param["name"] {
			case "id":
				param["example"] = 1
			case "task_id":
				param["example"] = "9f1c2b1e-6a7d-4f0e-8a59-3c1f7e0b2d44"
			default:
				return fmt.Errorf("path parameter %v has no example", param["name"])
			}
		}
		return nil
	})
}
