import Foundation

/// Helpers shared by every fuzz target (compiled into each fuzzer binary).
///
/// Parsers that open files (safetensors is memory-mapped, the corpus reader picks a decoder from the
/// name, HDF5 opens a path) are fuzzed through a real file: each input is written to a scratch file
/// in a per-process directory, so the whole reading path runs, not only its in-memory core.
enum FuzzScratch {
    /// A directory private to this fuzzer process (libFuzzer's `-fork`/`-jobs` run several at once).
    static let directory: URL = {
        let shm = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let base = ProcessInfo.processInfo.environment["FUZZ_SCRATCH"] ?? shm
        let url = URL(fileURLWithPath: base).appendingPathComponent("spectrum-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes `size` bytes at `data` to `name` inside the scratch directory and returns its URL.
    /// Plain `open`/`write`: `FileManager.createFile` writes atomically (temporary file, rename,
    /// sync), which made every execution a hundred times slower.
    static func write(_ data: UnsafePointer<UInt8>, _ size: Int, name: String) -> URL {
        let url = directory.appendingPathComponent(name)
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var written = 0
        while descriptor >= 0 && written < size {
            let count = Foundation.write(descriptor, data + written, size - written)
            if count <= 0 { break }
            written += count
        }
        if descriptor >= 0 { close(descriptor) }
        // A failed write would make the run meaningless, so it stops the fuzzer loudly.
        guard descriptor >= 0, written == size else {
            FileHandle.standardError.write(Data("fuzz: cannot write scratch file \(url.path)\n".utf8))
            exit(2)
        }
        return url
    }
}
