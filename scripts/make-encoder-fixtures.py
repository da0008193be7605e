#!/usr/bin/env python3
"""Writes the Transformer module's parity fixtures under Tests/Fixtures/transformer/.

Reference: Hugging Face `transformers` with attn_implementation="eager" and output_attentions=True,
float32, CPU, inference mode. Needs torch, transformers, tokenizers, safetensors, numpy (CI never
runs this; its small outputs are committed).

Cases (each a JSON index plus one little-endian float32 `.f32` blob holding the big arrays):
  minilm-short  all-MiniLM-L6-v2 on a 16-token sentence: every P [L, H, n, n] and the last hidden state.
  minilm-512    all-MiniLM-L6-v2 on the first 510 ids of the jargon corpus wrapped in [CLS] ... [SEP]:
                selected rows of P [L, H, R, n], per-head sum and sum of squares of P (float64),
                selected rows of the last hidden state and its sum and sum of squares.
  tiny-roberta  a random-weight 2-layer RoBERTa saved in tiny-roberta/ (config.json, model.safetensors):
                every P, Q, K, V per head [L, H, n, d] (after bias, before scaling), last hidden state.
Also tiny-roberta-f16.safetensors / tiny-roberta-bf16.safetensors: the tiny model's tensors rounded
by torch, to check the reader's half-precision conversion.

Usage: PYTHON=/work/pyref/bin/python; $PYTHON scripts/make-encoder-fixtures.py [model_dir] [corpus]
"""
import gzip
import json
import os
import sys

import numpy as np
import torch
import tokenizers
import transformers
from safetensors.torch import save_file
from transformers import AutoModel, RobertaConfig, RobertaModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "transformer")
MODEL_DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "notebooks-data/models/all-MiniLM-L6-v2")
CORPUS = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "notebooks-data/corpora/jargon.txt.gz")
SHORT_SENTENCE = "The quick brown fox jumps over the lazy dog beside a quiet river."
SELECTED_ROWS = [0, 1, 255, 510, 511]

torch.set_num_threads(1)


