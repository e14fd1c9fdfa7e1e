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

.PHONY: help build run test test-race soak check fmt-check swag-check lint fmt vet swag api-check tools clean \
	docker-build docker-up docker-down docker-standin docker-smoke test-docker-mysql test-docker-sqlserver compose-check static-check \
	bench bench-scale bench-go

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

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

# The soak test is not part of `make test` (it skips without SOAK=1): a bounded mixed load on
# MariaDB with a worker, sampling heap and goroutines; SOAK_DURATION=30s for a short run.
SOAK_DURATION ?= 3m
soak: ## mixed load for SOAK_DURATION (3m) on MariaDB; fails if memory or goroutines grow or a request fails
	@export TIENDA_TEST_MYSQL_DSN="$${TIENDA_TEST_MYSQL_DSN:-$(MYSQL_TEST_DSN)}"; \
	SOAK=1 SOAK_DURATION='$(SOAK_DURATION)' $(GO) test -count=1 -run '^TestSoak$$' -v -timeout 60m $(TESTFLAGS) ./e2e/faults/

vet: ## go vet
	$(GO) vet ./...

lint: tools ## golangci-lint (pinned) with .golangci.yml
	$(GOBIN)/golangci-lint run ./...

# Everything CI checks before the tests, in CI's order; .ci/run calls it after making sure the
# tools these steps need (docker-compose, npm) are installed.
check: compose-check static-check fmt-check vet lint swag-check api-check ## the static checks CI runs before the tests
	@echo "check: ok"

fmt-check: ## fail when gofmt would change a file
	@unformatted=$$(git ls-files -z '*.go' | xargs -0 -r gofmt -l); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

swag-check: swag ## fail when docs/ is not what `make swag` generates
	@if ! git diff --quiet -- docs/; then \
		echo "docs/ is stale: run 'make swag' and commit the result" >&2; \
		git --no-pager diff --stat -- docs/ >&2; exit 1; \
	fi

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

swag: tools ## regenerate docs/ from the swag annotations
	$(GOBIN)/swag init --quiet --generalInfo routes/routes.go --exclude tools --output docs --outputTypes json
	$(GO) run ./tools/swagpost docs/swagger.json
	$(GO) run ./tools/swag2openapi docs/swagger.json docs/openapi.json .

# Needs Node.js and npm; the npm packages are pinned in tools/api-client/package-lock.json.
api-check: ## Spectral 0/0 on docs/openapi.json, typed TS client (tsc --strict) and its flow against a live server
	tools/api-client/check.sh

tools: ## install the pinned golangci-lint and swag CLIs when missing
	@$(GOBIN)/golangci-lint version 2>/dev/null | grep -q "$(GOLANGCI_VERSION:v%=%)" || \
		$(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	@$(GO) version -m $(GOBIN)/swag 2>/dev/null | grep -q "swaggo/swag[[:space:]]*$(SWAG_VERSION)" || \
		$(GO) install github.com/swaggo/swag/cmd/swag@$(SWAG_VERSION)

# ---- Benchmarks (not run by CI: too slow, and timing is no pass/fail test) ---------------------
# BENCH_FLAGS passes flags to tools/bench/main.go, e.g. BENCH_FLAGS='-runs 1 -duration 5s'; TIENDA_*
# variables in the environment override tienda's benchmark configuration.
BENCH_FLAGS ?=

bench: build ## load benchmark: tienda vs the hand-written limit on MariaDB, 3 runs (~15 min; needs wrk)
	$(GO) build -trimpath -o bin/tienda-limit ./tools/bench/limit
	$(GO) build -trimpath -o bin/bench ./tools/bench
	bin/bench -tienda $(BIN) -limit bin/tienda-limit -script tools/bench/wrk/scenario.lua $(BENCH_FLAGS)

bench-scale: build ## scaling table: tienda at 10k, 100k, 1M products with 1M orders (~15 min; needs wrk, Redis)
	$(GO) build -trimpath -o bin/bench ./tools/bench
	bin/bench -tienda $(BIN) -script tools/bench/wrk/scenario.lua -scale 10000,100000,1000000 -duration 10s -warmup 2s $(BENCH_FLAGS)

bench-go: ## Go benchmarks of the hot paths on SQLite (handler → service → repository, JSON)
	$(GO) test -run '^$$' -bench . -benchmem ./e2e/

clean: ## remove build output and the dev database
	rm -rf bin tienda.db tienda.db-shm tienda.db-wal

# ---- Docker ---------------------------------------------------------------------------------
# `docker compose` (v2) when the Docker CLI has it, else the standalone `docker-compose` (e.g.
# Debian's python v1, which .ci/run installs; `config` needs no Docker engine).
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo 'docker compose' || echo docker-compose)
# The Dockerfile uses BuildKit features (cache mounts); compose v1 builds with BuildKit only
# when told to.
DOCKER_ENV := DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
DEV_COMPOSE     := $(COMPOSE) -p tienda -f docker/docker-compose.yml
COMPOSE_FILES   := docker/docker-compose.yml docker/docker-compose.test.mysql.yml docker/docker-compose.test.sqlserver.yml
IMAGE ?= tienda

