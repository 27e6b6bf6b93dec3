# linkwork: `make run` starts the whole stack, `make test` runs every test against real Kafka and PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := -e contracts -e runtime -e deploy/stack \
	-e services/referral -e services/directory -e services/matching -e services/outcomes \
	-e services/console
STAMP := $(VENV)/.installed

.PHONY: install system-packages run test test-fast lint typecheck bench clean

$(STAMP): constraints.txt requirements-dev.txt $(wildcard */pyproject.toml */*/pyproject.toml) \
		services/console/package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	PIP_CONSTRAINT=$(CURDIR)/constraints.txt $(BIN)/pip install -q --disable-pip-version-check \
		$(PACKAGES) -r requirements-dev.txt
	# The console's NHS.UK frontend assets, at the exact version in its lock file (npm).
	cd services/console && npm ci --no-audit --no-fund --loglevel=error
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
		-p linkwork_referral -p linkwork_directory -p linkwork_matching -p linkwork_outcomes \
		-p linkwork_console

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .data
