#!/bin/bash
# The one use of wget in the images, `wget -q [-T SECONDS] -O /dev/null http://HOST:PORT/PATH`
# (the healthchecks), in bash over /dev/tcp: exit 0 on an HTTP 2xx answer. (Debian's busybox
# wget crashes when run as the image's non-root user.)
timeout=5 url=""
while [ $# -gt 0 ]; do
	case $1 in -T) timeout=$2; shift ;; -O) shift ;; -q) ;; http://*) url=$1 ;; esac
	shift
done
[[ $url =~ ^http://([^/:]+)(:([0-9]+))?(/.*)?$ ]] || { echo "wget stand-in: only http://host[:port]/path" >&2; exit 2; }
host=${BASH_REMATCH[1]} port=${BASH_REMATCH[3]:-80} path=${BASH_REMATCH[4]:-/}
exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$host" >&3
read -r -t "$timeout" _ code _ <&3 || exit 1
[[ $code == 2?? ]]