docker-build: ## build the runtime image tienda:$(VERSION) (needs a Docker engine)
	@$(STANDIN_ENV); $(DOCKER_ENV) docker build -f docker/Dockerfile --build-arg VERSION=$(VERSION) \
		$${GO_IMAGE:+--build-arg GO_IMAGE=$$GO_IMAGE} $${RUNTIME_IMAGE:+--build-arg RUNTIME_IMAGE=$$RUNTIME_IMAGE} \
		-t $(IMAGE):$(VERSION) -t $(IMAGE):latest .

# A JWT secret is required by the stack (it runs in production mode); when none is exported, a
# random one is made up for this run, so tokens do not survive `make docker-up` again.
docker-up: ## start the dev stack (MySQL, Redis, migrate, app on :8080, worker) in the background
	@export VERSION='$(VERSION)'; \
	if [ -z "$${TIENDA_JWT_SECRET:-}" ]; then \
		export TIENDA_JWT_SECRET=$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'); \
		echo "TIENDA_JWT_SECRET not set: using a random one for this run"; \
	fi; \
	$(STANDIN_ENV); $(DOCKER_ENV) $(DEV_COMPOSE) up --build -d && $(DEV_COMPOSE) ps

docker-down: ## stop the dev stack (keeps the MySQL volume; add -v by hand to drop them)
	TIENDA_JWT_SECRET=unused-by-down $(DEV_COMPOSE) down

# Runs the suite in the tests service against the database of docker/docker-compose.test.$(1).yml,
# removes the stack and its volumes whatever happened, and exits with the suite's status.
# docker/.standin.env (written by docker/standin.sh) selects the local stand-in images.
STANDIN_ENV := set -a; if [ -f docker/.standin.env ]; then . docker/.standin.env; fi; set +a
define compose_test
	@$(STANDIN_ENV); f=docker/docker-compose.test.$(1).yml; p=tienda-test-$(1); status=0; \
	TESTFLAGS='$(TESTFLAGS)' $(DOCKER_ENV) $(COMPOSE) -p $$p -f $$f \
		up --build --abort-on-container-exit --exit-code-from tests || status=$$?; \
	$(COMPOSE) -p $$p -f $$f down -v --remove-orphans; \
	echo "tests against $(1) in containers: exit status $$status"; \
	exit $$status
endef

test-docker-mysql: ## the whole suite in containers against MySQL 8.4 (needs a Docker engine)
	$(call compose_test,mysql)

test-docker-sqlserver: ## the whole suite in containers against SQL Server 2022 (needs a Docker engine)
	$(call compose_test,sqlserver)

docker-standin: ## build local stand-ins for the official images from Debian packages (no registry needed)
	docker/standin.sh

docker-smoke: ## production stack end to end: 2 workers, SMTP sink, order emails once, a worker SIGKILLed
	docker/smoke.sh

compose-check: ## validate every compose file with `compose config -q` (no Docker engine needed)
	@for f in $(COMPOSE_FILES); do \
		TIENDA_JWT_SECRET=compose-check-placeholder-0123456789abcdef $(COMPOSE) -f $$f config -q \
			|| { echo "$$f: invalid" >&2; exit 1; }; \
		echo "$$f: ok ($(COMPOSE))"; \
	done

# Builds the binary exactly as docker/Dockerfile's build stage does, then checks what the image
# relies on: it is static (runs on Alpine/scratch without libc), prints its version, and applies
# the migrations to a fresh SQLite file, from a directory holding only config.yaml like /app,
# in production mode as the compose stack runs it.
DOCKER_BUILD_LINE := CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$${VERSION}"
static-check: ## build the binary as the Dockerfile does; check it is static and runs version, migrate up
	@set -euo pipefail; \
	grep -qF '$(DOCKER_BUILD_LINE)' docker/Dockerfile || \
		{ echo "docker/Dockerfile does not build with DOCKER_BUILD_LINE (Makefile): keep the two in step" >&2; exit 1; }; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o "$$tmp/tienda" .; \
	if command -v file >/dev/null; then file -b "$$tmp/tienda"; fi; \
	lddout=$$(ldd "$$tmp/tienda" 2>&1 || true); echo "ldd: $$lddout" | tr -s ' \t\n' ' '; echo; \
	[[ "$$lddout" == *"not a dynamic executable"* ]] || { echo "not a static binary" >&2; exit 1; }; \
	cp config.yaml "$$tmp/"; cd "$$tmp"; \
	out=$$(./tienda version); echo "$$out"; \
	[[ "$$out" == "tienda $(VERSION) "* ]] || { echo "version should be $(VERSION)" >&2; exit 1; }; \
	export TIENDA_APP_ENV=production TIENDA_JWT_SECRET=static-check-secret-0123456789abcdef \
		TIENDA_DATABASE_DRIVER=sqlite TIENDA_DATABASE_DSN="$$tmp/t.db"; \
	./tienda migrate up; \
	status=$$(./tienda migrate status); echo "$$status"; \
	if grep -qi pending <<<"$$status"; then echo "migrations still pending after migrate up" >&2; exit 1; fi; \
	[ -s "$$tmp/t.db" ] || { echo "no database file at $$tmp/t.db" >&2; exit 1; }; \
	echo "static-check: ok"
