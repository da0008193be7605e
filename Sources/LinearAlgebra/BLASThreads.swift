import CLinearAlgebra
import Foundation

extension BLAS {
    /// OpenBLAS's current thread count for this process.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` with OpenBLAS on one thread and then restores the caller's thread count.
    ///
    /// The pipeline runs one head per core on single-threaded BLAS instead of one multi-threaded call
    /// (better on few cores), and a multi-threaded call could round differently, so results would
    /// depend on the machine's core count. Scopes may overlap (two runs in one process): the first to
    /// enter saves the caller's count, the last to leave restores it.
    public static func singleThreaded<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        SingleThreadScope.shared.enter()
        defer { SingleThreadScope.shared.leave() }
        return try body()
    }
}

/// The process-wide depth of ``BLAS/singleThreaded(_:)`` scopes and the count to restore.
private final class SingleThreadScope: @unchecked Sendable {
    static let shared = SingleThreadScope()
    private let lock = NSLock()
    private var depth = 0
    private var saved = 1

    func enter() {
        lock.lock()
        defer { lock.unlock() }
        if depth == 0 { saved = BLAS.threadCount }
        depth += 1
        BLAS.setThreadCount(1)
    }

    func leave() {
        lock.lock()
        defer { lock.unlock() }
        depth -= 1
        if depth == 0 { BLAS.setThreadCount(saved) }
    }
}
