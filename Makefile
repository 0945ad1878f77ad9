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

.PHONY: help setup setup-backend setup-frontend run web web-build serve worker train train-quick eval test test-fast test-backend \
        test-frontend test-e2e lint format clean notebook notebook-build load bench bench-model bench-train-step bench-transfer bench-history bench-classifiers scale scale-stop compose-check \
        scale-bench openapi openapi-check migration k8s-check multi-machine-bench \
        images compose-up compose-down compose-status compose-load compose-smoke

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: backend/pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e 'backend[dev,postgres,s3,export]'
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

# The backend tests that train no model and start no process (markers: backend/pyproject.toml).
FAST_TESTS := not slow and not model and not process and not cifar10

test-fast: setup-backend ## Backend tests that need no model, server or browser (< 1 min)
	cd backend && ../$(PY) -m pytest -q -p no:cacheprovider -m "$(FAST_TESTS)"

test-frontend: setup-frontend ## Dashboard: lint, types, unit tests, then the browser tests
	cd frontend && npm run lint && npm run typecheck && npm test
	$(MAKE) test-e2e

test-e2e: setup-backend web-build ## Browser tests: real API + worker + dashboard in chromium
	cd frontend && npm run e2e

test: test-backend test-frontend ## All tests

# The Python that `make lint` checks and `make format` formats: backend/ with its own
# settings (backend/pyproject.toml), the rest with ruff.toml, which extends them.
PY_LINTED := backend bench locustfile.py notebook/sightline_walkthrough.py .ci

lint: setup-backend ## ruff, mypy, the dashboard's lint and types, and the dependency audit
	$(VENV)/bin/ruff check $(PY_LINTED)
	$(VENV)/bin/ruff format --check $(PY_LINTED)
	cd backend && ../$(VENV)/bin/mypy sightline
	cd frontend && npm run lint && npm run typecheck && npm run gen:api:check
	$(MAKE) openapi-check
	$(PY) .ci/audit.py

notebook-build: setup-backend ## Rebuild notebook/sightline_walkthrough.ipynb from its source, the .py beside it
	$(PY) -m sightline.notebook_runner --build

notebook: notebook-build ## Run the walkthrough notebook top to bottom (quick setting; figures in notebook/figures/)
	SIGHTLINE_NOTEBOOK_QUICK=$${SIGHTLINE_NOTEBOOK_QUICK:-1} $(PY) -m sightline.notebook_runner \
	  --output notebook/executed/sightline_walkthrough.ipynb

# The API's contract: docs/openapi.json, committed; the dashboard's client is generated from it.
openapi: setup-backend ## Export the API's OpenAPI document to docs/openapi.json
	$(PY) -m sightline.api.openapi --out docs/openapi.json

openapi-check: setup-backend ## Fail when docs/openapi.json no longer matches the code
	$(PY) -m sightline.api.openapi --out docs/openapi.json --check

