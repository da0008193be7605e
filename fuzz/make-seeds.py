"""Cuts small fuzz seeds out of the real inputs (standard library only; see scripts/fuzz.sh).

Real files are too large to mutate quickly (a 90 MB checkpoint, a 466 KB tokenizer), so each seed
keeps the structure of the real file at a size libFuzzer can explore: the real safetensors header
with shrunken tensors, the real tokenizers with their vocabulary cut to a few hundred entries, the
first lines of the corpus in every supported encoding.
"""
import base64
import gzip
import json
import os
import struct
import sys


def write(directory, name, data):
    with open(os.path.join(directory, name), "wb") as handle:
        handle.write(data)


def safetensors_file(entries, metadata=None):
    """entries: list of (name, dtype, shape, raw bytes); returns the bytes of a valid file."""
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def safetensors_seeds(model, directory):
    with open(model, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
    # The real header as is (its offsets point past this seed's end: a truncation case).
    write(directory, "minilm-header-only.safetensors", struct.pack("<Q", length) + json.dumps(header).encode())
    # The real names and dtypes, every tensor cut to at most 2 × 3 elements, with valid data.
    entries = []
    for name, entry in sorted(header.items()):
        if name == "__metadata__":
            continue
        shape = [min(2 if i == 0 else 3, d) for i, d in enumerate(entry["shape"])]
        count = 1
        for d in shape:
            count *= d
        size = {"F32": 4, "I64": 8, "F16": 2, "BF16": 2}.get(entry["dtype"], 4)
        entries.append((name, entry["dtype"], shape, bytes((i * 37) % 251 for i in range(count * size))))
    write(directory, "minilm-shrunk.safetensors", safetensors_file(entries[:24], header.get("__metadata__")))
    floats = struct.pack("<4f", 1.0, -2.5, float("inf"), float("nan"))
    write(directory, "dtypes.safetensors", safetensors_file([
        ("a.f32", "F32", [2, 2], floats),
        ("b.f16", "F16", [3], struct.pack("<3H", 0x3C00, 0x7C00, 0x0001)),
        ("c.bf16", "BF16", [1, 2], struct.pack("<2H", 0x3F80, 0xFF81)),
        ("d.f64", "F64", [1], struct.pack("<d", 1e300)),
        ("e.empty", "F32", [0, 4], b""),
    ], {"format": "pt"}))


def trimmed_tokenizer(path, keep):
    with open(path, encoding="utf-8") as handle:
        config = json.load(handle)
    model = config["model"]
    drop_precompiled(config)
    if isinstance(model["vocab"], list):
        # Unigram: [piece, score] pairs, the id being the index.
        model["vocab"] = model["vocab"][:keep]
        if (model.get("unk_id") or 0) >= keep:
            model["unk_id"] = 0
        return json.dumps(config, ensure_ascii=False, separators=(",", ":")).encode()
    vocab = {token: i for token, i in model["vocab"].items() if i < keep}
    for token in config.get("added_tokens", []):
        vocab.setdefault(token["content"], token["id"])
    model["vocab"] = vocab
    if "merges" in model:
        def parts(merge):
            return merge.split(" ") if isinstance(merge, str) else merge
        model["merges"] = [m for m in model["merges"]
                           if all(p in vocab for p in parts(m)) and "".join(parts(m)) in vocab][:200]
    return json.dumps(config, ensure_ascii=False, separators=(",", ":")).encode()


def drop_precompiled(config):
    """Cuts a Precompiled normalizer's 300 KB charsmap (too large to mutate) to its first 1 KB of
    trie units plus one replacement string, with the header rewritten to match."""
    def visit(node):
        if isinstance(node, dict):
            if node.get("type") == "Precompiled":
                raw = base64.b64decode(node["precompiled_charsmap"])
                units = raw[4:4 + 1024]
                node["precompiled_charsmap"] = base64.b64encode(struct.pack("<I", len(units)) + units + b"a\x00").decode()
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)
    visit(config)


def tokenizer_json_seeds(wordpiece, bpe, directory):
    write(directory, "minilm-trimmed.json", trimmed_tokenizer(wordpiece, 400))
    write(directory, "roberta-bpe-trimmed.json", trimmed_tokenizer(bpe, 400))
    # One seed per tokenizer-family fixture (Split regex, Metaspace, Unigram, Precompiled, ...).
    fixtures = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "Fixtures", "tokenizers")
    for style in sorted(os.listdir(fixtures)):
        path = os.path.join(fixtures, style, "tokenizer.json")
        if style != "roberta-bpe" and os.path.isfile(path):
            write(directory, style + "-trimmed.json", trimmed_tokenizer(path, 300))


def tokenize_seeds(directory, text):
    lines = [line for line in text.split(b"\n") if line.strip()]
    for index in range(0, min(len(lines), 400), 8):
        write(directory, "jargon-%03d.txt" % index, b"\n".join(lines[index:index + 8]))
    extras = ["héllo WORLD ünïcödé", "日本語のテキスト", "🤗 emoji ✨ 👩‍👩‍👧", "<s>[CLS] [SEP]</s>",
              "\u0000\u200b\ufeff\u00ad", "a" * 300, "İstanbul ǅ ß ﬁ"]
    for index, extra in enumerate(extras):
        write(directory, "extra-%d.txt" % index, extra.encode())
    write(directory, "invalid-utf8.bin", b"ab\xff\xfe\xc3(\xe2\x82 \xf0\x9f\x98")


def corpus_seeds(directory, text):
    write(directory, "0-jargon.txt", b"\x00" + text)
    write(directory, "1-jargon.txt.gz", b"\x01" + gzip.compress(text[:4096]))
    two = gzip.compress(text[:500]) + gzip.compress(text[500:900])
    write(directory, "1-two-members.txt.gz", b"\x01" + two)
    lines = [line.decode("utf-8", "replace") for line in text.split(b"\n")[:20] if line.strip()]
    jsonl = "\n".join(json.dumps({"text": line, "id": i}) for i, line in enumerate(lines)).encode()
    write(directory, "2-jargon.jsonl", b"\x02" + jsonl)
    write(directory, "3-jargon.jsonl.gz", b"\x03" + gzip.compress(jsonl))


def head(path, count):
    with gzip.open(path) as handle:
        return handle.read(count)


def main():
    kind = sys.argv[1]
    if kind == "safetensors":
        safetensors_seeds(sys.argv[2], sys.argv[3])
    elif kind == "tokenizer-json":
        tokenizer_json_seeds(sys.argv[2], sys.argv[3], sys.argv[4])
    elif kind == "tokenize":
        tokenize_seeds(sys.argv[3], head(sys.argv[2], 65536))
    elif kind == "corpus":
        corpus_seeds(sys.argv[3], head(sys.argv[2], 8192))
    else:
        sys.exit("make-seeds.py: unknown seed kind " + kind)


if __name__ == "__main__":
    main()
