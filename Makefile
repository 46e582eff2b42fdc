SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PKGS := chromium chromium-driver postgresql libpango-1.0-0 libpangoft2-1.0-0 \
            libharfbuzz-subset0 fonts-dejavu-core
export UV_PYTHON_DOWNLOADS := never
HOST ?= 127.0.0.1
PORT ?= 8000
.PHONY: run test sysdeps venv lock lint bench reliability snapshot clean mutation

$(VENV)/.done: pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check uv
	$(VENV)/bin/uv pip install -q --python $(PY) -r requirements.lock -e '.[dev]'
	touch $@
venv: $(VENV)/.done

sysdeps:
	@dpkg -s $(APT_PKGS) >/dev/null 2>&1 || { $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(APT_PKGS); }

run: venv
	$(VENV)/bin/gpworkforce init
	$(VENV)/bin/gpworkforce serve --host $(HOST) --port $(PORT)

test: sysdeps venv
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -n auto -q

lint: venv
	$(VENV)/bin/ruff check src tests scripts bench
	$(VENV)/bin/ruff format --check src tests scripts bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Mutation testing of src/gpworkforce/model against tests/unit/model (config: pyproject [tool.mutmut]).
# Slow (minutes); not part of `make test`. Survivors: `.venv/bin/mutmut results`.
mutation: venv
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 2
	$(VENV)/bin/mutmut export-cicd-stats && cat mutants/mutmut-cicd-stats.json

bench: venv
	$(PY) bench/run.py

# Reliability runs, not part of `make test`: load held (50 clients of mixed reads and writes for 2
# minutes on SQLite, then on a throwaway PostgreSQL with two workers; bench/reliability_load.py,
# several minutes) and the fault and tamper runs that rewrite the ops table in docs/reliability.md.
RELIABILITY_SCRIPTS := scripts/reliability_ops.py scripts/reliability_kill.py
reliability: sysdeps venv
	$(PY) bench/reliability_load.py --clients 50 --seconds 120
	$(PY) bench/reliability_load.py --clients 50 --seconds 120 --postgres --workers 2
	@for script in $(RELIABILITY_SCRIPTS); do echo "== $$script"; $(PY) $$script || exit 1; done

snapshot: venv
	$(PY) scripts/build_snapshot.py

lock: venv
	$(VENV)/bin/uv pip compile -q pyproject.toml --extra dev --python-version 3.11 -o requirements.lock
