# HipKnee API — developer and CI entry points. Run `make help` for the list.
#
# Everything runs from the project's own virtualenv (.venv/bin/...), never an activated shell.
# A fresh machine needs only python3.11 and make: the first target that needs Python creates
# .venv and installs the pinned requirements; stamp files make later runs skip the install
# until requirements*.txt change.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --no-input
PORT ?= 8000
HOST ?= 127.0.0.1
# make edge: the edge listens on PORT when given (8080 otherwise), the API on ORIGIN_PORT.
ORIGIN_PORT ?= 8000
EDGE_PORT := $(if $(filter command line environment,$(origin PORT)),$(PORT),8080)
PYTEST_ARGS ?=
# pytest-xdist workers for make test / test-postgres (the machine has 2 cores; 0 runs in-process).
PYTEST_WORKERS ?= 2
BENCH_ARGS ?=
# make bench-search: how many generated items (the database is kept and reused per count).
ENTITIES ?= 10000
# make fuzz: schemathesis examples per operation; a postgres://…/hipknee_fuzz… URL fuzzes on PostgreSQL.
FUZZ_EXAMPLES ?= 25
FUZZ_DATABASE_URL ?=
# make fuzz: all operations, or only the public or the editorial ones.
FUZZ_SCOPE ?= all
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/hipknee
PRODUCTION := hipknee_api.settings.production
# pytest-django prefers DJANGO_SETTINGS_MODULE from the environment over pyproject.toml: pin it.
TESTING := hipknee_api.settings.test
SCHEMA := hipknee_api/openapi.yaml
# A throwaway key for `make check` only: long and varied enough for Django's security checks.
CHECK_SECRET_KEY := check-only-7Qm2xV9pLr4Tz8Wc1Nb6Hk3Jd5Fy0Gs2Ua7Eo9Xi4Rv6Pw1Ln8Kt3Zq5Mc
CHECK_ALLOWED_HOSTS := example.org

STAMP_RUNTIME := $(VENV)/.installed-runtime
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: help install install-dev run migrate seed test test-postgres lint schema check serve edge bench bench-search eval-search fuzz clean

help: ## List the targets
	@echo "HipKnee API — make targets (variables: PORT=$(PORT), PYTEST_ARGS, POSTGRES_URL):"
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  make %-14s %s\n", $$1, $$2}'

$(PY):
	@echo "==> Creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)

$(STAMP_RUNTIME): requirements.txt | $(PY)
	@echo "==> Installing pinned runtime requirements (requirements.txt)"
	$(PIP) install -q -r requirements.txt
	$(PIP) check
	@touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(PY)
	@echo "==> Installing pinned runtime and dev requirements (requirements-dev.txt)"
	$(PIP) install -q -r requirements-dev.txt
	$(PIP) check
	@touch $@ $(STAMP_RUNTIME)

install: $(STAMP_RUNTIME) ## Create .venv and install the pinned runtime requirements

install-dev: $(STAMP_DEV) ## Create .venv and install runtime + test/lint requirements

run: $(STAMP_RUNTIME) ## Migrate, load the seed and serve on http://127.0.0.1:PORT (default 8000, SQLite) with the webhook worker
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed_content
	@echo "==> Serving on http://127.0.0.1:$(PORT)/api/v1/ (docs: /api/docs/), with the webhook"
	@echo "    delivery worker and publish_scheduled every minute alongside; Ctrl-C stops all three"
	$(PY) manage.py deliver_webhooks & worker=$$!; \
	( while sleep 60; do $(PY) manage.py publish_scheduled >/dev/null; done ) & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null || true' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

migrate: $(STAMP_RUNTIME) ## Apply migrations to the database of DATABASE_URL
	$(PY) manage.py migrate --noinput

seed: $(STAMP_RUNTIME) ## Load the seed article into the database (idempotent)
	$(PY) manage.py load_seed_content

