#!/usr/bin/env python3
"""Writes Tests/Fixtures/analysis/fitted-projection.json: NumPy references for the quantities that go
beyond the paper (CI never runs this; the small JSON output is committed; only NumPy is needed).

Heads are synthetic: P = row-softmax(Q Kᵀ / √d) of Gaussian Q, K (float64, stored as float32), V Gaussian.
References, all in float64 from the float32 values:
  * Gram sum G = Σ_train P_sᵀ P_s over the training heads; numpy.linalg.eigh(G); the k_max leading
    eigenvectors, largest first, each signed so that its component sum is positive.
  * fitted projection on each held-out head, for each k: err_j = ‖P U_k U_kᵀ w_j − P w_j‖ / ‖P w_j‖ over
    the columns w_j of V, summarised as mean / median / 95th percentile (numpy linear) / max;
    Linformer form with E = F = U_kᵀ: A = softmax(Q (E K)ᵀ / √d) (F V) against P V, relative
    ‖A − PV‖_F / ‖PV‖_F, and per row ‖A_i − (PV)_i‖ / (‖p_i‖ ‖V‖₂) averaged and maximised.
  * max pooling on each held-out head: E K and F V replaced by the channel-wise maxima of K and V over
    the segments ⌊s·n/k⌋ ..< ⌊(s+1)·n/k⌋, same three errors.

Usage: $HOME/.cache/spectrum-toolkit/bench-venv/bin/python scripts/make-beyond-fixtures.py
"""
import json
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "analysis", "fitted-projection.json")
N, D, TRAIN, HELD_OUT = 12, 3, 6, 2
DIMS = [1, 3, 5, 12]


def head(rng):
    q = rng.standard_normal((N, D)).astype(np.float32)
    k = rng.standard_normal((N, D)).astype(np.float32)
    v = rng.standard_normal((N, D)).astype(np.float32)
    logits = q.astype(np.float64) @ k.astype(np.float64).T / np.sqrt(D)
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    return p.astype(np.float32), q, k, v


def attention_error(p, q, v, ek, fv):
    p, q, v = (x.astype(np.float64) for x in (p, q, v))
    logits = q @ ek.T / np.sqrt(D)
    logits -= logits.max(axis=1, keepdims=True)
    weights = np.exp(logits)
    weights /= weights.sum(axis=1, keepdims=True)
    approx = weights @ fv
    exact = p @ v
    spectral_v = np.linalg.svd(v, compute_uv=False)[0]
    rows = np.linalg.norm(approx - exact, axis=1) / (np.linalg.norm(p, axis=1) * spectral_v)
    return {"relative": float(np.linalg.norm(approx - exact) / np.linalg.norm(exact)),
            "row_mean": float(rows.mean()), "row_max": float(rows.max())}


def stats(values):
    values = np.asarray(values)
    return {"mean": float(values.mean()), "median": float(np.median(values)),
            "p95": float(np.percentile(values, 95)), "max": float(values.max())}


def main():
    rng = np.random.default_rng(20260512)
    train = [head(rng) for _ in range(TRAIN)]
    held_out = [head(rng) for _ in range(HELD_OUT)]
    gram = sum(p.astype(np.float64).T @ p.astype(np.float64) for p, _, _, _ in train)
    values, vectors = np.linalg.eigh(gram)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    basis = []
    for s in range(max(DIMS)):
        u = vectors[:, s]
        if u.sum() < 0:
            u = -u
        basis.append(u)
    basis = np.array(basis)  # [k_max, n]
    results = []
    for p, q, k, v in held_out:
        p64, k64, v64 = p.astype(np.float64), k.astype(np.float64), v.astype(np.float64)
        entry = {"fitted": [], "fitted_linformer": [], "max_pooling": []}
        for dim in DIMS:
            u = basis[:dim]
            errors = [np.linalg.norm(p64 @ (u.T @ (u @ v64[:, j])) - p64 @ v64[:, j]) / np.linalg.norm(p64 @ v64[:, j])
                      for j in range(D)]
            entry["fitted"].append(stats(errors))
            entry["fitted_linformer"].append(attention_error(p, q, v, u @ k64, u @ v64))
            segments = [range(s * N // dim, (s + 1) * N // dim) for s in range(dim)]
            ek = np.array([k64[list(seg)].max(axis=0) for seg in segments])
            fv = np.array([v64[list(seg)].max(axis=0) for seg in segments])
            entry["max_pooling"].append(attention_error(p, q, v, ek, fv))
        results.append(entry)
    fixture = {
        "n": N, "d": D, "dims": DIMS,
        "train_p": [p.flatten().tolist() for p, _, _, _ in train],
        "held_out": [{"p": p.flatten().tolist(), "q": q.flatten().tolist(), "k": k.flatten().tolist(),
                      "v": v.flatten().tolist()} for p, q, k, v in held_out],
        "gram_sum": gram.flatten().tolist(),
        "eigenvalues": values[:max(DIMS)].tolist(),
        "basis": basis.flatten().tolist(),
        "results": results,
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
