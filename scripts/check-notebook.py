#!/usr/bin/env python3
"""Executes notebooks-data/figure1.ipynb headless on a run file and checks what it shows.

usage: check-notebook.py NOTEBOOK RUN_FILE OUT_DIR

Runs every cell with nbclient in a fresh ipykernel (matplotlib's inline backend, so each
`plt.show()` becomes an image/png output), writes the executed notebook and the two Figure 1
panels to OUT_DIR, and fails unless
  * every cell ran without an error;
  * the cells tagged figure1-left and figure1-right each drew one PNG that is not blank: at least
    200 × 200 pixels, at least 3 % of them away from the background, at least 20 distinct colours;
  * every number the notebook prints equals the run file's, computed here independently from the
    stored datasets (the attributes and shape exactly; the mean c_k per layer from the stored
    aggregate sums, not from σ as the notebook does, to the 6 printed decimals; the depth trend,
    the medians of k90 and of the entropy rank to their printed precision), and its check of the
    recomputed against the stored mean reports at most 1e-12.
"""
import base64
import io
import os
import re
import sys

import h5py
import matplotlib.image
import nbclient
import nbformat
import numpy as np



def outputs_text(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def pngs(cell):
    return [base64.b64decode(o["data"]["image/png"]) for o in cell.get("outputs", [])
            if o.get("output_type") in ("display_data", "execute_result") and "image/png" in o.get("data", {})]


def blank_problem(png):
    """Why the PNG looks blank, or None."""
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        return "not a PNG"
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    height, width = pixels.shape[:2]
    if height < 200 or width < 200:
        return f"only {width}×{height} pixels"
    rgb = pixels[..., :3].reshape(-1, 3)
    background = rgb[0]
    drawn = np.mean(np.any(np.abs(rgb - background) > 0.02, axis=1))
    colours = len(np.unique(np.round(rgb * 255).astype(np.int64) @ np.array([65536, 256, 1])))
    if drawn < 0.03:
        return f"only {drawn:.1%} of the pixels differ from the background"
    if colours < 20:
        return f"only {colours} distinct colours"
    return None


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 64
    notebook_path, run_file, out_dir = sys.argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    os.environ["RUN_FILE"] = os.path.abspath(run_file)
    os.environ.pop("MPLBACKEND", None)   # the kernel's inline backend turns figures into outputs
    notebook = nbformat.read(notebook_path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": os.path.dirname(os.path.abspath(notebook_path))}})
    problems = []
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        problems.append(f"a cell failed:\n{error}")
    nbformat.write(notebook, os.path.join(out_dir, "figure1.executed.ipynb"))
    code = [c for c in notebook.cells if c.cell_type == "code"]
    printed = "".join(outputs_text(c) for c in code)

    for tag in ("figure1-left", "figure1-right"):
        tagged = [c for c in code if tag in c.get("metadata", {}).get("tags", [])]
        images = pngs(tagged[0]) if len(tagged) == 1 else []
        if len(tagged) != 1 or len(images) != 1:
            problems.append(f"{tag}: expected one tagged cell with one PNG, found {len(tagged)} cells, {len(images)} PNGs")
            continue
        with open(os.path.join(out_dir, f"{tag}.png"), "wb") as f:
            f.write(images[0])
        why = blank_problem(images[0])
        if why:
            problems.append(f"{tag}: blank figure: {why}")

    # The run file's numbers, computed here.
    with h5py.File(run_file, "r") as f:
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        sigma_shape = f["/spectrum/sigma"].shape
        cumulative_sum = f["/spectrum/aggregate/cumulative_sum"][...]
        count = np.broadcast_to(np.asarray(f["/spectrum/aggregate/count"][...]), cumulative_sum.shape[:2]).astype(float)
        k90 = f["/spectrum/k90"][...]
        entropy_rank = f["/spectrum/entropy_rank"][...]
    S, L, H, n = sigma_shape
    expected_lines = [f"{key:>15}: {attrs[key]}" for key in
                      ["model_path", "model_type", "layers", "heads", "seq_len", "corpus_path", "sequence_count", "seed", "tool_version"]
                      if key in attrs]
    # The notebook's heatmap k: $K if set, else n/4 (the paper's k/n = 128/512).
    K = int(os.environ.get("K", "0")) or max(1, n // 4)
    expected_lines.append(f"S={S} sequences, L={L} layers, H={H} heads, n={n}; heatmap at k = {K}")
    for line in expected_lines:
        if line not in printed.splitlines():
            problems.append(f"the notebook does not print '{line}'")

    kk = min(K, n)
    layer_mean = (cumulative_sum[:, :, kk - 1] / count).mean(axis=1)
    match = re.search(rf"^layer-mean c_{kk}: (.*)$", printed, re.M)
    shown = [float(v) for v in match.group(1).split()] if match else []
    if len(shown) != L or np.max(np.abs(np.array(shown) - layer_mean)) > 5e-7 + 1e-12:
        problems.append(f"layer-mean c_{kk}: printed {shown}, run file {np.round(layer_mean, 6).tolist()}")
    slope = np.polyfit(np.arange(1, L + 1), layer_mean, 1)[0] if L > 1 else 0.0
    match = re.search(r"^trend of c_k with depth: ([-+0-9.]+) per layer -> higher layers more skewed: (True|False)$", printed, re.M)
    if not match or abs(float(match.group(1)) - slope) > 5e-5 + 1e-9 or match.group(2) != str(slope > 0):
        problems.append(f"trend: printed {match.group(0) if match else None}, run file slope {slope:+.6f}")

    match = re.search(r"^max \|recomputed − stored\| mean c_j: (\S+)$", printed, re.M)
    if S == int(count.flat[0]) and (not match or not float(match.group(1)) <= 1e-12):
        problems.append(f"recomputed vs stored mean c_j: printed {match.group(0) if match else None}")

    for layer in range(L):
        match = re.search(rf"^layer {layer + 1}: median k90 = +([0-9.]+), median entropy rank = +([0-9.]+)$", printed, re.M)
        want = (np.median(k90[:, layer]), np.median(entropy_rank[:, layer]))
        if not match or abs(float(match.group(1)) - want[0]) > 0.05 or abs(float(match.group(2)) - want[1]) > 5e-4 + 1e-9:
            problems.append(f"layer {layer + 1} medians: printed {match.group(0) if match else None}, run file {want}")

    if problems:
        print("check-notebook: FAILED\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"check-notebook: all cells ran; Figure 1 left and right drawn ({out_dir}/figure1-left.png, figure1-right.png); "
          f"{len(expected_lines) + 2 + L + 1} printed facts equal the run file's (S={S}, L={L}, H={H}, n={n})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
