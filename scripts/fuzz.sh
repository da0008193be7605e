#!/usr/bin/env bash
# Fuzzes every parser that reads outside data with libFuzzer + AddressSanitizer (docs/RELIABILITY.md).
#
#   scripts/fuzz.sh [target …]        targets: safetensors config tokenizer-json tokenize corpus runfile
#
# Environment: FUZZ_SECONDS (per target, default 60), FUZZ_CONFIG (release or debug),
# SPECTRUM_MODEL_DIR (the real all-MiniLM-L6-v2 folder), SPECTRUM_CORPUS (jargon.txt.gz),
# PYTHON (any python3; only the standard library is used to cut seeds).
#
# The library targets are built once with `-sanitize=fuzzer,address` into .build-fuzz; each target in
# fuzz/targets/ is linked against their objects. Corpora live in fuzz/corpus-<target>/ (git-ignored),
# seeded from the real model's config.json / tokenizer.json / safetensors header, the head of the
# jargon corpus and small run and extract files of the tiny RoBERTa fixture. A crash stops its target; the input
# is kept in .build-fuzz/artifacts/<target>/ and the script exits non-zero after all targets ran.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
PYTHON=${PYTHON:-python3}
MODEL_DIR=${SPECTRUM_MODEL_DIR:-notebooks-data/models/all-MiniLM-L6-v2}
CORPUS=${SPECTRUM_CORPUS:-notebooks-data/corpora/jargon.txt.gz}
TINY=Tests/Fixtures/transformer/tiny-roberta
# The tokenizer-family fixtures (regex splits, SentencePiece BPE, Unigram, Precompiled) for `tokenize`.
EXTRA_TOKENIZERS=$(ls Tests/Fixtures/tokenizers/*/tokenizer.json | grep -v roberta-bpe | tr "\n" ":")
SCRATCH=.build-fuzz
# Release keeps Swift's bounds and overflow checks (they are preconditions) and runs ~10× faster.
FUZZ_CONFIG=${FUZZ_CONFIG:-release}
BIN=$SCRATCH/$FUZZ_CONFIG
ALL_TARGETS=(safetensors config tokenizer-json tokenize corpus runfile)
TARGETS=("${@:-${ALL_TARGETS[@]}}")

for required in "$MODEL_DIR/config.json" "$MODEL_DIR/tokenizer.json" "$MODEL_DIR/model.safetensors" "$CORPUS"; do
    [ -e "$required" ] || { echo "fuzz: $required is missing (make model corpus)" >&2; exit 1; }
done

echo "fuzz: building the library targets with -sanitize=fuzzer,address into $SCRATCH"
for library in SpectrumAnalysis SpectrumReport; do
    swift build -c "$FUZZ_CONFIG" --target "$library" --scratch-path "$SCRATCH" -Xswiftc -sanitize=fuzzer,address >/dev/null
done
# The runfile target checks each input in a child process of the real tool, as the tools do.
echo "fuzz: building spectrum-report (release, uninstrumented) for the runfile target's child check"
swift build -c release --product spectrum-report >/dev/null
CHECK_TOOL=$(swift build -c release --show-bin-path)/spectrum-report

# Modules each target needs, in link order.
modules_of() {
    case "$1" in
        safetensors|config) echo "Transformer LinearAlgebra" ;;
        tokenizer-json|tokenize) echo "Tokenizers" ;;
        corpus) echo "Corpus Tokenizers" ;;
        runfile) echo "SpectrumReport SpectrumAnalysis RunFormat SpectrumMetrics Corpus Transformer Tokenizers HDF5Store LinearAlgebra" ;;
    esac
}

link_target() {
    local target=$1 objects=()
    for module in $(modules_of "$target"); do objects+=("$BIN/$module.build"/*.swift.o); done
    mkdir -p "$BIN/fuzzers"
    swiftc -sanitize=fuzzer,address -parse-as-library -g -O -suppress-warnings \
        -I "$BIN/Modules" -I Sources/CHDF5 -I Sources/CLinearAlgebra -I Sources/CZlib -I Sources/CCrypto \
        $(pkg-config --cflags-only-I hdf5 openblas zlib libcrypto | sed 's/-I/-Xcc -I/g') \
        fuzz/Support.swift "fuzz/targets/$target.swift" "${objects[@]}" \
        $(pkg-config --libs hdf5 openblas zlib libcrypto) -llapacke \
        -o "$BIN/fuzzers/$target" 2> >(grep -v "Cannot export local symbol" >&2)
}

# Seeds: committed hand-made inputs (fuzz/seeds/<target>/) plus pieces of the real files.
seed() {
    local target=$1 dir=fuzz/corpus-$1
    mkdir -p "$dir"
    [ -d "fuzz/seeds/$target" ] && cp -n fuzz/seeds/"$target"/* "$dir"/ 2>/dev/null || true
    case "$target" in
        config) cp "$MODEL_DIR/config.json" "$dir/minilm-config.json"; cp "$TINY/config.json" "$dir/tiny-roberta-config.json" ;;
        safetensors)
            "$PYTHON" fuzz/make-seeds.py safetensors "$MODEL_DIR/model.safetensors" "$dir" ;;
        tokenizer-json)
            "$PYTHON" fuzz/make-seeds.py tokenizer-json "$MODEL_DIR/tokenizer.json" "$TINY/tokenizer.json" "$dir" ;;
        tokenize)
            "$PYTHON" fuzz/make-seeds.py tokenize "$CORPUS" "$dir" ;;
        corpus)
            "$PYTHON" fuzz/make-seeds.py corpus "$CORPUS" "$dir" ;;
        runfile)
            [ -e "$dir/tiny-run.h5" ] || make_run_seed "$dir/tiny-run.h5" run
            [ -e "$dir/tiny-extract.h5" ] || make_run_seed "$dir/tiny-extract.h5" extract ;;
    esac
}

# A small complete run file (tiny RoBERTa, 2 sequences of 8 tokens) written by the debug CLI:
# `run` (with projections) or `extract` (P only, the input of `svd`).
make_run_seed() {
    swift build --product spectrum-analyze >/dev/null
    local text extra=()
    text=$(mktemp --suffix=.txt)
    "$PYTHON" -c 'import gzip, sys; sys.stdout.buffer.write(gzip.open(sys.argv[1]).read(20000))' "$CORPUS" > "$text"
    [ "$2" = run ] && extra=(--projection-dims 2,4)
    .build/debug/spectrum-analyze "$2" --model "$TINY" --corpus "$text" --output "$1" --force --quiet \
        --seq-len 8 --sequences 2 --threads 1 "${extra[@]}" >/dev/null
    rm -f "$text"
}

# Per-target libFuzzer options: input size caps keep each execution small enough to be fast.
options_of() {
    case "$1" in
        safetensors) echo "-max_len=16384" ;;
        tokenizer-json) echo "-max_len=32768" ;;
        # Each input first goes through the tools' child-process check, so a libhdf5 crash or hang
        # is an error there; fork mode still keeps fuzzing past a crash, and triage() below sorts any
        # crash into this package's or libhdf5's (which must then be zero too: it passed the check).
        runfile) echo "-max_len=262144 -fork=1 -ignore_crashes=1 -ignore_ooms=0" ;;
        *) echo "-max_len=4096" ;;
    esac
}

# The same memory limits for fuzzing and for triage (an OOM only reproduces under the same limit).
LIMITS="-rss_limit_mb=2560 -malloc_limit_mb=1024"

# Re-runs every crashing input once and moves those whose ASan report ends inside libhdf5 (a C
# library this package only calls) to artifacts/<target>/libhdf5/: they are reported, not fixed here.
triage() {
    local target=$1 artifacts=$2 input report
    for input in "$artifacts"/crash-* "$artifacts"/oom-* "$artifacts"/timeout-*; do
        [ -f "$input" ] || continue
        # The first stack frame outside the sanitizer, libc and the Swift runtime says whose code it is.
        report=$(FUZZ_WORDPIECE_TOKENIZER=$MODEL_DIR/tokenizer.json FUZZ_BPE_TOKENIZER=$TINY/tokenizer.json FUZZ_EXTRA_TOKENIZERS=$EXTRA_TOKENIZERS FUZZ_CHECK_TOOL=$CHECK_TOOL \
                 ASAN_OPTIONS=detect_leaks=0 timeout 120 "$BIN/fuzzers/$target" -timeout=10 $LIMITS "$input" 2>&1 \
                 | grep -E '^ +#[0-9]+ ' | grep -vE 'compiler-rt|sysdeps|libc\.so|libswiftCore|libFoundation|libdispatch|compiler-generated' \
                 | head -1 || true)
        if [[ "$report" == *libhdf5* ]]; then
            mkdir -p "$artifacts/libhdf5"
            mv "$input" "$artifacts/libhdf5/"
        fi
    done
}

status=0
summary=()
for target in "${TARGETS[@]}"; do
    link_target "$target"
    seed "$target"
    artifacts=$SCRATCH/artifacts/$target/
    mkdir -p "$artifacts"
    log=$SCRATCH/artifacts/$target.log
    echo "fuzz: $target for ${FUZZ_SECONDS}s ($(ls "fuzz/corpus-$target" | wc -l) corpus inputs)"
    set +e
    FUZZ_WORDPIECE_TOKENIZER=$MODEL_DIR/tokenizer.json FUZZ_BPE_TOKENIZER=$TINY/tokenizer.json FUZZ_EXTRA_TOKENIZERS=$EXTRA_TOKENIZERS \
    FUZZ_CHECK_TOOL=$CHECK_TOOL OPENBLAS_NUM_THREADS=1 ASAN_OPTIONS=detect_leaks=0 \
        "$BIN/fuzzers/$target" "fuzz/corpus-$target" -max_total_time="$FUZZ_SECONDS" -timeout=20 \
        $LIMITS -print_final_stats=1 -artifact_prefix="$artifacts" \
        $(options_of "$target") >"$log" 2>&1
    code=$?
    set -e
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' \
            || grep -o '^#[0-9]*:' "$log" | tail -1 | tr -d '#:' || echo "?")
    triage "$target" "$artifacts"
    crashes=$(find "$artifacts" -maxdepth 1 -type f | wc -l)
    external=$( (find "$artifacts/libhdf5" -type f 2>/dev/null || true) | wc -l)
    summary+=("$(printf '%-15s %10s executions  %d crash(es) in this package  %d in libhdf5  exit %d' \
        "$target" "$execs" "$crashes" "$external" "$code")")
    # Every crash counts, libhdf5's included: the tools check foreign files in a child process, so a
    # crash that reaches this process would reach a user.
    if [ "$code" -ne 0 ] || [ "$crashes" -ne 0 ] || [ "$external" -ne 0 ]; then
        status=1
        echo "fuzz: $target FAILED — see $log and $artifacts" >&2
        grep -m5 -E 'ERROR|Fatal|==[0-9]+==|SUMMARY' "$log" >&2 || true
    fi
done
printf '%s\n' "fuzz summary:" "${summary[@]}"
exit $status
