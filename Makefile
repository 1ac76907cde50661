# hardening.docker: every set-up and test step, from a fresh Debian machine (root).
#   make demo          harden a disposable local Debian 12 test host and audit it
#   make demo-destroy  remove that test host
#   make test          the whole suite: lint, sanity, unit, report, Molecule
#   make bench         time the main job and the audit against a floor play, on 1 and 8 test hosts
#   make bench-authz   latency the authorization plugin adds per API request
#   make matrix        unit, sanity and the default scenario on older ansible-core releases
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
COLLECTIONS := $(CURDIR)/.cache/collections
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PYTHONPATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)
export HD_TESTBED_TAG := $(shell testbed/recipe-hash.sh)
# Scenarios run by `make test` (demo is for people, default covers the main job),
# longest first: MOLECULE_JOBS of them run at once (scripts/molecule_lanes.py)
# and the short ones fill the lanes at the end.
SCENARIOS ?= daemon_tls insecure_host default socket_files_audit authz limits_daemon bad_input userns daemon_config apparmor runtime_audit
MOLECULE_SEQUENCE ?= test
MOLECULE_JOBS ?= 2

.PHONY: help demo demo-destroy test bench bench-authz lint sanity unit report-test build-check ee-check changelog matrix matrix-static matrix-scenario molecule images engine venv collection-link build clean

help:
	@sed -n '2,8p' Makefile

venv: $(VENV)/.installed collection-link
$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# Plugins are imported as ansible_collections.hardening.docker.*: link the
# repository into a collections tree instead of installing a copy.
collection-link:
	@mkdir -p $(COLLECTIONS)/ansible_collections/hardening
	@ln -sfn ../../../.. $(COLLECTIONS)/ansible_collections/hardening/docker

engine:
	@scripts/ensure-engine.sh

images: engine
	testbed/build-image.sh bookworm
	testbed/build-image.sh trixie

DEMO_HOST := hd-demo-debian12
demo: venv images
	$(BIN)/molecule converge -s demo
	@$(BIN)/python scripts/demo_summary.py hardening-docker-reports/before hardening-docker-reports
	@echo "Test host $(DEMO_HOST) stays up: 'docker exec -it $(DEMO_HOST) bash' enters it, 'make demo-destroy' removes it."

demo-destroy: venv
	$(BIN)/molecule destroy -s demo

test: venv
	@scripts/stages.sh engine images lint sanity unit report-test build-check ee-check \
	  bg:matrix-static molecule wait:matrix-static matrix-scenario

# CI's share of the controller matrix (make test runs ansible-core 2.19 itself):
# unit tests and sanity on 2.16-2.18 and unit tests on 2.20/2.21 (Python 3.13 in a
# Debian 13 container), in the background of the Molecule stage; then the default
# scenario on 2.16, the oldest release requires_ansible admits. 2.17 and 2.18 share
# 2.16's templating engine (2.19 replaced it); `make matrix` runs the scenario on
# them too (README, "Tested platforms").
matrix-static: venv
	MATRIX_RESET=1 MATRIX_STEPS="unit sanity" scripts/matrix.sh

matrix-scenario: venv images
	MATRIX=2.16 MATRIX_STEPS=molecule MATRIX_CONTAINER="" scripts/matrix.sh
	@echo "2.19: requirements.txt's release, the lint, sanity, unit and molecule stages of make test above"

lint: venv
	$(BIN)/yamllint --strict .
	$(BIN)/ansible-lint --profile production --strict
	$(BIN)/python scripts/catalog_benchmark_ids.py --check
	$(BIN)/python scripts/gen_audit_catalog_data.py --check
	$(BIN)/python scripts/sync_control_tags.py --check
	BIN=$(BIN) scripts/check-changelog.sh

# Fold changelog fragments into galaxy.yml's version and regenerate CHANGELOG.rst.
changelog: venv
	BIN=$(BIN) scripts/changelog.sh

# Render the execution environment's build context (ansible-builder create).
ee-check: venv
	BIN=$(BIN) scripts/check-ee.sh

# Unit tests, sanity and the default scenario on each ansible-core of tests/matrix/.
# MATRIX="2.16 2.17" picks versions; MATRIX_STEPS="unit sanity molecule" picks steps.
matrix: venv images
	scripts/matrix.sh

sanity: venv
	scripts/sanity.sh

# Main job and audit against a floor play on fresh stock test hosts (1 and 8), side by side.
bench: venv images
	$(BIN)/python scripts/bench.py

unit: venv
	$(BIN)/pytest -q tests/unit

report-test: venv
	scripts/ensure-chromium.sh
	$(BIN)/pytest -q tests/report

molecule: venv images
	$(BIN)/python scripts/molecule_lanes.py --jobs $(MOLECULE_JOBS) --sequence $(MOLECULE_SEQUENCE) $(SCENARIOS)

# 1000 GET /containers/json through dockerd's socket with and without the
# authorization plugin, on the authz scenario's Debian 12 host (converged here
# when it is not up; `molecule destroy -s authz` removes it).
BENCH_AUTHZ_HOST ?= hd-authz-debian12
bench-authz: venv images
	@docker inspect $(BENCH_AUTHZ_HOST) >/dev/null 2>&1 || $(BIN)/molecule converge -s authz
	$(BIN)/python scripts/bench_authz.py $(BENCH_AUTHZ_HOST) -n 1000

# Build the tarball, install it into an empty path, list its plugins with ansible-doc.
build-check: venv
	scripts/check-build.sh

build: venv
	mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build .

clean:
	rm -rf build .cache .pytest_cache testbed/.work
