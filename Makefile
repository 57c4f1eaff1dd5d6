# Masthead: `make demo` runs the family, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-fast test-e2e bench browser install clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[bench]'
	touch $@

install: $(STAMP)

browser: $(STAMP)
	$(PY) -m tests.browser --ensure

demo: $(STAMP)
	$(VENV)/bin/masthead demo

test: $(STAMP) browser
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not e2e"

test-e2e: $(STAMP) browser
	$(PY) -m pytest -m e2e

bench: $(STAMP) browser
	$(PY) -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
