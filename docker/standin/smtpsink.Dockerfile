# Stands in for axllent/mailpit: docker/smtpsink (SMTP on 1025, mailpit's message list API on
# 8025), built with the stand-in Go image. The build context is docker/.
ARG GO_IMAGE
ARG BASE
FROM ${GO_IMAGE} AS build
COPY smtpsink/main.go /src/main.go
RUN cd /src && go mod init smtpsink >/dev/null 2>&1 && CGO_ENABLED=0 go build -trimpath -o /smtpsink .
FROM ${BASE}
COPY --from=build /smtpsink /usr/local/bin/smtpsink
EXPOSE 1025 8025
ENTRYPOINT ["/usr/local/bin/smtpsink"]
