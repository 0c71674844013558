# deskpay — the two commands: `make test` and `make demo`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: test demo bench lint clean

# A fresh machine: create the venv and install the project with its dev and postgres extras.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	touch $(STAMP)

# The gates first (the same in CI): a lint or type error fails the run before the suite starts.
test: lint
	$(BIN)/python -m pytest -q

# Bytecode first, as a wheel install would: with PYTHONDONTWRITEBYTECODE set, every launch would compile deskpay again.
demo: $(STAMP)
	@$(BIN)/python -m compileall -q deskpay > /dev/null
	$(BIN)/deskpay demo

lint: $(STAMP)
	$(BIN)/ruff check deskpay tests bench
	$(BIN)/ruff format --check deskpay tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/stripe_links.py
	$(BIN)/python bench/email_throughput.py
	$(BIN)/python bench/tui.py

clean:
	rm -rf $(VENV) .pytest_cache
