import Foundation
import XCTest
import SpectrumAnalysis

/// The fitted fixed projection of a sharded run: shards store only their Gram sums, `merge` adds them
/// exactly, `merge --model` / `fit` fits on the merged file — bit for bit the unsharded run's result —
/// and mismatched or tampered inputs are refused with messages naming the file and the attribute.
final class CLIFittedShardTests: CLITestCase {
    static let options = ["--projection-dims", "4,8", "--holdout", "3", "--seed", "5"]
    static let sequences = 14, sequenceLength = 32

    /// Every dataset the schema declares under `/projection/fitted*`, of a fitted file.
    static let fittedPaths = ["projection/fitted/gram_high", "projection/fitted/gram_low", "projection/fitted/gram_count",
                              "projection/fitted/window_index", "projection/fitted/eigenvalues"]
        + FittedProjectionRows.statistics.map { "projection/" + $0 }

    func run(_ output: String, _ extra: [String] = []) throws {
        try succeed(CLI.tinyRun(sequences: Self.sequences, output: output, sequenceLength: Self.sequenceLength, Self.options + extra))
    }

    func shards(_ count: Int, prefix: String = "shard") throws -> [String] {
        let files = (0..<count).map { path("\(prefix)-\($0).h5") }
        for (i, file) in files.enumerated() { try run(file, ["--shard", "\(i)/\(count)"]) }
        return files
    }

    /// Bit patterns of a dataset (doubles as their bits, so NaN equals NaN and −0 differs from 0).
    func bits(_ file: RunFile, _ name: String) throws -> [UInt64] {
        let dataset = try XCTUnwrap(file.schema.dataset(name), "\(name) is not declared")
        if dataset.type == .int64 { return try file.read(name, as: Int64.self).map { UInt64(bitPattern: $0) } }
        return try file.read(name, as: Double.self).map(\.bitPattern)
    }

    func assertFittedEqual(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let x = try RunFile(contentsOf: URL(fileURLWithPath: a)), y = try RunFile(contentsOf: URL(fileURLWithPath: b))
        XCTAssertFalse(x.metadata.fitPending, "\(a) is still fit_pending", file: file, line: line)
        for name in Self.fittedPaths {
            XCTAssertEqual(try bits(x, name), try bits(y, name), "\(name): \(a) vs \(b)", file: file, line: line)
        }
        XCTAssertTrue(try RunContents(URL(fileURLWithPath: a)) == RunContents(URL(fileURLWithPath: b)),
                      "per-sequence data differ", file: file, line: line)
    }

    func testMergedAndFittedShardsEqualTheUnshardedRunBitForBit() throws {
        let single = path("single.h5")
        try run(single)
        let singleRun = try RunFile(contentsOf: URL(fileURLWithPath: single))
        XCTAssertFalse(singleRun.metadata.fitPending)
        // Windows 2, 5, 8, 11 are held out (w mod 3 = 2): S_test = 4, checked against the schema.
        XCTAssertEqual(try singleRun.heldOutCount(), 4)
        XCTAssertEqual(try singleRun.read("projection/fitted/window_index", as: Int64.self), [2, 5, 8, 11])
        XCTAssertEqual(try singleRun.shaped("projection/fitted/median", as: Double.self).shape, [4, 2, 4, 2])
        XCTAssertEqual(try singleRun.shaped("projection/fitted/gram_high", as: Int64.self).shape, [2, 4, 32 * 33 / 2])

        let files = try shards(3)
        for file in files {
            let shard = try RunFile(contentsOf: URL(fileURLWithPath: file))
            XCTAssertTrue(shard.metadata.fitPending, file)
            XCTAssertFalse(try shard.contains("projection/fitted/median"), "\(file): a shard must not fit on its own windows")
            XCTAssertNil(shard.schema.dataset("projection/fitted/median"))
        }

        // Without the model: summed Gram sums, fit pending, and the message says how to finish.
        let pending = path("pending.h5")
        let merged = try succeed(["merge", files[2], files[0], files[1], "-o", pending])
        XCTAssertTrue(merged.stderr.contains("spectrum-analyze fit \(pending) --model"), merged.stderr)
        let pendingRun = try RunFile(contentsOf: URL(fileURLWithPath: pending))
        XCTAssertTrue(pendingRun.metadata.fitPending)
        for name in ["projection/fitted/gram_high", "projection/fitted/gram_low", "projection/fitted/gram_count"] {
            XCTAssertEqual(try bits(pendingRun, name), try bits(singleRun, name), "\(name): merged sums equal the single run's")
        }
        XCTAssertFalse(try pendingRun.contains("projection/fitted/median"))
        try fail(["recommend", pending, "--energy", "0.9", "--error", "0.5"], status: 1, mentioning: [pending, "fit"])

        // `fit` to another file, `fit` in place, and `merge --model`: all equal the single run.
        let fitted = path("fitted.h5")
        try succeed(["fit", pending, "--model", CLI.tinyModel.path, "-o", fitted, "--quiet"])
        try assertFittedEqual(fitted, single)
        XCTAssertTrue(try RunFile(contentsOf: URL(fileURLWithPath: pending)).metadata.fitPending, "the input stays untouched")
        try succeed(["fit", pending, "--model", CLI.tinyModel.path, "--threads", "1", "--quiet"])
        try assertFittedEqual(pending, single)
        let again = try succeed(["fit", pending, "--model", CLI.tinyModel.path])
        XCTAssertTrue(again.stderr.contains("nothing to do"), again.stderr)
        let oneStep = path("one-step.h5")
        try succeed(["merge", files[0], files[1], files[2], "-o", oneStep, "--model", CLI.tinyModel.path, "--quiet"])
        try assertFittedEqual(oneStep, single)
    }

