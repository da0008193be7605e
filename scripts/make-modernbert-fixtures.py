#!/usr/bin/env python3
"""Writes the ModernBERT parity fixtures under Tests/Fixtures/transformer/modernbert*/.

tokenizer.json (in modernbert/): a byte-level BPE in ModernBERT's style, trained by `tokenizers` on the jargon
corpus: NFC, ByteLevel pre-tokenizer (no prefix space), ByteLevel decoder, TemplateProcessing
"[CLS] $A [SEP]" (pair "[CLS] $A [SEP] $B:1 [SEP]:1"), specials <|endoftext|> <|padding|> [UNK] [CLS] [SEP]
[PAD] [MASK] ([MASK] with lstrip, as ModernBERT has it). tokenizer-cases.json: ids (add_special_tokens=True)
of hard strings.

Two tiny RANDOM checkpoints with odd sizes (hidden 36, 3 heads, d = 12, intermediate 37), each with
global and local layers, and a reference from `transformers` run with attn_implementation="eager",
output_attentions=True, float32, CPU, inference mode (reference.json / reference.f32 as in
make-encoder-family-fixtures.py: "probabilities" [L, H, n, n], "hidden" [n, hidden] = last_hidden_state):
  modernbert          ModernBertModel, 4 layers, config.json in the Hub's older layout: global_attn_every_n_layers
                      = 3 (layers 1, 2 local), global_rope_theta 120000 / local_rope_theta 7000 (not the
                      defaults), local_attention = 21 (odd: half-width 10),
                      no biases (ModernBERT's defaults), gelu. reference: random ids, n = 67 (two 64-row
                      blocks, band narrower than n); packed: a corpus sentence encoded by tokenizer.json.
  modernbert-biased   ModernBertForMaskedLM (keys under model., plus a head), 3 layers, layer_types and nested
                      rope_parameters (θ 80000 global; 5000 with linear scaling by 1.5 local),
                      local_attention = 16 (half-width 8), attention_bias, mlp_bias,
                      norm_bias, gelu_pytorch_tanh; n = 70.

Needs torch, transformers, tokenizers, safetensors, numpy; CI never runs it (its small outputs are committed).
Usage: $HOME/.cache/spectrum-toolkit/bench-venv/bin/python scripts/make-modernbert-fixtures.py [corpus]
"""
import gzip
import json
import os
import sys

import numpy as np
import tokenizers
import torch
import transformers
from tokenizers import decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import ModernBertConfig, ModernBertForMaskedLM, ModernBertModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "transformer")
CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "notebooks-data/corpora/jargon.txt.gz")
SPECIALS = ["<|endoftext|>", "<|padding|>", "[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"]
HARD_STRINGS = [
    "Hello world", " leading space", "trailing space ", "  two  spaces", "tabs\tand\nnewlines\r\n",
    "don't WE'LL they're", "12345 numbers 3.14159", "naïve café façade", "日本語のテキスト", "emoji 🤗🚀 mixed",
    "a [MASK] token", "[CLS] literal specials [SEP]", "", " ", "\u00e9 vs e\u0301 (NFC)",
]
PACKED_SENTENCE = "The hacker's jargon file says a kludge is a clever programming trick that is ugly but works."
# What the Hub's ModernBERT configs hold instead of layer_types / rope_parameters (non-default θ, so a
# reader that ignored these keys would fail).
LEGACY = {"global_attn_every_n_layers": 3, "global_rope_theta": 120000.0, "local_rope_theta": 7000.0}

QK_SCALE = float(os.environ.get("QK_SCALE", "1.8"))

torch.set_num_threads(1)


def corpus_lines(limit):
    with gzip.open(CORPUS, "rb") as handle:
        text = handle.read().decode("utf-8", errors="replace")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return lines[:limit]


def train_tokenizer(path, vocab):
    tokenizer = tokenizers.Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=SPECIALS[:2], show_progress=False)
    tokenizer.train_from_iterator(corpus_lines(2000), trainer=trainer)
    # ModernBERT's BERT-style specials come after the learned vocabulary; [MASK] strips spaces on its left.
    tokenizer.add_special_tokens([tokenizers.AddedToken(t, special=True, normalized=False) for t in SPECIALS[2:6]])
    tokenizer.add_special_tokens([tokenizers.AddedToken("[MASK]", special=True, normalized=False, lstrip=True)])
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS]:0 $A:0 [SEP]:0", pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    tokenizer.save(path)
    return tokenizer


def configs(tokenizer):
    vocab = tokenizer.get_vocab_size()
    ids = {name: tokenizer.token_to_id(name) for name in ("[CLS]", "[SEP]", "[PAD]")}
    common = dict(vocab_size=vocab + 3, hidden_size=36, intermediate_size=37, num_attention_heads=3,
                  max_position_embeddings=96, norm_eps=1e-5, pad_token_id=ids["[PAD]"], bos_token_id=ids["[CLS]"],
                  cls_token_id=ids["[CLS]"], sep_token_id=ids["[SEP]"], eos_token_id=ids["[SEP]"])
    return [
        ("modernbert", ModernBertModel, 67, ModernBertConfig(
            num_hidden_layers=4, local_attention=21, hidden_activation="gelu", **LEGACY, **common)),
        ("modernbert-biased", ModernBertForMaskedLM, 70, ModernBertConfig(
            num_hidden_layers=3, layer_types=["full_attention", "sliding_attention", "full_attention"],
            rope_parameters={"full_attention": {"rope_type": "default", "rope_theta": 80000.0},
                             "sliding_attention": {"rope_type": "linear", "factor": 1.5, "rope_theta": 5000.0}},
            local_attention=16, attention_bias=True, mlp_bias=True, norm_bias=True,
            hidden_activation="gelu_pytorch_tanh", **common)),
    ]


