# Stands in for alpine: the Dockerfile's runtime stage calls addgroup and adduser with busybox's
# flags (alpine-users.sh maps them to groupadd/useradd) and the healthchecks call wget (wget.sh,
# an HTTP GET in bash); the rest is Debian minbase.
ARG BASE
FROM ${BASE}
COPY alpine-users.sh /usr/local/bin/addgroup
COPY wget.sh /usr/local/bin/wget
RUN ln -s addgroup /usr/local/bin/adduser
