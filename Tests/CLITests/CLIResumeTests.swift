import Foundation
import XCTest
import SpectrumAnalysis
import RunFormat
#if canImport(Glibc)
import Glibc
#endif

/// Interrupted runs: SIGKILL leaves a partial file that `--resume` completes, SIGINT stops cleanly
/// with exit 130 and a resume hint; either way the resumed file equals an uninterrupted run.
final class CLIResumeTests: CLITestCase {
    /// Enough sequences that the run is still going when the first progress line appears.
    static let sequences = 40
    static let options = ["--projection-dims", "16,32", "--seed", "5"]

    func testKilledAndInterruptedRunsResumeToTheUninterruptedResult() throws {
        let reference = path("reference.h5")
        try succeed(CLI.tinyRun(sequences: Self.sequences, output: reference, Self.options))
        let expected = try RunContents(URL(fileURLWithPath: reference))
        let expectedRun = try RunFile(contentsOf: URL(fileURLWithPath: reference))

        // SIGKILL: nothing is cleaned up, the partial file holds whole sequences only.
        let killed = path("killed.h5")
        let (killedResult, killedCount) = try interrupt(output: killed, with: SIGKILL)
        XCTAssertTrue(killedResult.signaled, "expected death by SIGKILL, got exit \(killedResult.status)")
        XCTAssertGreaterThanOrEqual(killedCount, 1)
        try succeed(CLI.tinyRun(sequences: Self.sequences, output: killed, Self.options + ["--resume"]))
        try assertSameRun(killed, expected: expected, expectedRun: expectedRun)

        // SIGINT: stops after the current sequence, exit 130, tells how to resume.
        let interrupted = path("interrupted.h5")
        let (interruptResult, interruptCount) = try interrupt(output: interrupted, with: SIGINT)
        XCTAssertFalse(interruptResult.signaled)
        XCTAssertEqual(interruptResult.status, 130, interruptResult.stderr)
        XCTAssertTrue(interruptResult.stderr.contains("--resume"), interruptResult.stderr)
        XCTAssertTrue(interruptResult.stderr.contains(interrupted + ".partial"), interruptResult.stderr)
        XCTAssertGreaterThanOrEqual(interruptCount, 1)
        XCTAssertLessThan(interruptCount, Self.sequences, "the run finished before SIGINT arrived; the test proves nothing")

        // A new run without --resume or --force refuses to clobber the partial file.
        try fail(CLI.tinyRun(sequences: Self.sequences, output: interrupted, Self.options), status: 1, mentioning: ["--resume"])
        // Resuming with other options is refused.
        try fail(CLI.tinyRun(sequences: Self.sequences, output: interrupted, ["--projection-dims", "16,32", "--seed", "6", "--resume"]),
                 status: 1, mentioning: [interrupted + ".partial", "seed: 5 when started, 6 now"])
        try succeed(CLI.tinyRun(sequences: Self.sequences, output: interrupted, Self.options + ["--resume"]))
        try assertSameRun(interrupted, expected: expected, expectedRun: expectedRun)
    }

    /// A second Ctrl-C aborts at once, on a line of its own, with the resume hint; `--resume` says
    /// where it resumes and completes the run to the uninterrupted result.
    func testSecondInterruptAbortsWithTheHintAndResumeSaysWhereItResumes() throws {
        let reference = path("reference.h5")
        try succeed(CLI.tinyRun(sequences: Self.sequences, output: reference, Self.options))
        let aborted = path("aborted.h5")
        // The second signal can only abort while a sequence is still running; should the run have
        // stopped after the first one already, continue it and try again.
        var (result, committed) = try interrupt(output: aborted, with: SIGINT, times: 2)
        for _ in 0..<4 where !result.stderr.contains("aborted:") && result.status == 130 {
            (result, committed) = try interrupt(output: aborted, with: SIGINT, times: 2, extra: ["--resume"])
        }
        XCTAssertEqual(result.status, 130, result.stderr)
        XCTAssertTrue(result.stderr.contains("\naborted: the sequences committed so far are safe in \(aborted).partial; resume with the same command plus --resume.\n"),
                      result.stderr)
        XCTAssertLessThan(committed, Self.sequences)
        var arguments = CLI.tinyRun(sequences: Self.sequences, output: aborted, Self.options + ["--resume"])
        arguments.removeAll { $0 == "--quiet" }
        let resumed = try succeed(arguments)
        XCTAssertTrue(resumed.stderr.contains("resuming at \(committed)/\(Self.sequences) (\(committed) sequences were already done)"), resumed.stderr)
        try assertSameRun(aborted, expected: try RunContents(URL(fileURLWithPath: reference)),
                          expectedRun: try RunFile(contentsOf: URL(fileURLWithPath: reference)))
    }

