# The two set-up commands are `make run` and `make test`; everything else is for developers.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.13 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DEBUG ?= true

.PHONY: run test install install-dev migrate seed worker lint format bench bench-smoke loadtest migrations-check schemathesis clean

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

migrate: install
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

worker: install
	$(BIN)/python manage.py db_worker

## The whole test suite; DATABASE_URL=postgres://... runs it on PostgreSQL.
test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

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

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
