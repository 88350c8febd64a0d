#!/usr/bin/env bash
# Fuzz the API from its own OpenAPI schema: serve the app on 127.0.0.1 with a freshly seeded
# throwaway database and a token, run schemathesis for a bounded time, fail on any server error
# or any response that does not match the schema.
# Usage: .ci/schemathesis.sh   (SCHEMATHESIS_MAX_TIME=seconds, default 150)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
WORK="$(mktemp -d)"
PORT="$($BIN/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

export ENV_FILE=""  # no developer .env: everything this run needs is set here
export DEBUG=false
export SECRET_KEY="schemathesis-only-secret-key-$(date +%s)-0123456789abcdef"
export HISTORY_KEYS="fuzz:schemathesis-only-history-key-$(date +%s)-0123456789"
export DATABASE_URL="sqlite:///$WORK/fuzz.sqlite3"
export MEDIA_ROOT="$WORK/media"
export STATIC_ROOT="$WORK/static"  # served as in production: collected, with a manifest
export ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=false
export SESSION_COOKIE_SECURE=false
export CSRF_COOKIE_SECURE=false
export LOG_LEVEL=WARNING
export TASKS_BACKEND=django_tasks_db.DatabaseBackend
# The schema is fetched before any request carries the token (and by the readiness loop below).
export API_DOCS_PUBLIC=true
# No API throttle: the fuzzer sends far more than a person or a script would.
export API_THROTTLE_RATE= API_THROTTLE_ANON_RATE=

$BIN/python manage.py migrate --no-input -v 0
$BIN/python manage.py collectstatic --no-input -v 0
TOKEN="$($BIN/python manage.py shell -v 0 -c "$(cat .ci/schemathesis_seed.py)" | tail -n 1)"

$BIN/gunicorn workbench.wsgi --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 \
    --log-level warning >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 60); do
    sleep 0.5
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/schema/" 2>/dev/null && break
done

status=0
timeout --kill-after=10 "$(( ${SCHEMATHESIS_MAX_TIME:-150} + 60 ))" \
    $BIN/schemathesis --config-file .ci/schemathesis.toml run "http://127.0.0.1:$PORT/api/schema/" \
    --header "Authorization: Token $TOKEN" \
    --checks not_a_server_error,response_schema_conformance \
    --max-time "${SCHEMATHESIS_MAX_TIME:-150}" \
    --workers 2 \
    --request-timeout 30 \
    --suppress-health-check all \
    --warnings off \
    || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- server log ---"
    tail -n 200 "$WORK/server.log"
fi
exit "$status"
