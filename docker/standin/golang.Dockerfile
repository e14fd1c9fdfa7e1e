# The Go toolchain of golang.org/toolchain (go/ in the build context) on the stand-in Debian base,
# laid out like the official golang image (GOROOT /usr/local/go, GOPATH /go), with the host's
# extra trust anchors (ca/). git and ca-certificates for `go mod download`; no gcc: tienda builds
# and tests with CGO_ENABLED=0 in Docker.
ARG BASE
FROM ${BASE}
COPY ca/ /usr/local/share/ca-certificates/
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates git \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# The module cache keeps files read-only and without exec bits.
COPY --chmod=0755 go /usr/local/go
ENV GOROOT=/usr/local/go GOPATH=/go GOTOOLCHAIN=local CGO_ENABLED=0 \
    PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /go
