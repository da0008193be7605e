#!/usr/bin/env python3
"""Checks that a Markdown document shows each given file verbatim as a fenced code block.

usage: check-doc-includes.py DOC FILE...

Markdown cannot include files, so the document carries copies; this keeps them equal to the files
that the tests run. Exits 1 naming every file whose text appears in no fenced block of DOC.
"""
import re
import sys


def fenced_blocks(text):
    return [m.group(1) for m in re.finditer(r"^```[^\n]*\n(.*?)^```[ \t]*$", text, re.M | re.S)]


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 64
    doc = sys.argv[1]
    with open(doc, encoding="utf-8") as f:
        blocks = fenced_blocks(f.read())
    missing = []
    for name in sys.argv[2:]:
        with open(name, encoding="utf-8") as f:
            if f.read() not in blocks:
                missing.append(name)
    if missing:
        print(f"{doc} must show these files verbatim in a fenced code block (copy them in): {', '.join(missing)}",
              file=sys.stderr)
        return 1
    print(f"{doc}: shows {len(sys.argv) - 2} scripts verbatim")
    return 0


if __name__ == "__main__":
    sys.exit(main())
