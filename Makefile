# Two commands do all set-up: `make demo` and `make test`. Everything else is a convenience.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages: the judge's sandbox and the languages it runs.
SYSTEM_PACKAGES := bubblewrap gcc g++ openjdk-17-jdk-headless nodejs python3
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: demo test lint typecheck unit integration bench up down clean sysdeps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,media]'
	@touch $(STAMP)

# System packages the product needs, installed only when missing (root, Debian).
sysdeps:
	@bash scripts/sysdeps.sh $(SYSTEM_PACKAGES)

demo: $(STAMP) sysdeps
	$(BIN)/celeriac demo

test: $(STAMP) sysdeps lint typecheck
	$(BIN)/python -m pytest tests -q -n 3 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --write BENCHMARKS.md

up: $(STAMP)
	$(BIN)/celeriac up

down: $(STAMP)
	$(BIN)/celeriac down

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
