# Stagepool: `make demo` runs the platform on a demo region, `make test` runs every test, `make bench` measures,
# `make soak` repeats the cluster fault tests at full scale.
# Every target installs what it needs first (deploy/dev/bootstrap.sh), so a fresh clone needs no manual step.
VENV   := .venv
PY     := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
ONCE   ?= 0

.PHONY: bootstrap demo test test-unit test-contract test-integration test-e2e test-faults test-browser bench soak dev-up dev-down dev-status clean

bootstrap:
	@bash deploy/dev/bootstrap.sh

demo: bootstrap
	$(PY) -m demo $(if $(filter 1,$(ONCE)),--once,)

# The unit and contract tests (pure, no servers) run on both cores. The tests on real servers run on two workers
# too, a module at a time (its platform starts once), with every module on the replicated servers (3-node
# Kafka, Sentinel) on one worker (tests/conftest.py); the cluster faults run once each here, 15 times in `make soak`.
SOAK_MODULES := tests/integration/test_cluster_faults.py tests/integration/test_cluster_faults_services.py tests/integration/test_cluster_faults_reporting.py
test: bootstrap
	@status=0; \
	$(PYTEST) -n 2 tests/unit tests/contract || status=1; \
	$(PYTEST) -n 2 --dist loadfile tests --ignore=tests/unit --ignore=tests/contract || status=1; \
	exit $$status

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

# The cluster fault tests (tests/integration/test_cluster_faults*.py) at full scale: SOAK_INJECTIONS injections
# per fault instead of one; prints one FIGURE line per injection (docs/reliability.md).
SOAK_INJECTIONS ?= 15
soak: bootstrap
	STAGEPOOL_FAULT_INJECTIONS=$(SOAK_INJECTIONS) $(PYTEST) -s -p no:cacheprovider --timeout=0 $(SOAK_MODULES)

dev-up: bootstrap
	$(VENV)/bin/stagepool dev up

dev-down:
	$(VENV)/bin/stagepool dev down

dev-status:
	$(VENV)/bin/stagepool dev status

clean:
	rm -rf $(VENV) .stagepool .pytest_cache
