import Foundation

/// A finished child process: exit status and what it wrote.
public struct SubprocessResult: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    /// stdout as UTF-8 (invalid bytes replaced).
    public var output: String { String(decoding: stdout, as: UTF8.self) }
    /// stderr as UTF-8 (invalid bytes replaced).
    public var errors: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs `executable` with `arguments` to completion, capturing stdout and stderr: the one way the
/// test targets run gzip, Python and shell helpers. Both pipes are drained concurrently, so a child
/// that writes much to either never blocks.
/// - Parameter environment: extra variables on top of this process's environment.
public func runSubprocess(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> SubprocessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    nonisolated(unsafe) var errorData = Data()
    let drained = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        errorData = err.fileHandleForReading.readDataToEndOfFile()
        drained.signal()
    }
    let outputData = out.fileHandleForReading.readDataToEndOfFile()
    drained.wait()
    process.waitUntilExit()
    return SubprocessResult(status: process.terminationStatus, stdout: outputData, stderr: errorData)
}
