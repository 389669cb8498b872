# Two commands for a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export ASSESS_ENV ?= development

.PHONY: run test lint lock bench clean frontend

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Every dependency (runtime and test) at the version and hash in requirements.lock; then assess
# itself. `pip check` fails when a dependency in pyproject.toml is missing from the lock.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check || { echo "requirements.lock does not match pyproject.toml: run make lock"; exit 1; }
	touch $@

# Re-resolve requirements.lock from pyproject.toml (after changing a dependency there). Pins in the
# lock are kept where pyproject.toml still allows them; `make lock UPGRADE=1` takes the newest.
lock: $(BIN)/uv
	$(BIN)/uv pip compile --quiet pyproject.toml --extra test --universal --generate-hashes \
		--custom-compile-command "make lock" -o requirements.lock $(if $(UPGRADE),--upgrade)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install --quiet uv==$(UV_VERSION)

run: $(VENV)/.installed
	$(BIN)/assess init-db --demo-if-empty
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl+C to stop). Demo sign-ins are in the README."
	ASSESS_LOG_FORMAT=text $(BIN)/assess draw-charts & renderer=$$!; \
	ASSESS_LOG_FORMAT=text $(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT); \
	kill $$renderer

test: $(VENV)/.installed
	$(BIN)/ruff check assess tests bench wsgi.py
	$(BIN)/ruff format --check assess tests bench wsgi.py
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python bench/scoring.py

# Rebuild assess/static/govuk/ from frontend/ (needs Node and npm; the output is committed).
frontend:
	sh frontend/build.sh

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache .mypy_cache
