# Everything a fresh machine needs: `make demo` and `make test` create .venv, install torch==2.13.0
# (the CPU build; any other torch request pulls a multi-GB CUDA build) and then rqe with its extras, overcooked-ai
# included (below).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-all bench clean

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[all,test]"
	# pygambit, the peer the Nash and .efg tests cross-check against: 17.0.0b2 is a wheel, 16.x builds from source
	$(BIN)/python -m pip install --quiet "pygambit==17.0.0b2"
	# overcooked-ai (the `overcooked` extra, kept out of `all`) beside mpe2: its declared pygame would overwrite the
	# pygame/ folder of mpe2's pygame-ce, and only its rendering (overcooked_ai_py.visualization) imports pygame.
	# So it goes in without its dependencies, after gym, the one the adapter's import path needs (overcooked_ai_py
	# registers a gym environment at import); its numpy comes with rqe. `pip check` then reports the missing pygame.
	$(BIN)/python -m pip install --quiet "gym==0.26.2"
	$(BIN)/python -m pip install --quiet --no-deps "overcooked-ai==1.1.0"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py --out demo.png

# The Ray test starts a local cluster whose raylet must register within 30 s: it runs alone, after the rest.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not slow and not ray"
	$(BIN)/python -m pytest -m "ray and not slow"

test-all: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m ""

bench: $(STAMP)
	$(BIN)/python -m benchmarks --quick

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
