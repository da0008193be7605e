# Low-rank spectrum toolkit. `make run` sets up, builds and runs the default analysis;
# `make test` sets up and runs every test. Both work on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := build

APT_PACKAGES := liblapacke-dev libopenblas-dev libhdf5-dev jargon-text pkg-config zlib1g-dev
MODEL_DIR    := notebooks-data/models/all-MiniLM-L6-v2
CORPUS_DIR   := notebooks-data/corpora
CORPUS       := $(CORPUS_DIR)/jargon.txt.gz
RUNS_DIR     := notebooks-data/runs
VENV         := .venv
PYTHON       ?= python3
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Tests find the model, the corpus and a Python with h5py through these.
export SPECTRUM_MODEL_DIR  := $(abspath $(MODEL_DIR))
export SPECTRUM_CORPUS     := $(abspath $(CORPUS))
export SPECTRUM_PYTHON     := $(abspath $(VENV))/bin/python
# One BLAS thread per task: the pipeline parallelises across heads instead.
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: setup apt model corpus pyenv build release test run bench clean

setup: apt model corpus pyenv

apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

model:
	@PYTHON=$(PYTHON) scripts/fetch-model.sh $(MODEL_DIR)

corpus: apt
	@mkdir -p $(CORPUS_DIR)
	@[ -e $(CORPUS) ] || ln -s /usr/share/doc/jargon-text/jargon.txt.gz $(CORPUS)

pyenv: $(VENV)/.ready
$(VENV)/.ready:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet h5py numpy
	@touch $@

build:
	swift build

release:
	swift build -c release

test: setup
	swift test

clean:
	rm -rf .build $(VENV)
