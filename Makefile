# THET site. `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
PORT ?= 8000

# Settings for the test suite: production-like (DEBUG off), no HTTPS redirect on the
# test client, an obviously fake key.
TEST_ENV := DEBUG=0 SECRET_KEY=test-only-not-secret SECURE_SSL_REDIRECT=0 STATIC_MANIFEST=0

.PHONY: run test serve bench bench-imports lint format install migrate seed collectstatic clean redis backup restore

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_seed_content
	DEBUG=1 $(PY) manage.py create_dev_admin
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

# scripts/check_test_deps first: installs the pinned npm packages (and, as root, missing
# system packages) or stops with one line saying what to install.
test: install
	scripts/check_test_deps
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

# Production mode on this machine: DEBUG off, gunicorn, WhiteNoise with hashed,
# compressed static files. SECRET_KEY must come from the environment in production;
# a throwaway one is made here if it is unset so the command works out of the box.
# The HTTPS redirect is on, as in production (docs/DEPLOY.md): to try it over plain HTTP
# on this machine, `SECURE_SSL_REDIRECT=0 make serve`. SITE_URL goes into the Site record.
serve: install
	@test -n "$$SECRET_KEY" || echo "SECRET_KEY is not set: using a throwaway key for this run."
	@test -n "$$SECURE_SSL_REDIRECT" || echo "HTTP is redirected to HTTPS; SECURE_SSL_REDIRECT=0 to try it over plain HTTP."
	SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')} \
	DEBUG=0 sh -c '\
	  $(PY) manage.py collectstatic --noinput -v0 && \
	  $(PY) manage.py migrate --noinput -v0 && \
	  $(PY) manage.py load_seed_content && \
	  $(PY) manage.py set_site_url && \
	  exec $(VENV)/bin/gunicorn thet_site.wsgi:application --config thet_site/gunicorn.conf.py'

# The benchmark: production mode under wrk (`apt-get install -y wrk`), page cache
# off and on, ratios against a static file and SQL query counts into bench/results.md;
# BENCH_PROJECTS=5000 make bench for ten times THET's size (default 500).
bench: install
	$(PY) bench/run.py

# How long the admin's project import keeps an editor waiting, largest file included
# (bench/results-imports.md).
bench-imports: install
	$(PY) bench/imports.py

# A development Redis on 127.0.0.1:$(REDIS_PORT) with the memory cap and eviction policy
# docs/DEPLOY.md asks of production (then REDIS_URL=redis://127.0.0.1:$(REDIS_PORT)/0).
REDIS_PORT ?= 6379
redis:
	redis-server --daemonize yes --bind 127.0.0.1 --port $(REDIS_PORT) --save "" \
	  --appendonly no --maxmemory 128mb --maxmemory-policy allkeys-lru

# One dated archive of the database and the media (thet_site/backup.py) into
# $(BACKUP_DIR); `make restore FILE=backups/thet-backup-….tar` brings it back into a fresh
# database (DATABASE_URL, created empty) and media folder (MEDIA_ROOT), then migrates.
BACKUP_DIR ?= backups
backup: install
	$(PY) manage.py backup --output-dir "$(BACKUP_DIR)"

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/thet-backup-….tar"; exit 2; }
	$(PY) manage.py restore "$(FILE)"
	$(PY) manage.py migrate --noinput

# ruff (with PLC0415: no import inside a function), import-linter's layer contracts
# (pyproject.toml, docs/ARCHITECTURE.md) and the type check (mypy, configured in
# pyproject.toml: strict on thet_site, the default checks on pages). mypy loads the
# settings through django-stubs, hence the settings' two required variables.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo
	DEBUG=0 SECRET_KEY=type-check-only $(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
