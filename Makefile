# Two commands matter: `make run` and `make test` (README). Everything runs inside .venv.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Where the app listens: 127.0.0.1 (this machine only) by default; `make run ADDRESS=0.0.0.0` serves the hospital
# network (README, "Serving the hospital network").
ADDRESS ?= 127.0.0.1

.PHONY: run test lint format bench demo clean-data

$(BIN)/python: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $(BIN)/python

run: $(BIN)/python
	$(BIN)/python -m metrics demo --if-empty
	@$(BIN)/python -m metrics users list > /dev/null  # prints how to create the first admin while none exists
	$(BIN)/streamlit run dashboard.py --server.port $(PORT) --server.address $(ADDRESS)

test: $(BIN)/python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

lint: $(BIN)/python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/python
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(BIN)/python  # BROWSER=1: the real-browser bench (issue 15); REGION=1: the region store on both stores (16.6)
	$(BIN)/python -m bench $(if $(BROWSER),--browser) $(if $(REGION),--region --region-browser)

demo: $(BIN)/python
	$(BIN)/python -m metrics demo
