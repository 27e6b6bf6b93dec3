# linkwork: `make run` starts the whole stack, `make test` runs every test against real Kafka and PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := -e contracts -e runtime -e deploy/stack \
	-e services/referral -e services/directory -e services/matching -e services/outcomes
STAMP := $(VENV)/.installed

.PHONY: install system-packages run test test-fast lint typecheck bench fuzz clean

$(STAMP): constraints.txt requirements-dev.txt $(wildcard */pyproject.toml */*/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	PIP_CONSTRAINT=$(CURDIR)/constraints.txt $(BIN)/pip install -q --disable-pip-version-check \
		$(PACKAGES) -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# Debian packages some tests drive for real: promtool (alert rules) and headless Chromium (report page).
system-packages:
	bash deploy/scripts/install-system-packages.sh

run: install
	$(BIN)/linkwork-stack run --simulate 60

test: install system-packages lint typecheck
	$(BIN)/linkwork-stack provision
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy -p linkwork_contracts -p linkwork_runtime -p linkwork_stack \
		-p linkwork_referral -p linkwork_directory -p linkwork_matching -p linkwork_outcomes

bench: install
	$(BIN)/python -m bench

# A longer schemathesis hunt (100 examples per operation) than make test's short pass; the referral API today.
fuzz: install
	REFERRAL_FUZZ_EXAMPLES=100 $(BIN)/pytest services/referral/tests/integration/test_openapi_fuzz.py -q

clean:
	rm -rf $(VENV) .data
