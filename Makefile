# Stagepool: `make demo` runs the platform on a demo region, `make test` runs every test, `make bench` measures.
# Every target installs what it needs first (deploy/dev/bootstrap.sh), so a fresh clone needs no manual step.
VENV   := .venv
PY     := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
ONCE   ?= 0

.PHONY: bootstrap demo test test-unit test-contract test-integration test-e2e test-faults test-browser bench dev-up dev-down dev-status clean

bootstrap:
	@bash deploy/dev/bootstrap.sh

demo: bootstrap
	$(PY) -m demo $(if $(filter 1,$(ONCE)),--once,)

test: bootstrap
	$(PYTEST) tests

test-unit: bootstrap
	$(PYTEST) tests/unit tests/contract

test-contract: bootstrap
	$(PYTEST) tests/contract

test-integration: bootstrap
	$(PYTEST) tests/integration

test-e2e: bootstrap
	$(PYTEST) tests/e2e

test-faults: bootstrap
	$(PYTEST) tests/e2e -m faults

test-browser: bootstrap
	$(PYTEST) tests/browser

bench: bootstrap
	$(PY) -m bench

dev-up: bootstrap
	$(VENV)/bin/stagepool dev up

dev-down:
	$(VENV)/bin/stagepool dev down

dev-status:
	$(VENV)/bin/stagepool dev status

clean:
	rm -rf $(VENV) .stagepool .pytest_cache
