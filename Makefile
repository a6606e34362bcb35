# The two commands that matter: `make run` and `make test`. Everything else is a step of theirs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
# The PostgreSQL leg of `make test`; override to point at another server.
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_UPDATED := $(VENV)/.apt-updated

.PHONY: run serve test install system-packages browser translations lint test-sqlite test-postgres messages clean \
	deploy-packages deploy-check vendor-workbox

run: install deploy-packages
	@echo "== migrating the database (flask db upgrade) =="
	@$(FLASK) db upgrade
	@echo "== loading the demo content (flask demo load; the first time it also transcodes the demo clip) =="
	@$(FLASK) demo load
	@$(MAKE) --no-print-directory serve

# The development server (Flask's, for trying the site on this machine; production runs gunicorn
# behind nginx: docs/deploy.md) with the job worker and the live lessons' streaming server (nginx with
# its RTMP module on loopback, configured under instance/live-nginx/ by `flask live serve`) beside it.
# Ctrl-C or SIGTERM stops all three and ends cleanly (exit 0): the recipe's shell traps the signal,
# stops its children and waits. Without nginx's RTMP module the site runs without live streaming.
LIVE_RTMP_PORT ?= 1935
LIVE_HTTP_PORT ?= 8088
serve:
	@echo "Serving the Online Party School on http://$(HOST):$(PORT) with Flask's development server"
	@echo "  (demo password: party-school-demo; for production see docs/deploy.md). Ctrl-C stops it."
	@echo "  Live lessons: RTMP in at rtmp://127.0.0.1:$(LIVE_RTMP_PORT)/live, HLS out at http://127.0.0.1:$(LIVE_HTTP_PORT)/hls"
	@export LIVE_RTMP_PORT=$(LIVE_RTMP_PORT) LIVE_HTTP_PORT=$(LIVE_HTTP_PORT) \
		LIVE_RTMP_URL=rtmp://127.0.0.1:$(LIVE_RTMP_PORT)/live LIVE_HLS_URL=http://127.0.0.1:$(LIVE_HTTP_PORT)/hls \
		LIVE_CALLBACK_URL=http://127.0.0.1:$(PORT); \
	$(FLASK) worker & worker=$$!; \
	streaming=; if [ -f $(RTMP_MODULE) ]; then $(FLASK) live serve & streaming=$$!; \
		else echo "  (no $(RTMP_MODULE): live lessons cannot stream; make deploy-packages installs it)"; fi; \
	$(FLASK) run --host $(HOST) --port $(PORT) & server=$$!; \
	stop() { trap '' INT TERM; kill -TERM $$server $$worker $$streaming 2>/dev/null; wait $$server $$worker $$streaming 2>/dev/null; \
		echo "Stopped the web server, the job worker and the streaming server."; exit 0; }; \
	trap stop INT TERM; \
	wait $$server; status=$$?; kill -TERM $$worker $$streaming 2>/dev/null; wait $$worker $$streaming 2>/dev/null; \
	case $$status in 0|130|143) exit 0;; *) exit $$status;; esac

# The two legs run side by side (one per core); each leg's output is printed whole when it ends.
test: install browser deploy-packages lint
	@echo "== running the SQLite and PostgreSQL legs in parallel; each prints its report and time when done =="
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres; status=$$?; \
	$(call elapsed,both legs,$$start); exit $$status

install: $(INSTALLED) system-packages translations

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@echo "== creating the virtual environment $(VENV) =="
	$(PYTHON) -m venv $(VENV)

# pip's own lines, less its noise: what it collects and installs, so a first run is not a silent minute.
PIP_PROGRESS := grep --line-buffered -E "^(Collecting|Installing collected|Successfully installed|ERROR)" || true
$(INSTALLED): pyproject.toml | $(BIN)/python
	@echo "== installing the Python packages into $(VENV) (about a minute the first time) =="
	@set -o pipefail; $(BIN)/python -m pip install --progress-bar off --upgrade pip | { $(PIP_PROGRESS); }
	@set -o pipefail; $(BIN)/python -m pip install --progress-bar off -e ".[dev]" | { $(PIP_PROGRESS); }
	@touch $@

$(APT_UPDATED): | $(BIN)/python
	$(SUDO) apt-get update -qq
	touch $@

# Debian's ffmpeg: video lessons are probed and transcoded with it. WenQuanYi Zen Hei: a TrueType
# Chinese font that reportlab can embed in certificates.
CERTIFICATE_FONT := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
system-packages:
	@{ command -v ffmpeg >/dev/null && [ -f $(CERTIFICATE_FONT) ]; } || { \
		$(MAKE) --no-print-directory $(APT_UPDATED) && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq ffmpeg fonts-wqy-zenhei; }

# Debian's chromium drives the browser journeys (Playwright's own browser download is not used);
# without a CJK font every Chinese character in the screenshots would be a box.
browser:
	@{ command -v chromium >/dev/null && fc-list :lang=zh | grep -q .; } || { \
		$(MAKE) --no-print-directory $(APT_UPDATED) && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk; }

