#!/usr/bin/env python3
"""Trains one small tokenizer per model family's `tokenizer.json` style with the Python
`tokenizers` library and writes the golden ids the Swift `Tokenizers` tests compare against.

Usage (from the repository root, with a Python that has `tokenizers` and `sentencepiece`):
    $PYTHON scripts/make-tokenizer-family-fixtures.py [--only NAME,...] [corpus]

`--only` rewrites just the named outputs (style folders, or `components`); the Unigram trainer
of `tokenizers` is not deterministic, so rewriting xlmr-unigram or the components always
changes them (to another equally valid tokenizer with its own golden ids).

Default corpus: $SPECTRUM_CORPUS or notebooks-data/corpora/jargon.txt.gz. Writes, under
Tests/Fixtures/tokenizers/:

* <style>/tokenizer.json, <style>/cases.json (hard strings), <style>/corpus.json (whole corpus)
  for each style below; the pipeline around each model is the one the family ships, with the
  split patterns copied verbatim from the published files:
    gpt2-bytelevel  byte-level BPE, ByteLevel(use_regex) pre-tokenizer (GPT-2)
    llama3-regex    Split(Llama 3 pattern) + ByteLevel(no regex), ignore_merges, BOS-only template
    qwen2-regex     NFC, Split(Qwen2 pattern) + ByteLevel(no regex), no special tokens added
    llama2-spbpe    Prepend("▁") + Replace(" ", "▁"), no pre-tokenizer, BPE with byte fallback
                    and fuse_unk, <s>-only template, Replace/ByteFallback/Fuse/Strip decoder
    mistral-spbpe   the same model behind Metaspace(prepend_scheme first, split false)
    xlmr-unigram    NFKC + Replace(Regex " {2,}"), WhitespaceSplit + Metaspace, Unigram trained by
                    `tokenizers`, <s> $A </s> (XLM-R / CamemBERT layout)
    xlmr-spm-precompiled  the same layout around a model trained by `sentencepiece` (nmt_nfkc),
                    with its Precompiled charsmap as the normalizer (needs the `sentencepiece`
                    package; the Unigram trainer of `tokenizers` is not deterministic across runs)
* family-components-cases.json.gz (gzip: 850 KB of JSON): smaller tokenizers for the remaining options (every Split
  behavior and invert, more regex constructs, the GPT-2 pattern as a Split, DeepSeek-style
  split chains with Digits, BPE dropout 1,
  Metaspace prepend schemes and split, Unigram byte fallback with NFKD, Replace with a regex),
  each stored as its tokenizer.json text.

Case and corpus formats are those of scripts/make-tokenizer-fixtures.py (imported from it).
"""
import gzip
import importlib.util
import json
import os
import sys

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")
_spec = importlib.util.spec_from_file_location("base", os.path.join(ROOT, "scripts", "make-tokenizer-fixtures.py"))
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)

# Verbatim from the published tokenizer.json files.
GPT2_PATTERN = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")

EXTRA_STRINGS = [
    "IT'S it'S It'ſ 'ſ 'K 'LL 'Ll we'RE 'VE 'M 'D",
    "123 1234 12345 1234567 123456789 ١٢٣٤ 12,34 1.5e9 x1y22z333",
    "a\r\n\r\nb \n\n  c  \n\t\n d\u000bv\u000cf \r \n",
    "  x", "x  ", "\n x", "x \n", "     ", "a" + " " * 20 + "b", " \t \t ",
    "▁already ▁there▁ ▁▁x",
    "<0x41> <0xE3> literal <unk> tokens",
    "emoji at end 🤗", "🤗", "日本", "Ελληνικά Кириллица עברית العربية हिन्दी ไทย",
    "!!a!!b!!", "?!...", "'''", "'s'sS's", "don't'", "x'", "'",
    "a\u0301\u0301\u0301 e\u0308 ﬁ ﬀ ™ ① ㈱ ｶ ℌ",
]
HARD_STRINGS = base.HARD_STRINGS + EXTRA_STRINGS

SPECIALS_LLAMA = ["<unk>", "<s>", "</s>"]
BYTE_TOKENS = ["<0x%02X>" % b for b in range(256)]


def byte_level_bpe(lines, pre_tokenizer, size, specials):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizer
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(lines, trainers.BpeTrainer(
        vocab_size=size, min_frequency=2, special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    return tok


def edit(tok, change):
    """Applies `change` to the tokenizer's JSON and reloads it (options the Python API cannot set)."""
    data = json.loads(tok.to_str())
    change(data)
    return Tokenizer.from_str(json.dumps(data, ensure_ascii=False))


def gpt2(lines):
    tok = byte_level_bpe(lines, pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True), 1000, ["<|endoftext|>"])
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return tok


def llama3(lines):
    split = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])
    specials = ["<|begin_of_text|>", "<|end_of_text|>"] + ["<|reserved_special_token_%d|>" % i for i in range(6)]
    tok = byte_level_bpe(lines, split, 1200, [])
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|>:1 $B:1",
                                      special_tokens=[("<|begin_of_text|>", bos)])])

    def options(data):
        data["model"]["ignore_merges"] = True
    return edit(tok, options)


