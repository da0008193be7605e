import Foundation
import XCTest
import SpectrumAnalysis

/// `merge` of shard files and the separate `extract` → `svd` stages, against a single `run`.
final class CLIMergeStageTests: CLITestCase {
    static let options = ["--projection-dims", "16,32", "--seed", "3"]

    func testMergedShardsEqualTheSingleRunAndForeignFilesAreRefused() throws {
        let single = path("single.h5")
        try succeed(CLI.tinyRun(sequences: 8, output: single, Self.options))
        let shards = (0..<3).map { path("shard-\($0).h5") }
        for (i, shard) in shards.enumerated() {
            try succeed(CLI.tinyRun(sequences: 8, output: shard, Self.options + ["--shard", "\(i)/3"]))
            let file = try RunFile(contentsOf: URL(fileURLWithPath: shard))
            XCTAssertEqual(file.metadata.shard.description, "\(i)/3")
            XCTAssertEqual(try file.read("tokens/window_index", as: Int64.self), Array(stride(from: Int64(i), to: 8, by: 3)))
        }
        // Shards given out of order: rows come back in window order.
        let merged = path("merged.h5")
        try succeed(["merge", shards[2], shards[0], shards[1], "-o", merged])
        let mergedRun = try RunFile(contentsOf: URL(fileURLWithPath: merged))
        let singleRun = try RunFile(contentsOf: URL(fileURLWithPath: single))
        XCTAssertTrue(mergedRun.isComplete)
        XCTAssertEqual(mergedRun.sequenceCount, 8)
        XCTAssertEqual(mergedRun.metadata.shard, .single)
        XCTAssertEqual(Set(mergedRun.metadata.mergedFrom), Set(shards))
        XCTAssertTrue(try RunContents(URL(fileURLWithPath: merged)) == RunContents(URL(fileURLWithPath: single)),
                      "per-sequence data of the merged file differ from the single run")
        let (a, b) = (try mergedRun.aggregate(), try singleRun.aggregate())
        XCTAssertEqual(a.count, b.count)
        assertClose(a.cumulativeSum, b.cumulativeSum, relative: 1e-12, "cumulative_sum")
        assertClose(a.cumulativeSumSquares, b.cumulativeSumSquares, relative: 1e-12, "cumulative_sum_squares")
        let (pa, pb) = (try XCTUnwrap(try mergedRun.projectionAggregate()), try XCTUnwrap(try singleRun.projectionAggregate()))
        for (name, sums) in pb.sums { assertClose(pa.sums[name] ?? [], sums, relative: 1e-12, "projection aggregate \(name.rawValue)") }
        let summaries = (try mergedRun.summary(k: 16), try singleRun.summary(k: 16))
        for (x, y) in zip(summaries.0.layers, summaries.1.layers) {
            XCTAssertEqual(x.meanCumulativeAtK, y.meanCumulativeAtK, accuracy: 1e-12)
            XCTAssertEqual(x.medianK90, y.medianK90)
        }

        // Refusals: existing output, a shard of another run (other seed), an incomplete shard, a
        // shard listed twice, a file of another format version.
        let before = try Data(contentsOf: URL(fileURLWithPath: merged))
        try fail(["merge", shards[0], shards[1], shards[2], "-o", merged], status: 1, mentioning: [merged, "--force"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: merged)), before)
        try succeed(["merge", shards[0], shards[1], shards[2], "-o", merged, "--force"])

        let otherSeed = path("other-seed-1.h5")
        try succeed(CLI.tinyRun(sequences: 8, output: otherSeed, ["--projection-dims", "16,32", "--seed", "4", "--shard", "1/3"]))
        try fail(["merge", shards[0], otherSeed, shards[2], "-o", path("bad.h5")], status: 1, mentioning: [otherSeed, "another run"])

        let incomplete = path("incomplete.h5")
        try FileManager.default.copyItem(atPath: shards[1], toPath: incomplete)
        try setRootAttribute("complete", 0, in: incomplete)
        try fail(["merge", shards[0], incomplete, shards[2], "-o", path("bad.h5")], status: 1, mentioning: [incomplete, "not complete"])

        try fail(["merge", shards[0], shards[0], "-o", path("bad.h5")], status: 1, mentioning: ["twice"])

