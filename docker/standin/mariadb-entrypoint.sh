#!/bin/bash
# First run (empty data directory): install the system tables, start the server without
# networking, set the root password for every host, create MYSQL_DATABASE and MYSQL_USER, stop;
# then run the server in the foreground on every interface. Flags alone are server flags.
set -euo pipefail
case "${1:-}" in -*) set -- mariadbd "$@" ;; esac
if [ "${1:-}" != mariadbd ] && [ "${1:-}" != mysqld ]; then exec "$@"; fi
shift
datadir=/var/lib/mysql
chown -R mysql:mysql "$datadir" /run/mysqld
if [ ! -d "$datadir/mysql" ]; then
	: "${MYSQL_ROOT_PASSWORD:?MYSQL_ROOT_PASSWORD is required}"
	echo "initialising $datadir"
	mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal >/dev/null
	mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket=/run/mysqld/init.sock "$@" &
	pid=$!
	for _ in $(seq 1 60); do mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1 && break; sleep 1; done
	sql="CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}';
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
ALTER USER 'root'@'localhost' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}';"
	if [ -n "${MYSQL_DATABASE:-}" ]; then
		sql+=$'\n'"CREATE DATABASE IF NOT EXISTS \`${MYSQL_DATABASE}\`;"
	fi
	if [ -n "${MYSQL_USER:-}" ]; then
		sql+=$'\n'"CREATE USER '${MYSQL_USER}'@'%' IDENTIFIED BY '${MYSQL_PASSWORD:-}';"
		[ -n "${MYSQL_DATABASE:-}" ] && sql+=$'\n'"GRANT ALL ON \`${MYSQL_DATABASE}\`.* TO '${MYSQL_USER}'@'%';"
	fi
	mariadb --socket=/run/mysqld/init.sock -uroot <<<"$sql FLUSH PRIVILEGES;"
	kill "$pid"; wait "$pid" || true
	echo "initialised"
fi
exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 "$@"
