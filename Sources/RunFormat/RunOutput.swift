import Foundation
import SpectrumMetrics

/// The one write path of every tool that produces a run file (`run`, `extract`, `svd`, `merge`).
///
/// Work goes to `OUTPUT.partial`; ``commit(_:)`` flushes it to disk (`fsync`), renames it to `OUTPUT`
/// and flushes the folder, so a crash leaves either the old file or the complete new one. Before any
/// work ``check(force:resumable:)`` refuses what must not be overwritten:
/// - an output that is a folder (or a path ending in `/`), with or without `force`: replacing a folder
///   would delete whatever it holds;
/// - an existing output or partial file without `force`;
/// - with `force`, anything that is not a regular HDF5 file (a run file, or the remains of one).
public struct RunOutput: Sendable {
    /// The final location.
    public let url: URL
    /// `OUTPUT.partial`, where the file is written.
    public var partialURL: URL { URL(fileURLWithPath: url.path + ".partial") }
    /// `OUTPUT.partial.journal`, the resume log of `run` and `extract`.
    public var journalURL: URL { URL(fileURLWithPath: partialURL.path + ".journal") }

    /// An output at `url` (nothing is checked yet).
    public init(_ url: URL) { self.url = url }

    /// Checks that the output may be written, before any work starts.
    /// - Parameters:
    ///   - force: replace an existing run file or partial file.
    ///   - resumable: the caller can continue a partial file (`run`, `extract`), so the refusal of a
    ///     leftover partial suggests `resume` as well as `force`.
    ///   - replacingInput: the output is the input file itself (`svd` without `--output`), which is
    ///     replaced once the new file is complete; only the partial file is checked.
    /// - Throws: ``AnalysisError/outputExists(path:)`` or ``AnalysisError/runFile(path:reason:)`` naming
    ///   the path and what to do.
    public func check(force: Bool, resumable: Bool = false, replacingInput: Bool = false) throws(AnalysisError) {
        let path = url.path
        if url.hasDirectoryPath || path.hasSuffix("/") {
            throw .runFile(path: path, reason: "names a folder; give a file name such as \(path.hasSuffix("/") ? path : path + "/")run.h5")
        }
        let manager = FileManager.default
        let directory = url.deletingLastPathComponent().path
        // `isWritableFile` alone accepts a regular file in place of the folder (and everything for root).
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              manager.isWritableFile(atPath: directory) else {
            throw .runFile(path: path, reason: "the folder \(directory) does not exist or is not writable")
        }
        if !replacingInput { try Self.checkReplaceable(path, force: force) { .outputExists(path: path) } }
        try Self.checkReplaceable(partialURL.path, force: force) {
            .runFile(path: partialURL.path, reason: resumable
                ? "holds an unfinished run: pass \(Remedy.resume.marker) to continue it or \(Remedy.force.marker) to start over"
                : "is left from an interrupted run; pass \(Remedy.force.marker) to replace it")
        }
    }

    /// Refuses `path` when it exists and may not be replaced.
    private static func checkReplaceable(_ path: String, force: Bool, exists: () -> AnalysisError) throws(AnalysisError) {
        var isDirectory: ObjCBool = false
        // `lstat` semantics: a symbolic link is judged by itself, never followed into a folder.
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
            throw .runFile(path: path, reason: "exists but cannot be inspected; refusing to replace it")
        }
        let type = attributes[.type] as? FileAttributeType
        if type == .typeDirectory {
            throw .runFile(path: path, reason: "is a folder; refusing to replace it (with or without \(Remedy.force.marker))")
        }
        guard force else { throw exists() }
        guard type == .typeRegular else {
            throw .runFile(path: path, reason: "is not a regular file; refusing to replace it even with \(Remedy.force.marker)")
        }
        guard RunFileProbe.hasHDF5Signature(path) else {
            throw .runFile(path: path, reason: "is not an HDF5 run file; refusing to replace it even with \(Remedy.force.marker)")
        }
    }

    /// Removes a stale partial file and journal (after ``check(force:resumable:)`` allowed it).
    public func removeLeftovers() throws(AnalysisError) {
        let creating = URL(fileURLWithPath: partialURL.path + ".creating")   // see RunFileWriter.init(creating:)
        for leftover in [partialURL, journalURL, creating] where FileManager.default.fileExists(atPath: leftover.path) {
            do { try FileManager.default.removeItem(at: leftover) } catch {
                throw .runFile(path: leftover.path, reason: "cannot remove it: \(error.localizedDescription)")
            }
        }
    }

    /// Makes the closed partial file durable and gives it the final name: `fsync(partial)`,
    /// `rename(partial, output)` (atomic, replacing a previous output), `fsync(folder)`.
    public func commit() throws(AnalysisError) {
        try Self.synchronize(partialURL.path)
        guard rename(partialURL.path, url.path) == 0 else {
            throw .runFile(path: url.path, reason: "cannot rename \(partialURL.lastPathComponent) to it: \(String(cString: strerror(errno)))")
        }
        try Self.synchronize(url.deletingLastPathComponent().path)
    }

    /// `fsync` of a file or folder.
    private static func synchronize(_ path: String) throws(AnalysisError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .runFile(path: path, reason: "cannot open it to flush: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 || errno == EINVAL else {
            throw .runFile(path: path, reason: "cannot flush it to disk: \(String(cString: strerror(errno)))")
        }
    }
}
