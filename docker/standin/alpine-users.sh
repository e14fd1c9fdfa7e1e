#!/bin/sh
# Alpine's (busybox's) addgroup and adduser, as the Dockerfile's runtime stage calls them, on
# Debian's groupadd and useradd: installed as /usr/local/bin/addgroup and /usr/local/bin/adduser.
set -eu
case "$(basename "$0")" in
addgroup) # addgroup [-S] [-g GID] NAME
	args=""
	while getopts Sg: o; do case $o in S) args="$args --system" ;; g) args="$args -g $OPTARG" ;; *) exit 2 ;; esac; done
	shift $((OPTIND - 1))
	exec groupadd $args "$1" ;;
adduser) # adduser [-S] [-D] [-H] [-u UID] [-G GROUP] [-h HOME] [-s SHELL] NAME
	args="-M"
	while getopts SDHu:G:h:s: o; do case $o in
		S) args="$args --system" ;; D | H) ;; u) args="$args -u $OPTARG" ;; G) args="$args -g $OPTARG" ;;
		h) args="$args -d $OPTARG" ;; s) args="$args -s $OPTARG" ;; *) exit 2 ;; esac; done
	shift $((OPTIND - 1))
	exec useradd $args "$1" ;;
esac
echo "call me as addgroup or adduser" >&2; exit 2
