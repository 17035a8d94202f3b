# PMO portfolio-analysis workbook. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DATA ?= data/sample
AS_OF ?= 2026-06-30

.DEFAULT_GOAL := help

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## Create .venv and install the workbook with its dependencies
install: $(STAMP)

## Run the whole report suite on the bundled sample data and print the HTML index path
report: $(STAMP)
	$(VENV)/bin/pmo-analysis run --data-dir $(DATA) -p as_of $(AS_OF)

## Run every test (unit, data contract, notebooks, end-to-end), and every notebook as a user opens it
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup --nbval-lax --nbval-current-env; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; exit $$rc

## Run the tests that start no Jupyter kernel, on every core (a quick check while editing)
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not notebook and not slow and not browser" -n 2 --dist loadfile

## Lint: ruff (rules and format) on everything, the layers' import contracts (import-linter), types of core, inputs and analyses (mypy)
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

## Fix what can be fixed automatically (import order, modern syntax, layout) and strip notebook outputs
format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/nbstripout notebooks/*.ipynb

## Open JupyterLab on notebooks/ in the workbook's environment
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

## Run the benchmark (generates a large portfolio in benchmarks/data, git-ignored)
bench: $(STAMP)
	$(PY) benchmarks/run.py

## Regenerate the bundled sample portfolio in data/sample
sample: $(STAMP)
	$(VENV)/bin/pmo-analysis sample-data data/sample

## Strip outputs from the notebooks before committing
strip: $(STAMP)
	$(VENV)/bin/nbstripout notebooks/*.ipynb

## Remove the virtual environment and generated reports
clean:
	rm -rf $(VENV) reports/[0-9]* reports/index.html reports/latest reports/scratch .pytest_cache

## List the targets
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-zA-Z_-]+:/{ if (doc) { split($$1,t,":"); printf "  \033[36m%-10s\033[0m %s\n", t[1], doc }; doc=""}' $(MAKEFILE_LIST)

.PHONY: install report test test-fast lint format lab bench sample strip clean help
