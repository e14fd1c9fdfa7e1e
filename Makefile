# tienda: common tasks. `make help` lists them.
SHELL := /bin/bash
GO    ?= go
BIN   ?= bin/tienda
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

# Extra flags for go test, e.g. make test TESTFLAGS="-race -count=1 -run Products".
TESTFLAGS ?=
PKGS      ?= ./...
# Where `make test` looks for MariaDB/MySQL and Redis when TIENDA_TEST_* are not set.
MYSQL_TEST_DSN  ?= root@tcp(127.0.0.1:3306)/
REDIS_TEST_ADDR ?= 127.0.0.1:6379

GOLANGCI_VERSION := v2.15.0
SWAG_VERSION     := v1.16.6
GOBIN := $(shell $(GO) env GOPATH)/bin

.PHONY: help build run test test-race lint fmt vet swag tools clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build the static binary into bin/tienda
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

run: ## run the API on SQLite with the dev config (http://localhost:8080/swagger/index.html)
	$(GO) run . serve

# The suite always runs on SQLite; it also runs on MariaDB/MySQL when one answers on the default
# address (or TIENDA_TEST_MYSQL_DSN is set), and on SQL Server when TIENDA_TEST_SQLSERVER_DSN is.
# Set TIENDA_TEST_MYSQL_DSN= (empty) to force the SQLite-only run.
test: ## run the tests (SQLite, plus MariaDB when it answers on 127.0.0.1:3306)
	@if [ -z "$${TIENDA_TEST_MYSQL_DSN+set}" ] && (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null; then \
		export TIENDA_TEST_MYSQL_DSN='$(MYSQL_TEST_DSN)'; \
	fi; \
	if [ -z "$${TIENDA_TEST_REDIS_ADDR+set}" ] && (exec 3<>/dev/tcp/$(subst :,/,$(REDIS_TEST_ADDR))) 2>/dev/null; then \
		export TIENDA_TEST_REDIS_ADDR='$(REDIS_TEST_ADDR)'; \
	fi; \
	echo "engines: sqlite$${TIENDA_TEST_MYSQL_DSN:+ mysql}$${TIENDA_TEST_SQLSERVER_DSN:+ sqlserver}$${TIENDA_TEST_REDIS_ADDR:+ (redis at $$TIENDA_TEST_REDIS_ADDR)}"; \
	$(GO) test $(TESTFLAGS) $(PKGS)

test-race: ## the tests with the race detector
	@$(MAKE) --no-print-directory test TESTFLAGS="-race $(TESTFLAGS)"

vet: ## go vet
	$(GO) vet ./...

lint: tools ## golangci-lint (pinned) with .golangci.yml
	$(GOBIN)/golangci-lint run ./...

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

swag: tools ## regenerate docs/ from the swag annotations
	$(GOBIN)/swag init --quiet --generalInfo routes/routes.go --output docs --outputTypes json
	$(GO) run ./tools/swagpost docs/swagger.json

tools: ## install the pinned golangci-lint and swag CLIs when missing
	@$(GOBIN)/golangci-lint version 2>/dev/null | grep -q "$(GOLANGCI_VERSION:v%=%)" || \
		$(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	@$(GO) version -m $(GOBIN)/swag 2>/dev/null | grep -q "swaggo/swag[[:space:]]*$(SWAG_VERSION)" || \
		$(GO) install github.com/swaggo/swag/cmd/swag@$(SWAG_VERSION)

clean: ## remove build output and the dev database
	rm -rf bin tienda.db tienda.db-shm tienda.db-wal
