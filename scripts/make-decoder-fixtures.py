#!/usr/bin/env python3
"""Writes the decoder families' parity fixtures under Tests/Fixtures/transformer/.

Reference: Hugging Face `transformers` with attn_implementation="eager" and output_attentions=True,
float32, CPU, inference mode. Needs torch, transformers, safetensors, numpy (CI never runs this; its
small outputs are committed).

Every family gets a tiny checkpoint with random weights and deliberately odd sizes in <family>/
(config.json plus safetensors written by `save_pretrained`), and a reference case decoder-<family>.json
with a float32 blob decoder-<family>.f32 holding, for one fixed sequence of N_TOKENS random ids:
  probabilities  [L, H, n, n]     every layer's P (lower-triangular; banded where a window applies)
  queries        [L, H, n, d]     queries after RoPE (and after the q norm for Qwen3), before scaling
  keys           [L, Hkv, n, d]   keys after RoPE, one per key-value head
  values         [L, Hkv, n, d]   values, one per key-value head
  hidden         [n, hidden]      last hidden state (after the final norm)
The checkpoints cover what shipped models do:
  gpt2     F32, Conv1D weights [in, out], learned positions, gelu_new, 5 heads of 12
  llama    BF16, `model.` prefix (LlamaForCausalLM, tied head), head_dim 18 ≠ hidden/heads, GQA 4:2,
           llama3 rope scaling straddling high/medium/low frequencies, attention and MLP biases
  mistral  F32 sharded (model.safetensors.index.json), head_dim 20, GQA 4:2, sliding_window 7 < n,
           config rewritten to the legacy keys rope_theta + rope_scaling {"type": "linear"}
  qwen2    F16, q/k/v biases, GQA 6:2, use_sliding_window with window 9 on layers ≥ max_window_layers 1
  qwen3    F32, `model.` prefix, q/k RMSNorm per head, head_dim 12, GQA 6:2, dynamic rope (inactive
           at n ≤ max_position_embeddings, as in transformers)

gpt2/ and llama/ also get tokenizer.json; gpt2's is a GPT-2-style byte-level BPE (ByteLevel pre-tokenizer, decoder and
post-processor, no special tokens added) trained by `tokenizers` on the first lines of the jargon
corpus, so the pipeline can run end to end on a decoder; every model's vocabulary is at least its size
(TOKENIZER_VOCAB), so the pipeline tests may pair it with the other checkpoints. llama's is the same
BPE with Llama 3's post-processing, one `<|begin_of_text|>` (id TOKENIZER_VOCAB) before every sequence.
decoder-packing.json holds the first windows of contiguous packing (n = 32) with both, as the Python
pipeline would pack them (n minus the tokens the post-processor adds). The parity tests use fixed ids
and do not depend on the tokenizers.

It rewrites the family folders, so run scripts/make-decoder-tokenizers.py afterwards (it adds the
mistral, qwen2 and qwen3 tokenizers).

Usage: $HOME/.cache/spectrum-toolkit/bench-venv/bin/python scripts/make-decoder-fixtures.py [corpus]
"""
import gzip
import json
import os
import shutil
import sys

import numpy as np
import tokenizers
import torch
import transformers
from tokenizers import decoders, models, pre_tokenizers, processors, trainers
from transformers import (AutoConfig, AutoModel, GPT2Config, LlamaConfig, MistralConfig, Qwen2Config,
                          Qwen3Config)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "transformer")
N_TOKENS = 37
TOKENIZER_VOCAB = 300
CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "notebooks-data/corpora/jargon.txt.gz")

torch.set_num_threads(1)


def versions():
    return {"torch": torch.__version__, "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
            "numpy": np.__version__}


def byte_level_tokenizer(path):
    """A GPT-2-style byte-level BPE with TOKENIZER_VOCAB entries, trained on the corpus's first 2000 lines."""
    with gzip.open(CORPUS, "rt", encoding="utf-8", errors="replace") as handle:
        lines = [line for _, line in zip(range(2000), handle)]
    tokenizer = tokenizers.Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=TOKENIZER_VOCAB, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tokenizer.train_from_iterator(lines, trainer=trainer)
    assert tokenizer.get_vocab_size() == TOKENIZER_VOCAB, tokenizer.get_vocab_size()
    tokenizer.save(path)
    return tokenizer


