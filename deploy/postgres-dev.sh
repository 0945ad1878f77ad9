#!/usr/bin/env bash
# A throwaway PostgreSQL from the system's packages (apt-get install postgresql), for
# the test suite and the benchmarks. Data, socket and log stay in DIR; nothing else
# on the machine changes, and no system service is started.
#
#   eval "$(deploy/postgres-dev.sh start DIR [PORT])"  # exports SIGHTLINE_TEST_POSTGRES_URL
#   deploy/postgres-dev.sh stop DIR
#
# Postgres refuses to run as root, so under root it runs as the `postgres` user that
# the package created. PGDEV_FSYNC=on keeps fsync (benchmarks); tests turn it off.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2; }
[ $# -ge 2 ] || usage
action=$1 dir=$2 port=${3:-55432}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ]; then
  echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2
  exit 1
fi

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $action in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_postgres "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
        --no-sync >/dev/null
    fi
    as_postgres "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 \
          -c fsync=${PGDEV_FSYNC:-off} -c synchronous_commit=${PGDEV_FSYNC:-off}" \
      start >/dev/null
    echo "export SIGHTLINE_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_postgres "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    ;;
  *) usage ;;
esac
