#!/usr/bin/env bash
# `make test-notebook`: executes notebooks-data/figure1.ipynb headless (nbclient + ipykernel,
# matplotlib's inline backend) on a small run of the real model made here, and checks its two
# Figure 1 panels and every number it prints (scripts/check-notebook.py). No torch needed.
#
# Environment: SPECTRUM_MODEL_DIR, SPECTRUM_CORPUS (set by the Makefile); SPECTRUM_ANALYZE (the
# binary, default .build/debug/spectrum-analyze); VENV (default .venv, which gets nbclient,
# ipykernel and matplotlib); NOTEBOOK_CHECK_DIR (where the executed notebook and the PNGs go,
# default .build/notebook-check).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
analyze=${SPECTRUM_ANALYZE:-.build/debug/spectrum-analyze}
model=${SPECTRUM_MODEL_DIR:-notebooks-data/models/all-MiniLM-L6-v2}
corpus=${SPECTRUM_CORPUS:-notebooks-data/corpora/jargon.txt.gz}
out=${NOTEBOOK_CHECK_DIR:-.build/notebook-check}
started=$(date +%s)

[ -x "$analyze" ] || { echo "test-notebook: $analyze is missing (swift build)" >&2; exit 1; }
[ -x "$venv/bin/python" ] || { echo "test-notebook: no venv at $venv (make pyenv)" >&2; exit 1; }
if [ ! -f "$venv/.notebook-ready" ]; then
  "$venv/bin/pip" install --quiet h5py numpy nbclient nbformat ipykernel matplotlib
  touch "$venv/.notebook-ready"
fi

rm -rf "$out" && mkdir -p "$out"
# n = 256 > k = 128, so the heatmap of c_128 is not trivially 1; 6 sequences keep it to seconds.
"$analyze" run --model "$model" --corpus "$corpus" --seq-len 256 --sequences 6 --seed 11 \
  --no-projection --quiet --output "$out/run.h5" >/dev/null
"$venv/bin/python" scripts/check-notebook.py notebooks-data/figure1.ipynb "$out/run.h5" "$out"
echo "test-notebook: passed in $(($(date +%s) - started)) s"