        let future = path("version-2.h5")
        try FileManager.default.copyItem(atPath: shards[1], toPath: future)
        try setRootAttribute("format_version", 2, in: future)
        try fail(["merge", shards[0], future, shards[2], "-o", path("bad.h5")], status: 1, mentioning: [future, "format version 2"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("bad.h5")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("bad.h5.partial")))
    }

    /// `extract` → `svd` against `run`. The encoder's output does not depend on its thread count
    /// and both stages use the same per-head kernel, so whatever `--threads` says, the dumped P is
    /// the P that `run` analyses and σ agree bit for bit.
    func testExtractThenSvdGivesTheSpectraOfRun() throws {
        let ran = path("run.h5")
        try succeed(CLI.tinyRun(sequences: 3, output: ran, ["--no-projection"]))
        let run = try RunFile(contentsOf: URL(fileURLWithPath: ran))
        for (threads, tolerance) in [("1", 0.0), ("2", 0.0)] {
            let extracted = path("extract-\(threads).h5"), spectra = path("svd-\(threads).h5")
            try succeed(["extract", "--model", CLI.tinyModel.path, "--corpus", CLI.corpus.path, "--seq-len", "64",
                         "--sequences", "3", "--threads", threads, "--quiet", "-o", extracted])
            let extract = try RunFile(contentsOf: URL(fileURLWithPath: extracted))
            XCTAssertTrue(extract.isComplete)
            XCTAssertFalse(extract.metadata.spectra)
            XCTAssertFalse(try extract.contains("spectrum/sigma"))
            XCTAssertEqual(try extract.read("attention/P", as: Float.self).count, 3 * 2 * 4 * 64 * 64)
            // svd takes --threads too (σ must not depend on it) and prints the summary at k = n/4.
            let svd = try succeed(["svd", extracted, "-o", spectra, "--quiet", "--threads", threads])
            XCTAssertTrue(svd.stdout.contains("mean c_16"), svd.stdout)
            let staged = try RunFile(contentsOf: URL(fileURLWithPath: spectra))
            XCTAssertTrue(staged.metadata.spectra)
            XCTAssertEqual(try staged.read("tokens/input_ids", as: Int32.self), try run.read("tokens/input_ids", as: Int32.self))
            let (a, b): ([Double], [Double]) = (try staged.read("spectrum/sigma"), try run.read("spectrum/sigma"))
            XCTAssertEqual(a.count, b.count)
            var worst = 0.0
            for block in 0..<(b.count / 64) {
                var error = 0.0
                for i in block * 64 ..< (block + 1) * 64 { error = max(error, abs(a[i] - b[i])) }
                XCTAssertLessThanOrEqual(error, tolerance * b[block * 64], "--threads \(threads), head block \(block)")
                worst = max(worst, error / b[block * 64])
            }
            print("extract --threads \(threads) → svd vs run: max |Δσ|/σ₁ = \(worst)")
            do {
                for name in ["spectrum/k90", "spectrum/k95", "spectrum/k99"] {
                    XCTAssertEqual(try staged.read(name, as: Int32.self), try run.read(name, as: Int32.self), name)
                }
                let (x, y) = (try staged.aggregate(), try run.aggregate())
                XCTAssertEqual(x.count, y.count)
                assertClose(x.cumulativeSum, y.cumulativeSum, relative: 1e-12, "cumulative_sum of svd vs run")
            }
        }

        // An extract-only file cannot be merged; svd refuses a file that already has spectra, an
        // existing output (left untouched) and a file of another format version.
        let extracted = path("extract-1.h5"), spectra = path("svd-1.h5")
        try fail(["merge", extracted, "-o", path("merged.h5")], status: 1, mentioning: [extracted, "svd"])
        try fail(["svd", spectra, "-o", path("again.h5")], status: 1, mentioning: [spectra, "already has spectra"])
        let before = try Data(contentsOf: URL(fileURLWithPath: spectra))
        try fail(["svd", extracted, "-o", spectra], status: 1, mentioning: [spectra])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: spectra)), before)
        let future = path("version-2.h5")
        try FileManager.default.copyItem(atPath: extracted, toPath: future)
        try setRootAttribute("format_version", 2, in: future)
        try fail(["svd", future, "-o", path("future-svd.h5")], status: 1, mentioning: [future, "format version 2"])
        for name in ["merged.h5", "again.h5", "future-svd.h5"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: path(name)), name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: path(name + ".partial")), name)
        }
    }

    /// Rewrites an int64 root attribute with HDF5Store (crafting damaged or foreign files).
    private func setRootAttribute(_ name: String, _ value: Int64, in file: String) throws {
        let handle = try File.open(file, mode: .readWrite)
        try handle.attributes.set(name, value)
        try handle.close()
    }

    /// `extract --dump-qkv` → `svd` computes the projection checks too, equal to `run`'s bit for bit.
    func testSvdOnAnExtractWithQKVGivesTheProjectionsOfRun() throws {
        let options = ["--projection-dims", "16,32", "--seed", "7"]
        let ran = path("run.h5")
        try succeed(CLI.tinyRun(sequences: 2, output: ran, options))
        let extracted = path("extract.h5"), spectra = path("svd.h5")
        try succeed(["extract", "--model", CLI.tinyModel.path, "--corpus", CLI.corpus.path, "--seq-len", "64",
                     "--sequences", "2", "--dump-qkv", "--quiet", "-o", extracted])
        try succeed(["svd", extracted, "-o", spectra, "--quiet"] + options)
        let (run, staged) = (try RunFile(contentsOf: URL(fileURLWithPath: ran)), try RunFile(contentsOf: URL(fileURLWithPath: spectra)))
        XCTAssertEqual(staged.metadata.projection, run.metadata.projection)
        XCTAssertEqual(staged.metadata.seed, 7)
        XCTAssertTrue(try RunContents(URL(fileURLWithPath: spectra)) == RunContents(URL(fileURLWithPath: ran)),
                      "σ, metrics or projection statistics of extract → svd differ from run")
        XCTAssertEqual(try staged.read("attention/Q", as: Float.self), try RunFile(contentsOf: URL(fileURLWithPath: extracted)).read("attention/Q", as: Float.self))
        // Without Q, K, V the projections are skipped with a note, not an error.
        let plain = path("plain.h5")
        try succeed(["extract", "--model", CLI.tinyModel.path, "--corpus", CLI.corpus.path, "--seq-len", "64",
                     "--sequences", "2", "--quiet", "-o", plain])
        let note = try succeed(["svd", plain, "-o", path("plain-svd.h5")])
        XCTAssertTrue(note.stderr.contains("no projection checks"), note.stderr)
        XCTAssertNil(try RunFile(contentsOf: URL(fileURLWithPath: path("plain-svd.h5"))).metadata.projection)
    }
}
