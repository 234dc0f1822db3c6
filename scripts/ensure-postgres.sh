#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 (install and start it with apt
# when it does not), then print a DATABASE_URL for the portal. Progress goes to stderr.
set -euo pipefail
HOST=${PGHOST:-127.0.0.1}
PORT=${PGPORT:-5432}
URL="postgres://postgres:postgres@$HOST:$PORT/portail"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "==> Installation de PostgreSQL (apt)" >&2
    as_root apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
  fi
  version=$(ls /etc/postgresql | sort -V | tail -1)
  if [ -z "$version" ]; then
    echo "PostgreSQL est installé mais aucun cluster n'existe." >&2
    exit 1
  fi
  echo "==> Démarrage de PostgreSQL $version" >&2
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  for _ in $(seq 1 30); do pg_isready -q -h "$HOST" -p "$PORT" && break; sleep 1; done
  # A fresh Debian cluster asks for a password on TCP: give the postgres role the one we use.
  as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >&2
fi
pg_isready -q -h "$HOST" -p "$PORT" || { echo "PostgreSQL ne répond pas sur $HOST:$PORT" >&2; exit 1; }
# The tests create their own test database; this one serves `makemigrations --check` and runs.
export PGPASSWORD=postgres
if ! psql -h "$HOST" -p "$PORT" -U postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'portail'" \
  | grep -q 1; then
  createdb -h "$HOST" -p "$PORT" -U postgres portail >&2
fi
echo "$URL"
