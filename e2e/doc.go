// Package e2e holds the whole-application HTTP suites: each test builds the app with apptest on
// every engine the environment offers (SQLite always, MariaDB/MySQL and SQL Server when
// configured) and drives it through its router or a real loopback listener: products, orders,
// users, auth, access control, the OWASP API Top 10 checks, the Swagger spec against the router,
// Swagger UI in a real browser, and hot-path benchmarks. Its subpackages hold the spec-driven
// API fuzzer (apifuzz) and the fault, soak and Redis-queue suites (faults). Package-level tests
// of a layer stay next to it; this package imports anything and nothing imports it.
package e2e
