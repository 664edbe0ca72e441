# Arusha: `make run` serves the platform, `make test` passes every check.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run dev test install assets system-deps lint typecheck migrations-check pytest-sqlite pytest-postgres pytest-spark \
        browser bench messages demo clean runtime-deps

# `make run` serves like a small deployment: DEBUG off, friendly error pages, static files
# collected and served by WhiteNoise, gunicorn and the task worker side by side (honcho,
# Procfile); Ctrl-C stops both. `make dev` serves with runserver and DEBUG on instead.
run: export ARUSHA_DEBUG := 0
run: runtime-deps demo
	$(MANAGE) collectstatic --no-input -v0
	ARUSHA_BIND=$(HOST):$(PORT) $(BIN)/honcho start web worker

dev: export ARUSHA_DEBUG := 1
dev: runtime-deps demo
	ARUSHA_BIND=$(HOST):$(PORT) $(BIN)/honcho start dev dev-worker

install: $(BIN)/.installed node_modules/.installed assets

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed
	mkdir -p src/arusha/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js src/arusha/static/vendor/htmx.min.js
	cp node_modules/js-sha256/build/sha256.min.js src/arusha/static/vendor/sha256.min.js

# What the platform needs from Debian to run: Pango and a font for PDF documents.
RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libcairo2 fonts-dejavu-core
# What the tests need besides: a PostgreSQL server, Chromium, gettext, pdftotext, and Java 17
# for Spark (the analytics parity test).
TEST_DEBS := postgresql chromium gettext poppler-utils openjdk-17-jre-headless

runtime-deps:
	@scripts/debian-install $(RUNTIME_DEBS)

system-deps:
	@scripts/debian-install $(RUNTIME_DEBS) $(TEST_DEBS)

messages: install
	cd src/arusha && ../../$(BIN)/django-admin makemessages -l fr -l es --no-obsolete --settings=arusha.settings --pythonpath=.. -i 'static/vendor/*'
	$(MANAGE) compilemessages --ignore=.venv

lint: install
	$(BIN)/ruff check src tests bench scripts conftest.py
	$(BIN)/ruff format --check src tests bench scripts conftest.py
	cd src && ../$(BIN)/lint-imports --config ../pyproject.toml

typecheck: install
	$(BIN)/mypy src tests conftest.py

migrations-check: install
	ARUSHA_ENV=test $(MANAGE) makemigrations --check --dry-run

pytest-sqlite: install
	ARUSHA_ENV=test $(BIN)/pytest -q -m "not spark"

# The analytics engines' parity (Spark local mode against DuckDB on 1 M declarations):
# Java and Spark mostly, so it runs beside the PostgreSQL pass (`make test` below).
pytest-spark: install
	ARUSHA_ENV=test $(BIN)/pytest -q -m spark

pytest-postgres: install system-deps
	scripts/with-postgres $(BIN)/pytest -q -m "not browser and not spark"

test: install system-deps
	$(MANAGE) compilemessages --ignore=.venv >/dev/null
	$(MAKE) --no-print-directory lint typecheck migrations-check
	$(MAKE) --no-print-directory pytest-sqlite
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest-postgres pytest-spark

bench: install system-deps
	scripts/with-postgres $(BIN)/python bench/run.py
	$(BIN)/python bench/workbook_bomb.py
	scripts/with-postgres $(BIN)/python bench/cases_list.py
	$(BIN)/python bench/cases_submit.py
	scripts/with-postgres $(BIN)/python bench/surveys_sync.py
	scripts/with-postgres $(BIN)/python bench/surveys_analysis.py
	scripts/with-postgres $(BIN)/python bench/surveys_ingest.py
	scripts/with-postgres $(BIN)/python bench/risks_register.py
# Integrity analytics (issue 13): 10 M declarations generated once, then the catalogue on
# DuckDB against hand-written SQL; `make bench SPARK=1` also runs it on Spark local mode (Java 17).
	rm -rf var/bench-analytics
	$(BIN)/python bench/analytics_generate.py --keep var/bench-analytics
	$(BIN)/python bench/analytics_catalogue.py --folder var/bench-analytics $(if $(SPARK),--spark)
	rm -rf var/bench-analytics

demo: install
	$(MANAGE) migrate --no-input && $(MANAGE) load_framework && $(MANAGE) load_demo

clean:
	rm -rf $(VENV) node_modules src/arusha/static/vendor var staticfiles
