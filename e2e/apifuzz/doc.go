// Package apifuzz is the spec-driven API fuzzer: it reads docs/swagger.json, converts it to
// OpenAPI 3 and sends seeded, generated requests for every operation through the real router,
// checking every answer against the spec and the contract (see apifuzz_test.go).
package apifuzz