def qwen2(lines):
    split = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)])
    tok = byte_level_bpe(lines, split, 1200, [])
    tok.normalizer = normalizers.NFC()
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]])
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return tok


def sentencepiece_bpe(lines, size=1200):
    """Llama 2 style: trained on ▁-words, then the shipped pipeline (normalizers, no pre-tokenizer).
    The 256 byte tokens sit at ids 3…258 of the model vocabulary, not among the added tokens."""
    tok = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=True, byte_fallback=True))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.train_from_iterator(lines, trainers.BpeTrainer(
        vocab_size=size, special_tokens=SPECIALS_LLAMA + BYTE_TOKENS, limit_alphabet=120, show_progress=False))

    def pipeline(data):
        data["added_tokens"] = [t for t in data["added_tokens"] if t["content"] in SPECIALS_LLAMA]
        data["normalizer"] = {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}
        data["pre_tokenizer"] = None
        data["decoder"] = {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
            {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
        data["post_processor"] = {"type": "TemplateProcessing",
                                  "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                                  "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                           {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                                  "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}
    tok = edit(tok, pipeline)
    assert [tok.token_to_id(t) for t in SPECIALS_LLAMA + ["<0x00>", "<0xFF>"]] == [0, 1, 2, 3, 258]
    return tok


def mistral(llama2):
    def pipeline(data):
        data["normalizer"] = None
        data["pre_tokenizer"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False}
        data["decoder"] = {"type": "Sequence", "decoders": [
            {"type": "ByteFallback"}, {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False}]}
    return edit(llama2, pipeline)


def xlmr(lines):
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)])
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.train_from_iterator(lines, trainers.UnigramTrainer(
        vocab_size=1500, special_tokens=["<s>", "<pad>", "</s>", "<unk>"], unk_token="<unk>", show_progress=False))
    tok.add_special_tokens([AddedToken("<mask>", special=True, normalized=False, lstrip=True)])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])
    assert [tok.token_to_id(t) for t in ["<s>", "<pad>", "</s>", "<unk>"]] == [0, 1, 2, 3]
    return tok


def xlmr_precompiled(lines):
    """A real SentencePiece Unigram model (trained by `sentencepiece` with its nmt_nfkc rule) in
    the layout transformers' converter gives XLM-R: Precompiled charsmap + Replace(" {2,}")."""
    import tempfile

    import sentencepiece
    from sentencepiece import sentencepiece_model_pb2
    with tempfile.TemporaryDirectory() as directory:
        text = os.path.join(directory, "corpus.txt")
        with open(text, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        sentencepiece.SentencePieceTrainer.train(
            input=text, model_prefix=os.path.join(directory, "spm"), vocab_size=1000, model_type="unigram",
            normalization_rule_name="nmt_nfkc", character_coverage=0.9995, num_threads=1, minloglevel=2)
        proto = sentencepiece_model_pb2.ModelProto()
        with open(os.path.join(directory, "spm.model"), "rb") as f:
            proto.ParseFromString(f.read())
    vocab = [(piece.piece, piece.score) for piece in proto.pieces]
    tok = Tokenizer(models.Unigram(vocab, unk_id=proto.trainer_spec.unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(proto.normalizer_spec.precompiled_charsmap), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)])
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    for piece in ["<unk>", "<s>", "</s>"]:
        tok.add_special_tokens([AddedToken(piece, special=True, normalized=False)])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])
    return tok