# Tests marked `solo` measure latency against a 1 s bound: they run after the rest, alone, so
# that the other workers' load is not what they measure (exit 5 = none selected by PYTEST_ARGS).
SOLO = || [ $$? -eq 5 ]

test: $(STAMP_DEV) ## Run the whole test suite on SQLite (extra pytest args: PYTEST_ARGS=...)
	DJANGO_SETTINGS_MODULE=$(TESTING) DATABASE_URL= $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -m "not solo" $(PYTEST_ARGS)
	DJANGO_SETTINGS_MODULE=$(TESTING) DATABASE_URL= $(VENV)/bin/pytest -n 0 -m solo $(PYTEST_ARGS) $(SOLO)

test-postgres: $(STAMP_DEV) ## Run the whole test suite on PostgreSQL at POSTGRES_URL
	DJANGO_SETTINGS_MODULE=$(TESTING) DATABASE_URL=$(POSTGRES_URL) $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -m "not solo" $(PYTEST_ARGS)
	DJANGO_SETTINGS_MODULE=$(TESTING) DATABASE_URL=$(POSTGRES_URL) $(VENV)/bin/pytest -n 0 -m solo $(PYTEST_ARGS) $(SOLO)

lint: $(STAMP_DEV) ## Lint the whole tree with ruff
	$(VENV)/bin/ruff check .

schema: $(STAMP_RUNTIME) ## Regenerate and validate the committed schema hipknee_api/openapi.yaml
	$(PY) manage.py spectacular --validate --fail-on-warn --file $(SCHEMA)

check: lint ## Lint, migrations up to date, schema valid, production `check --deploy` clean
	@echo "==> Migrations match the models"
	$(PY) manage.py makemigrations --check --dry-run
	@echo "==> OpenAPI schema validates without warnings"
	@tmp=$$(mktemp --suffix=.yaml); \
		trap 'rm -f "$$tmp"' EXIT; \
		$(PY) manage.py spectacular --validate --fail-on-warn --file "$$tmp"
	@echo "==> Production settings pass check --deploy"
	DJANGO_SETTINGS_MODULE=$(PRODUCTION) SECRET_KEY=$(CHECK_SECRET_KEY) \
		ALLOWED_HOSTS=$(CHECK_ALLOWED_HOSTS) \
		$(PY) manage.py check --deploy --fail-level WARNING

serve: $(STAMP_RUNTIME) ## Serve with production settings under gunicorn (gevent workers) on HOST:PORT (needs SECRET_KEY)
	@if [ -z "$${SECRET_KEY:-}" ]; then \
		echo "make serve: set SECRET_KEY (50+ random characters), e.g." >&2; \
		echo "  SECRET_KEY=\$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') make serve" >&2; \
		exit 1; \
	fi
	DJANGO_SETTINGS_MODULE=$(PRODUCTION) $(PY) manage.py collectstatic --noinput -v 0
	DJANGO_SETTINGS_MODULE=$(PRODUCTION) $(PY) manage.py migrate --noinput
	@# Stored details and sections of the previous release are never served: render them anew.
	DJANGO_SETTINGS_MODULE=$(PRODUCTION) $(PY) manage.py refresh_renderings
	@# With an edge cache (HIPKNEE_EDGE_PURGE_URL), what it holds of the previous release goes.
	DJANGO_SETTINGS_MODULE=$(PRODUCTION) $(PY) manage.py purge_edge --new-release
	@# gunicorn with gevent workers, every setting in hipknee_api/gunicorn_conf.py (WEB_CONCURRENCY,
	@# GUNICORN_WORKER_CONNECTIONS, GUNICORN_TIMEOUT, GUNICORN_KEEPALIVE); bench/run.py and
	@# tests/server/ start this same command (hipknee_api/server.py).
	DJANGO_SETTINGS_MODULE=$(PRODUCTION) $(PY) -m hipknee_api.server --bind $(HOST):$(PORT)

