#!/usr/bin/env python3
"""Peak memory of a decoder run on a large BF16 checkpoint: proves that weights are converted layer
by layer (resident memory about one layer in float32), not the whole model.

Writes a synthetic random Llama-style checkpoint (hidden 4096, intermediate 11008, 32 query heads,
8 key-value heads, LAYERS layers, vocabulary 32000; ≈ 2.4 GB in BF16, ≈ 4.8 GB in float32) into a
temporary folder with the gpt2 fixture's tokenizer, runs `spectrum-analyze run` on one short window
under `/usr/bin/time -v`, and checks that the peak RSS is below half the float32 size of the weights.
Needs only numpy. Exit status 1 when the bound is not met.

Usage: python3 scripts/check-decoder-memory.py [path/to/spectrum-analyze] [layers]
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "release", "spectrum-analyze")
LAYERS = int(sys.argv[2]) if len(sys.argv) > 2 else 6
H, I, HEADS, KV, VOCAB = 4096, 11008, 32, 8, 32000
D = H // HEADS


def shapes():
    yield "model.embed_tokens.weight", (VOCAB, H)
    for layer in range(LAYERS):
        p = f"model.layers.{layer}."
        yield p + "input_layernorm.weight", (H,)
        yield p + "self_attn.q_proj.weight", (HEADS * D, H)
        yield p + "self_attn.k_proj.weight", (KV * D, H)
        yield p + "self_attn.v_proj.weight", (KV * D, H)
        yield p + "self_attn.o_proj.weight", (H, HEADS * D)
        yield p + "post_attention_layernorm.weight", (H,)
        yield p + "mlp.gate_proj.weight", (I, H)
        yield p + "mlp.up_proj.weight", (I, H)
        yield p + "mlp.down_proj.weight", (H, I)
    yield "model.norm.weight", (H,)


def bf16(array):
    """float32 → bfloat16 bits, rounded to nearest even."""
    bits = array.astype("<f4").view("<u4")
    rounded = bits + 0x7FFF + ((bits >> 16) & 1)
    return (rounded >> 16).astype("<u2")


def write_checkpoint(folder):
    entries = list(shapes())
    header, offset = {}, 0
    for name, shape in entries:
        size = int(np.prod(shape)) * 2
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    blob = json.dumps(header).encode()
    blob += b" " * (-len(blob) % 8)
    rng = np.random.default_rng(0)
    with open(os.path.join(folder, "model.safetensors"), "wb") as handle:
        handle.write(len(blob).to_bytes(8, "little"))
        handle.write(blob)
        for name, shape in entries:
            if name.endswith("norm.weight"):
                values = 1 + 0.1 * rng.standard_normal(shape, dtype=np.float32)
            else:
                values = rng.standard_normal(shape, dtype=np.float32) / np.float32(np.sqrt(shape[-1]))
            handle.write(bf16(values).tobytes())
    config = {"model_type": "llama", "hidden_size": H, "intermediate_size": I, "num_hidden_layers": LAYERS,
              "num_attention_heads": HEADS, "num_key_value_heads": KV, "vocab_size": VOCAB,
              "max_position_embeddings": 4096, "rms_norm_eps": 1e-5, "dtype": "bfloat16",
              "rope_parameters": {"rope_type": "default", "rope_theta": 500000.0}}
    with open(os.path.join(folder, "config.json"), "w") as handle:
        json.dump(config, handle)
    shutil.copy(os.path.join(ROOT, "Tests", "Fixtures", "transformer", "gpt2", "tokenizer.json"), folder)
    parameters = sum(int(np.prod(s)) for _, s in entries)
    return parameters


def main():
    if not os.access(BINARY, os.X_OK):
        sys.exit(f"{BINARY} is not built (swift build -c release --product spectrum-analyze)")
    work = tempfile.mkdtemp(prefix="decoder-memory-")
    try:
        model = os.path.join(work, "model")
        os.makedirs(model)
        parameters = write_checkpoint(model)
        corpus = os.path.join(work, "corpus.txt")
        with open(corpus, "w") as handle:
            handle.write("\n".join(f"line {i} of a corpus for a memory check" for i in range(200)))
        command = ["/usr/bin/time", "-v", BINARY, "run", "--model", model, "--corpus", corpus, "--seq-len", "16",
                   "--sequences", "1", "--no-projection", "--threads", "1", "--quiet", "-o", os.path.join(work, "run.h5")]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"run failed ({result.returncode}):\n{result.stderr}")
        peak_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
        peak = peak_kib * 1024
        float32 = 4 * parameters
        layer32 = 4 * (2 * H + HEADS * D * H * 2 + 2 * KV * D * H + 3 * H * I)
        print(f"parameters {parameters / 1e9:.2f} B: BF16 file {2 * parameters / 2**30:.2f} GiB, "
              f"float32 {float32 / 2**30:.2f} GiB, one layer in float32 {layer32 / 2**30:.2f} GiB")
        print(f"peak RSS {peak / 2**30:.2f} GiB = {peak / float32:.0%} of the float32 weights")
        if peak >= float32 / 2:
            sys.exit("peak RSS is not below half the float32 size: weights are not converted layer by layer")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
