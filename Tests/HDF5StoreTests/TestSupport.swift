import Foundation
import XCTest

/// The repository root, found from this file's location (Tests/HDF5StoreTests/TestSupport.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh directory for one test, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("HDF5StoreTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Result of running a subprocess to completion.
struct ProcessOutput {
    var status: Int32
    var output: String
}

/// Runs `executable` with `arguments`, capturing stdout and stderr together.
func runProcess(_ executable: String, _ arguments: [String]) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessOutput(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
}

/// `$SPECTRUM_PYTHON`, else the repository's `.venv/bin/python`, if it can import h5py and numpy.
func pythonWithH5py() throws -> String? {
    let candidate = ProcessInfo.processInfo.environment["SPECTRUM_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
        ?? repositoryRoot.appendingPathComponent(".venv/bin/python").path
    guard FileManager.default.isExecutableFile(atPath: candidate) else { return nil }
    let probe = try runProcess(candidate, ["-c", "import h5py, numpy"])
    return probe.status == 0 ? candidate : nil
}
