import Foundation
import XCTest
import SpectrumAnalysis

/// `spectrum-analyze run` end to end: the file it writes (read with `RunFile` and with h5py), refusing
/// to overwrite, `--force`, `--json`, and a short run of the real model.
final class CLIRunTests: CLITestCase {
    func testRunWritesACompleteFileAndRefusesToOverwriteIt() throws {
        let output = path("run.h5")
        let arguments = CLI.tinyRun(sequences: 3, output: output, ["--dump-attention", "1", "--seed", "42", "--projection-dims", "16,32,100"])
        try succeed(arguments)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output + ".partial"))

        let run = try RunFile(contentsOf: URL(fileURLWithPath: output))
        let m = run.metadata
        XCTAssertTrue(run.isComplete)
        XCTAssertEqual(run.sequenceCount, 3)
        XCTAssertEqual(m.modelType, "roberta")
        XCTAssertEqual([m.layers, m.heads, m.headDimension, m.hiddenSize, m.sequenceLength], [2, 4, 8, 32, 64])
        XCTAssertEqual(m.modelPath, CLI.tinyModel.path)
        XCTAssertEqual(m.corpusPath, CLI.corpus.path)
        XCTAssertEqual(m.modelSHA256.count, 64)
        XCTAssertEqual(m.corpusSHA256.count, 64)
        XCTAssertEqual(m.packing, "contiguous")
        XCTAssertEqual(m.sequencesRequested, 3)
        XCTAssertEqual(m.sequencesPlanned, 3)
        XCTAssertEqual(m.dumpAttention, 1)
        XCTAssertEqual(m.seed, 42)
        XCTAssertEqual(m.shard, .single)
        XCTAssertEqual(m.toolVersion, ToolInfo.version)
        XCTAssertFalse(m.svdMethod.isEmpty)
        XCTAssertEqual(m.projection?.projectionDimensions, [16, 32], "k ≥ n = 64 is skipped")
        XCTAssertEqual(try run.read("tokens/window_index", as: Int64.self), [0, 1, 2])
        let ids: [Int32] = try run.read("tokens/input_ids")
        XCTAssertEqual(ids.count, 3 * 64)
        for s in 0..<3 { XCTAssertEqual([ids[s * 64], ids[s * 64 + 63]], [0, 2], "<s> … </s> around window \(s)") }
        let sigma: [Double] = try run.read("spectrum/sigma")
        XCTAssertEqual(sigma.count, 3 * 2 * 4 * 64)
        for block in 0..<(3 * 8) {
            let head = sigma[block * 64 ..< (block + 1) * 64]
            XCTAssertTrue(zip(head, head.dropFirst()).allSatisfy { $0 >= $1 }, "σ descending")
            XCTAssertGreaterThanOrEqual(head[head.startIndex], 1 - 1e-6, "σ₁ of a row-stochastic P is at least 1")
        }
        let aggregate = try run.aggregate()
        XCTAssertEqual(aggregate.count, Array(repeating: 3, count: 8))
        XCTAssertEqual(aggregate.mean(layer: 1, head: 3, j: 64), 1, accuracy: 1e-12)
        XCTAssertEqual(try run.read("attention/P", as: Float.self).count, 1 * 8 * 64 * 64)

        // Refuses to overwrite: exit 1, file untouched byte for byte.
        let before = try Data(contentsOf: URL(fileURLWithPath: output))
        try fail(arguments, status: 1, mentioning: [output, "--force"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: output)), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output + ".partial"))

        // --force replaces it (a different run: 2 sequences).
        try succeed(CLI.tinyRun(sequences: 2, output: output, ["--force", "--no-projection"]))
        let replaced = try RunFile(contentsOf: URL(fileURLWithPath: output))
        XCTAssertEqual(replaced.sequenceCount, 2)
        XCTAssertNil(replaced.metadata.projection)
        XCTAssertFalse(try replaced.contains("projection/dims"))
        try checkWithH5py(output, expectProjection: false, expectDump: false)
    }

    func testJSONSummaryIsParseableWithOneRowPerLayer() throws {
        let result = try succeed(CLI.tinyRun(sequences: 2, output: path("run.h5"), ["--json", "--summary-k", "16", "--projection-dims", "16"]))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        XCTAssertEqual(json["k"] as? Int, 16)
        XCTAssertEqual(json["projectionK"] as? Int, 16)
        XCTAssertEqual(json["sequences"] as? Int, 2)
        XCTAssertEqual(json["n"] as? Int, 64)
        let layers = try XCTUnwrap(json["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.map { $0["layer"] as? Int }, [1, 2], "layers are numbered from 1, as in the report")
        for row in layers {
            let c = try XCTUnwrap(row["meanCumulativeAtK"] as? Double)
            XCTAssertTrue(c > 0 && c <= 1, "c_16 = \(c)")
            XCTAssertNotNil(row["medianK90"] as? Double)
            XCTAssertNotNil(row["theorem1MedianError"] as? Double)
        }
        // The same numbers as the file's own summary (to 1e-15: Foundation's JSONSerialization on
        // Linux may round the last digit of a shortest-form double differently from the writer).
        let summary = try RunFile(contentsOf: URL(fileURLWithPath: path("run.h5"))).summary(k: 16)
        assertClose(layers.compactMap { $0["meanCumulativeAtK"] as? Double }, summary.layers.map(\.meanCumulativeAtK),
                    relative: 1e-15, "meanCumulativeAtK in --json vs RunFile.summary")
    }

    /// The real all-MiniLM-L6-v2 at n = 64: tokens equal the Python packing, and h5py + NumPy's
    /// float64 `gesdd` on the dumped P give the run's σ to 1e-6·σ₁ (the same P, so this is the
    /// accuracy contract of docs/ARCHITECTURE.md measured directly).
    func testRealModelShortRunMatchesPythonTokensAndNumPySpectra() throws {
        try CLI.requireRealData()
        let output = path("minilm.h5")
        let result = try succeed(["run", "--model", CLI.realModel.path, "--corpus", CLI.corpus.path, "--seq-len", "64",
                                  "--sequences", "2", "--dump-attention", "1", "--projection-dims", "16,32", "-o", output, "--json"])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((json["layers"] as? [Any])?.count, 6)
        XCTAssertTrue(result.stderr.contains("progress: 2/2"), result.stderr)

        let run = try RunFile(contentsOf: URL(fileURLWithPath: output))
        XCTAssertEqual([run.metadata.layers, run.metadata.heads, run.metadata.headDimension], [6, 12, 32])
        XCTAssertEqual(run.metadata.modelType, "bert")
        // Windows of n = 64 are [CLS] + 62 ids + [SEP] cut from the same id stream as the fixture's n = 128 window.
        let fixture = try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.analysisFixtures.appendingPathComponent("packing-minilm.json"))) as? [String: Any]
        let n128 = try XCTUnwrap(((fixture?["n128"] as? [String: Any])?["first_windows"] as? [[Int]])?.first)
        let (cls, sep) = (n128[0], n128[127])
        let stream = Array(n128[1..<127])
        let expected = [cls] + stream[0..<62] + [sep] + [cls] + stream[62..<124] + [sep]
        XCTAssertEqual(try run.read("tokens/input_ids", as: Int32.self).map { Int($0) }, expected)
        try checkWithH5py(output, expectProjection: true, expectDump: true)
    }

    /// Opens `file` with h5py: root attributes of docs/FORMAT.md, dataset shapes and types, the
    /// checksums recomputed in Python, and NumPy's σ of the dumped P against the run's σ.
    private func checkWithH5py(_ file: String, expectProjection: Bool, expectDump: Bool,
                               line: UInt = #line) throws {
        let script = #"""
        import gzip, hashlib, os, sys
        import h5py, numpy as np
        path, expect_projection, expect_dump = sys.argv[1], sys.argv[2] == "1", sys.argv[3] == "1"
        f = h5py.File(path, "r")
        a = f.attrs
        required = ["format", "format_version", "tool_version", "complete", "created", "model_path", "model_sha256",
                    "model_type", "layers", "heads", "head_dim", "hidden_size", "seq_len", "corpus_path", "corpus_sha256",
                    "packing", "text_field", "sequences_requested", "sequence_count", "sequences_planned",
                    "dump_attention", "dump_qkv", "attention_dtype", "seed", "shard_index", "shard_count", "svd_method"]
        missing = [k for k in required if k not in a]
        assert not missing, f"missing root attributes {missing}"
        text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
        assert text(a["format"]) == "spectrum-run" and int(a["format_version"]) == 1 and int(a["complete"]) == 1
        S, L, H, n = int(a["sequence_count"]), int(a["layers"]), int(a["heads"]), int(a["seq_len"])
        model = os.path.join(text(a["model_path"]), "model.safetensors")
        assert text(a["model_sha256"]) == hashlib.sha256(open(model, "rb").read()).hexdigest(), "model_sha256"
        corpus = text(a["corpus_path"])
        raw = open(corpus, "rb").read()
        if corpus.endswith(".gz"): raw = gzip.decompress(raw)
        assert text(a["corpus_sha256"]) == hashlib.sha256(raw).hexdigest(), "corpus_sha256"
        shapes = {"tokens/input_ids": ((S, n), "int32"), "tokens/window_index": ((S,), "int64"),
                  "tokens/byte_range": ((S, 2), "int64"), "spectrum/sigma": ((S, L, H, n), "float64"),
                  "spectrum/k90": ((S, L, H), "int32"), "spectrum/entropy_rank": ((S, L, H), "float64"),
                  "spectrum/stable_rank": ((S, L, H), "float64"),
                  "spectrum/aggregate/cumulative_sum": ((L, H, n), "float64"),
                  "spectrum/aggregate/cumulative_sum_squares": ((L, H, n), "float64"),
                  "spectrum/aggregate/count": ((L, H), "int64")}
        for name, (shape, dtype) in shapes.items():
            d = f[name]
            assert d.shape == shape and d.dtype == np.dtype(dtype), f"{name}: {d.shape} {d.dtype}, want {shape} {dtype}"
        sigma = f["spectrum/sigma"][...]
        total = sigma.sum(axis=-1, keepdims=True)
        c = np.cumsum(sigma, axis=-1) / total
        assert np.allclose(f["spectrum/aggregate/cumulative_sum"][...], c.sum(axis=0), rtol=1e-12, atol=1e-12)
        k90 = (c >= 0.90).argmax(axis=-1) + 1
        assert (k90 == f["spectrum/k90"][...]).all(), "k90 differs from NumPy's reading of σ"
        assert ("projection" in f) == expect_projection
        if expect_projection:
            K = f["projection/dims"].shape[0]
            assert f["projection/theorem1/median"].shape == (S, L, H, K)
            assert f["projection/aggregate/theorem1_median_sum"].shape == (L, H, K)
        assert ("attention/P" in f) == expect_dump
        worst = 0.0
        if expect_dump:
            P = f["attention/P"]
            assert P.dtype == np.float32 and P.shape[1:] == (L, H, n, n) and P.chunks == (1, 1, 1, n, n), (P.shape, P.chunks)
            for s in range(P.shape[0]):
                for l in range(L):
                    for h in range(H):
                        ref = np.linalg.svd(P[s, l, h].astype(np.float64), compute_uv=False)
                        err = np.abs(ref - sigma[s, l, h]).max() / ref[0]
                        worst = max(worst, err)
            assert worst <= 1e-6, f"max |Δσ|/σ₁ vs numpy gesdd = {worst}"
        print(f"ok max_rel_sigma_error_vs_numpy={worst:.3e}")
        """#
        let result = try CLI.runPython(script, [file, expectProjection ? "1" : "0", expectDump ? "1" : "0"], in: directory)
        XCTAssertEqual(result.status, 0, "h5py check of \(file) failed:\n\(result.stdout)\n\(result.stderr)", line: line)
        XCTAssertTrue(result.stdout.hasPrefix("ok"), result.stdout, line: line)
        print("h5py check of \((file as NSString).lastPathComponent): \(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
}
