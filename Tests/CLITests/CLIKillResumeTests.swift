import Foundation
import XCTest
import SpectrumAnalysis
import RunFormat
#if canImport(Glibc)
import Glibc
#endif

/// SIGKILL at random moments, several times in a row, each followed by `--resume`: the final file
/// equals an uninterrupted run's, and no intermediate state is ever taken for a complete result.
final class CLIKillResumeTests: CLITestCase {
    /// Long enough (a few seconds) that every kill lands while the run is going.
    static let sequences = 300
    static let options = ["--no-projection", "--seed", "3"]

    func testRepeatedKillsAtRandomMomentsResumeToTheUninterruptedResult() throws {
        let reference = path("reference.h5")
        try succeed(CLI.tinyRun(sequences: Self.sequences, output: reference, Self.options))
        let expected = try RunContents(URL(fileURLWithPath: reference))
        let expectedAggregate = try RunFile(contentsOf: URL(fileURLWithPath: reference)).aggregate()

        let output = path("killed.h5"), partial = output + ".partial"
        // Seeded, so a failure reproduces; the delays span start-up, the first rows and mid-run.
        var generator = SeededGenerator(seed: 2026)
        var kills = 0, lastCount = 0
        for _ in 0..<5 {
            let resume = FileManager.default.fileExists(atPath: partial)
            let arguments = CLI.tinyRun(sequences: Self.sequences, output: output, Self.options + (resume ? ["--resume"] : []))
            let tool = try CLI.start(try CLI.binary(), arguments, in: directory)
            usleep(UInt32(80_000 + generator.next() % 500_000))
            guard tool.process.isRunning else {
                _ = try tool.wait(timeout: 60)
                break
            }
            tool.send(SIGKILL)
            let result = try tool.wait(timeout: 60)
            XCTAssertTrue(result.signaled, "expected death by SIGKILL:\n\(result.stderr)")
            kills += 1
            // Never a final file from a killed run; a partial file, when there is one, says incomplete,
            // and the journal's committed sequences only ever grow. (The partial HDF5 file is rebuilt
            // from the journal on resume, so a kill during that rebuild may leave it shorter.)
            XCTAssertFalse(FileManager.default.fileExists(atPath: output), "a killed run left a final file")
            if FileManager.default.fileExists(atPath: partial) {
                let file = try RunFile(contentsOf: URL(fileURLWithPath: partial))
                XCTAssertFalse(file.isComplete)
                XCTAssertLessThanOrEqual(file.sequenceCount, RunJournal.committedCount(at: URL(fileURLWithPath: partial + ".journal")),
                                         "the partial file holds sequences its journal does not")
                let committed = RunJournal.committedCount(at: URL(fileURLWithPath: partial + ".journal"))
                XCTAssertGreaterThanOrEqual(committed, lastCount, "a resumed run lost committed sequences")
                lastCount = committed
            }
        }
        XCTAssertGreaterThanOrEqual(kills, 2, "the runs finished before being killed; the test proves nothing")
        let resume = FileManager.default.fileExists(atPath: partial)
        if !FileManager.default.fileExists(atPath: output) {
            try succeed(CLI.tinyRun(sequences: Self.sequences, output: output, Self.options + (resume ? ["--resume"] : [])))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial))
        let run = try RunFile(contentsOf: URL(fileURLWithPath: output))
        XCTAssertTrue(run.isComplete)
        XCTAssertTrue(try RunContents(URL(fileURLWithPath: output)) == expected, "resumed run differs from the uninterrupted run")
        XCTAssertEqual(try run.aggregate(), expectedAggregate)
        print("kill-resume: \(kills) SIGKILLs, partial held \(lastCount) sequences before the last resume")
    }

    /// The partial HDF5 file is only a cache of the journal: damaged beyond reading, it is rebuilt,
    /// and a torn last journal record (a kill mid-append) is dropped.
    func testDamagedPartialFileAndTornJournalStillResume() throws {
        let sequences = 12, options = ["--seed", "3", "--projection-dims", "16", "--dump-attention", "2"]
        let reference = path("reference.h5")
        try succeed(CLI.tinyRun(sequences: sequences, output: reference, options))
        let output = path("run.h5"), partial = output + ".partial", journal = partial + ".journal"
        let tool = try CLI.start(try CLI.binary(), CLI.tinyRun(sequences: sequences, output: output, options).filter { $0 != "--quiet" },
                                 in: directory)
        let deadline = Date().addingTimeInterval(60)
        while tool.process.isRunning, Date() < deadline,
              !((try? String(contentsOf: tool.stderrURL, encoding: .utf8))?.contains("progress: 1/") ?? false) { usleep(2_000) }
        tool.send(SIGKILL)
        _ = try tool.wait(timeout: 60)
        XCTAssertTrue(FileManager.default.fileExists(atPath: journal), "no journal next to the partial file")

        // Scribble over the middle of the HDF5 file and cut the journal inside its last record.
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: partial))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data(repeating: 0xAB, count: 4096))
        try handle.close()
        let journalHandle = try XCTUnwrap(FileHandle(forUpdatingAtPath: journal))
        let journalSize = try journalHandle.seekToEnd()
        try journalHandle.truncate(atOffset: journalSize - 7)
        try journalHandle.close()

        try succeed(CLI.tinyRun(sequences: sequences, output: output, options + ["--resume"]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: journal), "the journal must go once the run is complete")
        XCTAssertTrue(try RunContents(URL(fileURLWithPath: output)) == RunContents(URL(fileURLWithPath: reference)))
        let (a, b) = (try RunFile(contentsOf: URL(fileURLWithPath: output)), try RunFile(contentsOf: URL(fileURLWithPath: reference)))
        XCTAssertEqual(try a.read("attention/P", as: Float.self), try b.read("attention/P", as: Float.self), "recomputed dumps differ")
        XCTAssertEqual(try a.aggregate(), try b.aggregate())
    }
}