def with_begin_of_text(tokenizer, path):
    """Llama 3's post-processing on `tokenizer`: `<|begin_of_text|> $A`."""
    tokenizer = tokenizers.Tokenizer.from_str(tokenizer.to_str())
    tokenizer.add_special_tokens(["<|begin_of_text|>"])
    bos = tokenizer.token_to_id("<|begin_of_text|>")
    assert bos == TOKENIZER_VOCAB, bos
    tokenizer.post_processor = processors.TemplateProcessing(single="<|begin_of_text|> $A", special_tokens=[("<|begin_of_text|>", bos)])
    tokenizer.save(path)
    return tokenizer


def corpus_lines():
    with gzip.open(CORPUS, "rb") as handle:
        text = handle.read().decode("utf-8", errors="replace")
    for line in text.split("\n"):
        line = line.strip()
        if line:
            yield line


def packed_windows(tokenizer, n, count):
    """Contiguous packing: windows of n − added corpus ids, each given the post-processor's tokens."""
    added = tokenizer.post_processor.num_special_tokens_to_add(False)
    width = n - added
    ids = []
    for line in corpus_lines():
        if len(ids) >= count * width:
            break
        ids.extend(tokenizer.encode(line, add_special_tokens=False).ids)
    windows = []
    for w in range(count):
        body = ids[w * width:(w + 1) * width]
        windows.append(([tokenizer.token_to_id("<|begin_of_text|>")] if added else []) + body)
        assert len(windows[-1]) == n
    return {"n": n, "added": added, "windows": windows}


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


def randomize(model, seed):
    """Visible random values everywhere: the default init (zero biases, unit norms, tiny weights,
    nearly uniform attention) would hide bugs in biases, norms, scaling and RoPE."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("norm.weight") or ".ln_" in name or "ln_f" in name or "layernorm" in name:
                if name.endswith("bias"):
                    param.copy_(0.2 * torch.randn_like(param))
                else:
                    param.copy_(1 + 0.2 * torch.randn_like(param))
            elif name.endswith("bias"):
                param.copy_(0.2 * torch.randn_like(param))
            elif "embed" in name or name.endswith("wte.weight") or name.endswith("wpe.weight"):
                param.copy_(torch.randn_like(param))
            else:
                conv1d = ".c_attn." in name or ".c_proj." in name or ".c_fc." in name
                fan_in = param.shape[0] if conv1d else param.shape[1]
                scale = 1.6 if any(k in name for k in ("q_proj", "k_proj", "c_attn")) else 1.0
                param.copy_(scale * torch.randn_like(param) / fan_in ** 0.5)


def capture_rope(module_name, store):
    """Wraps the modeling module's apply_rotary_pos_emb so every call records (q, k) after RoPE."""
    module = getattr(transformers.models, module_name)
    modeling = getattr(module, "modeling_" + module_name)
    original = modeling.apply_rotary_pos_emb

    def wrapper(q, k, cos, sin, *args, **kwargs):
        q_embed, k_embed = original(q, k, cos, sin, *args, **kwargs)
        store.append((q_embed[0].detach().clone(), k_embed[0].detach().clone()))
        return q_embed, k_embed

    modeling.apply_rotary_pos_emb = wrapper
    return lambda: setattr(modeling, "apply_rotary_pos_emb", original)


def reference_rope_family(directory, module_name, ids):
    model = AutoModel.from_pretrained(directory, attn_implementation="eager", dtype=torch.float32).eval()
    config = model.config
    kv = config.num_key_value_heads
    d = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    rope, values, hooks = [], [], []
    restore = capture_rope(module_name, rope)
    for layer in model.layers:
        hooks.append(layer.self_attn.v_proj.register_forward_hook(
            lambda _m, _i, out: values.append(out[0].detach().clone())))
    input_ids = torch.tensor([ids])
    with torch.inference_mode():
        out = model(input_ids, attention_mask=torch.ones_like(input_ids), output_attentions=True)
    restore()
    for hook in hooks:
        hook.remove()
    n = len(ids)
    return {
        "probabilities": torch.stack([a[0] for a in out.attentions]).numpy(),
        "queries": torch.stack([q for q, _ in rope]).numpy(),
        "keys": torch.stack([k for _, k in rope]).numpy(),
        "values": torch.stack([v.reshape(n, kv, d).permute(1, 0, 2) for v in values]).numpy(),
        "hidden": out.last_hidden_state[0].numpy(),
    }, config