def randomize(model):
    """Default init leaves biases 0, norms 1 and attention nearly uniform, which would hide bugs in biases,
    norms and RoPE: give every parameter a visible random value instead."""
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "norm" in name and name.endswith("weight"):
                param.copy_(1 + 0.2 * torch.randn_like(param))
            elif name.endswith("bias"):
                param.copy_(0.2 * torch.randn_like(param))
            elif "embeddings." in name:
                param.copy_(torch.randn_like(param))
            else:
                param.copy_(torch.randn_like(param) / param.shape[1] ** 0.5)
                if "Wqkv" in name:
                    # Sharper queries and keys make P far from uniform, but not so sharp that float32
                    # rounding in transformers itself moves P by more than ~5e-6 (checked against float64).
                    rows = param.shape[0] // 3
                    param[:2 * rows] *= QK_SCALE


def write_legacy_config(path):
    """Rewrites a saved config.json in the older layout: the layer pattern and both θ as LEGACY's keys."""
    with open(path) as handle:
        data = json.load(handle)
    del data["layer_types"], data["rope_parameters"]
    data.update(LEGACY)
    with open(path, "w") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")


def write_reference(model, folder, name, ids, **extra):
    """Runs `model` (the base ModernBertModel) on `ids`; writes <folder>/<name>.json and <name>.f32."""
    input_ids = torch.tensor([ids], dtype=torch.long)
    with torch.inference_mode():
        out = model(input_ids, attention_mask=torch.ones_like(input_ids), output_attentions=True)
    p = torch.stack([a[0] for a in out.attentions]).numpy().astype("<f4")
    hidden = out.last_hidden_state[0].numpy().astype("<f4")
    config = model.config
    arrays = {"probabilities": {"offset": 0, "shape": list(p.shape)},
              "hidden": {"offset": int(p.size), "shape": list(hidden.shape)}}
    directory = os.path.join(OUT, folder)
    np.concatenate([p.reshape(-1), hidden.reshape(-1)]).astype("<f4").tofile(os.path.join(directory, name + ".f32"))
    local = [i for i, t in enumerate(config.layer_types) if t == "sliding_attention"]
    meta = dict(extra, model=folder, model_type=config.model_type, layers=int(p.shape[0]), heads=int(p.shape[1]),
                hidden=int(hidden.shape[1]), n=len(ids), input_ids=ids, local_layers=local,
                half_window=int(config.sliding_window),
                rope_theta={t: float(config.rope_parameters[t]["rope_theta"]) for t in ("full_attention", "sliding_attention")},
                blob=f"{folder}/{name}.f32", arrays=arrays,
                versions={"torch": torch.__version__, "transformers": transformers.__version__,
                          "tokenizers": tokenizers.__version__, "numpy": np.__version__})
    with open(os.path.join(directory, name + ".json"), "w") as handle:
        json.dump(meta, handle, indent=1)
        handle.write("\n")
    band = p[local[0], 0] if local else p[0, 0]
    print(f"{folder}/{name}: P {list(p.shape)}, mean row max {float(p.max(axis=-1).mean()):.3f}, local layers {local}, "
          f"half-width {config.sliding_window}, nonzeros in row 40 of layer {local[0]}: {int((band[40] > 0).sum())}")


def main():
    directory = os.path.join(OUT, "modernbert")
    os.makedirs(directory, exist_ok=True)
    tokenizer = train_tokenizer(os.path.join(directory, "tokenizer.json"), 300)
    cases = {"strings": HARD_STRINGS, "ids": [tokenizer.encode(s).ids for s in HARD_STRINGS],
             "tokenizers": tokenizers.__version__}
    with open(os.path.join(directory, "tokenizer-cases.json"), "w") as handle:
        json.dump(cases, handle, ensure_ascii=False)
        handle.write("\n")
    rng = np.random.default_rng(2026)
    for seed, (folder, model_class, n, config) in enumerate(configs(tokenizer)):
        torch.manual_seed(20261300 + seed)
        model = model_class(config)
        randomize(model)
        target = os.path.join(OUT, folder)
        os.makedirs(target, exist_ok=True)
        model.save_pretrained(target, safe_serialization=True)
        if folder == "modernbert":
            write_legacy_config(os.path.join(target, "config.json"))
        model = model_class.from_pretrained(target, attn_implementation="eager").eval()
        assert model.config.layer_types == config.layer_types, (model.config.layer_types, config.layer_types)
        assert model.config.rope_parameters == config.rope_parameters, model.config.rope_parameters
        base = model.model if isinstance(model, ModernBertForMaskedLM) else model
        body = rng.integers(0, tokenizer.get_vocab_size(), size=n - 2).tolist()
        ids = [config.cls_token_id] + body + [config.sep_token_id]
        write_reference(base, folder, "reference", ids)
        if folder == "modernbert":
            packed = tokenizer.encode(PACKED_SENTENCE).ids
            assert len(packed) > 64, len(packed)
            write_reference(base, folder, "packed", packed, sentence=PACKED_SENTENCE)


if __name__ == "__main__":
    main()
