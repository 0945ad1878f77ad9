# Sightline: `make run` starts everything on embedded defaults, `make test` runs all tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
SIGHTLINE := $(VENV)/bin/sightline
PORT ?= 8000
WEB_PORT ?= 3000
API_URL ?= http://localhost:$(PORT)
DATA ?= cifar10
MODEL ?= models/cifar10
export PYTHONUNBUFFERED := 1
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: help setup setup-backend setup-frontend run web web-build serve worker train train-quick eval test test-backend \
        test-frontend test-e2e lint format clean notebook load bench bench-model scale scale-stop compose-check \
        scale-bench

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: backend/pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e 'backend[dev,postgres]'
	touch $@

setup-backend: $(VENV)/.installed ## Python venv with the backend (idempotent)

setup-frontend: ## npm install for the dashboard (idempotent)
	@# npm install (not ci): it keeps the lock's versions, and npm ci rejects locks that lack
	@# other platforms' optional packages, which some npm configurations never record.
	cd frontend && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm install --no-audit --no-fund; }

setup: setup-backend setup-frontend ## Everything a fresh machine needs (idempotent)

serve: setup-backend ## The API alone, in the foreground, on $PORT
	$(SIGHTLINE) serve --host 0.0.0.0 --port $(PORT)

run: setup web-build ## Everything on embedded defaults: API :$PORT, worker, dashboard :$WEB_PORT
	API_PORT=$(PORT) WEB_PORT=$(WEB_PORT) API_URL=$(API_URL) $(VENV)/bin/honcho -f Procfile start

web-build: setup-frontend ## Build the dashboard if its sources changed
	@cd frontend && if [ ! -d out ] || [ -n "$$(find app components lib public package.json next.config.* -newer out -print -quit 2>/dev/null)" ]; then npm run build; fi

web: web-build ## The dashboard alone on $WEB_PORT, talking to $API_URL
	cd frontend && WEB_PORT=$(WEB_PORT) API_URL=$(API_URL) npm start

worker: setup-backend ## The retraining worker alone, in the foreground
	$(SIGHTLINE) worker

train: setup-backend ## Train the default model on $DATA into $MODEL
	$(SIGHTLINE) train --data $(DATA) --out $(MODEL)

train-quick: setup-backend ## A small model in a minute, for demos
	$(SIGHTLINE) train --quick --data $(DATA) --out $(MODEL)

eval: setup-backend ## Evaluate $MODEL on $DATA's test split
	$(SIGHTLINE) eval --model $(MODEL) --data $(DATA)

test-backend: setup-backend
	cd backend && ../$(PY) -m pytest -q -p no:cacheprovider

test-frontend: setup-frontend ## Dashboard: lint, types, unit tests, then the browser tests
	cd frontend && npm run lint && npm run typecheck && npm test
	$(MAKE) test-e2e

test-e2e: setup-backend web-build ## Browser tests: real API + worker + dashboard in chromium
	cd frontend && npm run e2e

test: test-backend test-frontend ## All tests

# The Python that `make lint` checks and `make format` formats: backend/ with its own
# settings (backend/pyproject.toml), the rest with ruff.toml, which extends them.
PY_LINTED := backend bench locustfile.py notebook/build_notebook.py .ci

lint: setup-backend ## ruff, mypy, the dashboard's lint and types, and the dependency audit
	$(VENV)/bin/ruff check $(PY_LINTED)
	$(VENV)/bin/ruff format --check $(PY_LINTED)
	cd backend && ../$(VENV)/bin/mypy sightline
	cd frontend && npm run lint && npm run typecheck
	$(PY) .ci/audit.py

notebook: setup-backend ## Run the walkthrough notebook top to bottom (quick setting; figures in notebook/figures/)
	$(PY) notebook/build_notebook.py
	SIGHTLINE_NOTEBOOK_QUICK=$${SIGHTLINE_NOTEBOOK_QUICK:-1} $(PY) -m sightline.notebook_runner \
	  --output notebook/executed/sightline_walkthrough.ipynb

format: setup-backend ## Format the Python code
	$(VENV)/bin/ruff format $(PY_LINTED)
	$(VENV)/bin/ruff check --fix $(PY_LINTED)

USERS ?= 100
SPAWN ?= 20
TIME ?= 60s
load: setup-backend ## Load-test the API at $API_URL: make load USERS=100 TIME=60s (CSV+HTML in loadtest-results/)
	@out=loadtest-results/$$(date +%Y%m%d-%H%M%S); mkdir -p $$out; \
	$(VENV)/bin/locust -f locustfile.py DashboardUser --headless -u $(USERS) -r $(SPAWN) \
	  -t $(TIME) --host $(API_URL) --csv $$out/load --html $$out/report.html --only-summary; \
	echo "Reports: $$out/report.html and $$out/load_*.csv"

bench: setup-backend ## Sightline vs model.predict() per request, side by side (bench/results/)
	$(PY) bench/serve_bench.py --model $(MODEL)

bench-model: setup-backend ## $MODEL's test accuracy, batch-1 latency, throughput, size (bench/results/)
	$(PY) bench/model_bench.py --model $(MODEL)

# Scale-out (deploy/README.md). nginx listens on $PORT when it is given, else 8080.
N ?= 2
SCALE_PORT := $(if $(filter command line environment,$(origin PORT)),$(PORT),8080)
scale: setup web-build ## N API replicas + worker + nginx on :8080 ($PORT): make scale N=3; Ctrl-C stops all
	$(SIGHTLINE) scale up --replicas $(N) --port $(SCALE_PORT)

scale-stop: setup-backend ## Stop every process `make scale` started
	$(SIGHTLINE) scale stop

scale-bench: setup-backend ## 1 vs N replicas, failover, promotion, lost rows through nginx (bench/results/)
	$(PY) bench/scale_bench.py --model $(MODEL) --replicas $(N)

compose-check: setup-backend ## Validate docker-compose.yml against the Compose spec schema (offline)
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	cd backend && ../$(PY) -m pytest -q -p no:cacheprovider tests/test_deploy.py

clean: ## Remove run-time state (var/)
	rm -rf var
