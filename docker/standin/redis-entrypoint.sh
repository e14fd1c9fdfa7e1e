#!/bin/sh
# Like the official redis image: flags alone mean redis-server; without a config file listen on
# every interface of the container with protected mode off (the compose network is private).
set -e
case "$1" in -*) set -- redis-server "$@" ;; esac
if [ "$1" = redis-server ]; then
	shift
	set -- redis-server --bind 0.0.0.0 --protected-mode no "$@"
fi
exec "$@"
