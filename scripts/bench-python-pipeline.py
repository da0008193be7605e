#!/usr/bin/env python3
"""The Python pipelines a user would otherwise write, for `make bench` (spectrum-bench runs this).

Two modes, each printing one JSON object as the last line of stdout:

peers (default): tokenize the corpus with `tokenizers` (lines = UTF-8 with replacement, split on
  "\\n", str.strip(), non-empty; ids without special tokens, concatenated), cut the first
  --sequences windows of n - 2 ids and wrap them in [CLS] … [SEP] (the same windows as
  `spectrum-analyze run`), run `transformers` eager forward with output_attentions=True once per
  window, and give the same 72 heads of P (float32, as the model returns them) to each peer:

    scipy_f32      scipy.linalg.svdvals per head on float32 P (LAPACK sgesdd)
    torch_f32      torch.linalg.svdvals on the [L·H, n, n] float32 stack, one batched call
    torch_gram_f64 torch.linalg.eigvalsh(X Xᵀ) batched, X = the stack in float64;
                   σ = sqrt(clamp(λ, 0)), descending

  A peer's time per sequence = the forward + its own spectra (the stack and any float64 copy
  included), i.e. the loop a user writes; imports, model load and tokenizing are reported apart.
  CPU utilisation of each stage = process CPU seconds (all threads) / wall / cores.
  Unless --no-reference: σ of every head by double `dgesdd` (scipy.linalg.svdvals on a float64
  copy, outside the timed regions, heads spread over the cores) and each peer's
  max over heads of max_i |σ_peer,i − σ_ref,i| / σ_ref,1. --reference-out writes the reference σ
  [S, L, H, n] as raw little-endian float64 (the Swift bench checks the toolkit against it).

svd --matrices FILE --count K --n N: ms per matrix of `scipy.linalg.svdvals` on K row-major
  float32 N×N matrices stored back to back in FILE (the Swift bench writes real heads of P there),
  on the float32 input (sgesdd) and on a float64 copy (dgesdd).

Threads: --torch-threads sets torch (and MKL/OpenMP through the environment the caller sets);
scipy's OpenBLAS follows OPENBLAS_NUM_THREADS (the bench sets 1: with more, its threads fight
torch's spinning OpenMP workers and the per-head SVDs get slower).

Usage: $PYTHON scripts/bench-python-pipeline.py --model DIR --corpus FILE [--sequences 8] [--seq-len 512]
           [--torch-threads 2] [--peers scipy_f32,torch_f32,torch_gram_f64] [--no-reference] [--reference-out F]
       $PYTHON scripts/bench-python-pipeline.py svd --matrices FILE --count K --n N [--repeats 3]
"""
import argparse
import concurrent.futures
import gzip
import json
import os
import statistics
import sys
import time

START = time.perf_counter()
PEERS = ("scipy_f32", "torch_f32", "torch_gram_f64")


def read_lines(path):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    text = raw.decode("utf-8", errors="replace")
    return [s for s in (line.strip() for line in text.split("\n")) if s]


