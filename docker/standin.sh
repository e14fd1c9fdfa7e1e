#!/usr/bin/env bash
# Builds local stand-ins for the official images the Dockerfile and the compose files use, from
# Debian packages and the Go module proxy only, for machines that reach a Debian mirror but no
# image registry (air-gapped or mirror-only setups). See docs/decisions/0013-docker-images.md.
#
#   docker/standin.sh            # builds what is missing, writes docker/.standin.env
#   set -a; . docker/.standin.env; set +a
#   docker-compose -f docker/docker-compose.test.mysql.yml up --build ...
#
# Every image is tagged with a hash of its inputs (the recipe version, its files under docker/standin/,
# the mirror, the Go version), so a rerun skips the images whose inputs did not change. The
# environment file sets the variables the Dockerfile's build args and the compose files read
# (TIENDA_*_IMAGE, GO_IMAGE, RUNTIME_IMAGE); without it they fall back to the pinned official
# images.
#
# Settings: DEBIAN_MIRROR (default: the first deb.debian.org-like URI in the host's apt
# sources), GO_VERSION (default: the Dockerfile's GO_VERSION).
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's docker CLI builds with BuildKit; a newer client on PATH may lack buildx.
export PATH="/usr/bin:$PATH:/usr/local/go/bin" DOCKER_BUILDKIT=1
here=docker/standin
env_file=docker/.standin.env

mirror=${DEBIAN_MIRROR:-$(grep -rhoE '^(URIs:|deb) +http[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
	| head -n1 | sed -E 's/^(URIs:|deb) +//; s/ *$//' || true)}
mirror=${mirror:-http://deb.debian.org/debian}
go_version=${GO_VERSION:-$(sed -nE 's/^ARG GO_VERSION=([0-9.]+).*/\1/p' docker/Dockerfile)}

# Bump when the recipe below changes in a way the hashed files do not show.
recipe=1
# hash of the recipe version, the given files and extra strings
inputs_hash() { { echo "$recipe"; for a in "$@"; do if [ -f "$a" ]; then cat "$a"; else echo "$a"; fi; done; } | sha256sum | cut -c1-12; }
have() { docker image inspect "$1" >/dev/null 2>&1; }
log() { printf '[standin %s] %s\n' "$(date +%T)" "$*"; }

# 1. Debian bookworm minbase from the mirror.
base=tienda-standin/debian:bookworm-$(inputs_hash "$mirror")
if have "$base"; then log "$base: up to date"; else
	log "$base: debootstrap from $mirror"
	root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
	debootstrap --variant=minbase bookworm "$root" "$mirror" >/tmp/standin-debootstrap.log 2>&1 \
		|| { tail -n 30 /tmp/standin-debootstrap.log >&2; exit 1; }
	printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror" >"$root/etc/apt/sources.list"
	# No recommends and no docs in derived images: smaller and faster apt runs.
	printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$root/etc/apt/apt.conf.d/90standin"
	rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
	tar -C "$root" -c . | docker import -c 'CMD ["bash"]' -c 'ENV LANG=C.UTF-8' - "$base" >/dev/null
	rm -rf "$root"; trap - EXIT
fi

build() { # tag, dockerfile, context, build args...
	local tag=$1 file=$2 ctx=$3; shift 3
	if have "$tag"; then log "$tag: up to date"; return; fi
	log "$tag: building"
	local args=(--build-arg "BASE=$base")
	for a in "$@"; do args+=(--build-arg "$a"); done
	docker build -q -f "$file" "${args[@]}" -t "$tag" "$ctx" >/dev/null 2>"/tmp/standin-$(basename "$file").log" \
		|| { tail -n 40 "/tmp/standin-$(basename "$file").log" >&2; log "$tag: FAILED"; return 1; }
	log "$tag: built"
}

# 2. The Go toolchain at the pinned version, from the module proxy's golang.org/toolchain module
# (downloaded by the host's go, which checks it against the checksum database). The host's own
# trust anchors (/usr/local/share/ca-certificates, e.g. of a TLS-inspecting egress proxy) go in
# too, so that `go mod download` in the builds trusts what the host trusts.
cas=$(find /usr/local/share/ca-certificates -name '*.crt' 2>/dev/null | sort)
go_tag=tienda-standin/golang:$go_version-$(inputs_hash "$base" "$here/golang.Dockerfile" $cas)
if ! have "$go_tag"; then
	mod=golang.org/toolchain@v0.0.1-go$go_version.linux-amd64
	log "go $go_version: go mod download $mod"
	dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$mod" | sed -nE 's/^\s*"Dir": "(.*)",?$/\1/p')
	[ -f "$dir/bin/go" ] || { echo "no Go toolchain in '$dir'" >&2; exit 1; }
	ctx=$(mktemp -d)
	cp -al "$dir" "$ctx/go" 2>/dev/null || cp -a "$dir" "$ctx/go"
	mkdir "$ctx/ca"; for c in $cas; do cp "$c" "$ctx/ca/"; done
	build "$go_tag" "$here/golang.Dockerfile" "$ctx" || { rm -rf "$ctx"; exit 1; }
	rm -rf "$ctx"
else log "$go_tag: up to date"; fi

# 3. The rest are independent: build them in parallel.
runtime_tag=tienda-standin/runtime:$(inputs_hash "$base" "$here/runtime.Dockerfile" "$here/alpine-users.sh" "$here/wget.sh")
mariadb_tag=tienda-standin/mariadb:$(inputs_hash "$base" "$here/mariadb.Dockerfile" "$here/mariadb-entrypoint.sh")
redis_tag=tienda-standin/redis:$(inputs_hash "$base" "$here/redis.Dockerfile" "$here/redis-entrypoint.sh")
smtp_tag=tienda-standin/smtpsink:$(inputs_hash "$go_tag" "$here/smtpsink.Dockerfile" docker/smtpsink/main.go)
pids=()
build "$runtime_tag" "$here/runtime.Dockerfile" "$here" & pids+=($!)
build "$mariadb_tag" "$here/mariadb.Dockerfile" "$here" & pids+=($!)
build "$redis_tag" "$here/redis.Dockerfile" "$here" & pids+=($!)
build "$smtp_tag" "$here/smtpsink.Dockerfile" docker "GO_IMAGE=$go_tag" & pids+=($!)
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
[ $status -eq 0 ] || exit 1

cat >"$env_file" <<ENV
# Written by docker/standin.sh: local stand-ins for the official images. Delete to use those.
GO_IMAGE=$go_tag
RUNTIME_IMAGE=$runtime_tag
TIENDA_MYSQL_IMAGE=$mariadb_tag
TIENDA_REDIS_IMAGE=$redis_tag
TIENDA_SMTP_IMAGE=$smtp_tag
ENV
log "wrote $env_file"
# Older stand-ins (superseded inputs) only take space.
current=" $base $go_tag $runtime_tag $mariadb_tag $redis_tag $smtp_tag "
docker image ls --format '{{.Repository}}:{{.Tag}}' | grep '^tienda-standin/' | while read -r img; do
	[[ $current == *" $img "* ]] || docker rmi "$img" >/dev/null 2>&1 || true
done
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^tienda-standin/' | sort