# A new Alembic revision from the difference between db/models.py and the migrations,
# computed against a scratch SQLite database upgraded to head (nothing of var/ is touched).
MSG ?=
migration: setup-backend ## A new migration from the models: make migration MSG="add a column"
	@test -n "$(MSG)" || { echo 'Say what it does: make migration MSG="..."'; exit 2; }
	@scratch=$$(mktemp -d); trap 'rm -rf $$scratch' EXIT; \
	export SIGHTLINE_DATABASE_URL=sqlite:///$$scratch/scratch.db PATH=$(abspath $(VENV))/bin:$$PATH; \
	ini=backend/sightline/db/alembic.ini; \
	last=$$(ls backend/sightline/db/migrations/versions | grep -oE '^[0-9]{4}' | sort | tail -1); \
	alembic -c $$ini upgrade head && \
	alembic -c $$ini revision --autogenerate --rev-id $$(printf '%04d' $$((10#$$last + 1))) -m "$(MSG)"

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

bench-http-accuracy: setup-backend ## The 10,000 test images through HTTP against Keras in-process, same bytes (bench/results/)
	$(PY) bench/http_accuracy.py --model $(MODEL)

bench-train-step: setup-backend ## Training step in float32 vs bfloat16, side by side (bench/results/)
	$(PY) bench/train_step_bench.py

bench-transfer: setup-backend ## Cats/dogs photos: from scratch vs fine-tuned from $MODEL vs --from auto (bench/results/)
	$(PY) bench/transfer_bench.py --parent $(MODEL)

bench-classifiers: setup-backend ## 20 classifiers in one API: RSS, evicted-model reloads, load over 5 vs 1, training beside (bench/results/)
	$(PY) bench/classifiers_bench.py --model $(MODEL)

ROWS ?= 10000000
DB ?= sqlite
bench-history: setup-backend ## Reads at ROWS (10 M) predictions + events, DB=sqlite|postgres (bench/results/)
	$(PY) bench/history_bench.py --database $(DB) --rows $(ROWS) --model $(MODEL)

# Scale-out (deploy/README.md). nginx listens on $PORT when it is given, else 8080.
N ?= 2
SCALE_PORT := $(if $(filter command line environment,$(origin PORT)),$(PORT),8080)
scale: setup web-build ## N API replicas + worker + nginx on :8080 ($PORT): make scale N=3; Ctrl-C stops all
	$(SIGHTLINE) scale up --replicas $(N) --port $(SCALE_PORT)

scale-stop: setup-backend ## Stop every process `make scale` started
	$(SIGHTLINE) scale stop

scale-bench: setup-backend ## 1 vs N replicas, failover, promotion, lost rows through nginx (bench/results/)
	$(PY) bench/scale_bench.py --model $(MODEL) --replicas $(N)

# Kubernetes (deploy/kubernetes/): render every overlay with kubectl's built-in kustomize
# and validate it offline against the bundled Kubernetes schemas, then the invariants.
K8S_OVERLAYS := base overlays/production overlays/gpu-worker
k8s-check: setup-backend ## Render and validate deploy/kubernetes/ (offline), then its invariant tests
	@set -e; for overlay in $(K8S_OVERLAYS); do \
	  out=$$(mktemp --suffix=.yaml); kubectl kustomize deploy/kubernetes/$$overlay > $$out; \
	  $(VENV)/bin/kubernetes-validate --strict --quiet -k 1.32.0 $$out; \
	  echo "deploy/kubernetes/$$overlay: valid"; rm -f $$out; done
	cd backend && ../$(PY) -m pytest -q -p no:cacheprovider tests/test_kubernetes.py

multi-machine-bench: setup-backend ## Replicas with their own homes: fetch, promotion, DB as store, rolling replacement
	$(PY) bench/multi_machine_bench.py --model $(MODEL)

compose-check: setup-backend ## Validate docker-compose.yml against the Compose spec schema (offline)
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	cd backend && ../$(PY) -m pytest -q -p no:cacheprovider tests/test_deploy.py

# Containers (deploy/README.md, "Containers"): podman here (or Docker where a daemon runs:
# ENGINE=docker). BASES=local (podman's default) builds the Dockerfiles' bases from
# Debian's packages, for machines that reach no image registry; BASES=public pulls them.
# Images are rebuilt only when their inputs change (a hash in a label).
images: ## Build sightline-backend and sightline-web (and the local bases) if their inputs changed
	deploy/containers.sh images

compose-up: ## The stack in containers, nginx on :8080 ($PORT): make compose-up N=3 PORT=8080
	deploy/containers.sh up $(N) $(SCALE_PORT)

compose-down: ## Remove every container, network and volume compose-up made
	deploy/containers.sh down

compose-status: ## The compose stack's containers
	deploy/containers.sh status

compose-load: setup-backend ## Locust through the stack's nginx, one API container killed (bench/results/)
	$(PY) bench/compose_bench.py --port $(SCALE_PORT) --users $(USERS) --time $(patsubst %s,%,$(TIME))

compose-smoke: setup-backend ## CI: build, up with 2 replicas, 20 predictions, kill one, 20 more, down
	@set -e; trap 'deploy/containers.sh down' EXIT; \
	deploy/containers.sh up 2 $(SCALE_PORT); \
	$(PY) bench/compose_bench.py --smoke --port $(SCALE_PORT)

clean: ## Remove run-time state (var/)
	rm -rf var
