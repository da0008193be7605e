#!/usr/bin/env python3
"""Checks that a merged run file equals a single unsharded run of the same options.

usage: compare-runs.py MERGED SINGLE [--shards N]

Every dataset with one row per sequence (first dimension = sequence count: tokens, spectra,
projection statistics) must be identical bit for bit, NaN matching NaN (the shards compute exactly
what the single run computes for their windows). So must the fitted projection
(`/projection/fitted*`: the integer Gram sums the merge adds up, the fit and its held-out errors,
which `merge --model` / `fit` computes from them) and every other dataset that is not an aggregate.
Every dataset under an `aggregate` group is a sum over sequences, which the merge adds up in another
order: these must agree to 1e-12 relative, and the counts exactly. A run with a fitted projection
(`/projection` attribute `holdout` > 0) must have its fitted datasets in both files. The run's identity (model and corpus checksums, n, seed, sequence count) must
match, and with --shards N the merged file must record N shard files. Exits 1 with every
difference listed.
"""
import argparse
import sys

import h5py
import numpy as np

RELATIVE = 1e-12
IDENTITY = ["model_sha256", "corpus_sha256", "model_type", "layers", "heads", "seq_len", "seed",
            "sequence_count", "packing", "text_field", "spectra"]


def datasets(f):
    found = {}
    f.visititems(lambda name, obj: found.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("merged")
    parser.add_argument("single")
    parser.add_argument("--shards", type=int)
    args = parser.parse_args()
    problems = []
    with h5py.File(args.merged, "r") as merged, h5py.File(args.single, "r") as single:
        for key in IDENTITY:
            a, b = merged.attrs.get(key), single.attrs.get(key)
            if a is None or b is None or np.any(a != b):
                problems.append(f"attribute {key}: merged {a!r}, single {b!r}")
        if args.shards is not None:
            sources = merged.attrs.get("merged_from")
            if sources is None or len(sources) != args.shards:
                problems.append(f"merged_from lists {0 if sources is None else len(sources)} files, expected {args.shards}")
        count = int(single.attrs["sequence_count"])
        ours, theirs = datasets(merged), datasets(single)
        if sorted(ours) != sorted(theirs):
            problems.append(f"datasets differ: only merged {sorted(set(ours) - set(theirs))}, only single {sorted(set(theirs) - set(ours))}")
        rows = aggregates = fits = 0
        worst = 0.0
        for name in sorted(set(ours) & set(theirs)):
            a, b = ours[name][()], theirs[name][()]
            if np.shape(a) != np.shape(b) or np.asarray(a).dtype != np.asarray(b).dtype:
                problems.append(f"{name}: shape/type {np.shape(a)} {np.asarray(a).dtype} vs {np.shape(b)} {np.asarray(b).dtype}")
                continue
            if "aggregate/" in name and np.issubdtype(np.asarray(a).dtype, np.floating):
                aggregates += 1
                both_nan = np.isnan(a) & np.isnan(b)
                scale = np.maximum(np.abs(a), np.abs(b))
                excess = np.where(both_nan, 0.0, np.abs(a - b) - RELATIVE * scale)
                if np.any(excess > 0) or np.any(np.isnan(a) != np.isnan(b)):
                    problems.append(f"{name}: differs by more than {RELATIVE} relative")
                with np.errstate(invalid="ignore", divide="ignore"):
                    rel = np.where(both_nan | (scale == 0), 0.0, np.abs(a - b) / scale)
                worst = max(worst, float(np.max(rel, initial=0.0)))
            else:
                fitted = name.startswith("projection/fitted")
                if fitted:
                    fits += 1
                else:
                    rows += 1
                same = np.array_equal(a, b, equal_nan=True) if np.asarray(a).dtype.kind == "f" else np.array_equal(a, b)
                if not same:
                    problems.append(f"{name}: {'fitted projection' if fitted else 'data'} differ")
        holdout = int(single["projection"].attrs.get("holdout", 0)) if "projection" in single else 0
        for name in ("projection/fitted/median", "projection/fitted/gram_high") if holdout > 0 else ():
            if name not in ours or name not in theirs:
                problems.append(f"{name} (holdout {holdout}) is missing: merged {name in ours}, single {name in theirs}")
    if problems:
        print("compare-runs: merged file differs from the single run:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"compare-runs: {rows} per-sequence and setting datasets and {fits} fitted-projection datasets "
          f"identical, {aggregates} aggregates within "
          f"{RELATIVE:g} relative (worst {worst:.2e}), {count} sequences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
