#!/usr/bin/env python3
"""Writes the SpectrumAnalysis / CLI parity fixtures under Tests/Fixtures/analysis/.

References (CI never runs this; its small JSON outputs are committed):
  * packing: the Hugging Face `tokenizers` library on the jargon corpus, packed as docs/ARCHITECTURE.md says
    (split on "\\n", UTF-8 errors="replace", str.strip(), skip empty lines, encode each line without
    special tokens, concatenate, windows of n − 2 ids wrapped in the post-processor's special tokens,
    trailing partial window dropped). tokenizer.json carries truncation/padding settings, which are
    switched off so long lines are not cut.
  * spectra: transformers eager attention (output_attentions=True, float32, CPU) of all-MiniLM-L6-v2
    on the first packed window at n = 128, and numpy.linalg.svd(P.astype(float64), compute_uv=False)
    (LAPACK dgesdd) of every head's P, with the metrics of docs/ARCHITECTURE.md computed from those σ.

Outputs:
  packing-minilm.json        n = 512: the first 3 windows verbatim and the SHA-256 of the first 64
                             windows as little-endian int32 [64, 512]; n = 128: the first window.
  packing-tiny-roberta.json  the tiny RoBERTa BPE tokenizer (<s> … </s>), n = 128: the first 2 windows.
  minilm-n128-spectra.json   input ids, σ [L, H, n] of every head, k90/k95/k99, entropy and stable rank.

Usage: PYTHON=/work/pyref/bin/python; $PYTHON scripts/make-analysis-fixtures.py [model_dir] [corpus]
"""
import gzip
import hashlib
import json
import os
import sys

import numpy as np
import tokenizers
import torch
import transformers
from transformers import AutoModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "analysis")
MODEL_DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "notebooks-data/models/all-MiniLM-L6-v2")
CORPUS = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "notebooks-data/corpora/jargon.txt.gz")
TINY_ROBERTA = os.path.join(ROOT, "Tests", "Fixtures", "transformer", "tiny-roberta")

torch.set_num_threads(1)


def versions():
    return {"torch": torch.__version__, "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__, "numpy": np.__version__}


def load_tokenizer(folder):
    tokenizer = tokenizers.Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def corpus_lines():
    with gzip.open(CORPUS, "rb") as handle:
        text = handle.read().decode("utf-8", errors="replace")
    for line in text.split("\n"):
        line = line.strip()
        if line:
            yield line


def windows(tokenizer, n, count, specials):
    """The first `count` packed windows of n ids (fewer if the corpus ends)."""
    first, last = (tokenizer.token_to_id(t) for t in specials)
    width = n - 2
    ids = []
    for line in corpus_lines():
        if len(ids) >= count * width:
            break
        ids.extend(tokenizer.encode(line, add_special_tokens=False).ids)
    available = min(count, len(ids) // width)
    return [[first] + ids[w * width:(w + 1) * width] + [last] for w in range(available)]


def sha256_int32(rows):
    return hashlib.sha256(np.asarray(rows, dtype="<i4").tobytes()).hexdigest()


def metrics(sigma):
    total = sigma.sum()
    curve = np.cumsum(sigma) / total
    p = sigma / total
    p = p[p > 0]
    k = {level: int(np.argmax(curve >= level)) + 1 for level in (0.90, 0.95, 0.99)}
    return k, float(np.exp(-(p * np.log(p)).sum())), float((sigma ** 2).sum() / sigma[0] ** 2)


def write(name, payload):
    path = os.path.join(OUT, name)
    with open(path, "w") as handle:
        json.dump(payload, handle, separators=(",", ":"))
        handle.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def main():
    os.makedirs(OUT, exist_ok=True)
    minilm = load_tokenizer(MODEL_DIR)
    w512 = windows(minilm, 512, 64, ("[CLS]", "[SEP]"))
    assert len(w512) == 64
    w128 = windows(minilm, 128, 1, ("[CLS]", "[SEP]"))
    write("packing-minilm.json", {
        "versions": versions(), "corpus": os.path.basename(CORPUS),
        "n512": {"first_windows": w512[:3], "hashed_windows": 64, "sha256_int32_le": sha256_int32(w512)},
        "n128": {"first_windows": w128},
    })

    tiny = load_tokenizer(TINY_ROBERTA)
    write("packing-tiny-roberta.json", {
        "versions": versions(), "corpus": os.path.basename(CORPUS),
        "n128": {"first_windows": windows(tiny, 128, 2, ("<s>", "</s>"))},
    })

    model = AutoModel.from_pretrained(MODEL_DIR, attn_implementation="eager").eval()
    ids = torch.tensor([w128[0]])
    with torch.inference_mode():
        out = model(input_ids=ids, attention_mask=torch.ones_like(ids), token_type_ids=torch.zeros_like(ids),
                    output_attentions=True)
    attention = np.stack([a[0].numpy() for a in out.attentions])   # [L, H, n, n] float32
    L, H, n, _ = attention.shape
    sigma = np.empty((L, H, n))
    k90, k95, k99, entropy, stable = ([] for _ in range(5))
    for layer in range(L):
        for head in range(H):
            s = np.linalg.svd(attention[layer, head].astype(np.float64), compute_uv=False)
            sigma[layer, head] = s
            k, e, r = metrics(s)
            k90.append(k[0.90]); k95.append(k[0.95]); k99.append(k[0.99])
            entropy.append(e); stable.append(r)
    write("minilm-n128-spectra.json", {
        "versions": versions(), "model": os.path.basename(MODEL_DIR), "corpus": os.path.basename(CORPUS),
        "seq_len": n, "layers": L, "heads": H, "input_ids": w128[0],
        "sigma": [float(x) for x in sigma.ravel()],
        "k90": k90, "k95": k95, "k99": k99, "entropy_rank": entropy, "stable_rank": stable,
    })


if __name__ == "__main__":
    main()
