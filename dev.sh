#!/usr/bin/env bash
# The portal's two entry points on a fresh Debian machine (Python 3.11+, Node/npm, apt):
#   ./dev.sh run    set up, load the reference and demo data, serve on http://127.0.0.1:8000
#                   and run the background tasks' worker (manage.py db_worker) beside it
#   ./dev.sh test   set up, lint (ruff) and run the whole pytest suite
# Every dependency is installed by this script (pip, npm, apt); a second run is quick.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
PY=$VENV/bin/python

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Il faut les droits administrateur pour : $*" >&2; return 1; fi
}

apt_install() {
  echo "==> apt-get install $*"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_venv() {
  if [ ! -x "$PY" ]; then
    echo "==> Environnement virtuel Python ($VENV)"
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      apt_install python3-venv
      "$PYTHON" -m venv "$VENV"
    fi
  fi
  # Reinstall only when pyproject.toml changed since the last install.
  if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
    echo "==> Dépendances Python (pyproject.toml)"
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -e ".[dev]"
    touch "$VENV/.installed"
  fi
}

ensure_node_modules() {
  if ! command -v npm >/dev/null; then apt_install nodejs npm; fi
  if [ ! -f node_modules/.installed ] || [ package-lock.json -nt node_modules/.installed ]; then
    echo "==> Paquets npm (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
    touch node_modules/.installed
  fi
}

setup() {
  ensure_venv
  ensure_node_modules
}

# The browser journeys and axe-core checks (tests/quality) drive Debian's Chromium.
ensure_chromium() {
  if [ ! -x "${PORTAL_CHROMIUM:-/usr/bin/chromium}" ]; then apt_install chromium; fi
}

# tests/quality/test_deploy.py checks the nginx site of deploy/ with `nginx -t`.
ensure_nginx() {
  if [ ! -x "${PORTAL_NGINX:-/usr/sbin/nginx}" ]; then apt_install nginx; fi
}

# tests/portal/test_rediscache.py runs the production cache backend on a private redis-server.
ensure_redis() {
  if ! command -v redis-server >/dev/null; then apt_install redis-server; fi
}

cmd=${1:-}
shift || true
case "$cmd" in
  run)
    setup
    "$PY" manage.py setup_demo
    # The background tasks' worker (aides/tasks.py) beside the web server. One process
    # (--no-reload): the trap stops it whatever ends the script (Ctrl+C, an error, runserver
    # exiting); a background job of a script ignores Ctrl+C, hence the explicit kill.
    # Web server and worker share a cache (files under var/): the progress of an import the
    # worker runs shows on the admin's pages. CACHE_URL set by the caller wins.
    export CACHE_URL="${CACHE_URL:-file://$(pwd)/var/cache}"
    echo "==> Tâches en arrière-plan (manage.py db_worker)"
    "$PY" manage.py db_worker --no-reload &
    worker=$!
    trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
    trap 'exit 130' INT TERM
    echo "==> Portail sur http://${PORT:-127.0.0.1:8000} (Ctrl+C pour arrêter)"
    "$PY" manage.py runserver "${PORT:-127.0.0.1:8000}"
    ;;
  test)
    setup
    ensure_chromium
    ensure_nginx
    ensure_redis
    echo "==> ruff"
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    echo "==> pytest (base : ${DATABASE_URL:-SQLite})"
    "$PY" manage.py makemigrations --check --dry-run >/dev/null \
      || { echo "Des migrations manquent : python manage.py makemigrations" >&2; exit 1; }
    rm -rf test-artifacts
    set +e
    # One worker per core (PYTEST_WORKERS=0: in this process); a module's tests stay together,
    # so its module-scoped data is loaded once.
    "$VENV/bin/pytest" -n "${PYTEST_WORKERS:-auto}" --dist loadscope "$@"
    status=$?
    set -e
    # pytest exits 5 when it collected no test: that is a failure here, not a pass.
    if [ "$status" = 5 ]; then echo "Aucun test n'a été exécuté." >&2; exit 1; fi
    if [ "$status" != 0 ] && [ -d test-artifacts ]; then
      echo "Captures d'écran des parcours en échec : $(pwd)/test-artifacts/" >&2
    fi
    exit "$status"
    ;;
  setup)
    setup
    ;;
  *)
    echo "Usage : ./dev.sh run | test [arguments de pytest] | setup" >&2
    exit 2
    ;;
esac
