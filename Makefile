# Low-rank spectrum toolkit. `make run` sets up, builds and runs the default analysis;
# `make test` sets up and runs every test. Both work on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := build

APT_PACKAGES := liblapacke-dev libopenblas-dev libhdf5-dev jargon-text pkg-config zlib1g-dev libssl-dev librsvg2-bin
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

RUN_FILE     := $(RUNS_DIR)/default.h5
REPORT_DIR   := reports/default
REPORT_CHECK_DIR := .build/report-check
# The default analysis: all-MiniLM-L6-v2 on the jargon corpus, n = 512, 64 sequences, P dumped for 2.
RUN_ARGS     ?= --seq-len 512 --sequences 64 --dump-attention 2

.PHONY: setup apt browser model corpus pyenv build release test test-notebook test-cluster run analyze report report-check bench fuzz test-sanitize test-sanitize-concurrency clean

setup: apt browser model corpus pyenv

apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Headless Chromium renders the HTML report in `make report-check` (part of `make test`).
browser: apt
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

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
	swift build -c release --product spectrum-analyze
	swift build -c release --product spectrum-report

test: setup
	swift test
	@$(MAKE) --no-print-directory test-sanitize-concurrency
	@if command -v chromium >/dev/null 2>&1; then $(MAKE) --no-print-directory report-check; \
	 else echo "test: chromium not installed; skipping report-check (make browser)"; fi
	@$(MAKE) --no-print-directory test-notebook

# Executes notebooks-data/figure1.ipynb headless (nbclient, ipykernel, matplotlib into .venv) on a
# small run made here; checks both Figure 1 panels and every number it prints.
test-notebook: setup
	swift build --product spectrum-analyze
	SPECTRUM_ANALYZE=$(abspath .build/debug/spectrum-analyze) VENV=$(VENV) scripts/test-notebook.sh

# The documented Slurm scripts on a real one-node Slurm started here (installs slurm-wlm and munge
# when missing; needs root): 4 array tasks, one requeued and resumed, merge and report jobs.
test-cluster: setup release
	BIN=$(abspath .build/release) scripts/test-cluster.sh

# setup, release build, the default analysis, then its report.
run: setup release analyze report

analyze:
	@mkdir -p $(RUNS_DIR)
	.build/release/spectrum-analyze run --model $(MODEL_DIR) --corpus $(CORPUS) --output $(RUN_FILE) --force $(RUN_ARGS)

report:
	@[ -f $(RUN_FILE) ] || { echo "report: $(RUN_FILE) is missing; run \`make run\` first"; exit 1; }
	@[ -x .build/release/spectrum-report ] || swift build -c release --product spectrum-report
	@mkdir -p reports
	.build/release/spectrum-report $(RUN_FILE) --output $(REPORT_DIR) --title "How low-rank is attention? all-MiniLM-L6-v2 on the Jargon File"

# Renders a synthetic sample (single run + overlay) and the committed report in headless Chromium:
# fails on a blank page, an SVG that does not parse, or text outside its viewBox.
report-check:
	@rm -rf $(REPORT_CHECK_DIR) && mkdir -p $(REPORT_CHECK_DIR)/sample
	SPECTRUM_REPORT_SAMPLE_DIR=$(abspath $(REPORT_CHECK_DIR))/sample swift test --filter SampleReportTests
	scripts/report-check.sh $(REPORT_CHECK_DIR)/sample/single $(REPORT_CHECK_DIR)/png-single
	scripts/report-check.sh $(REPORT_CHECK_DIR)/sample/overlay $(REPORT_CHECK_DIR)/png-overlay
	@if [ -f $(REPORT_DIR)/index.html ]; then scripts/report-check.sh $(REPORT_DIR) $(REPORT_CHECK_DIR)/png-default; fi

# BENCH_ARGS go to spectrum-bench, e.g. make bench BENCH_ARGS="--sections peers bound e2e --sequences 16".
bench: model corpus
	@scripts/bench.sh $(BENCH_ARGS)

# libFuzzer + ASan on every parser of outside data; FUZZ_SECONDS per target (default 60).
fuzz: setup
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} scripts/fuzz.sh

# The whole test suite under AddressSanitizer (.build-asan) and ThreadSanitizer (.build-tsan).
test-sanitize: setup
	scripts/test-sanitize.sh

# ThreadSanitizer and AddressSanitizer on the tests that run things in parallel (pipeline with several
# workers, encoder thread counts, concurrent encoders, the head kernel): part of `make test`, so no
# data race lands. Each sanitizer builds once into its own scratch folder.
SANITIZE_FILTER := ConcurrencyRegressionTests|EncoderInputTests|HeadSpectralKernelTests|ProjectionTests
test-sanitize-concurrency: setup
	SANITIZE_TEST_ARGS="--filter $(SANITIZE_FILTER)" scripts/test-sanitize.sh thread address

clean:
	rm -rf .build .build-fuzz .build-asan .build-tsan $(VENV)
