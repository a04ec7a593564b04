# The README's two commands: `make demo` and `make test`. Each sets up what it needs from nothing:
# a bootstrap virtualenv holding uv, then the project's locked environment in .venv.
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: demo test test-full example-plugin install-check lint typecheck bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --extra test --quiet
	touch $@

demo: $(VENV)/.synced
	$(BIN)/botwarden demo

# The dashboard's browser tests drive Debian's Chromium headless (Playwright downloads no browser here).
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "the browser tests need Chromium at $(CHROMIUM)"; exit 1; }
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium

test: $(VENV)/.synced $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(MAKE) example-plugin
	$(BIN)/pytest

# The example rule plugin (docs/writing-a-rule.md): installed into the venv, its rule loaded through the
# `botwarden.rules` entry point and run in a replay, then uninstalled, so that the suite after it sees the
# built-in catalogue alone (the docs, the golden scenarios and the catalogue tests are about that one).
EXAMPLE := examples/botwarden-example-rules
example-plugin: $(VENV)/.synced
	$(UV) pip install --quiet --python $(BIN)/python --no-deps ./$(EXAMPLE)
	$(BIN)/pytest -q -p no:cacheprovider $(EXAMPLE)/tests; status=$$?; \
		$(UV) pip uninstall --quiet --python $(BIN)/python botwarden-example-rules; exit $$status

# The shared-store test at full size: 4 workers on PostgreSQL, 2,000 accounts, 20,000 posts, workers killed
# with SIGKILL along the way (several minutes; `make test` runs the same test on 300 posts).
test-full: $(VENV)/.synced
	BOTWARDEN_FULL_SCALE=1 $(BIN)/pytest -s -p no:cacheprovider tests/test_postgres.py -k sigkill

# The benchmarks need datasketch (the baseline the similarity index is measured against) and a few minutes.
bench: $(UV)
	$(UV) sync --locked --extra test --extra bench --quiet
	$(BIN)/python bench/measure.py
	$(BIN)/python bench/similarity.py
	$(BIN)/python bench/check.py
	$(BIN)/python bench/diagnose.py
	$(BIN)/python bench/workers.py
	$(BIN)/python bench/polling.py
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/parse_bounds.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/http_check.py
	$(BIN)/python bench/content_rules.py
	$(BIN)/python bench/fidelity.py
	$(BIN)/python bench/cli_reads.py

# What production installs (README, Install): `pip install .` into a new virtualenv that holds nothing else,
# then the command answers. Needs the package index; `make test` checks the wheel itself offline.
INSTALL_CHECK := $(or $(TMPDIR),/tmp)/botwarden-install-check
install-check:
	rm -rf $(INSTALL_CHECK)
	$(PYTHON) -m venv $(INSTALL_CHECK)
	$(INSTALL_CHECK)/bin/pip install --quiet .
	$(INSTALL_CHECK)/bin/botwarden --version
	! $(INSTALL_CHECK)/bin/python -c "import pytest" 2>/dev/null
	rm -rf $(INSTALL_CHECK)

lint: $(VENV)/.synced
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.synced
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
