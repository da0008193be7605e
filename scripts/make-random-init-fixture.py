#!/usr/bin/env python3
"""Writes Tests/Fixtures/transformer/random-init-rules.json: how Hugging Face `transformers` initialises
fresh models, tensor by tensor, as the reference for RandomInitialization's rules (CI never runs this).

For tiny BERT, RoBERTa (the tiny-roberta fixture's config), GPT-2, Llama and ModernBERT configurations, the
model is built from its config with torch.manual_seed(0) (so `_init_weights` runs), and every parameter of the
state dict is classified: "ones", "zeros", or "normal" with its sample standard deviation and largest |value|
(over the non-zero rows) and the index of an all-zero row if there is one (a padding_idx row).

Usage: $HOME/.cache/spectrum-toolkit/bench-venv/bin/python scripts/make-random-init-fixture.py
"""
import json
import os

import torch
import transformers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "transformer", "random-init-rules.json")


def classify(model):
    rules = {}
    for name, tensor in model.state_dict().items():
        if not tensor.is_floating_point():
            continue
        t = tensor.detach().double()
        if torch.all(t == 1):
            rules[name] = {"rule": "ones", "shape": list(t.shape)}
        elif torch.all(t == 0):
            rules[name] = {"rule": "zeros", "shape": list(t.shape)}
        else:
            zero_row = None
            if t.dim() == 2:
                zero = (t == 0).all(dim=1).nonzero().flatten().tolist()
                zero_row = zero[0] if len(zero) == 1 else None
            values = t if zero_row is None else torch.cat([t[:zero_row], t[zero_row + 1:]])
            rules[name] = {"rule": "normal", "std": float(values.std()), "mean": float(values.mean()),
                           "max_abs": float(values.abs().max()), "zero_row": zero_row, "shape": list(t.shape)}
    return rules


def main():
    torch.manual_seed(0)
    tiny_roberta = transformers.RobertaConfig.from_pretrained(os.path.join(ROOT, "Tests/Fixtures/transformer/tiny-roberta"))
    configs = {
        "bert": ({"model_type": "bert", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
                  "intermediate_size": 64, "vocab_size": 200, "max_position_embeddings": 64, "pad_token_id": 0,
                  "initializer_range": 0.05},
                 lambda c: transformers.BertModel(transformers.BertConfig(**c), add_pooling_layer=False)),
        "roberta": (tiny_roberta.to_dict(), lambda c: transformers.RobertaModel(tiny_roberta, add_pooling_layer=False)),
        "gpt2": ({"model_type": "gpt2", "n_embd": 32, "n_layer": 4, "n_head": 4, "vocab_size": 200, "n_positions": 64,
                  "initializer_range": 0.02},
                 lambda c: transformers.GPT2Model(transformers.GPT2Config(**c))),
        "llama": ({"model_type": "llama", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
                   "num_key_value_heads": 2, "intermediate_size": 64, "vocab_size": 200, "pad_token_id": 3,
                   "initializer_range": 0.03},
                  lambda c: transformers.LlamaModel(transformers.LlamaConfig(**c))),
        "modernbert": ({"model_type": "modernbert", "hidden_size": 32, "num_hidden_layers": 3, "num_attention_heads": 4,
                        "intermediate_size": 40, "vocab_size": 200, "pad_token_id": 3, "max_position_embeddings": 64,
                        "initializer_range": 0.04, "initializer_cutoff_factor": 2.0, "norm_bias": True,
                        "attention_bias": True, "mlp_bias": True},
                       lambda c: transformers.ModernBertModel(transformers.ModernBertConfig(**c))),
    }
    fixture = {}
    for family, (config, build) in configs.items():
        model = build(config)
        config = {k: v for k, v in config.items() if isinstance(v, (int, float, str)) or v is None}
        fixture[family] = {"config": config, "tensors": classify(model)}
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1, sort_keys=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
