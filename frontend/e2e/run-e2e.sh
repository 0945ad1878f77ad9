#!/usr/bin/env bash
# End-to-end: a real API (quick model on a generated dataset), the retraining worker
# and the built dashboard, driven by Debian's chromium through playwright-core.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(cd .. && pwd)"
BIN="$ROOT/.venv/bin"
TMP="$(mktemp -d)"
free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
API_PORT="${API_PORT:-$(free_port)}"
WEB_PORT="${E2E_WEB_PORT:-$(free_port)}"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

"$BIN/sightline" demo-data "$TMP/data" --n-train 40 --n-test 20 >/dev/null
"$BIN/sightline" train --quick --data "$TMP/data" --out "$TMP/model" >/dev/null
export SIGHTLINE_HOME="$TMP/home" SIGHTLINE_MODEL_DIR="$TMP/model" SIGHTLINE_DATASET="$TMP/data" \
  SIGHTLINE_ADMIN_TOKEN=e2e-token SIGHTLINE_CORS_ORIGINS="http://127.0.0.1:$WEB_PORT" \
  SIGHTLINE_RETRAIN_REPLAY_PER_CLASS=20 SIGHTLINE_RETRAIN_EVAL_SIZE=60 SIGHTLINE_WORKER_POLL_SECONDS=0.5
"$BIN/sightline" serve --port "$API_PORT" >"$TMP/api.log" 2>&1 & pids+=($!)
"$BIN/sightline" worker >"$TMP/worker.log" 2>&1 & pids+=($!)
[ -f out/index.html ] || npm run build
WEB_PORT="$WEB_PORT" API_URL="http://127.0.0.1:$API_PORT" node server.mjs >"$TMP/web.log" 2>&1 & pids+=($!)

for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$API_PORT/health" >/dev/null && curl -sf "http://127.0.0.1:$WEB_PORT/" >/dev/null && break
  sleep 1
done
curl -sf "http://127.0.0.1:$API_PORT/health" >/dev/null || { cat "$TMP/api.log"; exit 1; }

mkdir -p e2e-artifacts
E2E_API_URL="http://127.0.0.1:$API_PORT" E2E_WEB_URL="http://127.0.0.1:$WEB_PORT" E2E_DATA="$TMP/data" \
  E2E_TOKEN=e2e-token node --test --test-concurrency=1 e2e/
