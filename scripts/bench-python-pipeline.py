#!/usr/bin/env python3
"""The Python pipeline a user would otherwise write, for `make bench`.

Two modes, each printing one JSON object on stdout:

pipeline (default): tokenize the corpus with `tokenizers` (lines = UTF-8 with replacement, split on
  "\\n", str.strip(), non-empty; ids without special tokens, concatenated), cut the first
  --sequences windows of n - 2 ids and wrap them in [CLS] … [SEP] (the same windows as
  `spectrum-analyze run`), run `transformers` eager forward with output_attentions=True, and
  `scipy.linalg.svdvals` on every head's P (float32, as returned by the model). Writes σ
  [S, L, H, n] as raw little-endian float64 to --sigma-out if given (for the accuracy check).
  Reports the time of each stage; imports and model loading are timed too ("setup").

svd --matrices FILE --count K --n N: ms per matrix of `scipy.linalg.svdvals` on K row-major
  float32 N×N matrices stored back to back in FILE (the Swift bench writes real heads of P there),
  on the float32 input (LAPACK sgesdd, what a user gets) and on a float64 copy (dgesdd).
  Set OPENBLAS_NUM_THREADS=1 in the environment to compare against one-core Swift timings.

Usage: $PYTHON scripts/bench-python-pipeline.py --model DIR --corpus FILE [--sequences 16] [--seq-len 512]
       $PYTHON scripts/bench-python-pipeline.py svd --matrices FILE --count K --n N [--repeats 3]
"""
import argparse
import gzip
import json
import statistics
import sys
import time

START = time.perf_counter()


def read_lines(path):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    text = raw.decode("utf-8", errors="replace")
    return [s for s in (line.strip() for line in text.split("\n")) if s]


def pipeline(args):
    import numpy as np
    import scipy
    import scipy.linalg
    import tokenizers
    import torch
    import transformers
    from transformers import AutoModel

    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    tok = tokenizers.Tokenizer.from_file(f"{args.model}/tokenizer.json")
    tok.no_truncation()
    tok.no_padding()
    model = AutoModel.from_pretrained(args.model, attn_implementation="eager", dtype=torch.float32).eval()
    setup = time.perf_counter() - START

    # Tokenize lazily, as far as the requested windows need (what the Swift packer does).
    t0 = time.perf_counter()
    width = args.seq_len - 2
    wanted = args.sequences * width
    ids = []
    for line in read_lines(args.corpus):
        if len(ids) >= wanted:
            break
        ids.extend(tok.encode(line, add_special_tokens=False).ids)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    windows = [[cls] + ids[w * width:(w + 1) * width] + [sep] for w in range(len(ids) // width)][:args.sequences]
    if len(windows) < args.sequences:
        sys.exit(f"corpus {args.corpus} holds only {len(windows)} windows of {args.seq_len} tokens")
    tokenize = time.perf_counter() - t0

    forward = svd = 0.0
    L, H, n = model.config.num_hidden_layers, model.config.num_attention_heads, args.seq_len
    sigma = np.empty((len(windows), L, H, n), dtype=np.float64)
    with torch.inference_mode():
        for s, window in enumerate(windows):
            t0 = time.perf_counter()
            out = model(torch.tensor([window], dtype=torch.long), output_attentions=True)
            t1 = time.perf_counter()
            for layer, attention in enumerate(out.attentions):
                p = attention[0].numpy()
                for head in range(H):
                    sigma[s, layer, head] = scipy.linalg.svdvals(p[head])
            t2 = time.perf_counter()
            forward += t1 - t0
            svd += t2 - t1
    if args.sigma_out:
        sigma.astype("<f8").tofile(args.sigma_out)
    total = time.perf_counter() - START
    S = len(windows)
    json.dump({"sequences": S, "n": n, "setup_s": setup, "tokenize_s": tokenize, "forward_s": forward,
               "svd_s": svd, "loop_s": forward + svd, "total_s": total,
               "forward_per_sequence_s": forward / S, "svd_per_sequence_s": svd / S,
               "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
               "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
               "scipy": scipy.__version__, "numpy": np.__version__, "python": sys.version.split()[0]},
              sys.stdout)
    sys.stdout.write("\n")


def svd_mode(args):
    import numpy as np
    import scipy.linalg

    count, n = args.count, args.n
    data = np.fromfile(args.matrices, dtype="<f4")
    if data.size != count * n * n:
        sys.exit(f"{args.matrices}: {data.size} floats, expected {count}×{n}×{n}")
    mats = data.reshape(count, n, n)
    result = {"count": count, "n": n}
    for name, batch in (("float32", mats), ("float64", mats.astype(np.float64))):
        scipy.linalg.svdvals(batch[0])  # warm-up (workspace, thread pool)
        runs = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            for m in batch:
                scipy.linalg.svdvals(m)
            runs.append((time.perf_counter() - t0) / count)
        result[f"{name}_ms"] = statistics.median(runs) * 1e3
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "svd":
        parser = argparse.ArgumentParser(description="scipy.linalg.svdvals per matrix")
        parser.add_argument("--matrices", required=True)
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--n", type=int, required=True)
        parser.add_argument("--repeats", type=int, default=3)
        svd_mode(parser.parse_args(sys.argv[2:]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--sequences", type=int, default=16)
    parser.add_argument("--seq-len", type=int, default=512)
    parser.add_argument("--torch-threads", type=int, default=0, help="0 = torch's default (all cores)")
    parser.add_argument("--sigma-out", default="")
    pipeline(parser.parse_args())


if __name__ == "__main__":
    main()
