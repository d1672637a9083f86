#!/bin/sh
# Stands in for the mariadb image's entrypoint: initialise the data directory once, set root's password from
# MYSQL_ROOT_PASSWORD_FILE (for localhost and the stack network), create MYSQL_DATABASE, run mariadbd.
set -e
pw=$(cat "$MYSQL_ROOT_PASSWORD_FILE")
mkdir -p /run/mysqld
if [ ! -d /var/lib/mysql/mysql ]; then
    mariadb-install-db --user=root --datadir=/var/lib/mysql --skip-test-db >/dev/null
fi
cat > /run/mysqld/init.sql <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;
SQL
exec mariadbd --user=root --datadir=/var/lib/mysql --bind-address=0.0.0.0 --init-file=/run/mysqld/init.sql
