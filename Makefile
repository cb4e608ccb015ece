# Two commands matter: `make run` and `make test` (README). Everything runs inside .venv.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Where the app listens: 127.0.0.1 (this machine only) by default; `make run ADDRESS=0.0.0.0` serves the hospital
# network (docs/OPERATING.md, "Serving the hospital network").
ADDRESS ?= 127.0.0.1

.PHONY: run test test-fast test-clock test-busy lint format bench demo clean-data

$(BIN)/python: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $(BIN)/python

run: $(BIN)/python
	$(BIN)/python -m metrics demo --if-empty
	@$(BIN)/python -m metrics users list > /dev/null  # prints how to create the first admin while none exists
	$(BIN)/streamlit run serve.py --server.port $(PORT) --server.address $(ADDRESS)

test: $(BIN)/python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q
	@$(MAKE) --no-print-directory test-clock

# The loop while developing (under three minutes on 2 cores): every test but those that need a browser, PostgreSQL or
# LibreOffice, the bench's and those that start processes of their own (the markers in pyproject.toml), one per core
# (pytest-xdist; a file's tests stay in one process). `make test` runs them all, in one process.
FAST ?= not e2e and not postgresql and not libreoffice and not bench and not slow and not process
test-fast: $(BIN)/python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -n auto --dist loadfile -m "$(FAST)"

# The tests that judge on a day (overdue notices and tasks, the running quarter, future months, the default period
# and year), run again with the machine's clock moved (faketime): to 2 January, when the running quarter holds no demo
# row, and to mid-February (春节). What a test expects must not change with the wall clock's month: tests/conftest.py
# pins the app's "today" ($INTEGRITY_TODAY) for the whole run. A machine without faketime fails here, never skips.
CLOCK_DAYS ?= 2027-01-02 2026-02-15
CLOCK_TESTS ?= $(addprefix tests/test_,clock.py period_default.py points.py views_tasks.py calendar_page.py \
	views_awards.py tasks_page.py ingest_hidden_damage.py views_events.py briefing_as_of.py lights_rule.py \
	awards_notice_flag.py department_page.py)
test-clock: $(BIN)/python
	@command -v faketime >/dev/null || { echo "make test-clock: faketime is missing (apt-get install faketime)"; exit 1; }
	@for day in $(CLOCK_DAYS); do \
	  echo "== the machine's clock at $$day"; \
	  faketime "$$day 10:00:00" $(BIN)/python -m pytest -q $(CLOCK_TESTS) || exit 1; \
	done

# The browser tests where load shows, with two CPU burners running (tests/busy.py starts and always stops them):
# what a visitor sees must not depend on an idle server. BUSY_TESTS: the tests that start a fresh server (its first
# session is Streamlit's legacy pages/ run) or click and read the rerun; `make test-busy BUSY_TESTS=tests/e2e` runs
# the whole browser suite (the timing bench then measures the burners, not the app).
BUSY_TESTS ?= $(addprefix tests/e2e/test_,first_interaction.py fresh_server_nav.py require_login_browser.py \
	signin_click.py auth_browser.py targets_edit_browser.py tasks_browser.py typed_urls_browser.py)
test-busy: $(BIN)/python
	$(BIN)/python tests/busy.py -q $(BUSY_TESTS)

lint: $(BIN)/python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/python
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# bench/README.md. BROWSER=1: the real-browser bench; REGION=1: a region store on both stores; LOAD=1: concurrent
# websocket sessions without a browser (bench/wsload.py), on one process and on two replicas behind nginx
bench: $(BIN)/python
ifdef LOAD
	$(BIN)/python -m bench.wsload
else
	$(BIN)/python -m bench $(if $(BROWSER),--browser) $(if $(REGION),--region --region-browser)
endif

demo: $(BIN)/python
	$(BIN)/python -m metrics demo
