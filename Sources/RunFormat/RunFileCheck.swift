import Foundation
import HDF5Store
import SpectrumMetrics

/// Reads a run file from elsewhere in a child process first, because libhdf5 is not safe on it.
///
/// libhdf5 1.10 (the newest Debian 12 ships) segfaults on some damaged files and loops forever on
/// others, inside the C library, where no Swift check can help. A tool about to read a file it did
/// not write in this process calls ``validate(_:timeout:)``: the tool re-executes itself with
/// ``childVariable`` naming the file, the child (``runChildIfRequested()``, the first statement of
/// `main`) opens the file and walks everything a reader reads, and exits. A crash or a time-out there
/// becomes ``AnalysisError/corruptRunFile(path:reason:)``; errors the child meets as typed Swift
/// errors are not its business: the parent meets them again, with their own message.
public enum RunFileCheck {
    /// The environment variable that turns a tool process into a check child.
    public static let childVariable = "SPECTRUM_RUN_FILE_CHECK"

    /// If this process is a check child, walks the file named by ``childVariable`` and exits 0
    /// (whatever typed errors the walk met); otherwise returns at once.
    public static func runChildIfRequested() {
        guard let path = ProcessInfo.processInfo.environment[childVariable] else { return }
        walk(URL(fileURLWithPath: path))
        exit(0)
    }

    /// Everything a reader of the file does: metadata, every dataset the schema declares (attention
    /// one layer of one sequence at a time), aggregates, records and the summary.
    static func walk(_ url: URL) {
        guard let run = try? RunFile(contentsOf: url) else { return }
        let m = run.metadata
        for dataset in run.schema.datasets where (try? run.contains(dataset.path)) == true {
            switch dataset.type {
            case .int32: _ = try? run.read(dataset.path, as: Int32.self)
            case .int64: _ = try? run.read(dataset.path, as: Int64.self)
            case .float64: _ = try? run.read(dataset.path, as: Double.self)
            case .float32, .float16:
                guard let file = try? File.open(url.path, mode: .readOnly), let tensor = try? file.openDataset(dataset.path),
                      let shape = try? tensor.shape, shape.count == 5 else { continue }
                for row in 0..<min(shape[0], m.dumpedRows(of: run.sequenceCount)) {
                    for layer in 0..<min(shape[1], m.layers) {
                        _ = try? tensor.read(start: [row, layer, 0, 0, 0], count: [1, 1, shape[2], shape[3], shape[4]], as: Float.self)
                    }
                }
            }
        }
        _ = try? run.aggregate()
        _ = try? run.projectionAggregate()
        _ = try? run.records()
        _ = try? run.summary(k: max(1, m.sequenceLength / 4))
    }

    /// Walks `url` in a child process (this executable re-executed, or `executable`: a tool that calls
    /// ``runChildIfRequested()``) and throws if the child crashes or exceeds `timeout` seconds
    /// (default: 30 s plus 1 s per 50 MB of file).
    /// - Throws: ``AnalysisError/corruptRunFile(path:reason:)``, or `.runFile` when the check
    ///   itself cannot start.
    public static func validate(_ url: URL, timeout: TimeInterval? = nil, executable: URL? = nil) throws(AnalysisError) {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw .runFile(path: path, reason: "no such file") }
        // A truncated file is refused with its own message before any process is started.
        try RunFileProbe.checkLength(path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let limit = timeout ?? 30 + Double(size) / 50e6
        let process = Process()
        let program = executable ?? selfExecutable
        process.executableURL = program
        process.arguments = []
        var environment = ProcessInfo.processInfo.environment
        environment[childVariable] = url.standardizedFileURL.path
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw .runFile(path: path, reason: "cannot start the check of it (\(program.path)): \(error.localizedDescription)")
        }
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw .corruptRunFile(path: path, reason: "libhdf5 did not finish reading it within \(Int(limit)) s (a damaged file can make it loop forever)")
        }
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal {
            let signal = process.terminationStatus
            let name = signal == SIGSEGV ? "SIGSEGV" : signal == SIGBUS ? "SIGBUS" : signal == SIGABRT ? "SIGABRT" : "signal \(signal)"
            throw .corruptRunFile(path: path, reason: "libhdf5 crashed reading it (\(name)); the file is damaged")
        }
        guard process.terminationStatus == 0 else {
            throw .corruptRunFile(path: path, reason: "reading it failed in the check process (exit \(process.terminationStatus))")
        }
    }

    /// This process's executable (Linux: `/proc/self/exe`, resolved so the child is the same binary).
    static var selfExecutable: URL {
        #if os(Linux)
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: resolved)
        }
        #endif
        return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }
}
