#!/usr/bin/env python3
"""Tokenizers in the styles of the decoder families, trained by `tokenizers` on the jargon corpus,
with the ids the Python library gives (for the Swift tokenizer's parity tests).

  mistral/tokenizer.json  SentencePiece-style BPE as in Llama 2 / Mistral: normalizer Prepend("▁") +
                          Replace(" ", "▁"), no pre-tokenizer, byte_fallback with the 256 <0xXX> tokens,
                          unk <unk>; decoder Replace + ByteFallback + Fuse + Strip; post-processor
                          TemplateProcessing "<s> $A" (one BOS).
  qwen2/tokenizer.json    regex-split byte-level BPE as in Qwen2: NFC, Split(Qwen2 pattern, isolated) +
                          ByteLevel(use_regex=False); ByteLevel decoder and post-processor (adds nothing).
  qwen3/tokenizer.json    the same tokenizer (Qwen3 ships Qwen2's).
Vocabularies (400, 300) stay below the checkpoints' vocab_size (make-decoder-fixtures.py), so the pipeline can run
them. decoder-tokenizers.json: per family the ids (add_special_tokens=True) of hard strings, and the
first contiguous-packing windows at n = 32 (n minus the post-processor's tokens, then wrapped).

Usage: $HOME/.cache/spectrum-toolkit/bench-venv/bin/python scripts/make-decoder-tokenizers.py [corpus]
"""
import gzip
import json
import os
import sys

import tokenizers
from tokenizers import Regex, decoders, models, normalizers, pre_tokenizers, processors, trainers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "transformer")
CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "notebooks-data/corpora/jargon.txt.gz")
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
                 r"|\s+(?!\S)|\s+")
HARD_STRINGS = [
    "Hello world", " leading space", "trailing space ", "  two  spaces", "tabs\tand\nnewlines\r\n",
    "don't WE'LL they're", "12345 numbers 3.14159", "naïve café façade", "Ünïcödé ß ΑΒΓ",
    "日本語のテキスト", "emoji 🤗🚀 mixed", "a" * 40, "<s> literal specials </s>", "", " ",
    "x=1;y=2 // code", "ZWJ 👩‍👩‍👧 family", "\u00e9 vs e\u0301 (NFC)",
]


def corpus_lines(limit=None):
    with gzip.open(CORPUS, "rb") as handle:
        text = handle.read().decode("utf-8", errors="replace")
    count = 0
    for line in text.split("\n"):
        line = line.strip()
        if line:
            yield line
            count += 1
            if limit and count >= limit:
                return


def sentencepiece_style(path, vocab):
    """Llama 2 / Mistral layout: specials 0-2, the 256 byte tokens 3-258, then learned pieces."""
    tokenizer = tokenizers.Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tokenizer.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    # The 80 most frequent characters are pieces; rarer ones fall back to their bytes.
    trainer = trainers.BpeTrainer(vocab_size=vocab - 256, special_tokens=["<unk>", "<s>", "</s>"], limit_alphabet=80,
                                  show_progress=False)
    tokenizer.train_from_iterator(corpus_lines(2000), trainer=trainer)
    data = json.loads(tokenizer.to_str())
    learned = sorted((i, t) for t, i in data["model"]["vocab"].items() if t not in ("<unk>", "<s>", "</s>"))
    table = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for byte in range(256):
        table[f"<0x{byte:02X}>"] = 3 + byte
    for _, token in learned:
        table.setdefault(token, len(table))
    data["model"]["vocab"] = table
    data["added_tokens"] = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                             "normalized": False, "special": True} for t, i in (("<unk>", 0), ("<s>", 1), ("</s>", 2))]
    data["decoder"] = json.loads(decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                                    decoders.Strip(" ", 1, 0)]).__getstate__())
    data["post_processor"] = json.loads(processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)]).__getstate__())
    tokenizer = tokenizers.Tokenizer.from_str(json.dumps(data))
    tokenizer.save(path)
    return tokenizer


def qwen2_style(path, vocab):
    tokenizer = tokenizers.Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|endoftext|>"], show_progress=False)
    tokenizer.train_from_iterator(corpus_lines(2000), trainer=trainer)
    tokenizer.save(path)
    return tokenizer


def packed(tokenizer, n, count):
    added = tokenizer.post_processor.num_special_tokens_to_add(False)
    width = n - added
    ids = []
    for line in corpus_lines():
        if len(ids) >= count * width:
            break
        ids.extend(tokenizer.encode(line, add_special_tokens=False).ids)
    bos = [tokenizer.token_to_id("<s>")] if added else []
    assert added in (0, 1)
    return {"n": n, "added": added, "windows": [bos + ids[w * width:(w + 1) * width] for w in range(count)]}


def main():
    result = {"strings": HARD_STRINGS, "corpus": "jargon.txt.gz", "tokenizers": tokenizers.__version__}
    made = {
        "mistral": sentencepiece_style(os.path.join(OUT, "mistral", "tokenizer.json"), 400),
        "qwen2": qwen2_style(os.path.join(OUT, "qwen2", "tokenizer.json"), 300),
    }
    made["qwen3"] = tokenizers.Tokenizer.from_file(os.path.join(OUT, "qwen2", "tokenizer.json"))
    made["qwen3"].save(os.path.join(OUT, "qwen3", "tokenizer.json"))
    for family, tokenizer in made.items():
        assert tokenizer.get_vocab_size() <= (400 if family == "mistral" else 300), (family, tokenizer.get_vocab_size())
        result[family] = {"ids": [tokenizer.encode(s).ids for s in HARD_STRINGS], "packing": packed(tokenizer, 32, 3)}
        print(family, "vocab", tokenizer.get_vocab_size(), "ids of", repr(HARD_STRINGS[7]), result[family]["ids"][7])
    with open(os.path.join(OUT, "decoder-tokenizers.json"), "w") as handle:
        json.dump(result, handle, ensure_ascii=False)
        handle.write("\n")


if __name__ == "__main__":
    main()
