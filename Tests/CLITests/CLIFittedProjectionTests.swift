import Foundation
import XCTest
import SpectrumAnalysis
#if canImport(Glibc)
import Glibc
#endif

/// The fitted fixed projection and max pooling end to end: a run that dumps P, Q, K, V of every window,
/// checked with h5py + NumPy from those dumps (the fit recomputed from scratch in float64 with
/// numpy.linalg.eigh), a resumed run equal to an uninterrupted one, and the untrained control.
final class CLIFittedProjectionTests: CLITestCase {
    static let check = #"""
    import sys
    import h5py
    import numpy as np

    f = h5py.File(sys.argv[1], "r")
    holdout = int(f["projection"].attrs["holdout"])
    projectionDimensions = f["projection/dims"][:]
    windows = f["tokens/window_index"][:]
    P = f["attention/P"][:].astype(np.float64)
    Q, K, V = (f["attention/" + x][:].astype(np.float64) for x in "QKV")
    S, L, H, n, _ = P.shape
    d = V.shape[-1]
    train = windows % holdout != holdout - 1
    assert list(f["projection/fitted/window_index"][:]) == list(windows[~train])
    worst = 0.0

    def attention_error(p, q, v, ek, fv):
        logits = q @ ek.T / np.sqrt(d)
        logits -= logits.max(axis=1, keepdims=True)
        w = np.exp(logits)
        w /= w.sum(axis=1, keepdims=True)
        approx, exact = w @ fv, p @ v
        rows = np.linalg.norm(approx - exact, axis=1) / (np.linalg.norm(p, axis=1) * np.linalg.svd(v, compute_uv=False)[0])
        return np.linalg.norm(approx - exact) / np.linalg.norm(exact), rows.mean(), rows.max()

