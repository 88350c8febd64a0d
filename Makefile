# The two set-up commands are `make run` and `make test`; everything else is for developers.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.13 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages the Playwright tests need: the browser and fonts for every script they render.
BROWSER_PACKAGES := chromium fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji

.PHONY: run test browser install install-dev migrate seed worker lint format bench bench-smoke loadtest scaletest migrations-check schemathesis clean

# The demo and the developer's own database run in development mode (unless DEBUG is set);
# tests, benchmarks, the load test and the API fuzzing run with DEBUG off, as in production.
run seed migrate worker migrations-check: export DEBUG ?= true

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 13) else "Python 3.13 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt
	@touch $@

$(VENV)/.installed-dev: requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	@touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

## A development .env (DEBUG on, a generated SECRET_KEY and HISTORY_KEYS), so that the manage.py
## commands in the README work as written. Written once; an existing .env (yours, or a
## deployment's) is kept.
.env: | $(BIN)/python
	@umask 077 && { \
	    echo "# Written by 'make' for development (git-ignored); delete it to get a new one."; \
	    echo "# Never use it in production: set DEBUG=false, a SECRET_KEY and HISTORY_KEYS there (.env.example)."; \
	    echo "DEBUG=true"; \
	    echo "SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')"; \
	    echo "HISTORY_KEYS=dev1:$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(32))')"; \
	} > $@
	@echo "Wrote .env for development (DEBUG=true, a generated SECRET_KEY and HISTORY_KEYS)."

migrate: install .env
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input

seed: migrate
	$(BIN)/python manage.py seed

## Serve the seeded demo on http://127.0.0.1:8000 with a background task worker beside it.
run: seed
	@echo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the worker)"
	@echo "Log in as one of the demo users; their passwords are in var/demo-credentials.txt:"
	@sed 's/^/    /' var/demo-credentials.txt 2>/dev/null || echo "    (var/demo-credentials.txt is missing: set SEED_PASSWORD and run 'make seed')"
	@echo
	@trap 'kill 0' EXIT; \
	$(BIN)/python manage.py db_worker & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install .env
	$(BIN)/python manage.py db_worker

## Chromium for the browser tests: installed through apt-get when missing and run as root;
## otherwise stop and say the one command that installs it. CHROMIUM=/path picks another.
browser:
	@chromium="$${CHROMIUM:-$$(command -v chromium || true)}"; \
	if [ -n "$$chromium" ] && [ -x "$$chromium" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	    echo "Chromium is not installed, and the browser tests need it. Install it with:" >&2; \
	    echo "" >&2; \
	    echo "    sudo make browser" >&2; \
	    echo "" >&2; \
	    echo "(as root that runs: apt-get update && apt-get install -y $(BROWSER_PACKAGES))" >&2; \
	    exit 1; \
	fi; \
	echo "Installing Chromium for the browser tests: apt-get install $(BROWSER_PACKAGES)"; \
	apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null && \
	chromium --version

## The whole test suite, one worker per core; DATABASE_URL=postgres://... runs it on PostgreSQL.
## PYTEST_ARGS passes options to pytest (e.g. PYTEST_ARGS="tests/review -n0").
PYTEST_ARGS ?= -n auto
test: install-dev browser
	$(BIN)/pytest $(PYTEST_ARGS)

## ruff, the formatting check and mypy (configured in pyproject.toml).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

## Fuzz the API from its OpenAPI schema against a live server (SCHEMATHESIS_MAX_TIME seconds).
schemathesis: install-dev
	.ci/schemathesis.sh

bench: install-dev
	$(BIN)/python -m bench --postgres $(BENCH_ARGS)

bench-smoke: install-dev
	$(BIN)/python -m bench --smoke

loadtest: install-dev
	$(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)

## Two web instances and two task workers behind a round-robin proxy, sharing only PostgreSQL,
## the storage and the cache (Redis if it answers on 127.0.0.1:6379): docs/performance.md.
scaletest: install-dev
	$(BIN)/python -m bench.scaletest $(SCALETEST_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