def reference_gpt2(directory, ids):
    model = AutoModel.from_pretrained(directory, attn_implementation="eager", dtype=torch.float32).eval()
    config = model.config
    heads, h = config.n_head, config.n_embd
    d = h // heads
    qkv, hooks = [], []
    for block in model.h:
        hooks.append(block.attn.c_attn.register_forward_hook(
            lambda _m, _i, out: qkv.append(out[0].detach().clone())))
    input_ids = torch.tensor([ids])
    with torch.inference_mode():
        out = model(input_ids, attention_mask=torch.ones_like(input_ids), output_attentions=True)
    for hook in hooks:
        hook.remove()
    n = len(ids)

    def heads_of(t, part):
        return t[:, part * h:(part + 1) * h].reshape(n, heads, d).permute(1, 0, 2)

    return {
        "probabilities": torch.stack([a[0] for a in out.attentions]).numpy(),
        "queries": torch.stack([heads_of(t, 0) for t in qkv]).numpy(),
        "keys": torch.stack([heads_of(t, 1) for t in qkv]).numpy(),
        "values": torch.stack([heads_of(t, 2) for t in qkv]).numpy(),
        "hidden": out.last_hidden_state[0].numpy(),
    }, config


def save(model, family, dtype, **kwargs):
    directory = os.path.join(OUT, family)
    shutil.rmtree(directory, ignore_errors=True)
    model.to(dtype).save_pretrained(directory, safe_serialization=True, **kwargs)
    return directory


def write_case(family, ids, arrays, config, extra):
    blob = Blob()
    for name in ("probabilities", "queries", "keys", "values", "hidden"):
        blob.add(name, arrays[name])
    p = arrays["probabilities"]
    upper = np.triu(p, k=1)
    assert float(np.abs(upper).max()) == 0.0, f"{family}: P is not lower-triangular"
    print(f"{family}: P {list(p.shape)}, mean row max {float(p.max(axis=-1).mean()):.3f}")
    name = "decoder-" + family
    meta = {"model": family, "input_ids": ids, "n": len(ids), "blob": name + ".f32", "arrays": blob.index,
            "versions": versions()}
    meta.update(extra)
    blob.write(os.path.join(OUT, name + ".f32"))
    with open(os.path.join(OUT, name + ".json"), "w") as handle:
        json.dump(meta, handle, indent=1)
        handle.write("\n")


def token_ids(vocab, seed):
    return np.random.default_rng(seed).integers(0, vocab, size=N_TOKENS).tolist()


def gpt2():
    config = GPT2Config(vocab_size=TOKENIZER_VOCAB, n_embd=60, n_layer=2, n_head=5, n_inner=136, n_positions=64,
                        activation_function="gelu_new", layer_norm_epsilon=1e-5,
                        bos_token_id=0, eos_token_id=0)
    model = transformers.GPT2Model(config)
    randomize(model, 11)
    directory = save(model, "gpt2", torch.float32)
    tokenizer = byte_level_tokenizer(os.path.join(directory, "tokenizer.json"))
    PACKING["gpt2"] = packed_windows(tokenizer, 32, 4)
    ids = token_ids(TOKENIZER_VOCAB, 1)
    arrays, config = reference_gpt2(directory, ids)
    write_case("gpt2", ids, arrays, config, {"layers": 2, "heads": 5, "kv_heads": 5, "head_dim": 12, "hidden_size": 60})