def versions():
    return {"torch": torch.__version__, "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__, "numpy": np.__version__}


def corpus_window(tokenizer, count):
    """First `count` ids of the corpus token stream (contiguous packing, docs/ARCHITECTURE.md)."""
    with gzip.open(CORPUS, "rb") as handle:
        text = handle.read().decode("utf-8", errors="replace")
    ids = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        ids.extend(tokenizer.encode(line, add_special_tokens=False).ids)
        if len(ids) >= count:
            break
    return ids[:count]


def run(model, ids, capture_qkv=False):
    """Returns (attentions [L, H, n, n], last hidden [n, hidden], qkv dict or None), all float32."""
    captured = {"q": [], "k": [], "v": []}
    hooks = []
    if capture_qkv:
        for layer in model.encoder.layer:
            attention = layer.attention.self
            for key, module in (("q", attention.query), ("k", attention.key), ("v", attention.value)):
                hooks.append(module.register_forward_hook(
                    lambda _m, _i, output, key=key: captured[key].append(output.detach().clone())))
    input_ids = torch.tensor([ids], dtype=torch.long)
    with torch.inference_mode():
        out = model(input_ids, attention_mask=torch.ones_like(input_ids), output_attentions=True)
    for hook in hooks:
        hook.remove()
    attentions = torch.stack([a[0] for a in out.attentions]).numpy().astype(np.float32)
    hidden = out.last_hidden_state[0].numpy().astype(np.float32)
    qkv = None
    if capture_qkv:
        heads = model.config.num_attention_heads
        qkv = {}
        for key, tensors in captured.items():
            per_layer = []
            for t in tensors:  # [1, n, hidden] -> [heads, n, d]
                n, hidden_size = t.shape[1], t.shape[2]
                per_layer.append(t[0].reshape(n, heads, hidden_size // heads).permute(1, 0, 2).numpy())
            qkv[key] = np.stack(per_layer).astype(np.float32)
    return attentions, hidden, qkv


class Blob:
    """Collects float32 arrays into one binary file; the index records offset (in floats) and shape."""

    def __init__(self):
        self.parts, self.index, self.offset = [], {}, 0

    def add(self, name, array):
        array = np.ascontiguousarray(array, dtype="<f4")
        self.index[name] = {"offset": self.offset, "shape": list(array.shape)}
        self.parts.append(array.reshape(-1))
        self.offset += array.size

    def write(self, path):
        np.concatenate(self.parts).astype("<f4").tofile(path)


def write_case(name, meta, blob):
    meta["blob"] = name + ".f32"
    meta["arrays"] = blob.index
    meta["versions"] = versions()
    blob.write(os.path.join(OUT, name + ".f32"))
    with open(os.path.join(OUT, name + ".json"), "w") as handle:
        json.dump(meta, handle, indent=1)
        handle.write("\n")


def minilm_cases():
    tokenizer = tokenizers.Tokenizer.from_file(os.path.join(MODEL_DIR, "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    model = AutoModel.from_pretrained(MODEL_DIR, attn_implementation="eager", dtype=torch.float32).eval()
    config = model.config
    base = {"model": "all-MiniLM-L6-v2", "layers": config.num_hidden_layers,
            "heads": config.num_attention_heads, "hidden": config.hidden_size}

    short_ids = tokenizer.encode(SHORT_SENTENCE, add_special_tokens=True).ids
    assert len(short_ids) == 16, f"short sentence has {len(short_ids)} tokens, want 16"
    p, hidden, _ = run(model, short_ids)
    blob = Blob()
    blob.add("probabilities", p)
    blob.add("hidden", hidden)
    write_case("minilm-short", dict(base, sentence=SHORT_SENTENCE, input_ids=short_ids, n=len(short_ids)), blob)

    window = [101] + corpus_window(tokenizer, 510) + [102]
    assert len(window) == 512
    p, hidden, _ = run(model, window)
    p64 = p.astype(np.float64)
    h64 = hidden.astype(np.float64)
    blob = Blob()
    blob.add("probability_rows", p[:, :, SELECTED_ROWS, :])
    blob.add("hidden_rows", hidden[SELECTED_ROWS, :])
    meta = dict(base, corpus="jargon.txt.gz", input_ids=window, n=512, rows=SELECTED_ROWS,
                probability_sum=p64.sum(axis=(2, 3)).tolist(),
                probability_sum_of_squares=(p64 ** 2).sum(axis=(2, 3)).tolist(),
                hidden_sum=float(h64.sum()), hidden_sum_of_squares=float((h64 ** 2).sum()))
    write_case("minilm-512", meta, blob)


def tiny_roberta_case():
    torch.manual_seed(20200608)
    config = RobertaConfig(vocab_size=1000, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                           intermediate_size=128, max_position_embeddings=130, pad_token_id=1,
                           bos_token_id=0, eos_token_id=2, type_vocab_size=1, layer_norm_eps=1e-5,
                           hidden_act="gelu")
    model = RobertaModel(config, add_pooling_layer=True)
    # Default init leaves biases 0, LayerNorm 1/0 and attention nearly uniform, which would hide bugs
    # in biases, LayerNorm and scaling: give every parameter a visible random value instead.
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "LayerNorm.weight" in name:
                param.copy_(1 + 0.2 * torch.randn_like(param))
            elif name.endswith("bias") or "LayerNorm" in name:
                param.copy_(0.2 * torch.randn_like(param))
            elif "embeddings" in name:
                param.copy_(torch.randn_like(param))
            else:
                fan_in = param.shape[1]
                scale = 2.5 if ("query" in name or "key" in name) else 1.0
                param.copy_(scale * torch.randn_like(param) / fan_in ** 0.5)
    model.eval()
    model_dir = os.path.join(OUT, "tiny-roberta")
    os.makedirs(model_dir, exist_ok=True)
    model.save_pretrained(model_dir, safe_serialization=True)
    model = RobertaModel.from_pretrained(model_dir, attn_implementation="eager").eval()

    generator = np.random.default_rng(7)
    body = generator.integers(3, 1000, size=126).tolist()
    body[40] = 1  # a pad id inside the sequence: RoBERTa gives it position pad_token_id, not a count
    ids = [0] + body + [2]
    p, hidden, qkv = run(model, ids, capture_qkv=True)
    blob = Blob()
    blob.add("probabilities", p)
    blob.add("hidden", hidden)
    for key, name in (("q", "queries"), ("k", "keys"), ("v", "values")):
        blob.add(name, qkv[key])
    print("tiny-roberta: mean row max of P =", float(p.max(axis=-1).mean()))
    meta = {"model": "tiny-roberta", "layers": 2, "heads": 4, "hidden": 32, "input_ids": ids, "n": len(ids)}
    write_case("tiny-roberta", meta, blob)

    tensors = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()
               if not k.endswith("position_ids")}
    save_file({k: v.to(torch.float16) for k, v in tensors.items()}, os.path.join(OUT, "tiny-roberta-f16.safetensors"))
    save_file({k: v.to(torch.bfloat16) for k, v in tensors.items()}, os.path.join(OUT, "tiny-roberta-bf16.safetensors"))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    minilm_cases()
    tiny_roberta_case()
    print("fixtures written to", OUT)
