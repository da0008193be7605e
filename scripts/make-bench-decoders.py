#!/usr/bin/env python3
"""Random-weight decoder checkpoints for `make bench` (section decoder-forward): the forward pass of
a decoder is timed on realistic shapes, so the weights need not be trained.

  gpt2-small   transformers.GPT2Config() defaults: 12 layers, 768 hidden, 12 heads, 1024 positions
  llama-768    Llama-style: 12 layers, 768 hidden, 12 query heads, 4 key-value heads, SwiGLU 2048,
               vocabulary 32000, 2048 positions, RoPE θ = 500000

Both float32 safetensors written by save_pretrained under OUT/<name>/, skipped when present. Prints
the folders as one JSON object.

Usage: $PYTHON scripts/make-bench-decoders.py OUT
"""
import json
import os
import sys

import torch
from transformers import GPT2Config, GPT2Model, LlamaConfig, LlamaModel


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    made = {}
    configs = {
        "gpt2-small": (GPT2Model, GPT2Config()),
        "llama-768": (LlamaModel, LlamaConfig(
            vocab_size=32000, hidden_size=768, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=12,
            num_key_value_heads=4, max_position_embeddings=2048,
            rope_parameters={"rope_type": "default", "rope_theta": 500000.0})),
    }
    for name, (cls, config) in configs.items():
        folder = os.path.join(out, name)
        if not os.path.exists(os.path.join(folder, "config.json")):
            cls(config).eval().save_pretrained(folder, safe_serialization=True)
        made[name] = folder
    json.dump(made, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
