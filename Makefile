# Two commands set everything up on a fresh machine: `make demo` and `make test`.
# The venv is rebuilt only when pyproject.toml changes (its hash names the stamp file).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
# Two workers: the suite waits on databases and loopback servers as much as it computes.
PYTEST_ARGS ?= -n 2

.PHONY: venv demo test lint typecheck schema-check pytest serve dagster chromium clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

demo: venv
	$(BIN)/hub demo

test: venv chromium lint typecheck schema-check pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy hub pipelines

schema-check: venv
	$(BIN)/hub schema check

pytest: venv
	$(BIN)/pytest $(PYTEST_ARGS)

serve: venv
	$(BIN)/hub api serve

dagster: venv
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/var/dagster} $(BIN)/hub pipeline dev

# Browser tests need Debian's chromium; install it once when it is missing (CI runs as root).
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update && apt-get install -y chromium; }

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
