#!/usr/bin/env bash
# `make bench`: the speed targets measured side by side with the Python pipelines, in one run.
#
# Builds spectrum-bench and spectrum-analyze in release, makes sure a Python with torch, transformers,
# tokenizers, scipy and numpy exists (a venv OUTSIDE the repository, created on first use), then runs
# spectrum-bench: tokenizer, forward, per-head SVD, the three Python peers (scipy svdvals f32 per head,
# torch svdvals f32 batched, torch eigvalsh(P Pᵀ) f64 batched) on the same windows, the LAPACK bound on
# the same real heads, the toolkit end to end (--no-projection and the default job), memory and a
# profile. It prints one table and a summary and writes .build/bench/bench-results.json.
# About 10 minutes on a quiet 2-core machine with the defaults (8 sequences, 3 rounds).
#
# Environment:
#   BENCH_PYTHON  a ready Python to use as is (skips the venv), e.g. /work/pyref/bin/python
#   BENCH_VENV    where the venv lives (default $HOME/.cache/spectrum-toolkit/bench-venv)
#   PYTHON        the interpreter that creates the venv (default python3)
#   SPECTRUM_MODEL_DIR, SPECTRUM_CORPUS  model folder and corpus (Makefile defaults)
# Extra arguments go to spectrum-bench (e.g. --rounds 5, --sequences 16, --sections peers bound e2e,
# --skip-one-thread, --skip-projection); `make bench BENCH_ARGS="..."` passes them too.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL="${SPECTRUM_MODEL_DIR:-notebooks-data/models/all-MiniLM-L6-v2}"
CORPUS="${SPECTRUM_CORPUS:-notebooks-data/corpora/jargon.txt.gz}"
[ -f "$MODEL/model.safetensors" ] || { echo "bench: no model at $MODEL (run 'make setup')" >&2; exit 1; }
[ -e "$CORPUS" ] || { echo "bench: no corpus at $CORPUS (run 'make setup')" >&2; exit 1; }

if [ -n "${BENCH_PYTHON:-}" ]; then
  PY="$BENCH_PYTHON"
else
  VENV="${BENCH_VENV:-$HOME/.cache/spectrum-toolkit/bench-venv}"
  if [ ! -f "$VENV/.ready" ]; then
    echo "bench: creating Python venv in $VENV (torch, transformers, tokenizers, scipy, numpy; CPU is enough)" >&2
    "${PYTHON:-python3}" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet torch transformers tokenizers scipy numpy
    touch "$VENV/.ready"
  fi
  PY="$VENV/bin/python"
fi
"$PY" -c 'import torch, transformers, tokenizers, scipy, numpy' \
  || { echo "bench: $PY lacks torch/transformers/tokenizers/scipy/numpy" >&2; exit 1; }

echo "bench: building release (spectrum-bench, spectrum-analyze)" >&2
swift build -c release --product spectrum-analyze >&2
swift build -c release --product spectrum-bench >&2
BIN="$(swift build -c release --show-bin-path)"

# One BLAS thread per task: the pipeline parallelises across heads (the Makefile exports this too).
export OPENBLAS_NUM_THREADS=1
mkdir -p .build/bench
exec "$BIN/spectrum-bench" --model "$MODEL" --corpus "$CORPUS" --python "$PY" --analyze "$BIN/spectrum-analyze" \
  --scripts scripts --work .build/bench --output .build/bench/bench-results.json \
  --info "swift=$(swift --version 2>/dev/null | head -1)" \
  "python=$("$PY" -c 'import sys, torch, transformers, tokenizers, scipy, numpy; print(sys.version.split()[0], "torch", torch.__version__, "transformers", transformers.__version__, "tokenizers", tokenizers.__version__, "scipy", scipy.__version__, "numpy", numpy.__version__)')" \
  "openblas=$(dpkg-query -W -f='${Version}' libopenblas0 2>/dev/null || echo unknown)" \
  "git=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  "$@"