def llama():
    config = LlamaConfig(vocab_size=311, hidden_size=56, intermediate_size=100, num_hidden_layers=3,
                         num_attention_heads=4, num_key_value_heads=2, head_dim=18, max_position_embeddings=128,
                         rms_norm_eps=1e-5, attention_bias=True, mlp_bias=True, tie_word_embeddings=True,
                         rope_parameters={"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0,
                                          "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                          "original_max_position_embeddings": 32})
    model = transformers.LlamaForCausalLM(config)
    randomize(model, 12)
    directory = save(model, "llama", torch.bfloat16)
    gpt2_tokenizer = tokenizers.Tokenizer.from_file(os.path.join(OUT, "gpt2", "tokenizer.json"))
    PACKING["llama"] = packed_windows(with_begin_of_text(gpt2_tokenizer, os.path.join(directory, "tokenizer.json")), 32, 4)
    ids = token_ids(311, 2)
    arrays, config = reference_rope_family(directory, "llama", ids)
    write_case("llama", ids, arrays, config, {"layers": 3, "heads": 4, "kv_heads": 2, "head_dim": 18, "hidden_size": 56})


def mistral():
    config = MistralConfig(vocab_size=401, hidden_size=64, intermediate_size=88, num_hidden_layers=2,
                           num_attention_heads=4, num_key_value_heads=2, head_dim=20, max_position_embeddings=96,
                           rms_norm_eps=1e-6, sliding_window=7)
    model = transformers.MistralModel(config)
    randomize(model, 13)
    directory = save(model, "mistral", torch.float32, max_shard_size="100KB")
    assert os.path.exists(os.path.join(directory, "model.safetensors.index.json")), "mistral is not sharded"
    # Most hub checkpoints still carry the legacy keys: rewrite the config to them, and let
    # transformers read it back for the reference.
    path = os.path.join(directory, "config.json")
    with open(path) as handle:
        saved = json.load(handle)
    saved.pop("rope_parameters", None)
    saved["rope_theta"] = 500.0
    saved["rope_scaling"] = {"type": "linear", "factor": 2.0}
    with open(path, "w") as handle:
        json.dump(saved, handle, indent=2)
        handle.write("\n")
    loaded = AutoConfig.from_pretrained(directory)
    assert loaded.rope_parameters["rope_type"] == "linear" and loaded.rope_parameters["rope_theta"] == 500.0, \
        loaded.rope_parameters
    ids = token_ids(401, 3)
    arrays, config = reference_rope_family(directory, "mistral", ids)
    p = arrays["probabilities"]
    assert float(p[:, :, 20, :14].max()) == 0.0, "sliding window not applied"
    write_case("mistral", ids, arrays, config, {"layers": 2, "heads": 4, "kv_heads": 2, "head_dim": 20, "hidden_size": 64})


def qwen2():
    config = Qwen2Config(vocab_size=313, hidden_size=48, intermediate_size=72, num_hidden_layers=3,
                         num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=80,
                         rms_norm_eps=1e-6, use_sliding_window=True, sliding_window=9, max_window_layers=1,
                         rope_parameters={"rope_type": "default", "rope_theta": 1000000.0})
    model = transformers.Qwen2Model(config)
    randomize(model, 14)
    directory = save(model, "qwen2", torch.float16)
    ids = token_ids(313, 4)
    arrays, config = reference_rope_family(directory, "qwen2", ids)
    p = arrays["probabilities"]
    assert float(p[0, :, 30, :10].min()) > 0 and float(p[1, :, 30, :22].max()) == 0.0, "layer types not as planned"
    write_case("qwen2", ids, arrays, config, {"layers": 3, "heads": 6, "kv_heads": 2, "head_dim": 8, "hidden_size": 48})


def qwen3():
    config = Qwen3Config(vocab_size=317, hidden_size=52, intermediate_size=84, num_hidden_layers=2,
                         num_attention_heads=6, num_key_value_heads=2, head_dim=12, max_position_embeddings=64,
                         rms_norm_eps=1e-6, tie_word_embeddings=True,
                         rope_parameters={"rope_type": "dynamic", "rope_theta": 20000.0, "factor": 4.0})
    model = transformers.Qwen3ForCausalLM(config)
    randomize(model, 15)
    directory = save(model, "qwen3", torch.float32)
    ids = token_ids(317, 5)
    arrays, config = reference_rope_family(directory, "qwen3", ids)
    write_case("qwen3", ids, arrays, config, {"layers": 2, "heads": 6, "kv_heads": 2, "head_dim": 12, "hidden_size": 52})


PACKING = {}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for make in (gpt2, llama, mistral, qwen2, qwen3):
        make()
    with open(os.path.join(OUT, "decoder-packing.json"), "w") as handle:
        json.dump(dict(PACKING, corpus="jargon.txt.gz", versions=versions()), handle)
        handle.write("\n")
    print("fixtures written to", OUT)
