import Foundation
import XCTest
@_exported import TestSupport
import SpectrumAnalysis
#if canImport(Glibc)
import Glibc
#endif

/// What a finished process left behind.
struct ToolResult {
    /// Exit status, or the signal number when `signaled`.
    var status: Int32
    /// Whether the process died of a signal.
    var signaled: Bool
    var stdout: String
    var stderr: String
}

/// Paths and process helpers shared by the CLI tests.
enum CLI {
    static let testsDirectory = SharedTestPaths.testsDirectory
    static let repositoryRoot = SharedTestPaths.repositoryRoot
    static let tinyModel = SharedTestPaths.tinyRoberta
    static let analysisFixtures = SharedTestPaths.fixtures.appendingPathComponent("analysis")
    static var realModel: URL { SharedTestPaths.realModel }
    static var corpus: URL { SharedTestPaths.corpus }
    static var python: URL { SharedTestPaths.python }

    private static func environmentURL(_ name: String) -> URL? { SharedTestPaths.environmentURL(name) }

    /// The built `spectrum-analyze`: `SPECTRUM_ANALYZE` if set, else next to the running test bundle
    /// (SwiftPM puts executables and the `.xctest` into one products folder), else `.build/debug`
    /// of this checkout.
    static func binary(_ name: String = "spectrum-analyze") throws -> URL {
        var candidates: [URL] = []
        if name == "spectrum-analyze", let explicit = environmentURL("SPECTRUM_ANALYZE") { candidates.append(explicit) }
        for bundle in [Bundle.main] + Bundle.allBundles {
            for url in [bundle.executableURL, bundle.bundleURL].compactMap({ $0 }) {
                // Linux: …/debug/X.xctest; macOS: …/debug/X.xctest/Contents/MacOS/X.
                var folder = url.deletingLastPathComponent()
                for _ in 0..<4 {
                    candidates.append(folder.appendingPathComponent(name))
                    folder = folder.deletingLastPathComponent()
                }
            }
        }
        if let argument = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: argument).deletingLastPathComponent().appendingPathComponent(name))
        }
        candidates.append(repositoryRoot.appendingPathComponent(".build/debug/\(name)"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        XCTFail("\(name) was not found next to the test bundle (looked in \(Set(candidates.map(\.path)).sorted())); run `swift build` first")
        throw CocoaError(.fileNoSuchFile)
    }

    /// Fails (never skips) when the real model or corpus is missing: `make test` always fetches them.
    static func requireRealData(file: StaticString = #filePath, line: UInt = #line) throws {
        try SharedTestPaths.requireRealData(file: file, line: line)
    }

    /// Starts `executable arguments…` in `directory`, stdout and stderr going to files there
    /// (files, not pipes, so a chatty child can never block on a full pipe).
    static func start(_ executable: URL, _ arguments: [String], in directory: URL) throws -> RunningTool {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let name = UUID().uuidString
        let out = directory.appendingPathComponent("\(name).stdout"), err = directory.appendingPathComponent("\(name).stderr")
        guard FileManager.default.createFile(atPath: out.path, contents: nil),
              FileManager.default.createFile(atPath: err.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: directory.path])
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return RunningTool(process: process, stdoutURL: out, stderrURL: err)
    }

    /// Runs `spectrum-analyze arguments…` to completion (killed after `timeout` seconds).
    static func analyze(_ arguments: [String], in directory: URL, timeout: TimeInterval = 180) throws -> ToolResult {
        try start(try binary(), arguments, in: directory).wait(timeout: timeout)
    }

    /// Runs a Python script with `$SPECTRUM_PYTHON`; `arguments` become `sys.argv[1:]`.
    static func runPython(_ script: String, _ arguments: [String], in directory: URL) throws -> ToolResult {
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            XCTFail("no Python with h5py at \(python.path): set SPECTRUM_PYTHON or run `make setup`")
            throw CocoaError(.fileNoSuchFile)
        }
        let scriptURL = directory.appendingPathComponent("check-\(UUID().uuidString).py")
        try Data(script.utf8).write(to: scriptURL)
        return try start(python, [scriptURL.path] + arguments, in: directory).wait(timeout: 120)
    }

    /// A `run` on the tiny model with short sequences.
    static func tinyRun(sequences: Int, output: String, sequenceLength: Int = 64, _ extra: [String] = []) -> [String] {
        ["run", "--model", tinyModel.path, "--corpus", corpus.path, "--seq-len", String(sequenceLength),
         "--sequences", String(sequences), "--threads", "2", "--quiet", "-o", output] + extra
    }
}

/// A started process.
struct RunningTool {
    let process: Process
    let stdoutURL: URL
    let stderrURL: URL