    for l in range(L):
        for h in range(H):
            G = sum(P[s, l, h].T @ P[s, l, h] for s in range(S) if train[s])
            high = f["projection/fitted/gram_high"][l, h].astype(np.float64)
            low = f["projection/fitted/gram_low"][l, h].astype(np.float64)
            upper = high / 2**20 + low / 2**72
            assert np.max(np.abs(upper - G[np.triu_indices(n)])) <= 1e-12 * np.abs(G).max()
            assert f["projection/fitted/gram_count"][l, h] == train.sum()
            values, vectors = np.linalg.eigh(G)
            order = np.argsort(values)[::-1]
            U = vectors[:, order].T
            U = U * np.where(U.sum(axis=1, keepdims=True) < 0, -1.0, 1.0)
            for row, s in enumerate(np.nonzero(~train)[0]):
                p, q, k, v = P[s, l, h], Q[s, l, h], K[s, l, h], V[s, l, h]
                for ki, dim in enumerate(projectionDimensions):
                    u = U[:dim]
                    err = np.linalg.norm(p @ (u.T @ (u @ v)) - p @ v, axis=0) / np.linalg.norm(p @ v, axis=0)
                    got = [f["projection/fitted/" + x][row, l, h, ki] for x in ("mean", "median", "p95", "max")]
                    want = [err.mean(), np.median(err), np.percentile(err, 95), err.max()]
                    got += [f["projection/fitted_linformer/" + x][row, l, h, ki] for x in ("relative", "row_mean", "row_max")]
                    want += list(attention_error(p, q, v, u @ k, u @ v))
                    worst = max(worst, max(abs(a - b) for a, b in zip(got, want)))
            for s in range(S):
                p, q, k, v = P[s, l, h], Q[s, l, h], K[s, l, h], V[s, l, h]
                for ki, dim in enumerate(projectionDimensions):
                    seg = [range(t * n // dim, (t + 1) * n // dim) for t in range(dim)]
                    ek = np.array([k[list(r)].max(axis=0) for r in seg])
                    fv = np.array([v[list(r)].max(axis=0) for r in seg])
                    got = [f["projection/max_pooling/" + x][s, l, h, ki] for x in ("relative", "row_mean", "row_max")]
                    worst = max(worst, max(abs(a - b) for a, b in zip(got, attention_error(p, q, v, ek, fv))))
    assert worst < 1e-7, f"worst |Δ| vs numpy = {worst}"
    print(f"ok worst={worst:.3e}")
    """#

    func testFittedProjectionAndMaxPoolingEqualNumPyFromTheDumps() throws {
        let run = path("run.h5")
        try succeed(CLI.tinyRun(sequences: 10, output: run, sequenceLength: 32,
                                ["--dump-attention", "all", "--dump-qkv", "--projection-dims", "4,8,16", "--holdout", "4"]))
        let result = try CLI.runPython(Self.check, [run], in: directory)
        XCTAssertEqual(result.status, 0, "h5py check failed:\n\(result.stdout)\n\(result.stderr)")
        XCTAssertTrue(result.stdout.hasPrefix("ok"), result.stdout)
        let file = try RunFile(contentsOf: URL(fileURLWithPath: run))
        XCTAssertEqual(file.metadata.holdout, 4)
        XCTAssertEqual(file.metadata.randomInitSeed, -1)
        XCTAssertEqual(try file.read("projection/fitted/window_index", as: Int64.self), [3, 7])
    }

    func testUntrainedControlRecordsItsSeedAndDiffersFromTrainedWeights() throws {
        let trained = path("trained.h5"), random = path("random.h5"), again = path("again.h5")
        try succeed(CLI.tinyRun(sequences: 2, output: trained, ["--no-projection"]))
        try succeed(CLI.tinyRun(sequences: 2, output: random, ["--no-projection", "--random-init", "3"]))
        try succeed(CLI.tinyRun(sequences: 2, output: again, ["--no-projection", "--random-init", "3"]))
        let files = try [trained, random, again].map { try RunFile(contentsOf: URL(fileURLWithPath: $0)) }
        XCTAssertEqual(files.map(\.metadata.randomInitSeed), [-1, 3, 3])
        let sigma = try files.map { try $0.read("spectrum/sigma", as: Double.self) }
        XCTAssertNotEqual(sigma[0], sigma[1])
        XCTAssertEqual(sigma[1], sigma[2], "the same seed draws the same weights")
        try fail(CLI.tinyRun(sequences: 2, output: path("x.h5"), ["--random-init", "-1"]), status: 64, mentioning: ["random-init"])
    }

    func testResumedRunHasTheSameFittedProjection() throws {
        let whole = path("whole.h5"), resumed = path("resumed.h5")
        let options = ["--projection-dims", "4,8", "--holdout", "3"]
        try succeed(CLI.tinyRun(sequences: 30, output: whole, sequenceLength: 32, options))
        var arguments = CLI.tinyRun(sequences: 30, output: resumed, sequenceLength: 32, options)
        arguments.removeAll { $0 == "--quiet" }
        let tool = try CLI.start(try CLI.binary(), arguments, in: directory)
        tool.waitForStderr(containing: "progress: ")
        tool.send(SIGINT)
        let stopped = try tool.wait(timeout: 120)
        guard stopped.status == 130 else {
            XCTFail("the run was not interrupted (exit \(stopped.status)); the test proves nothing:\n\(stopped.stderr)")
            return
        }
        try succeed(CLI.tinyRun(sequences: 30, output: resumed, sequenceLength: 32, options + ["--resume"]))
        let a = try RunFile(contentsOf: URL(fileURLWithPath: whole)), b = try RunFile(contentsOf: URL(fileURLWithPath: resumed))
        for name in ["projection/fitted/gram_high", "projection/fitted/gram_low", "projection/fitted/gram_count", "projection/fitted/window_index"] {
            XCTAssertEqual(try a.read(name, as: Int64.self), try b.read(name, as: Int64.self), name)
        }
        for name in ["projection/fitted/median", "projection/fitted/max", "projection/fitted_linformer/relative", "projection/fitted/eigenvalues"] {
            XCTAssertEqual(try a.read(name, as: Double.self), try b.read(name, as: Double.self), "\(name): bit-identical after resume")
        }
    }
}
