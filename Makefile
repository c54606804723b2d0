# Each public target creates .venv and installs the project when needed, so it is the only
# command a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test faults lint typecheck unit integration clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -c "from streams.stages.geo import gazetteer; gazetteer()"  # build the place index once
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/newsevents demo

lint: $(STAMP)
	$(BIN)/ruff check streams tests
	$(BIN)/ruff format --check streams tests
	$(BIN)/lint-imports
	$(BIN)/vulture streams tests/vulture_allowlist.py --min-confidence 60

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not faults"

# Fault injection (broker cut, SIGKILL, hostile input) on real workers: a few minutes; CI runs it too.
faults: $(STAMP)
	$(BIN)/python -m pytest -q -rP -p no:cacheprovider -m faults tests/faults

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
