# nps-warehouse: `make run` then `make test` on a fresh machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# What is installed, one stamp per set of extras (pyproject.toml): the core runs the DuckDB
# pipeline; `spark` is added when NPS_ENGINE=spark, `ui` for `make dev`, `dev,spark` for
# the tests and lint.
INSTALLED := $(VENV)/.installed
RUN_INSTALLED := $(if $(filter spark,$(NPS_ENGINE)),$(VENV)/.installed-spark,$(INSTALLED))
TEST_INSTALLED := $(VENV)/.installed-dev,spark
MANIFEST := dbt/target/manifest.json
DBT_SOURCES := $(shell find dbt/models dbt/macros dbt/tests dbt/dbt_project.yml dbt/profiles.yml -type f 2>/dev/null)

# Configuration (docs/configuration.md): relative paths are relative to this directory.
export DAGSTER_HOME ?= $(CURDIR)/dagster_home
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
# Python writes the bytecode of what it imports into .venv, also where the environment says
# not to (PYTHONDONTWRITEBYTECODE, common in containers): the core is installed without
# bytecode (below), and .venv is this project's own.
export PYTHONDONTWRITEBYTECODE :=

PORT ?= 3000
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: run serve test dev manifest install browser report dbt-docs docs sample-data data-docs lint clean bench

run: $(RUN_INSTALLED) $(MANIFEST)  ## Land, validate and model the inbox; print a summary
	$(BIN)/nps-warehouse run

serve: $(INSTALLED)  ## Receive survey tools' signed webhooks into the inbox: http://127.0.0.1:8080/webhooks/<source>
	$(BIN)/nps-warehouse serve

test: $(TEST_INSTALLED) $(MANIFEST) browser  ## The whole test suite (real DuckDB, dbt, GX, Dagster runs, Chromium)
	$(BIN)/pytest

dev: $(VENV)/.installed-ui $(RUN_INSTALLED) $(MANIFEST)  ## Dagster UI, schedule, inbox sensor, freshness: http://localhost:$(PORT) (make dev PORT=3001)
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/dg dev --port $(PORT)

dbt-docs: $(INSTALLED) $(MANIFEST)  ## dbt's docs site, one file (dbt/target/static_index.html), no database opened
	cd dbt && ../$(BIN)/dbt docs generate --profiles-dir . --quiet --empty-catalog --static \
		--target "$$(../$(BIN)/nps-warehouse dbt-target)" --vars "$$(../$(BIN)/nps-warehouse dbt-vars)"

report: $(INSTALLED)  ## Write the HTML report of the published marts again (data/published/report/)
	$(BIN)/nps-warehouse report

# The report's tests drive a real headless Chromium: Debian's chromium and chromium-driver.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		($(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium chromium-driver)

manifest: $(MANIFEST)  ## Parse the dbt project (the manifest Dagster loads)

install: $(INSTALLED)

# uv installs the pinned set (pyproject.toml) from the package registry in seconds where pip
# takes a minute (it fetches in parallel); it is itself installed into .venv by pip, and pip
# installs instead when uv cannot (say, no uv wheel for this platform).
# The core is installed without byte-compiling every module of every package (~200 MB and
# ~15 s, most of it never imported by a run): Python compiles what a run imports the first
# time it imports it. The test tools' install compiles everything (the tests import widely).
UV_VERSION := 0.13.9
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check
define install_project
	($(PIP_INSTALL) uv==$(UV_VERSION) && $(BIN)/uv pip install --quiet --python $(BIN)/python $(1)) || \
		(echo "uv could not install; pip instead" && $(PIP_INSTALL) --no-compile $(1))
endef

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(call install_project,-e .)
	touch $@

$(VENV)/.installed-%: $(INSTALLED)
	$(call install_project,-e '.[$*]')
	$(if $(findstring dev,$*),$(BIN)/python -m compileall -q -j 0 $(VENV)/lib > /dev/null)
	touch $@

# Parsed with the target and vars the pipeline builds with: a new warehouse's first build
# starts from this parse (defs/transform/project.py) instead of parsing the project again.
$(MANIFEST): $(RUN_INSTALLED) $(DBT_SOURCES)
	cd dbt && ../$(BIN)/dbt parse --profiles-dir . --quiet --target "$$(../$(BIN)/nps-warehouse dbt-target)" \
		--vars "$$(../$(BIN)/nps-warehouse dbt-vars)"
	touch $@

docs: $(MANIFEST)  ## Write docs/marts-reference.md from the dbt contracts (a test compares it)
	$(BIN)/python -m dagster_project.marts_reference

data-docs: $(INSTALLED)  ## Great Expectations Data Docs of the stored validation results
	$(BIN)/nps-warehouse data-docs

sample-data: $(INSTALLED)  ## Regenerate the committed sample exports in data/raw
	rm -rf data/raw/responses data/raw/invitations data/raw/followups data/raw/customers data/raw/revenue data/raw/qualtrics data/raw/surveymonkey data/raw/excel data/raw/json
	$(BIN)/python -m dagster_project.sample_data --out data/raw

lint: $(TEST_INSTALLED)  ## Python (ruff) and SQL (sqlfluff renders the dbt models with dbt; .sqlfluff)
	$(BIN)/ruff check dagster_project tests bench
	DBT_TARGET_PATH=target/sqlfluff $(BIN)/sqlfluff lint dbt/models

clean:  ## Remove the warehouse, the published file and build outputs (not the inbox, not the secrets)
	rm -rf data/warehouse data/published dbt/target dbt/logs

bench: $(TEST_INSTALLED) $(MANIFEST)  ## Benchmark against plain DuckDB and pandas: make bench N=1000000 [REPEAT=3]
	cd bench && ../$(BIN)/python run.py --responses $(or $(N),1000000) --repeat $(or $(REPEAT),3)
