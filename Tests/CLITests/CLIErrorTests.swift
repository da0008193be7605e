import Foundation
import XCTest
import SpectrumAnalysis

/// Exit codes and messages of `spectrum-analyze` for bad input: 64 for usage errors (argument
/// parsing and validation), 1 for problems with files, each message naming the file.
final class CLIErrorTests: CLITestCase {
    func testUsageErrorsExitWith64() throws {
        let output = path("run.h5")
        let base = CLI.tinyRun(sequences: 1, output: output)
        try fail(base + ["--shard", "3/2"], status: 64, mentioning: ["3/2", "--shard"])
        try fail(base + ["--shard", "x"], status: 64, mentioning: ["--shard"])
        try fail(base + ["--force", "--resume"], status: 64, mentioning: ["--force", "--resume"])
        try fail(base + ["--compression", "12"], status: 64, mentioning: ["--compression"])
        try fail(base + ["--projection-dims", "16,abc"], status: 64, mentioning: ["--projection-dims"])
        try fail(["run", "--corpus", CLI.corpus.path, "-o", output], status: 64, mentioning: ["--model"])
        try fail(["merge", "-o", output], status: 64, mentioning: ["shard"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        XCTAssertFalse(FileManager.default.fileExists(atPath: output + ".partial"))
    }

    /// Rough edges a new user hit: each is a usage error with a message that leads somewhere.
    func testMisspeltAndContradictoryOptionsAreUsageErrors() throws {
        let output = path("run.h5")
        let base = CLI.tinyRun(sequences: 1, output: output)
        try fail(["mrege", "a.h5", "-o", output], status: 64, mentioning: ["unknown subcommand 'mrege'", "merge"])
        try fail(base + ["--delta", "-1"], status: 64, mentioning: ["--delta", "≥ 0"])
        try fail(base + ["--dump-qkv"], status: 64, mentioning: ["--dump-qkv", "--dump-attention"])
        try fail(base + ["--projection-dims", "64,128"], status: 64, mentioning: ["--projection-dims", "n = 64", "--no-projection"])
        try fail(["extract", "--model", CLI.tinyModel.path, "--corpus", CLI.corpus.path, "--dump-attention", "1", "-o", output],
                 status: 64, mentioning: ["--dump-attention"])
        let config = CLI.tinyModel.appendingPathComponent("config.json").path
        try fail(["run", "--model", config, "--corpus", CLI.corpus.path, "-o", output], status: 1, mentioning: [config, "is a file"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    func testSequenceLengthBeyondThePositionsOfTheModelNamesTheModelFolder() throws {
        try CLI.requireRealData()
        let output = path("run.h5")
        try fail(["run", "--model", CLI.realModel.path, "--corpus", CLI.corpus.path, "--seq-len", "1024",
                  "--sequences", "1", "-o", output],
                 status: 64, mentioning: [CLI.realModel.path, "1024", "512"])
        try fail(CLI.tinyRun(sequences: 1, output: output, sequenceLength: 256), status: 64, mentioning: [CLI.tinyModel.path, "256", "128"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        XCTAssertFalse(FileManager.default.fileExists(atPath: output + ".partial"))
    }

    func testMissingModelAndCorpusAreNamed() throws {
        let output = path("run.h5")
        let missingModel = path("no-such-model")
        try fail(["run", "--model", missingModel, "--corpus", CLI.corpus.path, "--seq-len", "64", "-o", output],
                 status: 1, mentioning: [missingModel, "does not exist"])
        let missingCorpus = path("no-such-corpus.txt")
        try fail(["run", "--model", CLI.tinyModel.path, "--corpus", missingCorpus, "--seq-len", "64", "-o", output],
                 status: 1, mentioning: [missingCorpus, "no such file"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    func testEmptyAndShortCorporaSayWhatIsMissing() throws {
        let output = path("run.h5")
        let empty = path("empty.txt")
        try Data().write(to: URL(fileURLWithPath: empty))
        try fail(["run", "--model", CLI.tinyModel.path, "--corpus", empty, "--seq-len", "64", "-o", output],
                 status: 1, mentioning: [empty, "no non-empty lines"])
        let blank = path("blank.txt")
        try Data(" \n\t\n\n".utf8).write(to: URL(fileURLWithPath: blank))
        try fail(["run", "--model", CLI.tinyModel.path, "--corpus", blank, "--seq-len", "64", "-o", output],
                 status: 1, mentioning: [blank, "no non-empty lines"])

        let short = path("short.txt")
        try Data("A short corpus.\nTwo lines only.\n".utf8).write(to: URL(fileURLWithPath: short))
        let result = try fail(["run", "--model", CLI.tinyModel.path, "--corpus", short, "--seq-len", "64", "-o", output],
                              status: 1, mentioning: [short, "tokens", "needs 62"])
        // "has N tokens, one window needs 62" with N the real count (4 words and 2 full stops: fewer than 62).
        let count = result.stderr.components(separatedBy: "has ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }.first
        XCTAssertNotNil(count, "no token count in: \(result.stderr)")
        XCTAssertTrue((6..<62).contains(count ?? -1), "token count \(String(describing: count)) in: \(result.stderr)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        XCTAssertFalse(FileManager.default.fileExists(atPath: output + ".partial"))
    }

    func testUnwritableOutputFolderFailsWithoutLeavingFiles() throws {
        let missingFolder = path("missing/sub/run.h5")
        try fail(CLI.tinyRun(sequences: 1, output: missingFolder), status: 1, mentioning: [path("missing/sub"), "not writable"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("missing")))

        // A regular file where a folder is expected (unwritable even for root).
        let blocker = path("blocker")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let underFile = blocker + "/run.h5"
        try fail(CLI.tinyRun(sequences: 1, output: underFile), status: 1, mentioning: [blocker, "not writable"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), ["blocker"])
    }

    func testMissingOrForeignRunFilesAreRejectedBySvdAndMerge() throws {
        let missing = path("missing.h5")
        try fail(["svd", missing], status: 1, mentioning: [missing])
        try fail(["merge", missing, "-o", path("merged.h5")], status: 1, mentioning: [missing])
        let notHDF5 = path("text.h5")
        try Data("not an HDF5 file\n".utf8).write(to: URL(fileURLWithPath: notHDF5))
        try fail(["svd", notHDF5, "-o", path("out.h5")], status: 1, mentioning: [notHDF5])
        try fail(["merge", notHDF5, "-o", path("merged.h5")], status: 1, mentioning: [notHDF5])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("merged.h5")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.h5")))
    }
}
