# Clearance: `make run` (install + demo app on SQLite) and `make test` (install + whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run: install
	$(FLASK) db upgrade
	$(FLASK) demo seed
	@echo ""
	@echo "Clearance is running at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(FLASK) jobs worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .

# SQLite always; PostgreSQL as well when CLEARANCE_TEST_DATABASE_URL is set (CI sets it).
# Tests run in parallel on every core (pytest-xdist; TEST_WORKERS=0 runs them in one process).
TEST_WORKERS ?= auto
test: install lint
	env -u CLEARANCE_TEST_DATABASE_URL $(PY) -m pytest -n $(TEST_WORKERS)
	@if [ -n "$$CLEARANCE_TEST_DATABASE_URL" ]; then \
	  echo "== the suite again on PostgreSQL: $$CLEARANCE_TEST_DATABASE_URL =="; \
	  $(PY) -m pytest -n $(TEST_WORKERS) -m "not browser"; \
	fi

bench: install
	$(PY) -m bench
