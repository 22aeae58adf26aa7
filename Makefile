# Fahrplan: `make run` starts the app with the demo strategy; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST := $(BIN)/python -m pytest

.PHONY: run test lint audit bench wrk chromium clean translations screenshots

$(BIN)/fahrplan: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 oder neuer wird gebraucht."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

run: $(BIN)/fahrplan
	$(BIN)/fahrplan init
	$(BIN)/fahrplan demo --if-empty
	$(BIN)/fahrplan run --host $(HOST) --port $(PORT)

test: $(BIN)/fahrplan chromium lint audit
	@echo "== Unit- und Client-Tests (SQLite) =="
	$(PYTEST) -m "not browser and not postgres"
	@echo "== Speicher- und Routentests (SQLite und PostgreSQL) =="
	FAHRPLAN_TEST_POSTGRES_URL="$$(./scripts/ensure-postgres.sh)" $(PYTEST) -m "postgres and not browser"
	@echo "== Browsertests (Chromium) =="
	$(PYTEST) -m browser

lint: $(BIN)/fahrplan
	$(BIN)/ruff check wiki tests migrations bench scripts

# Security checks: bandit over the code (findings silenced only per line, `# nosec BXXX`, with
# the reason in the comment), pip-audit over the installed packages (scripts/audit-dependencies.py
# says which it could audit; any known vulnerability fails).
audit: $(BIN)/fahrplan
	$(BIN)/bandit -c pyproject.toml -r wiki migrations scripts -q
	$(BIN)/python scripts/audit-dependencies.py

# Benchmarks (bench/README.md, docs/performance.md): gunicorn on SQLite and PostgreSQL against a
# hello-world ceiling; prints the table and which targets hold; then the worst cases the input
# bounds allow (bench/bounds.py), the sheet import at its bounds (bench/sheets.py) and files
# (bench/files.py: 1 and 25 MB up and down with the worker's memory, search over 1,000 PDFs).
# `make bench BENCH=--quick`.
BENCH ?=
bench: $(BIN)/fahrplan wrk
	FAHRPLAN_BENCH_POSTGRES="$$(./scripts/ensure-postgres.sh)" && \
	  $(BIN)/python bench/run.py --postgres "$$FAHRPLAN_BENCH_POSTGRES" $(BENCH)
	$(BIN)/python bench/bounds.py
	$(BIN)/python bench/sheets.py
	$(BIN)/python bench/sheets.py --postgres "$$(./scripts/ensure-postgres.sh)"
	$(BIN)/python bench/files.py
	$(BIN)/python bench/files.py --postgres "$$(./scripts/ensure-postgres.sh)"

wrk:
	@command -v wrk >/dev/null || { \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq wrk; }

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser),
# and poppler-utils (pdftotext) to read the PDF of the council report that Chromium prints.
chromium:
	@{ test -x /usr/bin/chromium && command -v pdftotext >/dev/null; } || { \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium poppler-utils; }

# Every page type at 1366 and 390 px, German and English, from a fresh demo, into screenshots/
# (the council report as PDF pages too): to look at before an issue is resolved.
screenshots: $(BIN)/fahrplan chromium
	$(BIN)/python scripts/screenshots.py screenshots

clean:
	rm -rf $(VENV) *.egg-info

# After changing UI texts: extract, merge into the English catalogue, translate, then compile.
translations: $(BIN)/fahrplan
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -k N_ --no-location --sort-output \
	  -o wiki/translations/messages.pot .
	$(BIN)/pybabel update -i wiki/translations/messages.pot -d wiki/translations -l en \
	  --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d wiki/translations
