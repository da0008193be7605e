#!/usr/bin/env python3
"""Writes the golden fixtures of the Swift `Tokenizers` module with the Python `tokenizers` library.

Usage (from the repository root, with a Python that has `tokenizers`):
    $PYTHON scripts/make-tokenizer-fixtures.py [model_dir] [corpus]

Defaults: $SPECTRUM_MODEL_DIR or notebooks-data/models/all-MiniLM-L6-v2, $SPECTRUM_CORPUS or
notebooks-data/corpora/jargon.txt.gz. Writes under Tests/Fixtures/tokenizers/:

* roberta-bpe/tokenizer.json            byte-level BPE (vocab 1000) trained here on the corpus,
                                        merges serialized as ["a", "b"] pairs (tokenizers >= 0.20 default)
* roberta-bpe/tokenizer-merges-as-strings.json   the same tokenizer with merges as "a b" strings
* minilm-cases.json, roberta-bpe-cases.json      exact ids/tokens/decodes of a list of hard strings
* minilm-corpus.json, roberta-bpe-corpus.json    whole-corpus parity summary (see corpus_summary)
* components-cases.json                  small tokenizers (trained here) covering the other
                                         normalizers, pre-tokenizers, model options and processors,
                                         each stored as its tokenizer.json text, with the same cases

Truncation and padding are switched off (`no_truncation()`, `no_padding()`): the MiniLM file sets
both to 128, and the Swift tokenizer ignores those sections (packing does its own windowing).
"""
import base64
import gzip
import json
import os
import struct
import sys

from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK64 = (1 << 64) - 1
BLOCK_LINES = 256
FIRST_IDS = 2000


def fnv1a64(data: bytes, h: int = FNV_OFFSET) -> int:
    for b in data:
        h ^= b
        h = (h * FNV_PRIME) & MASK64
    return h


def corpus_lines(path):
    """Corpus line definition shared with the Swift packing step: UTF-8 with replacement,
    split on "\\n" only, Python str.strip(), non-empty lines only."""
    text = gzip.open(path).read().decode("utf-8", errors="replace")
    return [s for s in (line.strip() for line in text.split("\n")) if s]


HARD_STRINGS = [
    "",
    " ",
    "   ",
    "\n",
    "\t",
    "Hello, world!",
    "café naïve résumé Ångström façade coöperate",
    "e\u0301 a\u0300\u0316 \u0301lone combining o\u0308\u0304 \u1e09",
    "日本語のテキスト 中文字符测试 한국어 텍스트 カタカナ ｆｕｌｌｗｉｄｔｈ",
    "emoji 😀🤗🥰🫠 👨\u200d👩\u200d👧 🇫🇷 👍🏽 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠀀𪚥 \U0001F9D1\u200d\U0001F4BB",
    "control\u0000\u0001\u0007\u001b[0m\u007f\u0085 zero\u200bwidth\u200c\u200d\ufeff soft\u00adhyphen \U000E0001tag",
    "tabs\tand\t\ttabs\t",
    "new\nlines\r\nand\rreturns\n\n\nend",
    "runs  of   spaces    here     x",
    "  leading and trailing  ",
    "\u00a0nbsp\u2003em\u3000ideographic\u2028line\u2029para \u3000\u3000x",
    "a" * 150,
    "pneumonoultramicroscopicsilicovolcanoconiosis" * 3,
    "b" * 100,
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "!!!??? ... ---- ((([[[{{{}}}]]]))) @#$%^&*_+=|\\~` ,,;;:: \"\"''",
    "3.14159 1,000,000 42nd 2024-11-23 0x1F 1e-10 ½ ² Ⅻ ٣٤ ๓ 10%",
    "It's don't they're we've I'm you'll he'd IT'S DON'T 's 't 're 've 'm 'll 'd",
    "rock'n'roll ''s'' don’t it’s o'clock",
    "ThIs Is MiXeD CaSe İstanbul ΣΊΣΥΦΟΣ Straße ǅ ẞ HTTPServer iPhone",
    "bad \ufffd replacement \ufffd\ufffd",
    "[CLS] query [SEP] doc [SEP] [MASK] [PAD] [UNK] [cls] [CLS][CLS]x[SEP]",
    "<s>text</s> <mask> tail  <mask>!<pad><unk> a<mask>b \n<mask>",
    "The hacker's dictionary: :foo: /foo/ n. [MIT] Used very generally as a sample name.",
    "C++ && C# || f(x) = x^2 -> y <= z != w; int main() { return 0; }",
    "http://www.example.com/path?q=1&r=2 user@example.org",
    "Mr. Smith-Jones's 1990s-era \"quotes\" — em-dash – en-dash … ellipsis",
]


