# Sangathan — the two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
APT_PACKAGES := chromium fonts-noto-core gettext poppler-utils redis-server libpango-1.0-0 libpangoft2-1.0-0 tesseract-ocr tesseract-ocr-hin tesseract-ocr-eng
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast install system-deps messages lint redis clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: system-deps $(STAMP) messages

# Debian packages the app and the tests need (browser tests, Devanagari fonts, message compilation).
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "Installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Please install as root: apt-get install$$missing"; exit 1; fi; \
	fi

messages: $(STAMP)
	cd sangathan && ../$(BIN)/sangathan compilemessages --ignore=.venv -v 0

demo: install
	$(BIN)/sangathan migrate --no-input -v 0
	$(BIN)/sangathan demo
	@echo ""
	@echo "Sangathan is running at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, API: http://$(HOST):$(PORT)/api/docs/)"
	@echo "Two-factor sign-in for admins is off in the demo; start it with REQUIRE_2FA=1 make demo to try it."
	@echo "Stop it with Ctrl+C."
	REQUIRE_2FA=$${REQUIRE_2FA:-0} $(BIN)/gunicorn sangathan.config.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile -

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	$(BIN)/sangathan makemigrations --check --dry-run -v 0

# Redis is the Celery broker in production; the worker tests use a real one.
redis:
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null

# The outage tests stop the PostgreSQL server itself: run alone, after the rest, so no other test meets it down.
# --durations: the slowest tests (with their set-up) at the end of the output, to keep the suite's time in view.
test: install lint redis
	$(BIN)/pytest -n 2 -q -m "not outage" --durations=40
	$(BIN)/pytest -q -m outage

# The quick local loop: no lint, no browser, no Celery worker, none of the slow tests (`make test` runs them all).
test-fast: install
	$(BIN)/pytest -n 2 -q -m "not e2e and not slow and not worker"

clean:
	rm -rf $(VENV) var
