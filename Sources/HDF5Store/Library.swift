import CHDF5
import Foundation

// Thread safety. HDF5 1.10 is thread-safe only when built with --enable-threadsafe (Debian's
// package is, Homebrew's and most source builds are not). Every call into the C library from this
// module therefore runs under one process-wide recursive lock: the lock makes even a
// non-thread-safe build safe to call from several threads, at the cost of serialising them
// (which the thread-safe build does internally anyway). The lock is recursive because public
// operations compose (e.g. `Group.requireGroup` calls `openGroup` or `createGroup`).
//
// Still, use a File and the objects opened from it from one thread at a time: the lock makes each
// call atomic, not a sequence of calls (another thread could extend a dataset between your
// `shape` query and your `write`).
private let libraryLock = NSRecursiveLock()

// Runs once, on first use: opens the library and switches off HDF5's automatic printing of error
// stacks to stderr, because every failure is instead returned as a thrown `HDF5Error` that carries
// the stack's text.
//
// `H5dont_atexit` (before `H5open`): HDF5's exit handler closes every file still open, and after a
// failed write (disk full, `ulimit -f`) `H5Fclose` has already failed once and the retry at exit
// segfaults inside libhdf5 1.10.8, turning a clean error exit into a crash. Files this package
// opens are closed by their owners' `deinit`; one left open by a failure is what a kill leaves too.
private let libraryInitialized: Bool = {
    guard H5dont_atexit() >= 0, H5open() >= 0 else { return false }
    return H5Eset_auto2(chdf5_e_default(), nil, nil) >= 0
}()

/// Runs `body` while holding the process-wide HDF5 lock, after making sure the library is
/// initialised. Every public entry point of this module goes through here.
func withHDF5<T>(_ body: () throws -> T) rethrows -> T {
    libraryLock.lock()
    defer { libraryLock.unlock() }
    _ = libraryInitialized
    return try body()
}

/// Where an operation happens, for error messages: the file path and the absolute object path.
struct Site: Sendable {
    let file: String
    let object: String

    /// The same file, another object.
    func with(object: String) -> Site { Site(file: file, object: object) }

    /// The error for a failed C call, carrying HDF5's own error stack.
    func failure(_ operation: String) -> HDF5Error {
        .library(operation: operation, file: file, object: object, stack: ErrorStack.takeCurrent())
    }

    func invalid(_ operation: String, _ reason: String) -> HDF5Error {
        .invalidArgument(operation: operation, file: file, object: object, reason: reason)
    }

    /// Throws for a negative `herr_t`.
    func check(_ status: herr_t, _ operation: String) throws {
        if status < 0 { throw failure(operation) }
    }

    /// Converts an `htri_t` (negative = error, 0 = false, positive = true).
    func truth(_ status: htri_t, _ operation: String) throws -> Bool {
        if status < 0 { throw failure(operation) }
        return status > 0
    }

    /// Wraps a freshly returned identifier in an owning handle, or throws if it is negative.
    /// Wrapping immediately is what guarantees identifiers are released on every error path.
    func own(_ id: hid_t, _ kind: Handle.Kind, _ operation: String) throws -> Handle {
        if id < 0 { throw failure(operation) }
        return Handle(id: id, kind: kind)
    }
}

/// Reads HDF5's per-thread error stack as text. Must run right after the failing call, under the
/// library lock, before any other API call clears the stack.
enum ErrorStack {
    private struct Entry {
        var function: String
        var description: String
        var major: hid_t
        var minor: hid_t
    }

    static func takeCurrent() -> String {
        var entries: [Entry] = []
        // Only copy fields inside the callback: calling other HDF5 functions while walking could
        // modify the stack being walked.
        _ = withUnsafeMutablePointer(to: &entries) { pointer in
            H5Ewalk2(chdf5_e_default(), H5E_WALK_DOWNWARD, { _, error, context in
                guard let error, let context else { return 0 }
                let list = context.assumingMemoryBound(to: [Entry].self)
                list.pointee.append(Entry(
                    function: error.pointee.func_name.map { String(cString: $0) } ?? "?",
                    description: error.pointee.desc.map { String(cString: $0) } ?? "",
                    major: error.pointee.maj_num, minor: error.pointee.min_num))
                return 0
            }, pointer)
        }
        H5Eclear2(chdf5_e_default())
        if entries.isEmpty { return "no HDF5 error stack was recorded" }
        return entries.map { entry in
            var text = "\(entry.function)(): \(entry.description)"
            let major = message(entry.major), minor = message(entry.minor)
            if !major.isEmpty || !minor.isEmpty { text += " (\(major): \(minor))" }
            return text
        }.joined(separator: "; ")
    }

    private static func message(_ id: hid_t) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let length = H5Eget_msg(id, nil, &buffer, buffer.count)
        guard length > 0 else { return "" }
        return String(decoding: buffer.prefix(min(Int(length), buffer.count - 1)).map { UInt8(bitPattern: $0) },
                      as: UTF8.self)
    }
}

/// Splits an HDF5 path into components and resolves it against `base` (an absolute group path).
/// `"a/b"` under `/x` is `/x/a/b`; `"/a/b"` is absolute; empty and `.` components are ignored.
func resolvePath(_ path: String, relativeTo base: String) -> String {
    let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
    let baseParts = path.hasPrefix("/") ? [] : base.split(separator: "/").map(String.init)
    return "/" + (baseParts + parts).joined(separator: "/")
}
