#!/usr/bin/env python3
"""Checks, with h5py, a file written by HDF5Store (HDF5StoreTests/InteropTests.swift,
testH5pyReadsFileWrittenBySwift). Exits non-zero, listing every mismatch, if dtypes, shapes,
values or attributes differ from what the Swift test wrote. Keep the two in sync.

Usage: python scripts/check-h5py-interop.py <file.h5>   (needs h5py + numpy)
"""
import sys

import h5py
import numpy as np

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def check_dataset(f, path, dtype, shape, expected):
    if path not in f:
        failures.append(f"{path}: missing")
        return None
    d = f[path]
    check(d.dtype == np.dtype(dtype), f"{path}: dtype {d.dtype}, expected {np.dtype(dtype)}")
    check(d.shape == shape, f"{path}: shape {d.shape}, expected {shape}")
    if d.shape == shape:
        values = d[()]
        want = np.asarray(expected, dtype=dtype).reshape(shape)
        check(np.array_equal(values, want), f"{path}: values {values.ravel()} != {want.ravel()}")
    return d


def check_attr(owner, name, expected, kind):
    if name not in owner.attrs:
        failures.append(f"{owner.name}@{name}: missing")
        return
    value = owner.attrs[name]
    where = f"{owner.name}@{name}"
    if kind == "str":
        check(isinstance(value, str), f"{where}: {type(value)} is not str")
        check(value == expected, f"{where}: {value!r} != {expected!r}")
    elif kind in ("int64", "float64"):
        check(np.asarray(value).dtype == np.dtype(kind) and np.ndim(value) == 0,
              f"{where}: {np.asarray(value).dtype} shape {np.shape(value)}, expected scalar {kind}")
        check(value == expected, f"{where}: {value!r} != {expected!r}")
    elif kind in ("int64[]", "float64[]"):
        array = np.asarray(value)
        check(array.dtype == np.dtype(kind[:-2]) and array.shape == (len(expected),),
              f"{where}: {array.dtype} {array.shape}, expected {kind} of {len(expected)}")
        check(array.tolist() == list(expected), f"{where}: {array.tolist()} != {expected}")
    elif kind == "str[]":
        items = [v.decode() if isinstance(v, bytes) else v for v in np.asarray(value).tolist()]
        check(all(isinstance(v, str) for v in np.asarray(value).tolist()), f"{where}: items are not str")
        check(items == list(expected), f"{where}: {items} != {expected}")


def main(path):
    with h5py.File(path, "r") as f:
        check_attr(f, "title", "Swift writer \u2713", "str")
        check_attr(f, "version", 3, "int64")
        check_attr(f, "scale", 0.25, "float64")
        check_attr(f, "shape", [2, 3], "int64[]")
        check_attr(f, "weights", [0.5, -1.5, 1e-300], "float64[]")
        check_attr(f, "labels", ["a", "\u03b2", ""], "str[]")

        half = [0.0, 1.0, -2.5, 0.5, 65504.0, 2.0**-14, 2.0**-24, -1.0]
        check_dataset(f, "/types/f16", "<f2", (2, 4), half)
        check_dataset(f, "/types/f32", "<f4", (2, 3), np.arange(6, dtype=np.float32) * np.float32(0.25) - 1)
        check_dataset(f, "/types/f64", "<f8", (3,), [1.0 / 3.0, -1e300, np.pi])
        check_dataset(f, "/types/i32", "<i4", (4,), [-2**31, -1, 0, 2**31 - 1])
        check_dataset(f, "/types/i64", "<i8", (2, 2), [-2**63, -1, 0, 2**63 - 1])

        expected_p = np.stack([np.arange(6, dtype=np.float32).reshape(2, 3) + 100 * s for s in range(3)])
        p = check_dataset(f, "/stream/P", "<f4", (3, 2, 3), expected_p)
        if p is not None:
            check(p.maxshape == (None, 2, 3), f"/stream/P: maxshape {p.maxshape}")
            check(p.chunks == (1, 2, 3), f"/stream/P: chunks {p.chunks}")
            check(p.compression == "gzip" and p.compression_opts == 6,
                  f"/stream/P: compression {p.compression} {p.compression_opts}")
            check(p.shuffle, "/stream/P: shuffle filter missing")
            check_attr(p, "units", "probability", "str")

        if "spectrum/aggregate" in f and isinstance(f["spectrum/aggregate"], h5py.Group):
            check_attr(f["spectrum/aggregate"], "count", 3, "int64")
        else:
            failures.append("/spectrum/aggregate: missing or not a group")

    for message in failures:
        print(f"MISMATCH {message}", file=sys.stderr)
    if failures:
        return 1
    print(f"h5py interop OK: {path}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: check-h5py-interop.py <file.h5>", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
