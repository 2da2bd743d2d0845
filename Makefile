# Developer and CI commands. Each creates .venv and installs the pinned packages when needed.
#
#   make demo            the portal with demo data at http://127.0.0.1:8000 (make demo PORT=8001)
#   make test            the test suite (SQLite and eager tasks, or DATABASE_URL / REDIS_URL)
#   make browser-deps    axe-core for the browser tests (npm ci); chromium comes from apt
#   make lint            ruff check and ruff format --check (make format fixes what it can)
#   make bench           benchmarks on DATABASE_URL (PostgreSQL); make bench QUICK=1 for a smoke run
#   make lock            rewrite requirements.lock from .venv after changing dependencies
#
# Variables read from the environment are passed through to every command: DATABASE_URL,
# REDIS_URL, REQUIRE_SERVICES, REQUIRE_BROWSER, DEMO_PASSWORD (see README.md and .env.example).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Written after a successful install; redone when pyproject.toml or requirements.lock changes.
INSTALLED := $(VENV)/.installed

PORT ?= 8000
DEMO_PASSWORD ?= demo-portal-2026
PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
# pytest-xdist workers: 2 fits the 2-core machines; PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: help install browser-deps demo test lint format lock bench

help:
	@sed -n '1,11s/^# \{0,1\}//p' Makefile

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

install: $(INSTALLED)

# axe-core for the browser tests' accessibility checks (package-lock.json pins it); Chart.js is
# vendored in static/vendor/ and needs nothing at run time.
browser-deps:
	npm ci --no-audit --no-fund --loglevel=error

demo: export DJANGO_DEBUG := 1
demo: export DEMO_PASSWORD := $(DEMO_PASSWORD)
demo: export PORTAL_BASE_URL := $(PORTAL_BASE_URL)
demo: $(INSTALLED)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_regions
	$(BIN)/python manage.py load_placement_rules
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py send_reminders
	$(BIN)/python manage.py run_report monthly
	@echo
	@echo "Portal:  http://127.0.0.1:$(PORT)/login/"
	@echo "Admin:   http://127.0.0.1:$(PORT)/admin/"
	@echo "Health:  http://127.0.0.1:$(PORT)/healthz"
	@echo "Logins:  admin, officer, analyst, pbs, sr_staff, peserta"
	@echo "         password: $$DEMO_PASSWORD"
	@if [ -n "$${DATABASE_URL:-}" ]; then echo "Data:    PostgreSQL (DATABASE_URL)"; else echo "Data:    SQLite (db.sqlite3)"; fi
	@if [ -n "$${REDIS_URL:-}" ]; then echo "Tasks:   Redis (REDIS_URL)"; else echo "Tasks:   run inline (no REDIS_URL)"; fi
	@echo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# --create-db: a test database left by an earlier run with older migrations is rebuilt, not reused.
test: $(INSTALLED)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --create-db -p no:cacheprovider $(PYTEST_ARGS)

# Benchmarks need PostgreSQL; the database in DATABASE_URL is created and migrated if missing.
bench: $(INSTALLED)
	@if [ -z "$${DATABASE_URL:-}" ]; then echo "make bench needs DATABASE_URL (PostgreSQL)"; exit 2; fi
	$(BIN)/python benchmarks/run.py $(if $(QUICK),--quick,)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: $(INSTALLED)
	{ echo "# Pinned versions for every install (make, CI, Dockerfile): pip install -c requirements.lock"; \
	  echo "# Regenerate with 'make lock' after changing the dependencies in pyproject.toml."; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -viE '^(migran-portal|-e )'; \
	} > requirements.lock.tmp
	mv requirements.lock.tmp requirements.lock
	touch $(INSTALLED)
