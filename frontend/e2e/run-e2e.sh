#!/usr/bin/env bash
# End-to-end: the built dashboard driven by Debian's chromium through playwright-core, against
# a real API, twice:
#   small    a quick three-class model on a generated dataset, with the retraining worker
#            (dashboard.test.mjs: predict, upload, retrain, promote; people.test.mjs;
#            classifiers.test.mjs: a classifier made, trained and opened in the browser)
#   cifar10  the shipped ten-class model in models/cifar10 (people.test.mjs: every class named,
#            the whole matrix on screen, monitoring on arrival, phone widths, accessibility)
#   photos   not by default: E2E_ZIP (a zip of labelled photos, e.g. catsdogs-small.zip) made
#            into a classifier in the browser from the shipped model, with the real gate, and
#            the minutes from the drop to live printed (issue #30's target: <= 10 on 2 cores)
# E2E_MODELS="small" or "cifar10" runs one of them. Screenshots go to e2e-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(cd .. && pwd)"
BIN="$ROOT/.venv/bin"
TMP="$(mktemp -d)"
MODELS="${E2E_MODELS:-small cifar10}"
free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
cleanup() { stop_all; rm -rf "$TMP"; }
trap cleanup EXIT

[ -f out/index.html ] || npm run build
mkdir -p e2e-artifacts
# Images to classify in both runs (any image will do for the shipped model).
"$BIN/sightline" demo-data "$TMP/data" --n-train 40 --n-test 20 >/dev/null

# Starts the API (and the worker when asked) on MODEL_DIR and the dashboard in front of it.
start_stack() {
  local name="$1" model_dir="$2" with_worker="$3"
  API_PORT="$(free_port)"
  WEB_PORT="$(free_port)"
  export SIGHTLINE_HOME="$TMP/home-$name" SIGHTLINE_MODEL_DIR="$model_dir" \
    SIGHTLINE_ADMIN_TOKEN=e2e-token SIGHTLINE_CORS_ORIGINS="http://127.0.0.1:$WEB_PORT"
  "$BIN/sightline" serve --port "$API_PORT" >"$TMP/api-$name.log" 2>&1 & pids+=($!)
  if [ "$with_worker" = yes ]; then "$BIN/sightline" worker >"$TMP/worker-$name.log" 2>&1 & pids+=($!); fi
  WEB_PORT="$WEB_PORT" API_URL="http://127.0.0.1:$API_PORT" node server.mjs >"$TMP/web-$name.log" 2>&1 & pids+=($!)
  for _ in $(seq 1 180); do
    curl -sf "http://127.0.0.1:$API_PORT/health" >/dev/null && curl -sf "http://127.0.0.1:$WEB_PORT/" >/dev/null && break
    sleep 1
  done
  curl -sf "http://127.0.0.1:$API_PORT/health" >/dev/null || { cat "$TMP/api-$name.log"; exit 1; }
}

run_tests() {
  local name="$1"; shift
  E2E_API_URL="http://127.0.0.1:$API_PORT" E2E_WEB_URL="http://127.0.0.1:$WEB_PORT" E2E_DATA="$TMP/data" \
    E2E_TOKEN=e2e-token E2E_MODEL_NAME="$name" node --test --test-concurrency=1 "$@"
}

failed=0
for name in $MODELS; do
  case "$name" in
    small)
      "$BIN/sightline" train --quick --data "$TMP/data" --out "$TMP/model" >/dev/null
      # The out-of-class tolerance lets a first version made of a few dozen generated shapes go
      # live (it cannot learn doubt from them): the browser flow is under test here, the gate's
      # doubt check in the API's own tests.
      export SIGHTLINE_DATASET="$TMP/data" SIGHTLINE_RETRAIN_REPLAY_PER_CLASS=20 SIGHTLINE_RETRAIN_EVAL_SIZE=60 \
        SIGHTLINE_RETRAIN_COLOUR_FIELDS=40 SIGHTLINE_PROMOTION_OUT_OF_CLASS_TOLERANCE=1 \
        SIGHTLINE_WORKER_POLL_SECONDS=0.5
      start_stack small "$TMP/model" yes
      E2E_ZIP="" run_tests small e2e/dashboard.test.mjs e2e/people.test.mjs e2e/classifiers.test.mjs || failed=1
      stop_all
      unset SIGHTLINE_DATASET SIGHTLINE_RETRAIN_REPLAY_PER_CLASS SIGHTLINE_RETRAIN_EVAL_SIZE \
        SIGHTLINE_RETRAIN_COLOUR_FIELDS SIGHTLINE_PROMOTION_OUT_OF_CLASS_TOLERANCE SIGHTLINE_WORKER_POLL_SECONDS ;;
    cifar10)
      start_stack cifar10 "$ROOT/models/cifar10" no
      run_tests cifar10 e2e/helpers.test.mjs e2e/people.test.mjs e2e/review.test.mjs || failed=1
      stop_all ;;
    photos)
      [ -f "${E2E_ZIP:-}" ] || { echo "photos: set E2E_ZIP to a zip of labelled photos"; exit 2; }
      start_stack photos "$ROOT/models/cifar10" yes
      E2E_ZIP="$E2E_ZIP" run_tests photos --test-name-pattern "made in the browser" e2e/classifiers.test.mjs || failed=1
      stop_all ;;
    *) echo "unknown model set: $name (small, cifar10 or photos)"; exit 2 ;;
  esac
done
exit "$failed"
