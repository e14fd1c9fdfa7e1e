#!/usr/bin/env bash
# The Docker block of CI (.ci/run calls it; it runs alone too): make sure an engine runs (install
# docker.io/debootstrap when missing; a dockerd started here is stopped at the end), build the
# stand-in images (docker/standin.sh: this machine reaches no registry), run the whole suite in
# the MySQL test stack and print the go test summary from inside the tests container, then the
# production-stack smoke (docker/smoke.sh). Every stage is bounded by `timeout` and prints its
# wall time; the EXIT trap tears down what this started.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
export CI=true
step() { printf '\n==> %s\n' "$*"; }
wait_for() { # name, probe command...
	local name=$1; shift
	for _ in $(seq 1 60); do
		if "$@" >/dev/null 2>&1; then echo "$name answers"; return 0; fi
		sleep 1
	done
	echo "$name does not answer after 60s" >&2
	return 1
}
apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}
# Debian's docker CLI first: it builds with BuildKit, a newer client on PATH may lack buildx.
# Everything is bounded by `timeout`; whatever this block starts is stopped by the EXIT trap.
export PATH="/usr/bin:$PATH" DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
docker_t0=$SECONDS
stage_t=$SECONDS
stage_time() { echo "[docker] $1: $((SECONDS - stage_t))s"; stage_t=$SECONDS; }
dockerd_pid=""
test_project=tienda-ci-test-mysql
test_compose=(docker-compose -p "$test_project" -f docker/docker-compose.test.mysql.yml)
docker_cleanup() {
	"${test_compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
	if [ -n "$dockerd_pid" ]; then
		echo "[docker] stopping the dockerd this run started (pid $dockerd_pid)"
		kill "$dockerd_pid" 2>/dev/null && timeout 60 tail --pid="$dockerd_pid" -f /dev/null || true
	fi
}
trap docker_cleanup EXIT

step "docker: engine"
need=()
[ -x /usr/bin/docker ] && command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v docker-compose >/dev/null || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then apt_install "${need[@]}"; fi
if ! docker info >/dev/null 2>&1; then
	dockerd >/tmp/tienda-ci-dockerd.log 2>&1 &
	dockerd_pid=$!
	wait_for dockerd docker info || { tail -n 30 /tmp/tienda-ci-dockerd.log >&2; exit 1; }
fi
docker version --format 'engine {{.Server.Version}}, client {{.Client.Version}}'
docker-compose version --short
stage_time "engine"

step "docker: stand-in images (docker/standin.sh)"
timeout 20m docker/standin.sh
set -a; . docker/.standin.env; set +a
stage_time "stand-ins"

# The whole suite in the tests container: SQLite, MariaDB (the MySQL stand-in), Redis, Chromium,
# CI=true. Its go test summary is printed below; the full log follows a failure.
step "docker: test stack (docker/docker-compose.test.mysql.yml)"
log=$(mktemp)
"${test_compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
set +e
timeout 40m "${test_compose[@]}" up --no-color --build --abort-on-container-exit --exit-code-from tests >"$log" 2>&1
status=$?
set -e
grep -E '^#[0-9]+ ERROR|^ERROR|failed to build' "$log" || true
grep -E '^tests[-_]1 +\| +(ok|FAIL|---|panic:|engines:|\S+\.go:[0-9]+:)' "$log" | grep -v -- '--- PASS' || true
"${test_compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
echo "[docker] test stack: exit status $status"
if [ $status -ne 0 ]; then
	echo "test stack failed; the end of its log follows" >&2
	tail -n 200 "$log" >&2
	exit $status
fi
stage_time "test stack (build + suite)"

step "docker: production stack smoke (docker/smoke.sh)"
timeout 15m docker/smoke.sh
stage_time "smoke"
# Each rebuild of the tests image leaves the previous one (2.7 GB) untagged.
docker image prune -f >/dev/null || true
echo "[docker] block: $((SECONDS - docker_t0))s"
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^tienda' | sort
