import Foundation
import XCTest
import SpectrumAnalysis
import SpectrumReport

/// The one write path refuses what must not be replaced, and merge refuses an incomplete shard set.
final class CLIOutputSafetyTests: CLITestCase {
    /// A folder given as the output survives `run`, `extract`, `svd` and `merge`, with or without `--force`.
    func testAFolderGivenAsOutputIsRefusedAndKept() throws {
        let folder = path("d")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let keep = folder + "/keep.txt"
        try Data("keep\n".utf8).write(to: URL(fileURLWithPath: keep))

        let run = path("run.h5")
        try succeed(CLI.tinyRun(sequences: 2, output: run, ["--no-projection"]))
        let extracted = path("extract.h5")
        try succeed(["extract", "--model", CLI.tinyModel.path, "--corpus", CLI.corpus.path, "--seq-len", "64",
                     "--sequences", "2", "--quiet", "-o", extracted])
        let attempts: [[String]] = [
            CLI.tinyRun(sequences: 2, output: folder, ["--force"]),
            CLI.tinyRun(sequences: 2, output: folder),
            ["extract", "--model", CLI.tinyModel.path, "--corpus", CLI.corpus.path, "--seq-len", "64", "-o", folder, "--force"],
            ["svd", extracted, "-o", folder, "--force"],
            ["merge", run, "-o", folder, "--force"],
            ["merge", run, "-o", folder],
        ]
        for arguments in attempts {
            try fail(arguments, status: 1, mentioning: [folder, "folder"])
            XCTAssertEqual(try String(contentsOfFile: keep, encoding: .utf8), "keep\n", "\(arguments) touched the folder")
        }
        // The check comes before the model is loaded: a missing model is not reached.
        try fail(["run", "--model", path("no-model"), "--corpus", CLI.corpus.path, "-o", folder, "--force"],
                 status: 1, mentioning: ["folder"])
        // A path ending in "/" names a folder even when it does not exist, and no --force is suggested.
        let slash = path("new-folder") + "/"
        let result = try fail(CLI.tinyRun(sequences: 2, output: slash), status: 1, mentioning: ["folder"])
        XCTAssertFalse(result.stderr.contains("--force"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: slash))
    }

    /// `--force` replaces a run file, never a file of another kind; without it nothing is replaced.
    func testForceReplacesOnlyRunFiles() throws {
        let notes = path("notes.txt")
        try Data("my notes\n".utf8).write(to: URL(fileURLWithPath: notes))
        try fail(CLI.tinyRun(sequences: 2, output: notes, ["--force", "--no-projection"]), status: 1, mentioning: [notes, "not an HDF5 run file"])
        XCTAssertEqual(try String(contentsOfFile: notes, encoding: .utf8), "my notes\n")

        let run = path("run.h5")
        try succeed(CLI.tinyRun(sequences: 2, output: run, ["--no-projection"]))
        let complete = try fail(CLI.tinyRun(sequences: 2, output: run, ["--no-projection"]), status: 1, mentioning: [run, "--force"])
        XCTAssertFalse(complete.stderr.contains("--resume"), "a complete output must not suggest --resume: \(complete.stderr)")
        let resume = try fail(CLI.tinyRun(sequences: 2, output: run, ["--no-projection", "--resume"]), status: 1, mentioning: ["already complete", "--force"])
        XCTAssertFalse(resume.signaled)
        try succeed(CLI.tinyRun(sequences: 3, output: run, ["--no-projection", "--force"]))
        XCTAssertEqual(try RunFile(contentsOf: URL(fileURLWithPath: run)).sequenceCount, 3)

        // svd refuses a leftover partial file instead of deleting it.
        let extracted = path("extract.h5")
        try succeed(["extract", "--model", CLI.tinyModel.path, "--corpus", CLI.corpus.path, "--seq-len", "64",
                     "--sequences", "2", "--quiet", "-o", extracted])
        let leftover = path("spectra.h5.partial")
        try Data("half a file".utf8).write(to: URL(fileURLWithPath: leftover))
        let refused = try fail(["svd", extracted, "-o", path("spectra.h5"), "--quiet"], status: 1, mentioning: [leftover, "--force"])
        XCTAssertFalse(refused.stderr.contains("--resume"), refused.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: leftover)), Data("half a file".utf8))
    }

    /// Merging shard 0 of 2 alone is refused naming the missing shard; `--allow-partial` writes a file
    /// marked partial, and the report says so.
    func testMergeRefusesAMissingShardUnlessAllowedAndThenMarksIt() throws {
        let shards = (0..<2).map { path("s\($0).h5") }
        for (i, shard) in shards.enumerated() {
            try succeed(CLI.tinyRun(sequences: 4, output: shard, ["--no-projection", "--shard", "\(i)/2"]))
        }
        let merged = path("m.h5")
        try fail(["merge", shards[0], "-o", merged], status: 1, mentioning: ["1/2", "missing", "--allow-partial"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: merged))

        try succeed(["merge", shards[0], "-o", merged, "--allow-partial"])
        let partial = try RunFile(contentsOf: URL(fileURLWithPath: merged))
        XCTAssertEqual(partial.metadata.missingShards, [1])
        XCTAssertEqual(partial.metadata.mergedShardCount, 2)
        XCTAssertTrue(partial.metadata.isPartialMerge)
        XCTAssertEqual(partial.sequenceCount, 2)
        let ids = try partial.shaped("tokens/input_ids", as: Int32.self)
        XCTAssertEqual(ids.shape, [2, 64])
        XCTAssertEqual(ids.element(at: [1, 63]), ids.values[127])
        XCTAssertNil(ids.element(at: [2, 0]))
        let report = try ReportRun(runFile: partial)
        XCTAssertTrue(report.label.contains("partial merge"), report.label)
        XCTAssertTrue(report.facts.contains { $0.value.contains("shard 1/2 missing") }, "\(report.facts)")

        // The complete set is not marked.
        let full = path("full.h5")
        try succeed(["merge", shards[1], shards[0], "-o", full])
        let complete = try RunFile(contentsOf: URL(fileURLWithPath: full))
        XCTAssertEqual(complete.metadata.missingShards, [])
        XCTAssertFalse(try ReportRun(runFile: complete).label.contains("partial"))
        // A duplicate names both files; shards of different splits are refused.
        let copy = path("s0-copy.h5")
        try FileManager.default.copyItem(atPath: shards[0], toPath: copy)
        try fail(["merge", shards[0], copy, shards[1], "-o", path("bad.h5")], status: 1, mentioning: ["twice", shards[0], copy])
    }
}
