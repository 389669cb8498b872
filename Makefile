# Two commands for a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
export ASSESS_ENV ?= development

.PHONY: run test lint bench clean frontend

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

run: $(VENV)/.installed
	$(BIN)/assess init-db --demo-if-empty
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl+C to stop). Demo sign-ins are in the README."
	ASSESS_LOG_FORMAT=text $(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.installed
	$(BIN)/ruff check assess tests bench wsgi.py
	$(BIN)/ruff format --check assess tests bench wsgi.py
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python bench/scoring.py

# Rebuild assess/static/govuk/ from frontend/ (needs Node and npm; the output is committed).
frontend:
	sh frontend/build.sh

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
