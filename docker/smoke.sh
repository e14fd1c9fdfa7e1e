#!/usr/bin/env bash
# Smoke test of the production stack (docker/docker-compose.yml) from the host, as an operator
# would run it: build, start MySQL, Redis, migrate, the API, two workers and the SMTP sink; wait
# for healthy; create an admin with `compose run`; log in, create a product and place orders over
# HTTP; see each confirmation email reach the sink exactly once; place more orders, SIGKILL one
# worker while their jobs are queued, and still see every email exactly once. The stack and its
# volumes are removed whatever happens (trap). Each stage prints its wall time.
#
#   make docker-smoke      # or docker/smoke.sh; with docker/.standin.env present, its stand-ins
#
# Settings: SMOKE_PORT (18080) and SMOKE_SINK_PORT (18025) on 127.0.0.1, SMOKE_ORDERS (20).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/bin:$PATH" DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
if [ -f docker/.standin.env ]; then set -a; . docker/.standin.env; set +a; fi
COMPOSE=${COMPOSE:-$(docker compose version >/dev/null 2>&1 && echo 'docker compose' || echo docker-compose)}
project=tienda-smoke
export TIENDA_PORT=${SMOKE_PORT:-18080} TIENDA_MAILSINK_PORT=${SMOKE_SINK_PORT:-18025}
export TIENDA_JWT_SECRET=${TIENDA_JWT_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
orders=${SMOKE_ORDERS:-20}
api=http://127.0.0.1:$TIENDA_PORT/api/v1
sink=http://127.0.0.1:$TIENDA_MAILSINK_PORT/api/v1/messages
dc() { $COMPOSE -p "$project" -f docker/docker-compose.yml "$@"; }

t0=$SECONDS; ts=$SECONDS
stage() { printf '[smoke] %-44s %4ds\n' "$1" $((SECONDS - ts)); ts=$SECONDS; }
fail() {
	echo "[smoke] FAILED: $*" >&2
	dc ps >&2 || true
	dc logs --no-color --tail=40 >&2 || true
	exit 1
}
cleanup() { dc down -v --remove-orphans >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup # leftovers of an interrupted run

# curl wrapper: method, path, token, body; prints the body, fails on an unexpected status
call() {
	local method=$1 path=$2 token=$3 body=${4:-} want=${5:-2..} out code
	out=$(curl -sS --max-time 15 -X "$method" -H 'Content-Type: application/json' \
		${token:+-H "Authorization: Bearer $token"} ${body:+--data "$body"} \
		-w '\n%{http_code}' "$api$path") || fail "$method $path: curl failed"
	code=${out##*$'\n'}
	[[ $code =~ ^$want$ ]] || fail "$method $path: HTTP $code: ${out%$'\n'*}"
	printf '%s' "${out%$'\n'*}"
}
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {"d": d}))' "$1"; }

dc build >/tmp/tienda-smoke-build.log 2>&1 || { tail -n 40 /tmp/tienda-smoke-build.log >&2; fail "build"; }
stage "build (migrate's runtime image)"

dc up -d --scale worker=2 >/dev/null 2>&1 || fail "up"
app=$(dc ps -q app)
deadline=$((SECONDS + 180))
until health=$(docker inspect -f '{{.State.Health.Status}}' "$app" 2>/dev/null) && [ "$health" = healthy ]; do
	[ $SECONDS -lt $deadline ] || fail "app not healthy after 180s (${health:-no container})"
	sleep 2
done
[ "$(dc ps -q worker | wc -l)" -eq 2 ] || fail "want 2 worker containers"
curl -fsS --max-time 5 "$sink" >/dev/null || fail "SMTP sink API does not answer"
stage "up: mysql, redis, migrate, app, 2 workers, sink"

admin=smoke-admin@example.com pass=smoke-admin-password-1
printf '%s\n' "$pass" | dc run --rm --no-deps -T app create-admin --email "$admin" --password-stdin >/dev/null 2>&1 \
	|| fail "compose run create-admin"
token=$(call POST /auth/login "" "{\"email\":\"$admin\",\"password\":\"$pass\"}" | json 'd["access_token"]')
stage "admin via compose run, login"

product=$(call POST /products "$token" '{"sku":"SMOKE-1","name":"Smoke test","price_cents":1250,"stock":100000}' 201 | json 'd["id"]')
place() { # n orders; prints their ids
	for _ in $(seq 1 "$1"); do
		call POST /orders "$token" "{\"items\":[{\"product_id\":$product,\"quantity\":1}]}" 201 | json 'd["id"]'
	done
}
# every order in $1 (ids) has exactly one email at the sink, within 120 s
expect_emails() {
	local ids=$1 n msgs got
	n=$(wc -w <<<"$ids")
	local deadline=$((SECONDS + 120))
	while [ $SECONDS -lt $deadline ]; do
		msgs=$(curl -fsS --max-time 5 "$sink?limit=1000") || fail "sink"
		got=$(json 'd["total"]' <<<"$msgs")
		[ "$got" -ge "$n" ] && break
		sleep 1
	done
	sleep 3 # a duplicate would arrive late
	msgs=$(curl -fsS --max-time 5 "$sink?limit=1000")
	python3 - "$ids" "$msgs" <<'PY' || fail "emails are not exactly one per order"
import json, re, sys
ids = sys.argv[1].split()
msgs = json.loads(sys.argv[2])["messages"]
count = {}
for m in msgs:
    for i in re.findall(r"\d+", m["Subject"]):
        count[i] = count.get(i, 0) + 1
bad = {i: count.get(i, 0) for i in ids if count.get(i, 0) != 1}
print(f"[smoke] {len(msgs)} emails at the sink for {len(ids)} orders; not exactly once: {bad or 'none'}")
sys.exit(1 if bad or len(msgs) != len(ids) else 0)
PY
}
first=$(place 1)
expect_emails "$first"
stage "product, order, its email exactly once"

# Stop one worker's consumption mid-stream: orders go in, and while their jobs are queued one
# worker is SIGKILLed (no graceful stop); the other one and the outbox must still deliver each once.
victim=$(dc ps -q worker | head -n1)
ids=$(mktemp)
place "$orders" >"$ids" &
placing=$!
sleep 1
docker kill -s KILL "$victim" >/dev/null || fail "kill worker"
wait "$placing" || fail "placing orders"
more=$(cat "$ids"); rm -f "$ids"
[ "$(wc -w <<<"$more")" -eq "$orders" ] || fail "placed $(wc -w <<<"$more") of $orders orders"
expect_emails "$first $more"
stage "$orders orders, SIGKILL a worker, emails once"

cleanup
stage "down -v"
echo "[smoke] passed in $((SECONDS - t0))s"
