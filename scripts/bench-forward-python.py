#!/usr/bin/env python3
"""PyTorch baseline for the encoder forward pass: Hugging Face `transformers`, eager
attention, output_attentions=True, float32 CPU, torch.inference_mode().

Input: the same 512 ids as the Swift parity test, read from the committed fixture
Tests/Fixtures/transformer/minilm-512.json (so this script needs no tokenizer), or --ids FILE
(a JSON list of ints).

Prints one JSON object: {"seconds_per_forward": median, "min": ..., "repeats": ..., "threads": ...,
"n": ..., "torch": ..., "transformers": ...}.

Usage: $PYTHON scripts/bench-forward-python.py [--model DIR] [--threads 1] [--repeats 10] [--ids FILE]
"""
import argparse
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=os.environ.get(
        "SPECTRUM_MODEL_DIR", os.path.join(ROOT, "notebooks-data/models/all-MiniLM-L6-v2")))
    parser.add_argument("--ids", default=os.path.join(ROOT, "Tests/Fixtures/transformer/minilm-512.json"))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()

    import torch
    import transformers
    from transformers import AutoModel

    torch.set_num_threads(args.threads)
    with open(args.ids) as handle:
        loaded = json.load(handle)
    ids = loaded["input_ids"] if isinstance(loaded, dict) else loaded
    model = AutoModel.from_pretrained(args.model, attn_implementation="eager", dtype=torch.float32).eval()
    input_ids = torch.tensor([ids], dtype=torch.long)

    times = []
    with torch.inference_mode():
        for index in range(args.warmup + args.repeats):
            start = time.perf_counter()
            out = model(input_ids, output_attentions=True)
            elapsed = time.perf_counter() - start
            assert len(out.attentions) == model.config.num_hidden_layers
            if index >= args.warmup:
                times.append(elapsed)
    json.dump({"seconds_per_forward": statistics.median(times), "min": min(times), "repeats": args.repeats,
               "threads": args.threads, "n": len(ids), "torch": torch.__version__,
               "transformers": transformers.__version__}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
