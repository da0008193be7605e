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

    /// The library entry point: a crash and a time-out of the child are typed errors; a sound file passes.
    func testTheChildCheckReportsCrashesAndTimeOuts() throws {
        let tool = try CLI.binary()
        XCTAssertThrowsError(try RunFileCheck.validate(Self.segfaulting, executable: tool)) { error in
            guard case AnalysisError.corruptRunFile(let path, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, Self.segfaulting.path)
            XCTAssertTrue(reason.contains("SIGSEGV"), reason)
        }
        let run = path("run.h5")
        try succeed(CLI.tinyRun(sequences: 2, output: run, ["--no-projection"]))
        XCTAssertNoThrow(try RunFileCheck.validate(URL(fileURLWithPath: run), executable: tool))
        // A limit no child can meet stands in for libhdf5 looping forever.
        XCTAssertThrowsError(try RunFileCheck.validate(URL(fileURLWithPath: run), timeout: 0.001, executable: tool)) { error in
            XCTAssertTrue("\(error)".contains("corrupt run file \(run): libhdf5 did not finish reading it"), "\(error)")
        }
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

/// `make run` twice must leave the committed report unchanged: no wall clock, no digits that differ.
final class CLIReportDeterminismTests: CLITestCase {
    func testTwoRunsOfTheSameInputsGiveByteIdenticalReports() throws {
        var folders: [String] = []
        for attempt in 0..<2 {
            let run = path("run-\(attempt).h5")
            // Other thread counts must not matter either.
            try succeed(CLI.tinyRun(sequences: 3, output: run, ["--projection-dims", "8,16", "--threads", "\(attempt + 1)"]))
            let folder = path("report-\(attempt)")
            let report = try CLI.start(try CLI.binary("spectrum-report"), [run, "-o", folder, "--label", "tiny"], in: directory).wait(timeout: 120)
            XCTAssertEqual(report.status, 0, report.stderr)
            XCTAssertTrue(report.stderr.contains("k = 16, n/4"), report.stderr)
            folders.append(folder)
            if attempt == 0 { sleep(1) }   // a different creation time
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folders[0]).sorted()
        XCTAssertEqual(names, try FileManager.default.contentsOfDirectory(atPath: folders[1]).sorted())
        XCTAssertTrue(names.contains("heatmap_k16.svg"), "\(names)")
        for name in names {
            let (a, b) = (try Data(contentsOf: URL(fileURLWithPath: folders[0] + "/" + name)),
                          try Data(contentsOf: URL(fileURLWithPath: folders[1] + "/" + name)))
            XCTAssertEqual(a, b, "\(name) differs between two runs of the same inputs")
        }
    }
}
