# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test install browser bench-tools bench messages check-messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's Chromium; install it when missing and we may (root + apt).
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium for the browser tests (Debian package)…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Could not install Chromium: browser tests will be skipped."; \
	  else echo "No Chromium at $(CHROMIUM): browser tests will be skipped (apt-get install chromium)."; fi; \
	fi

# The hot-path benchmark drives the server with wrk, and bench_instructions counts with valgrind;
# install them when missing and we may.
bench-tools:
	@for tool in wrk valgrind; do \
	  if ! command -v $$tool >/dev/null; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "Installing $$tool for the benchmarks (Debian package)…"; \
	      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$tool >/dev/null) \
	        || echo "Could not install $$tool: the benchmarks that use it will not run."; \
	    else echo "No $$tool: the benchmarks that use it will not run (apt-get install $$tool)."; fi; \
	  fi; \
	done

# The embedded default, said explicitly: DEBUG off as in production, plain HTTP on 127.0.0.1 (no
# HTTPS redirect, no secure-only cookies), static files collected and served by WhiteNoise. The
# demo logins are created on the embedded default only; against a database server, pass
# LOAD_DEMO_ARGS=--with-demo-logins if that is really wanted.
run: export DEBUG ?= false
run: export HTTPS ?= false
run: install
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py collectstatic --noinput -v 0
	@$(PY) manage.py load_demo --once $(LOAD_DEMO_ARGS)
	@PORT=$(PORT) $(PY) manage.py run_banner
	@PORT=$(PORT) PATH="$(CURDIR)/$(VENV)/bin:$$PATH" exec $(VENV)/bin/honcho start -f Procfile

test: install browser
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks build a throw-away test database (any DATABASE_URL) as the test suite does: read the
# settings as a developer's machine does (DEBUG is off unless set, and off again while they run).
bench: export DEBUG ?= true
bench: install bench-tools
	$(PY) -m benchmarks $(BENCH_ARGS)

# Regenerate the translation catalogues after changing strings; commit the .po and .mo.
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=benchmarks
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