edge: $(STAMP_RUNTIME) ## Serve the API behind Varnish (Debian's varnish + varnish-modules): the edge on PORT (8080), `make serve` on ORIGIN_PORT (8000), with the purge worker (needs SECRET_KEY)
	@if [ -z "$${SECRET_KEY:-}" ]; then echo "make edge: set SECRET_KEY, as for make serve" >&2; exit 1; fi
	@if [ "$(EDGE_PORT)" = "$(ORIGIN_PORT)" ]; then \
		echo "make edge: PORT (the edge) and ORIGIN_PORT (the API) must differ" >&2; exit 1; fi
	@$(PY) -c 'import sys; from hipknee_api.edge import missing; sys.exit(missing() is not None)' || { \
		echo "==> Installing varnish and varnish-modules (Debian packages)"; \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && $$sudo apt-get install -y -qq varnish varnish-modules >/dev/null; }
	@# The origin purges the edge after every publishing commit (and its worker retries), and
	@# reads the client's address from the edge's X-Forwarded-For (one proxy hop).
	@echo "==> Edge on http://$(HOST):$(EDGE_PORT)/ in front of make serve on 127.0.0.1:$(ORIGIN_PORT), with the worker"
	export HIPKNEE_EDGE_PURGE_URL="$${HIPKNEE_EDGE_PURGE_URL:-http://127.0.0.1:$(EDGE_PORT)/}"; \
	export HIPKNEE_NUM_PROXIES="$${HIPKNEE_NUM_PROXIES:-1}"; \
	$(MAKE) serve HOST=127.0.0.1 PORT=$(ORIGIN_PORT) & origin=$$!; \
	DJANGO_SETTINGS_MODULE=$(PRODUCTION) $(PY) manage.py deliver_webhooks & worker=$$!; \
	trap 'kill $$worker $$origin 2>/dev/null || true' EXIT INT TERM; \
	$(PY) -m hipknee_api.edge --listen $(HOST):$(EDGE_PORT) --origin 127.0.0.1:$(ORIGIN_PORT)

bench: $(STAMP_RUNTIME) ## Load-test the API against the raw-WSGI ceiling, SQLite and PostgreSQL+Redis (~5 min; BENCH_ARGS=...)
	@command -v wrk >/dev/null || { \
		echo "==> Installing wrk (Debian package)"; \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get install -y -qq wrk >/dev/null 2>&1 || \
			{ $$sudo apt-get update -qq && $$sudo apt-get install -y -qq wrk >/dev/null; }; }
	$(PY) bench/run.py $(BENCH_ARGS)

bench-search: $(STAMP_RUNTIME) ## Search speed on ENTITIES (10000) generated items on PostgreSQL (POSTGRES_URL): p50/p95/p99 per query, sizes, RSS
	DJANGO_SETTINGS_MODULE=$(TESTING) DATABASE_URL=$(POSTGRES_URL) $(PY) bench/search_bench.py \
		--entities $(ENTITIES) $(BENCH_SEARCH_ARGS)

eval-search: $(STAMP_RUNTIME) ## Search relevance on the judged set (tests/search/judgements.yaml): MRR@10 and top-3, SQLite and PostgreSQL
	DJANGO_SETTINGS_MODULE=$(TESTING) DATABASE_URL= $(PY) bench/search_eval.py
	DJANGO_SETTINGS_MODULE=$(TESTING) DATABASE_URL=$(POSTGRES_URL) $(PY) bench/search_eval.py

fuzz: $(STAMP_DEV) ## Fuzz the running API (gunicorn, production settings) with schemathesis against hipknee_api/openapi.yaml: no 5xx, responses as documented (~6 min)
	$(PY) tests/fuzz/run_fuzz.py --max-examples $(FUZZ_EXAMPLES) --scope $(FUZZ_SCOPE) \
		$(if $(FUZZ_DATABASE_URL),--database-url $(FUZZ_DATABASE_URL))

clean: ## Remove .venv, collected static files and caches (keeps db.sqlite3)
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-results .coverage
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
