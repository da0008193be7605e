#!/usr/bin/env python3
"""Writes parity fixtures for the encoder families beyond BERT/RoBERTa under Tests/Fixtures/transformer/<family>/.

Each family gets a tiny RANDOM checkpoint with odd sizes (config.json + model.safetensors, written by
`save_pretrained`) and a reference from Hugging Face `transformers` run with attn_implementation="eager",
output_attentions=True, float32, CPU, inference mode, on fixed ids:
  reference.json  ids, sizes, versions, and the index of the arrays in reference.f32;
  reference.f32   little-endian float32: "probabilities" [L, H, n, n], "hidden" [n, hidden].

Families: xlm-roberta and camembert (RoBERTa architecture; the ids hold a pad id mid-sequence, whose
position is pad_token_id), distilbert (sinusoidal positions, its own weight names), electra (an
embedding_size below hidden_size, so embeddings_project is used). n = 67 spans two 64-row blocks.
xlm-roberta also gets packed.json / packed.f32: a sentence encoded by the xlmr-unigram tokenizer fixture
with its post-processor's <s> ... </s>, and the model's reference on those ids.

Needs torch, transformers, safetensors, numpy; CI never runs it (its small outputs are committed).
Usage: $HOME/.cache/spectrum-toolkit/bench-venv/bin/python scripts/make-encoder-family-fixtures.py
"""
import json
import os

import numpy as np
import tokenizers
import torch
import transformers
from transformers import (CamembertConfig, CamembertModel, DistilBertConfig, DistilBertModel, ElectraConfig,
                          ElectraModel, XLMRobertaConfig, XLMRobertaModel)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "transformer")
N = 67
# XLM-R's vocabulary is the xlmr-unigram tokenizer fixture's, so that a packed sentence can run too.
XLMR_TOKENIZER = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "xlmr-unigram", "tokenizer.json")
PACKED_SENTENCE = "The quick brown fox jumps over the lazy dog beside a quiet river, then rests."

torch.set_num_threads(1)


def families():
    """(folder, model class, config) per family; sizes are deliberately odd."""
    return [
        ("xlm-roberta", XLMRobertaModel, XLMRobertaConfig(
            vocab_size=tokenizers.Tokenizer.from_file(XLMR_TOKENIZER).get_vocab_size(), hidden_size=30, num_hidden_layers=2, num_attention_heads=5, intermediate_size=47,
            max_position_embeddings=N + 3, pad_token_id=1, bos_token_id=0, eos_token_id=2, type_vocab_size=1,
            layer_norm_eps=1e-5, hidden_act="gelu")),
        ("camembert", CamembertModel, CamembertConfig(
            vocab_size=263, hidden_size=36, num_hidden_layers=2, num_attention_heads=4, intermediate_size=61,
            max_position_embeddings=N + 5, pad_token_id=1, bos_token_id=5, eos_token_id=6, type_vocab_size=1,
            layer_norm_eps=1e-5, hidden_act="gelu_new")),
        ("distilbert", DistilBertModel, DistilBertConfig(
            vocab_size=251, dim=42, n_layers=2, n_heads=6, hidden_dim=71, max_position_embeddings=N + 2,
            sinusoidal_pos_embds=True, activation="gelu", pad_token_id=0)),
        ("electra", ElectraModel, ElectraConfig(
            vocab_size=241, embedding_size=18, hidden_size=30, num_hidden_layers=2, num_attention_heads=3,
            intermediate_size=53, max_position_embeddings=N + 1, type_vocab_size=2, layer_norm_eps=1e-12,
            hidden_act="gelu", pad_token_id=0)),
    ]


def randomize(model, keep_positions):
    """Default init leaves biases 0, norms 1/0 and attention nearly uniform, which would hide bugs in
    biases, norms and scaling: give every parameter a visible random value instead."""
    with torch.no_grad():
        for name, param in model.named_parameters():
            if keep_positions and "position_embeddings" in name:
                continue  # the sinusoidal table stays as DistilBERT made it
            norm = "LayerNorm" in name or "layer_norm" in name
            if norm and name.endswith("weight"):
                param.copy_(1 + 0.2 * torch.randn_like(param))
            elif name.endswith("bias") or norm:
                param.copy_(0.2 * torch.randn_like(param))
            elif "embeddings." in name:
                param.copy_(torch.randn_like(param))
            else:
                scale = 2.5 if any(k in name for k in ("query", "key", "q_lin", "k_lin")) else 1.0
                param.copy_(scale * torch.randn_like(param) / param.shape[1] ** 0.5)


def ids_for(folder, config, rng):
    body = rng.integers(7, config.vocab_size, size=N - 2).tolist()
    if folder in ("xlm-roberta", "camembert"):
        body[23] = config.pad_token_id  # RoBERTa gives a pad id position pad_token_id, not a count
        return [config.bos_token_id] + body + [config.eos_token_id]
    return [101 % config.vocab_size] + body + [102 % config.vocab_size]


def main():
    rng = np.random.default_rng(13)
    for seed, (folder, model_class, config) in enumerate(families()):
        torch.manual_seed(20260000 + seed)
        model = model_class(config)
        randomize(model, keep_positions=getattr(config, "sinusoidal_pos_embds", False))
        directory = os.path.join(OUT, folder)
        os.makedirs(directory, exist_ok=True)
        model.save_pretrained(directory, safe_serialization=True)
        model = model_class.from_pretrained(directory, attn_implementation="eager").eval()
        ids = ids_for(folder, config, rng)
        write_reference(model, folder, "reference", ids)
        if folder == "xlm-roberta":
            tokenizer = tokenizers.Tokenizer.from_file(XLMR_TOKENIZER)
            packed = tokenizer.encode(PACKED_SENTENCE, add_special_tokens=True).ids
            write_reference(model, folder, "packed", packed, sentence=PACKED_SENTENCE)


def write_reference(model, folder, name, ids, **extra):
    """Runs `model` on `ids` and writes <folder>/<name>.json and <name>.f32."""
    input_ids = torch.tensor([ids], dtype=torch.long)
    with torch.inference_mode():
        out = model(input_ids, attention_mask=torch.ones_like(input_ids), output_attentions=True)
    p = torch.stack([a[0] for a in out.attentions]).numpy().astype("<f4")
    hidden = out.last_hidden_state[0].numpy().astype("<f4")
    arrays = {"probabilities": {"offset": 0, "shape": list(p.shape)},
              "hidden": {"offset": int(p.size), "shape": list(hidden.shape)}}
    directory = os.path.join(OUT, folder)
    np.concatenate([p.reshape(-1), hidden.reshape(-1)]).astype("<f4").tofile(os.path.join(directory, name + ".f32"))
    meta = dict(extra, model=folder, model_type=model.config.model_type, layers=int(p.shape[0]), heads=int(p.shape[1]),
                hidden=int(hidden.shape[1]), n=len(ids), input_ids=ids, blob=f"{folder}/{name}.f32", arrays=arrays,
                versions={"torch": torch.__version__, "transformers": transformers.__version__,
                          "tokenizers": tokenizers.__version__, "numpy": np.__version__})
    with open(os.path.join(directory, name + ".json"), "w") as handle:
        json.dump(meta, handle, indent=1)
        handle.write("\n")
    print(f"{folder}/{name}: P {list(p.shape)}, mean row max {float(p.max(axis=-1).mean()):.3f}, "
          f"hidden {list(hidden.shape)}")


if __name__ == "__main__":
    main()
