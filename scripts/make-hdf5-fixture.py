#!/usr/bin/env python3
"""Writes Tests/Fixtures/hdf5/h5py-written.h5: a small file as h5py writes it, read back by
HDF5StoreTests/InteropTests.swift with exact expected values. Keep the two in sync.

Usage: PYTHON=/path/to/python scripts/make-hdf5-fixture.py [output.h5]   (needs h5py + numpy)
"""
import sys

import h5py
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/hdf5/h5py-written.h5"

# Values exactly representable in IEEE half: ±0, ±1, -2.5, 0.5, max 65504,
# smallest normal 2^-14, smallest subnormal 2^-24.
HALF = [0.0, 1.0, -2.5, 0.5, 65504.0, 2.0**-14, 2.0**-24, -1.0]

with h5py.File(out, "w") as f:
    # Root attributes of each kind, as h5py writes them by default.
    f.attrs["title"] = "h5py fixture \u2713"                     # variable-length UTF-8 str
    f.attrs["fixed"] = np.bytes_(b"fixed-ascii")                 # fixed-length (S11) string
    f.attrs["count"] = np.int64(42)
    f.attrs["small"] = np.int32(-7)                              # any integer width reads as Int64
    f.attrs["ratio"] = 0.125
    f.attrs["ints"] = np.array([1, -2, 3], dtype=np.int64)
    f.attrs["doubles"] = np.array([0.5, -1.25, 1e300])
    f.attrs["names"] = np.array(["alpha", "b\u00e9ta", ""], dtype=h5py.string_dtype())
    f.attrs["fixed_names"] = np.array([b"ab", b"cde"], dtype="S3")

    types = f.create_group("types")
    types["f16"] = np.array(HALF, dtype=np.float16).reshape(2, 4)
    types["f32"] = (np.arange(6, dtype=np.float32) * np.float32(0.25) - np.float32(1)).reshape(2, 3)
    types["f64"] = np.array([1.0 / 3.0, -1e300, np.pi])
    types["i32"] = np.array([-2**31, -1, 0, 2**31 - 1], dtype=np.int32)
    types["i64"] = np.array([-2**63, -1, 0, 2**63 - 1], dtype=np.int64).reshape(2, 2)

    # Extendible first dimension, chunked, gzip + shuffle, grown slice by slice like the pipeline.
    stream = f.create_dataset("stream/P", shape=(0, 4, 5), maxshape=(None, 4, 5), dtype=np.float32,
                              chunks=(1, 4, 5), compression="gzip", compression_opts=4, shuffle=True)
    for s in range(3):
        stream.resize(s + 1, axis=0)
        stream[s] = np.arange(20, dtype=np.float32).reshape(4, 5) + np.float32(100 * s)
    stream.attrs["units"] = "probability"

    aggregate = f.create_group("spectrum/aggregate")
    aggregate.attrs["count"] = np.int64(3)

print(f"wrote {out}")
