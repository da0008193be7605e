#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer and ThreadSanitizer (docs/RELIABILITY.md).
#
#   scripts/test-sanitize.sh [address|thread …]     default: address thread
#
# Each sanitizer builds into its own scratch path (.build-asan, .build-tsan) so the normal .build
# stays untouched. Extra `swift test` arguments can be given in SANITIZE_TEST_ARGS (e.g. a --filter).
# No TSan suppressions are needed: with OPENBLAS_NUM_THREADS=1 libopenblas starts no threads of its
# own, and no report comes from inside it (checked with 6.3.1 and Debian's OpenBLAS 0.3.21).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
if [ $# -gt 0 ]; then SANITIZERS=("$@"); else SANITIZERS=(address thread); fi
status=0
for sanitizer in "${SANITIZERS[@]}"; do
    case "$sanitizer" in
        address) scratch=.build-asan ;;
        thread) scratch=.build-tsan ;;
        *) echo "test-sanitize: unknown sanitizer '$sanitizer' (address or thread)" >&2; exit 2 ;;
    esac
    echo "test-sanitize: swift test --sanitize=$sanitizer (scratch $scratch)"
    # Leak checking stays off: the Swift runtime and Foundation keep global caches alive until exit.
    if ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 \
       TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
       swift test --sanitize="$sanitizer" --scratch-path "$scratch" ${SANITIZE_TEST_ARGS:-}; then
        echo "test-sanitize: $sanitizer passed"
    else
        echo "test-sanitize: $sanitizer FAILED" >&2
        status=1
    fi
done
exit $status
