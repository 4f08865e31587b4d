# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e ".[test,bench]"
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/stockpile run configs/baseline.yaml --deterministic --force
	$(BIN)/stockpile sweep configs/baseline.yaml --runs 200 --force --quiet
	$(BIN)/stockpile report results/baseline-sweep --force

test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(TEST_STAMP)
	$(BIN)/python -m benchmarks.bench

clean:
	rm -rf $(VENV) build *.egg-info
