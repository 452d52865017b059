# Tenure: build, check and run. `make test` is what CI runs (through .ci/run).

SHELL := /bin/bash
.DEFAULT_GOAL := test

# The first interpreter found that is Python 3.11 or newer.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	command -v $$p >/dev/null 2>&1 && \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && \
	{ echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Folders that exist in this checkout (an empty bench/ is not kept by git).
CODE := $(wildcard src tests bench)
PYTEST_ARGS ?=
DEMO_ARGS ?=
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

.PHONY: venv system-deps test lint format demo bench clean distclean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "error: Python 3.11 or newer is needed" >&2; exit 1; fi
	@if [ ! -x $(BIN)/python ]; then echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

# Debian packages the tests need; apt-get runs only when something is missing.
system-deps:
	@missing=""; \
	if ! timeout 3 bash -c '</dev/tcp/127.0.0.1/5432' 2>/dev/null \
		&& ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 \
		&& ! command -v pg_ctl >/dev/null 2>&1; then \
		missing="$$missing postgresql"; \
	fi; \
	if [ ! -x /usr/bin/chromium ]; then missing="$$missing chromium"; fi; \
	if [ -z "$$missing" ]; then echo "system packages: nothing missing"; exit 0; fi; \
	sudo=""; if [ "$$(id -u)" -ne 0 ]; then sudo="sudo"; fi; \
	echo "installing:$$missing"; \
	$$sudo apt-get update -q && $$sudo env $(APT_INSTALL) $$missing

test: venv system-deps
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)

demo: venv
	$(BIN)/tenure demo $(DEMO_ARGS)

bench: venv
	@for script in bench/*.py; do \
		[ -e "$$script" ] || { echo "no benchmarks in bench/"; break; }; \
		echo "== $$script"; \
		$(BIN)/python "$$script" || exit 1; \
	done

# Build outputs and tool caches; `distclean` also removes the virtual environment.
clean:
	rm -rf build dist .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find src tests $(wildcard bench) -name __pycache__ -type d -prune -exec rm -rf {} +
	find src -maxdepth 1 -name '*.egg-info' -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
