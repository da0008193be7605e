import Foundation
import XCTest
import SpectrumAnalysis

/// Run files from elsewhere that libhdf5 does not survive, or that were cut short, end in one clear
/// error and exit 1 in every tool that reads them, never in a crash or a hang.
final class CLICorruptInputTests: CLITestCase {
    /// A run file found by fuzzing on which libhdf5 1.10 segfaults (in `H5HG_read`, reading a
    /// variable-length string attribute through a damaged global heap).
    static let segfaulting = CLI.testsDirectory.appendingPathComponent("Fixtures/fuzz-regressions/runfile-libhdf5-segv.h5")

    func testAFileOnWhichLibhdf5CrashesIsReportedAsCorrupt() throws {
        let input = Self.segfaulting.path
        let shard = path("shard.h5")
        try succeed(CLI.tinyRun(sequences: 2, output: shard, ["--no-projection"]))
        try fail(["merge", shard, input, "-o", path("merged.h5")], status: 1, mentioning: ["corrupt run file \(input)", "SIGSEGV"])
        try fail(["svd", input, "-o", path("svd.h5")], status: 1, mentioning: ["corrupt run file \(input)"])
        let report = try CLI.start(try CLI.binary("spectrum-report"), [input, "-o", path("report")], in: directory).wait(timeout: 120)
        XCTAssertFalse(report.signaled, report.stderr)
        XCTAssertEqual(report.status, 1, report.stderr)
        XCTAssertTrue(report.stderr.contains("corrupt run file \(input)"), report.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("merged.h5")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("report")))
    }

    /// A copy cut short is refused from the superblock's end-of-file address, before libhdf5 reads it.
    func testATruncatedFileIsRefusedWithItsLength() throws {
        let run = path("run.h5")
        try succeed(CLI.tinyRun(sequences: 2, output: run, ["--no-projection"]))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: run))
        let cut = path("cut.h5")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        try fail(["merge", cut, "-o", path("merged.h5")], status: 1, mentioning: [cut, "truncated", "\(bytes.count / 2) bytes"])
        XCTAssertThrowsError(try RunFile(contentsOf: URL(fileURLWithPath: cut))) { error in
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
        }
        let tiny = path("tiny.h5")
        try bytes.prefix(20).write(to: URL(fileURLWithPath: tiny))
        XCTAssertThrowsError(try RunFile(contentsOf: URL(fileURLWithPath: tiny))) { error in
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
        }
        let text = path("text.h5")
        try Data("not hdf5 at all".utf8).write(to: URL(fileURLWithPath: text))
        try fail(["merge", text, "-o", path("merged.h5")], status: 1, mentioning: [text, "not an HDF5 file"])
    }
}
