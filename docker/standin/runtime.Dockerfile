# Stands in for alpine: the Dockerfile's runtime stage calls addgroup and adduser with busybox's
# flags (alpine-users.sh maps them to groupadd/useradd) and the healthcheck uses wget (busybox's
# applet); the rest is Debian minbase.
ARG BASE
FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends busybox \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && ln -s /bin/busybox /usr/local/bin/wget
COPY alpine-users.sh /usr/local/bin/addgroup
RUN ln -s addgroup /usr/local/bin/adduser
