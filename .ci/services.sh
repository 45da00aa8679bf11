#!/usr/bin/env bash
# Services the tests need: a real PostgreSQL (ledger, job queue) and a real Redis (job queue,
# delivery log). Idempotent; run as root on
# Debian. Progress goes to stderr; stdout carries only `export` lines, so .ci/run can do
#   eval "$(.ci/services.sh)"
set -euo pipefail

PG_USER=switchyard
PG_DB=switchyard
PG_PASSWORD=switchyard  # a throwaway CI database on localhost, not a secret

log() { echo "services: $*" >&2; }

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  log "installing PostgreSQL"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

# The first cluster Debian created (e.g. "15 main"); create one if the package left none.
read -r PG_VERSION PG_CLUSTER PG_PORT PG_STATUS _ < <(pg_lsclusters -h | head -n 1) || true
if [ -z "${PG_VERSION:-}" ]; then
  PG_VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  PG_CLUSTER=main
  log "creating cluster $PG_VERSION/$PG_CLUSTER"
  pg_createcluster "$PG_VERSION" "$PG_CLUSTER" >&2
  read -r PG_VERSION PG_CLUSTER PG_PORT PG_STATUS _ < <(pg_lsclusters -h | head -n 1)
fi
if [ "$PG_STATUS" != "online" ]; then
  log "starting PostgreSQL $PG_VERSION/$PG_CLUSTER on port $PG_PORT"
  pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start >&2
fi

for _ in $(seq 1 30); do
  if runuser -u postgres -- pg_isready -q -p "$PG_PORT" -h localhost; then break; fi
  sleep 1
done
runuser -u postgres -- pg_isready -q -p "$PG_PORT" -h localhost || {
  log "PostgreSQL did not become ready on port $PG_PORT"
  exit 1
}

psql_admin() { runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qAt "$@"; }

# CREATEDB: the tests make a throwaway schema per test, and may make databases.
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != "1" ]; then
  log "creating role $PG_USER"
  psql_admin -c "CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD'" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
  log "creating database $PG_DB"
  psql_admin -c "CREATE DATABASE $PG_DB OWNER $PG_USER" >&2
fi

echo "export SWITCHYARD_TEST_PG_URL=postgresql://$PG_USER:$PG_PASSWORD@localhost:$PG_PORT/$PG_DB"

# Redis: the queue's and the delivery log's scale-out store. Its own instance on a port of
# its own, no persistence (tests empty it), started once and left running like PostgreSQL.
REDIS_PORT=6390
if ! command -v redis-server >/dev/null 2>&1; then
  log "installing Redis"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
fi
if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  log "starting Redis on port $REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize yes --dir /tmp --logfile /tmp/switchyard-redis.log >&2
fi
for _ in $(seq 1 30); do
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then break; fi
  sleep 1
done
redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || {
  log "Redis did not become ready on port $REDIS_PORT"
  exit 1
}

echo "export SWITCHYARD_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