    /// Waits for the exit (SIGKILLs the process after `timeout` seconds and records a failure).
    func wait(timeout: TimeInterval) throws -> ToolResult {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                send(SIGKILL)
                XCTFail("\(process.executableURL?.lastPathComponent ?? "process") \(process.arguments ?? []) did not finish within \(timeout) s")
                break
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        let stdout = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: stdoutURL)
        try? FileManager.default.removeItem(at: stderrURL)
        return ToolResult(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                          stdout: stdout, stderr: stderr)
    }

    /// Polls stderr until it contains `text`; false when the process ended or `timeout` seconds passed first.
    @discardableResult
    func waitForStderr(containing text: String, timeout: TimeInterval = 120) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            if let written = try? String(contentsOf: stderrURL, encoding: .utf8), written.contains(text) { return true }
            usleep(1_000)
        }
        return false
    }

    /// Sends `signal` to this process (by its id).
    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }
}

/// Base class: a temporary working folder per test and exit-status assertions.
class CLITestCase: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// A path inside the test's folder.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Asserts a clean exit 0 and returns the result.
    @discardableResult
    func succeed(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> ToolResult {
        let result = try CLI.analyze(arguments, in: directory)
        XCTAssertFalse(result.signaled, "killed by signal \(result.status)", file: file, line: line)
        XCTAssertEqual(result.status, 0, "spectrum-analyze \(arguments.joined(separator: " ")) failed:\n\(result.stderr)", file: file, line: line)
        return result
    }

    /// Asserts exit `status` with every `fragment` in the error message: stderr from the first line
    /// starting with `error:` (the tool) or `Error:` (argument parsing), so progress notes that echo
    /// the paths cannot satisfy the check.
    @discardableResult
    func fail(_ arguments: [String], status: Int32, mentioning fragments: [String],
              file: StaticString = #filePath, line: UInt = #line) throws -> ToolResult {
        let result = try CLI.analyze(arguments, in: directory)
        XCTAssertFalse(result.signaled, "crashed with signal \(result.status): \(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.status, status, "spectrum-analyze \(arguments.joined(separator: " ")):\n\(result.stderr)", file: file, line: line)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        let start = lines.firstIndex { $0.hasPrefix("error:") || $0.hasPrefix("Error:") }
        XCTAssertNotNil(start, "no error message on stderr:\n\(result.stderr)", file: file, line: line)
        let message = lines[(start ?? lines.endIndex)...].joined(separator: "\n")
        for fragment in fragments {
            XCTAssertTrue(message.contains(fragment), "error message lacks '\(fragment)':\n\(result.stderr)", file: file, line: line)
        }
        return result
    }
}

/// Per-sequence contents of a run file, for comparing runs bit for bit.
struct RunContents: Equatable {
    var inputIds: [Int32], windows: [Int64], byteRanges: [Int64]
    var sigma: [Double], k90: [Int32], k95: [Int32], k99: [Int32], entropy: [Double], stable: [Double]
    var projection: [String: [Double]]

    static let projectionPaths = [
        "theorem1/mean", "theorem1/median", "theorem1/p95", "theorem1/max", "theorem1/fraction_below",
        "svd_optimal/mean", "svd_optimal/median", "svd_optimal/p95", "svd_optimal/max",
        "theorem2/relative", "theorem2/row_mean", "theorem2/row_max",
        "pooling/relative", "pooling/row_mean", "pooling/row_max",
    ]

    init(_ url: URL) throws {
        let run = try RunFile(contentsOf: url)
        inputIds = try run.read("tokens/input_ids")
        windows = try run.read("tokens/window_index")
        byteRanges = try run.read("tokens/byte_range")
        sigma = try run.read("spectrum/sigma")
        k90 = try run.read("spectrum/k90")
        k95 = try run.read("spectrum/k95")
        k99 = try run.read("spectrum/k99")
        entropy = try run.read("spectrum/entropy_rank")
        stable = try run.read("spectrum/stable_rank")
        projection = [:]
        if run.metadata.projection != nil {
            for name in Self.projectionPaths { projection[name] = try run.read("projection/\(name)") }
        }
    }

    /// Bitwise equality, NaN equal to NaN (projection statistics hold NaN for skipped k).
    static func == (a: RunContents, b: RunContents) -> Bool {
        func same(_ x: [Double], _ y: [Double]) -> Bool {
            x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
        }
        return a.inputIds == b.inputIds && a.windows == b.windows && a.byteRanges == b.byteRanges
            && same(a.sigma, b.sigma) && a.k90 == b.k90 && a.k95 == b.k95 && a.k99 == b.k99
            && same(a.entropy, b.entropy) && same(a.stable, b.stable)
            && a.projection.keys.sorted() == b.projection.keys.sorted()
            && a.projection.allSatisfy { same($0.value, b.projection[$0.key] ?? []) }
    }
}
