# Two commands set everything up on a fresh machine with Python 3.11+:
#   make report   creates .venv, installs discourse, writes the bundled thread's report
#   make test     installs the test tools and runs every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SEED := corpora/zimmer-concession-2017.txt

.PHONY: report test install install-dev browser bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "discourse needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e . --group dev

report: install
	$(BIN)/discourse report $(SEED) -o reports/zimmer-concession-2017.html

test: install-dev
	$(BIN)/python -m pytest

bench: install-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info