def components(lines):
    sample = lines[:5000]
    llama2 = sentencepiece_bpe(sample, size=500)
    variants = []
    split_patterns = [
        ("removed", r"\s+", False), ("merged_with_previous", r"[\p{P}\p{S}]", False),
        ("merged_with_next", r"\p{Lu}", False), ("contiguous", r"[.,;:!?]", False),
        ("isolated", r"\p{L}+|\p{N}", True), ("removed", r"(?i:the|and)|\d{2,3}?|x*+y|\h+", False),
        ("isolated", "--", False),
    ]
    for index, (behavior, pattern, invert) in enumerate(split_patterns):
        regex = Regex(pattern) if index < len(split_patterns) - 1 else pattern
        tok = byte_level_bpe(sample, pre_tokenizers.Sequence([
            pre_tokenizers.Split(regex, behavior=behavior, invert=invert),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]), 300, [])
        variants.append(("split-%s%s-%d" % (behavior, "-invert" if invert else "", index), tok))

    # More regex constructs (word boundaries, line anchors, lazy and possessive quantifiers,
    # empty matches, look-ahead, case folding), on a shorter string list.
    regex_strings = base.HARD_STRINGS[:12] + EXTRA_STRINGS
    for index, pattern in enumerate([r"\b\w+\b", r"^.+?$", r"(?=\p{Lu})", r"\s*", r"[^\p{L}\p{N}\s]++|\p{Zs}",
                                     r"(?i)straße|i|σ|ǆ", r"\h+|\W", r"a{2}|b{1,}?|(?:xy)+|.", r"\d+(?!\.)|\D{2,4}?\."]):
        tok = byte_level_bpe(sample[:500], pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]), 260, [])
        variants.append(("regex-construct-%d" % index, tok, regex_strings))

    tok = byte_level_bpe(sample, pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(GPT2_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]), 400, ["<|endoftext|>"])
    variants.append(("gpt2-pattern-as-split", tok))

    # DeepSeek-style chain of splits (numbers, kana/CJK ranges, punctuation-led words) and Digits.
    deepseek = [r"\p{N}{1,3}", "[一-龥\u3040-ゟ゠-ヿ]+",
                r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"]
    for individual in [True, False]:
        chain = [pre_tokenizers.Split(Regex(p), behavior="isolated", invert=False) for p in deepseek]
        chain += [pre_tokenizers.Digits(individual_digits=individual), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]
        tok = byte_level_bpe(sample, pre_tokenizers.Sequence(chain), 400, [])
        variants.append(("deepseek-splits-digits-%s" % ("individual" if individual else "runs"), tok))

    def no_merges(data):
        data["model"]["dropout"] = 1.0
        data["model"]["ignore_merges"] = True
    variants.append(("bpe-dropout-one", edit(tok, no_merges)))

    for scheme, split in [("never", True), ("always", False), ("first", True)]:
        def metaspace(data, scheme=scheme, split=split):
            data["normalizer"] = None
            data["pre_tokenizer"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": scheme, "split": split}
            data["decoder"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": scheme, "split": split}
        variants.append(("llama2-metaspace-%s-%s" % (scheme, "split" if split else "nosplit"), edit(llama2, metaspace)))

    def unigram_bytes(data):
        vocab = data["model"]["vocab"]
        low = min(score for _, score in vocab)
        data["model"]["vocab"] = vocab + [[b, low - 1.0] for b in BYTE_TOKENS]
        data["model"]["byte_fallback"] = True
        data["normalizer"] = {"type": "Sequence", "normalizers": [
            {"type": "NFKD"}, {"type": "Replace", "pattern": {"Regex": r"\s+"}, "content": " "}]}
        data["pre_tokenizer"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}
        data["decoder"] = {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}]}
    small = Tokenizer(models.Unigram())
    small.pre_tokenizer = pre_tokenizers.Metaspace()
    small.train_from_iterator(sample, trainers.UnigramTrainer(
        vocab_size=300, special_tokens=["<unk>"], unk_token="<unk>", show_progress=False))
    variants.append(("unigram-byte-fallback-nfkd-replace-regex", edit(small, unigram_bytes)))

    def unigram_nfc(data):
        data["normalizer"] = {"type": "NFC"}
        data["post_processor"] = None
    variants.append(("unigram-nfc-unk", edit(small, unigram_nfc)))
    return variants


def write_compact(name, meta, key, items):
    """One JSON document with one line per item (the indented form is 3x larger); a name ending
    in .gz is written gzip-compressed, reproducibly (no timestamp)."""
    head = json.dumps(meta, ensure_ascii=False)[:-1]
    text = head + ', "%s": [\n' % key
    text += ",\n".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items)
    text += "\n]}\n"
    data = text.encode("utf-8")
    if name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def write_style(name, tok, lines):
    directory = os.path.join(OUT, name)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "tokenizer.json")
    tok.save(path, pretty=True)
    tok = Tokenizer.from_file(path)
    meta = {"tokenizers_version": __import__("tokenizers").__version__}
    write_compact(os.path.join(name, "cases.json"), meta, "cases", base.cases(tok, HARD_STRINGS))
    base.write_json(os.path.join(name, "corpus.json"), dict(meta, **base.corpus_summary(tok, lines)))


def main():
    args = sys.argv[1:]
    only = None
    if len(args) >= 2 and args[0] == "--only":
        only = set(args[1].split(","))
        args = args[2:]
    corpus = args[0] if args else os.environ.get(
        "SPECTRUM_CORPUS", os.path.join(ROOT, "notebooks-data/corpora/jargon.txt.gz"))
    lines = base.corpus_lines(corpus)
    builders = [("gpt2-bytelevel", lambda: gpt2(lines)), ("llama3-regex", lambda: llama3(lines)),
                ("qwen2-regex", lambda: qwen2(lines)), ("llama2-spbpe", lambda: sentencepiece_bpe(lines)),
                ("mistral-spbpe", lambda: mistral(sentencepiece_bpe(lines))), ("xlmr-unigram", lambda: xlmr(lines)),
                ("xlmr-spm-precompiled", lambda: xlmr_precompiled(lines))]
    for name, build in builders:
        if only is None or name in only:
            write_style(name, build(), lines)
            print("wrote", name)
    if only is not None and "components" not in only:
        return
    meta = {"tokenizers_version": __import__("tokenizers").__version__}
    write_compact("family-components-cases.json.gz", meta, "variants", [
        {"name": entry[0], "tokenizer_json": entry[1].to_str(), "cases": base.cases(entry[1], entry[2] if len(entry) > 2 else HARD_STRINGS)}
        for entry in components(lines)])
    print("wrote family-components-cases.json.gz to", OUT)


if __name__ == "__main__":
    main()