    /// Starts a run, sends `signal` (`times` times) once the first sequence is committed
    /// (the first progress line is printed right after the commit), and returns the result and the
    /// partial's sequence count.
    private func interrupt(output: String, with signal: Int32, times: Int = 1, extra: [String] = []) throws -> (ToolResult, Int) {
        var arguments = CLI.tinyRun(sequences: Self.sequences, output: output, Self.options + extra)
        arguments.removeAll { $0 == "--quiet" }
        let tool = try CLI.start(try CLI.binary(), arguments, in: directory)
        let sawProgress = tool.waitForStderr(containing: "progress: ")
        tool.send(signal)
        // Signals sent back to back merge into one; the next is sent once the first was acknowledged.
        for _ in 1..<max(1, times) {
            tool.waitForStderr(containing: "stopping after the current sequence")
            tool.send(signal)
        }
        let result = try tool.wait(timeout: 120)
        XCTAssertTrue(sawProgress, "no progress line before the run ended:\n\(result.stderr)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "an interrupted run must not leave the final file")
        // An abort (second signal) exits without closing the HDF5 file: its durable progress is the journal.
        if times > 1 { return (result, RunJournal.committedCount(at: URL(fileURLWithPath: output + ".partial.journal"))) }
        let partial = try RunFile(contentsOf: URL(fileURLWithPath: output + ".partial"))
        XCTAssertFalse(partial.isComplete)
        XCTAssertEqual(partial.metadata.sequencesPlanned, Self.sequences)
        // Every committed row is readable (the reader checks row counts against sequence_count;
        // a killed writer may have left an extra, uncommitted row in the datasets, which resume trims).
        if signal == SIGINT {
            XCTAssertEqual(try partial.read("spectrum/sigma", as: Double.self).count, partial.sequenceCount * 2 * 4 * 64)
            XCTAssertEqual(try partial.aggregate().count, Array(repeating: Int64(partial.sequenceCount), count: 8))
        }
        return (result, partial.sequenceCount)
    }

    private func assertSameRun(_ output: String, expected: RunContents, expectedRun: RunFile,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertFalse(FileManager.default.fileExists(atPath: output + ".partial"), file: file, line: line)
        let url = URL(fileURLWithPath: output)
        let run = try RunFile(contentsOf: url)
        XCTAssertTrue(run.isComplete, file: file, line: line)
        XCTAssertEqual(run.sequenceCount, Self.sequences, file: file, line: line)
        XCTAssertTrue(try RunContents(url) == expected, "per-sequence data of the resumed run differ from the uninterrupted run", file: file, line: line)
        // Aggregates are rebuilt from the stored rows in the same order: identical sums.
        XCTAssertEqual(try run.aggregate(), try expectedRun.aggregate(), "spectrum aggregates differ", file: file, line: line)
        let projection = try XCTUnwrap(try run.projectionAggregate(), file: file, line: line)
        let expectedProjection = try XCTUnwrap(try expectedRun.projectionAggregate(), file: file, line: line)
        XCTAssertEqual(projection.statistics, expectedProjection.statistics, file: file, line: line)
        for (name, sums) in expectedProjection.sums {
            assertClose(projection.sums[name] ?? [], sums, relative: 0, "projection aggregate \(name.rawValue)", file: file, line: line)
        }
    }
}
