#!/usr/bin/env python3
"""Throughput of the Python `tokenizers` library on a corpus, for comparison with the Swift module.

Usage: $PYTHON scripts/bench-tokenizers-python.py <tokenizer.json> <corpus.txt.gz> [--batch]

Lines follow the packing step's definition (UTF-8 with replacement, split on "\\n", str.strip(),
non-empty), each encoded without special tokens. By default one `encode` call per line on one
thread (what a sequential packing loop does); `--batch` measures `encode_batch` over all lines,
which the library parallelises over every core. Prints one JSON object:
{"mode", "mb_per_s", "seconds", "bytes", "lines", "ids"}; MB = 10^6 UTF-8 bytes of the kept lines;
the best of 3 runs is reported. Decompression and line splitting are not timed.
"""
import gzip
import json
import sys
import time

from tokenizers import Tokenizer


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tok = Tokenizer.from_file(sys.argv[1])
    tok.no_truncation()
    tok.no_padding()
    text = gzip.open(sys.argv[2]).read().decode("utf-8", errors="replace")
    lines = [s for s in (line.strip() for line in text.split("\n")) if s]
    size = sum(len(s.encode("utf-8")) for s in lines)
    batch = "--batch" in sys.argv[3:]
    best, ids = float("inf"), 0
    for _ in range(3):
        start = time.perf_counter()
        if batch:
            encodings = tok.encode_batch(lines, add_special_tokens=False)
        else:
            encodings = [tok.encode(s, add_special_tokens=False) for s in lines]
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        ids = sum(len(e.ids) for e in encodings)
    print(json.dumps({"mode": "encode_batch" if batch else "encode per line",
                      "mb_per_s": size / best / 1e6, "seconds": best, "bytes": size,
                      "lines": len(lines), "ids": ids}))


if __name__ == "__main__":
    main()
