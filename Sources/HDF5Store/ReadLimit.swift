import Foundation

/// The largest single read ``Dataset`` performs, in bytes.
///
/// Dataset extents come from the file, so a corrupt or hostile file can claim 10¹⁵ elements; reads
/// are checked against this limit before any buffer is allocated and fail with
/// ``HDF5Error/invalidArgument(operation:file:object:reason:)`` instead. The default is the
/// machine's physical memory (a larger read cannot succeed anyway); tools and fuzzers may lower it.
public enum HDF5ReadLimit {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var storage = Int(clamping: ProcessInfo.processInfo.physicalMemory)

    /// Current limit in bytes (thread-safe).
    public static var maximumBytes: Int {
        get { lock.withLock { storage } }
        set { lock.withLock { storage = max(0, newValue) } }
    }
}