def windows_of(tok, corpus, count, seq_len):
    """The first `count` windows, tokenizing only as far as they need (as the Swift packer does)."""
    width = seq_len - 2
    wanted = count * width
    ids = []
    for line in read_lines(corpus):
        if len(ids) >= wanted:
            break
        ids.extend(tok.encode(line, add_special_tokens=False).ids)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    windows = [[cls] + ids[w * width:(w + 1) * width] + [sep] for w in range(len(ids) // width)][:count]
    if len(windows) < count:
        sys.exit(f"corpus {corpus} holds only {len(windows)} windows of {seq_len} tokens")
    return windows


class Clock:
    """Wall and process-CPU seconds of a region, accumulated per name."""

    def __init__(self):
        self.wall, self.cpu, self.samples = {}, {}, {}

    def run(self, name, body):
        w0, c0 = time.perf_counter(), time.process_time()
        value = body()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        self.wall[name] = self.wall.get(name, 0.0) + wall
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu
        self.samples.setdefault(name, []).append(wall)
        return value


def peer_functions(np, scipy_linalg, torch):
    """Each peer: (the layers' attentions as returned by the model) -> σ [L·H, n] float64, descending."""

    def scipy_f32(attentions):
        rows = []
        for attention in attentions:
            p = attention[0].numpy()
            rows.extend(scipy_linalg.svdvals(p[h]) for h in range(p.shape[0]))
        return np.asarray(rows, dtype=np.float64)

    def torch_f32(attentions):
        stack = torch.cat([a[0] for a in attentions])
        return torch.linalg.svdvals(stack).double().numpy()

    def torch_gram_f64(attentions):
        x = torch.cat([a[0] for a in attentions]).double()
        lam = torch.linalg.eigvalsh(x @ x.mT)  # ascending
        return lam.clamp(min=0).sqrt().flip(-1).numpy()

    return {"scipy_f32": scipy_f32, "torch_f32": torch_f32, "torch_gram_f64": torch_gram_f64}


def reference_sigma(np, scipy_linalg, attentions, pool):
    """dgesdd σ of every head (float64 copy of the same float32 P), heads spread over `pool`."""
    heads = [h for a in attentions for h in a[0].numpy()]
    return np.asarray(list(pool.map(lambda p: scipy_linalg.svdvals(p.astype(np.float64)), heads)))


def peers(args):
    import numpy as np
    import scipy
    import scipy.linalg
    import tokenizers
    import torch
    import transformers
    from transformers import AutoModel

    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    chosen = [p for p in args.peers.split(",") if p]
    unknown = [p for p in chosen if p not in PEERS]
    if unknown:
        sys.exit(f"unknown peer(s) {unknown}; choose from {PEERS}")
    tok = tokenizers.Tokenizer.from_file(f"{args.model}/tokenizer.json")
    tok.no_truncation()
    tok.no_padding()
    model = AutoModel.from_pretrained(args.model, attn_implementation="eager", dtype=torch.float32).eval()
    setup = time.perf_counter() - START
    t0 = time.perf_counter()
    windows = windows_of(tok, args.corpus, args.sequences, args.seq_len)
    tokenize = time.perf_counter() - t0

    functions = peer_functions(np, scipy.linalg, torch)
    clock = Clock()
    cores = os.cpu_count() or 1
    L, H, n, S = model.config.num_hidden_layers, model.config.num_attention_heads, args.seq_len, len(windows)
    errors = {p: 0.0 for p in chosen}
    reference = np.empty((S, L * H, n)) if not args.no_reference else None
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=cores)
    with torch.inference_mode():
        # Warm-up outside the timings: one forward and each peer on two heads (lazy library init).
        out = model(torch.tensor([windows[0]], dtype=torch.long), output_attentions=True)
        for p in chosen:
            functions[p]([a[:, :2] for a in out.attentions[:1]])
        for s, window in enumerate(windows):
            out = clock.run("forward", lambda: model(torch.tensor([window], dtype=torch.long), output_attentions=True))
            sigmas = {p: clock.run(p, lambda f=functions[p]: f(out.attentions)) for p in chosen}
            if reference is not None:
                reference[s] = reference_sigma(np, scipy.linalg, out.attentions, pool)
                for p, sigma in sigmas.items():
                    top = np.maximum(reference[s][:, :1], 1e-300)
                    errors[p] = max(errors[p], float(np.max(np.abs(sigma - reference[s]) / top)))
    if reference is not None and args.reference_out:
        reference.astype("<f8").tofile(args.reference_out)

    def utilisation(name):
        return clock.cpu[name] / clock.wall[name] / cores if clock.wall[name] > 0 else 0.0

    forward = clock.wall["forward"] / S
    result = {"sequences": S, "n": n, "layers": L, "heads": H, "cores": cores,
              "torch_threads": torch.get_num_threads(),
              "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
              "setup_s": setup, "tokenize_s": tokenize, "total_s": time.perf_counter() - START,
              "forward_per_sequence_s": forward, "forward_cpu_utilisation": utilisation("forward"),
              "forward_samples_s": clock.samples["forward"],
              "reference": None if reference is None else "scipy.linalg.svdvals(float64 P) = dgesdd",
              "peers": {}}
    for p in chosen:
        spectra = clock.wall[p] / S
        result["peers"][p] = {"spectra_per_sequence_s": spectra, "per_sequence_s": forward + spectra,
                              "spectra_cpu_utilisation": utilisation(p),
                              "cpu_utilisation": (clock.cpu["forward"] + clock.cpu[p])
                              / (clock.wall["forward"] + clock.wall[p]) / cores,
                              "spectra_samples_s": clock.samples[p],
                              "max_rel_error": errors[p] if reference is not None else None}
    result.update({"torch": torch.__version__, "transformers": transformers.__version__,
                   "tokenizers": tokenizers.__version__, "scipy": scipy.__version__, "numpy": np.__version__,
                   "python": sys.version.split()[0]})
    json.dump(result, sys.stdout)
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
    parser.add_argument("--sequences", type=int, default=8)
    parser.add_argument("--seq-len", type=int, default=512)
    parser.add_argument("--torch-threads", type=int, default=0, help="0 = torch's default (all cores)")
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--no-reference", action="store_true", help="skip the dgesdd reference and the errors")
    parser.add_argument("--reference-out", default="")
    args = parser.parse_args(sys.argv[2:] if len(sys.argv) > 1 and sys.argv[1] == "peers" else sys.argv[1:])
    if args.sequences < 1:
        sys.exit("--sequences must be at least 1")
    peers(args)


if __name__ == "__main__":
    main()