translations: $(INSTALLED)
	@$(BIN)/pybabel compile --statistics -d app/translations 2>&1 | grep -v "^compiling" || true

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/mypy app
	$(BIN)/lint-imports --no-cache

# $(call elapsed,what,start-seconds): print how long `what` took, in wall-clock minutes and seconds.
elapsed = seconds=$$(( $$(date +%s) - $(2) )); \
	echo "== $(1) took $$((seconds / 60)) min $$((seconds % 60)) s (wall clock) =="

# With PostgreSQL answering, the legs split what runs once so that they take about as long: leg 1 runs
# the browser journeys (mostly waiting on real time), leg 2 the production stack tests (they start
# their own PostgreSQL/Redis) and the slow tests without a browser (the corpus import, killed workers,
# `make serve`); every other test runs on both. Without PostgreSQL, leg 1 runs everything (the
# production tests skip, saying why).
PG_ANSWERS = $(BIN)/python -c "import psycopg; psycopg.connect('$(TEST_PG_URL)'.replace('+psycopg', ''), connect_timeout=3).close()" 2>/dev/null
test-sqlite:
	@start=$$(date +%s); \
	if $(PG_ANSWERS); then \
		echo "== test leg 1/2: SQLite (embedded), with the browser journeys (the production stack and slow tests without a browser run on leg 2) =="; \
		$(BIN)/pytest -m "not production and (browser or not slow)"; \
	else \
		echo "== test leg 1/2: SQLite (embedded), every test (no PostgreSQL answers at $(TEST_PG_URL): the production tests skip) =="; \
		$(BIN)/pytest; \
	fi; status=$$?; \
	$(call elapsed,test leg 1/2 (SQLite),$$start); exit $$status

test-postgres:
	@if $(PG_ANSWERS); then \
		echo "== test leg 2/2: PostgreSQL at $(TEST_PG_URL), with the production stack and slow tests without a browser (the browser journeys run on leg 1) =="; \
		start=$$(date +%s); \
		TEST_DATABASE_URL=$(TEST_PG_URL) $(BIN)/pytest -m "production or not browser"; status=$$?; \
		$(call elapsed,test leg 2/2 (PostgreSQL),$$start); exit $$status; \
	else \
		echo "== test leg 2/2: SKIPPED: no PostgreSQL answers at $(TEST_PG_URL) (set TEST_PG_URL to run it) =="; \
	fi

# Production pieces on this machine: nginx (Debian's light build: its binary has secure_link, which
# signs the live lessons' HLS links) with the RTMP module that ingests live lessons, and the PostgreSQL
# client tools (pg_dump/pg_restore for `flask backup`; the tests back up and restore PostgreSQL too).
RTMP_MODULE := /usr/lib/nginx/modules/ngx_rtmp_module.so
deploy-packages:
	@{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } && [ -f $(RTMP_MODULE) ] && command -v pg_dump >/dev/null && command -v redis-cli >/dev/null || { \
		$(MAKE) --no-print-directory $(APT_UPDATED) && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx-light libnginx-mod-rtmp postgresql-client redis-tools; }

# Starts nginx + gunicorn + PostgreSQL db `deploy_check` + Redis db 7 + a worker on loopback, checks
# sign-in, a video byte range, a search and a report through nginx, and tears it all down.
deploy-check: $(INSTALLED) deploy-packages
	$(BIN)/python -m tests.deploy.deploy_check

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache tests/artifacts

# After changing user-facing text: refresh the catalogue, then translate the new entries.
messages: $(INSTALLED)
	$(BIN)/pybabel extract -F app/translations/babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o app/translations/messages.pot app
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

# Workbox (the service worker's caching library, MIT) is vendored under app/static/vendor/: the
# browser builds of the modules sw.js loads, with their licence, so no CDN is asked at run time.
# Refresh it (needs npm) with `make vendor-workbox WORKBOX_VERSION=…`, then update WORKBOX_VERSION
# in app/offline/views.py.
WORKBOX_VERSION ?= 7.4.1
WORKBOX_MODULES := core precaching routing strategies range-requests cacheable-response
vendor-workbox:
	rm -rf build/workbox && mkdir -p build/workbox app/static/vendor/workbox-$(WORKBOX_VERSION)
	cd build/workbox && npm install --no-audit --no-fund --no-save workbox-sw@$(WORKBOX_VERSION) \
		$(foreach m,$(WORKBOX_MODULES),workbox-$(m)@$(WORKBOX_VERSION))
	cp build/workbox/node_modules/workbox-sw/build/workbox-sw.js app/static/vendor/workbox-$(WORKBOX_VERSION)/
	$(foreach m,$(WORKBOX_MODULES),cp build/workbox/node_modules/workbox-$(m)/build/workbox-$(m).prod.js \
		app/static/vendor/workbox-$(WORKBOX_VERSION)/ &&) true
	cp build/workbox/node_modules/workbox-core/LICENSE app/static/vendor/workbox-$(WORKBOX_VERSION)/LICENSE
	sed -i '/^\/\/# sourceMappingURL=/d' app/static/vendor/workbox-$(WORKBOX_VERSION)/*.js