    func testResumedShardGivesTheSameMergedFit() throws {
        let single = path("single.h5")
        try run(single)
        let files = try shards(2)
        // Shard 1 again, interrupted after its first committed window and resumed: the Gram sums of
        // the replayed windows are recomputed by the encoder.
        let resumed = path("resumed-1.h5")
        var arguments = CLI.tinyRun(sequences: Self.sequences, output: resumed, sequenceLength: Self.sequenceLength, Self.options + ["--shard", "1/2"])
        arguments.removeAll { $0 == "--quiet" }
        let tool = try CLI.start(try CLI.binary(), arguments, in: directory)
        tool.waitForStderr(containing: "progress: ")
        tool.send(SIGINT)
        let stopped = try tool.wait(timeout: 120)
        guard stopped.status == 130 else {
            XCTFail("the shard was not interrupted (exit \(stopped.status)); the test proves nothing:\n\(stopped.stderr)")
            return
        }
        try run(resumed, ["--shard", "1/2", "--resume"])
        let merged = path("merged.h5")
        try succeed(["merge", files[0], resumed, "-o", merged, "--model", CLI.tinyModel.path, "--quiet"])
        try assertFittedEqual(merged, single)
    }

    func testMismatchedOrTamperedGramSumsAreRefusedNamingTheFile() throws {
        let files = try shards(2)
        // Another hold-out period, another n: the identity check names the file and the attribute.
        let otherHoldout = path("holdout-4.h5")
        try succeed(CLI.tinyRun(sequences: Self.sequences, output: otherHoldout, sequenceLength: Self.sequenceLength,
                                ["--projection-dims", "4,8", "--holdout", "4", "--seed", "5", "--shard", "1/2"]))
        try fail(["merge", files[0], otherHoldout, "-o", path("bad.h5")], status: 1, mentioning: [otherHoldout, "projection/holdout"])
        let otherN = path("n-16.h5")
        try succeed(CLI.tinyRun(sequences: Self.sequences, output: otherN, sequenceLength: 16, Self.options + ["--shard", "1/2"]))
        try fail(["merge", files[0], otherN, "-o", path("bad.h5")], status: 1, mentioning: [otherN, "seq_len"])

        // A Gram count that does not match the shard's training windows.
        let tampered = path("tampered.h5")
        try FileManager.default.copyItem(atPath: files[1], toPath: tampered)
        try rewrite(tampered, "projection/fitted/gram_count") { values in values[0] += 1 }
        try fail(["merge", files[0], tampered, "-o", path("bad.h5")], status: 1, mentioning: [tampered, "gram_count"])

        // Gram sums of the wrong shape (a head missing): the schema check names the dataset.
        let reshaped = path("reshaped.h5")
        try FileManager.default.copyItem(atPath: files[1], toPath: reshaped)
        let script = """
        import sys, h5py, numpy as np
        with h5py.File(sys.argv[1], "r+") as f:
            del f["projection/fitted/gram_low"]
            f.create_dataset("projection/fitted/gram_low", data=np.zeros((2, 3, 32 * 33 // 2), dtype=np.int64))
        """
        let reshaping = try CLI.runPython(script, [reshaped], in: directory)
        XCTAssertEqual(reshaping.status, 0, reshaping.stderr)
        try fail(["merge", files[0], reshaped, "-o", path("bad.h5")], status: 1, mentioning: [reshaped, "gram_low", "shape"])

        // A low limb out of range.
        let outOfRange = path("limb.h5")
        try FileManager.default.copyItem(atPath: files[1], toPath: outOfRange)
        try rewrite(outOfRange, "projection/fitted/gram_low") { values in values[0] = -1 }
        try fail(["merge", files[0], outOfRange, "-o", path("bad.h5")], status: 1, mentioning: [outOfRange, "gram"])

        // `fit` refuses a shard (its sums cover only its windows) and another model.
        try fail(["fit", files[0], "--model", CLI.tinyModel.path, "-o", path("bad.h5")], status: 1, mentioning: [files[0], "merge"])
        let pending = path("pending.h5")
        try succeed(["merge", files[0], files[1], "-o", pending])
        try fail(["fit", pending, "--model", SharedTestPaths.realModel.path, "-o", path("bad.h5")], status: 1,
                 mentioning: [pending, "SHA-256", "--model"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("bad.h5")))
    }

    /// Rewrites an int64 dataset in place.
    private func rewrite(_ file: String, _ name: String, _ change: (inout [Int64]) -> Void) throws {
        let handle = try File.open(file, mode: .readWrite)
        let dataset = try handle.openDataset(name)
        var values = try dataset.read(as: Int64.self)
        change(&values)
        try dataset.write(values)
        try handle.close()
    }
}
