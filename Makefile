# One command checks everything CI checks: `make check`.
# The tools come from the project's dev extra: python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'
VENV ?= .venv
BIN := $(VENV)/bin
SOURCES := isdesk tests bench

.PHONY: check check-static format lint types imports test fix

check: check-static test

# Everything but the tests: what the pre-commit hooks and the end of .ci/run run.
check-static: format lint types imports

format:
	$(BIN)/ruff format --check $(SOURCES)

lint:
	$(BIN)/ruff check $(SOURCES)

types:
	$(BIN)/mypy

imports:
	$(BIN)/lint-imports

test:
	$(BIN)/pytest

# Rewrite what the format and lint checks would refuse.
fix:
	$(BIN)/ruff format $(SOURCES)
	$(BIN)/ruff check --fix $(SOURCES)
