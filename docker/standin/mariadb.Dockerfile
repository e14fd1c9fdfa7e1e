# Stands in for mysql:8.4 / mariadb:11: Debian's MariaDB server with an entrypoint honouring the
# same variables (MYSQL_ROOT_PASSWORD, MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD), first-run
# initialisation with networking off, server flags as the command, and mysqladmin for the
# compose healthchecks.
ARG BASE
FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends mariadb-server mariadb-client \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/lib/mysql/* \
 && mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld /var/lib/mysql \
 && command -v mysqladmin >/dev/null
COPY mariadb-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/mysql
ENTRYPOINT ["docker-entrypoint.sh"]
EXPOSE 3306
CMD ["mariadbd"]
