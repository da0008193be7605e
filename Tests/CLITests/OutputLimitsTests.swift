import Foundation
import XCTest
import TestSupport

/// Disk full (`ulimit -f`) and a read-only output folder: the tool stops with a message naming the
/// file, and outputs of earlier runs stay intact. Runs the built `spectrum-analyze` on the tiny
/// RoBERTa fixture; each test takes a few seconds.
final class OutputLimitsTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    private static let tinyRoberta = root.appendingPathComponent("Fixtures/transformer/tiny-roberta")

    /// `spectrum-analyze` next to the test bundle (`swift test` builds every product).
    private static var binary: URL {
        // Linux: the bundle is the products folder itself; macOS: the `.xctest` inside it.
        let bundle = Bundle(for: OutputLimitsTests.self).bundleURL
        let products = bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
        return products.appendingPathComponent("spectrum-analyze")
    }

    private var directory: URL!
    private var corpus: URL!

    override func setUpWithError() throws {
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("output-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // World-readable: the read-only test may run the tool as an unprivileged user.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        corpus = directory.appendingPathComponent("corpus.txt")
        let text = (0..<400).map { "Line \($0): attention matrices of trained encoders are close to low rank." }
        try Data(text.joined(separator: "\n").utf8).write(to: corpus)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build spectrum-analyze first: \(Self.binary.path)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `/bin/sh -c script` with `$TOOL` set to the binary; returns exit status and stderr.
    private func shell(_ script: String) throws -> (status: Int32, stderr: String) {
        let result = try runSubprocess("/bin/sh", ["-c", script], environment: ["TOOL": Self.binary.path, "OPENBLAS_NUM_THREADS": "1"])
        return (result.status, result.errors)
    }

    private func runArguments(output: URL) -> String {
        "run --model '\(Self.tinyRoberta.path)' --corpus '\(corpus.path)' --output '\(output.path)' --force --quiet "
            + "--seq-len 64 --sequences 8 --dump-attention all --no-projection --threads 1"
    }

    /// An earlier run's file, written without limits.
    private func earlierRun(at url: URL) throws -> Data {
        let result = try shell("exec \"$TOOL\" \(runArguments(output: url))")
        XCTAssertEqual(result.status, 0, result.stderr)
        return try Data(contentsOf: url)
    }

    func testFileSizeLimitStopsWithAMessageAndKeepsTheEarlierOutput() throws {
        let output = directory.appendingPathComponent("run.h5")
        let before = try earlierRun(at: output)
        XCTAssertGreaterThan(before.count, 200 * 512, "the run must be larger than the limit")
        // 200 blocks of 512 bytes: P of 8 sequences (≈ 1 MB) does not fit.
        let result = try shell("ulimit -f 200; exec \"$TOOL\" \(runArguments(output: output))")
        // The ThreadSanitizer runtime itself dies with SIGBUS at start-up under a file-size limit
        // (even for --version), before any code of the tool runs.
        if result.stderr.contains("ThreadSanitizer: BUS") {
            throw XCTSkip("the TSan runtime cannot start under ulimit -f; covered by the plain and ASan runs")
        }
        XCTAssertEqual(result.status, 1, "expected a clean error exit, not a signal: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("error:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("run.h5.partial"), "the message names the file: \(result.stderr)")
        XCTAssertEqual(try Data(contentsOf: output), before, "the earlier output is untouched")
    }

    func testReadOnlyFolderStopsWithAMessageAndKeepsTheEarlierOutput() throws {
        let output = directory.appendingPathComponent("run.h5")
        let before = try earlierRun(at: output)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory.path)
        // root ignores permissions, so drop to `nobody` where possible.
        let prefix = getuid() == 0 ? "exec setpriv --reuid=65534 --regid=65534 --clear-groups" : "exec"
        let result = try shell("\(prefix) \"$TOOL\" \(runArguments(output: output))")
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("error:") && result.stderr.contains("not writable"), result.stderr)
        XCTAssertEqual(try Data(contentsOf: output), before, "the earlier output is untouched")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path + ".partial"))
    }

    func testAbsurdSequenceLengthIsRefusedWithoutAllocating() throws {
        let result = try shell("exec \"$TOOL\" run --model '\(Self.tinyRoberta.path)' --corpus '\(corpus.path)' "
                               + "--output '\(directory.path)/x.h5' --seq-len 1000000000")
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--seq-len 1000000000 is absurdly large"), result.stderr)
    }
}