def train_roberta_bpe(lines):
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    specials = [
        AddedToken("<s>", special=True, normalized=False),
        AddedToken("<pad>", special=True, normalized=False),
        AddedToken("</s>", special=True, normalized=False),
        AddedToken("<unk>", special=True, normalized=False),
        # RoBERTa's <mask> swallows the whitespace on its left.
        AddedToken("<mask>", special=True, normalized=False, lstrip=True),
    ]
    trainer = trainers.BpeTrainer(
        vocab_size=1000,
        min_frequency=2,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(lines, trainer=trainer)
    tok.post_processor = processors.RobertaProcessing(
        ("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>"))
    )
    assert tok.get_vocab_size() == 1000, tok.get_vocab_size()
    expected = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": 4}
    for token, token_id in expected.items():
        assert tok.token_to_id(token) == token_id, (token, tok.token_to_id(token))
    return tok


def small_variants(lines):
    """Small tokenizers exercising the components the two real files do not use."""
    sample = lines[:6000]
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    def wordpiece(normalizer, pre_tokenizer, size=600):
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=20))
        tok.normalizer = normalizer
        tok.pre_tokenizer = pre_tokenizer
        tok.train_from_iterator(sample, trainers.WordPieceTrainer(vocab_size=size, special_tokens=specials, show_progress=False))
        tok.decoder = decoders.WordPiece(prefix="##", cleanup=True)
        return tok

    variants = []
    tok = wordpiece(
        normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents(), normalizers.Lowercase(),
                              normalizers.Strip(left=True, right=True), normalizers.Replace("``", '"')]),
        pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()]))
    tok.post_processor = processors.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    variants.append(("wordpiece-nfd-stripaccents-strip-replace-punctuation-bertprocessing", tok))

    tok = wordpiece(normalizers.NFKC(), pre_tokenizers.Whitespace())
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP] [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
    tok.add_tokens([AddedToken("hacker", single_word=True, normalized=True), AddedToken("FOO", rstrip=True, normalized=False)])
    variants.append(("wordpiece-nfkc-whitespace-template-addedtokens", tok))

    for behavior in ["removed", "merged_with_previous", "merged_with_next", "contiguous"]:
        tok = wordpiece(normalizers.NFC(), pre_tokenizers.Sequence(
            [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(behavior=behavior)]), size=400)
        variants.append(("wordpiece-nfc-punctuation-" + behavior, tok))

    tok = Tokenizer(models.BPE(unk_token="[UNK]", end_of_word_suffix="</w>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(sample, trainers.BpeTrainer(vocab_size=500, special_tokens=specials, end_of_word_suffix="</w>", limit_alphabet=50, show_progress=False))
    variants.append(("bpe-end-of-word-suffix-unk", tok))

    tok = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##", fuse_unk=True))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.train_from_iterator(sample, trainers.BpeTrainer(vocab_size=500, special_tokens=specials, continuing_subword_prefix="##", limit_alphabet=40, show_progress=False))
    variants.append(("bpe-continuing-prefix-fuse-unk", tok))

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=True)
    tok.train_from_iterator(sample, trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    tok.add_tokens([AddedToken(" world", normalized=True), AddedToken("<sep>", lstrip=True, rstrip=True, normalized=False)])
    variants.append(("bytelevel-prefix-space-addedtokens", tok))

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(sample, trainers.BpeTrainer(vocab_size=350, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    variants.append(("bytelevel-no-regex", tok))
    return variants


def cases(tok, strings=None):
    out = []
    for text in HARD_STRINGS if strings is None else strings:
        plain = tok.encode(text, add_special_tokens=False)
        special = tok.encode(text, add_special_tokens=True)
        out.append(
            {
                "text": text,
                "ids": plain.ids,
                "tokens": plain.tokens,
                "ids_with_special": special.ids,
                "decoded": tok.decode(special.ids, skip_special_tokens=False),
                "decoded_skip_special": tok.decode(special.ids, skip_special_tokens=True),
            }
        )
    return out


def corpus_summary(tok, lines):
    """Total id count, FNV-1a 64 over the little-endian int32 id stream, the first ids verbatim,
    per-line id counts (uint16 LE, base64) and one FNV-1a 64 per block of lines, so a test can
    report the first mismatching line."""
    encodings = tok.encode_batch(lines, add_special_tokens=False)
    total_hash = FNV_OFFSET
    block_hashes = []
    block_hash = FNV_OFFSET
    lengths = bytearray()
    first = []
    count = 0
    for index, enc in enumerate(encodings):
        ids = enc.ids
        assert len(ids) < 65536
        data = struct.pack("<%di" % len(ids), *ids)
        total_hash = fnv1a64(data, total_hash)
        block_hash = fnv1a64(data, block_hash)
        lengths += struct.pack("<H", len(ids))
        if len(first) < FIRST_IDS:
            first.extend(ids[: FIRST_IDS - len(first)])
        count += len(ids)
        if (index + 1) % BLOCK_LINES == 0:
            block_hashes.append("%016x" % block_hash)
            block_hash = FNV_OFFSET
    if len(lines) % BLOCK_LINES:
        block_hashes.append("%016x" % block_hash)
    return {
        "lines": len(lines),
        "ids": count,
        "fnv1a64": "%016x" % total_hash,
        "first_ids": first,
        "line_lengths_u16le_base64": base64.b64encode(bytes(lengths)).decode("ascii"),
        "block_lines": BLOCK_LINES,
        "block_fnv1a64": block_hashes,
    }


def merges_as_strings(path_in, path_out):
    with open(path_in, encoding="utf-8") as f:
        data = json.load(f)
    merges = data["model"]["merges"]
    if merges and isinstance(merges[0], list):
        data["model"]["merges"] = [" ".join(pair) for pair in merges]
    else:
        data["model"]["merges"] = [m.split(" ") for m in merges]
    with open(path_out, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)


def write_json(name, value):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=1)
        f.write("\n")


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "SPECTRUM_MODEL_DIR", os.path.join(ROOT, "notebooks-data/models/all-MiniLM-L6-v2"))
    corpus = sys.argv[2] if len(sys.argv) > 2 else os.environ.get(
        "SPECTRUM_CORPUS", os.path.join(ROOT, "notebooks-data/corpora/jargon.txt.gz"))
    os.makedirs(os.path.join(OUT, "roberta-bpe"), exist_ok=True)
    lines = corpus_lines(corpus)

    minilm = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    minilm.no_truncation()
    minilm.no_padding()

    bpe_path = os.path.join(OUT, "roberta-bpe", "tokenizer.json")
    train_roberta_bpe(lines).save(bpe_path, pretty=True)
    merges_as_strings(bpe_path, os.path.join(OUT, "roberta-bpe", "tokenizer-merges-as-strings.json"))
    roberta = Tokenizer.from_file(bpe_path)
    other = Tokenizer.from_file(os.path.join(OUT, "roberta-bpe", "tokenizer-merges-as-strings.json"))
    for text in HARD_STRINGS + lines[:2000]:
        assert roberta.encode(text).ids == other.encode(text).ids, text

    meta = {"tokenizers_version": __import__("tokenizers").__version__}
    write_json("minilm-cases.json", dict(meta, cases=cases(minilm)))
    write_json("roberta-bpe-cases.json", dict(meta, cases=cases(roberta)))
    write_json("components-cases.json", dict(meta, variants=[
        {"name": name, "tokenizer_json": tok.to_str(), "cases": cases(tok)} for name, tok in small_variants(lines)]))
    write_json("minilm-corpus.json", dict(meta, **corpus_summary(minilm, lines)))
    write_json("roberta-bpe-corpus.json", dict(meta, **corpus_summary(roberta, lines)))
    print("wrote fixtures to", OUT)


if __name__ == "__main__":
    main()
