import Foundation
import LinearAlgebra
import Transformer

/// Runs the per-head work (spectrum, projection checks) on a bounded pool of worker threads.
///
/// Each worker owns a ``SingularValueSolver`` (LAPACK workspaces are not shared), and OpenBLAS runs
/// single-threaded inside each job: on few cores, independent heads in parallel beat one
/// multi-threaded LAPACK call. At most `2 × layers × heads` jobs are queued, which bounds memory to
/// about two sequences of attention while letting the encoder run ahead by one sequence.
final class HeadJobs: @unchecked Sendable {
    private let queue: OperationQueue
    private let slots: DispatchSemaphore
    private let solvers: SolverPool
    let n: Int
    let checker: ProjectionChecker?

    /// - Parameters:
    ///   - threads: concurrent jobs.
    ///   - queueLimit: jobs queued or running before ``submit(_:)`` blocks.
    init(threads: Int, queueLimit: Int, n: Int, checker: ProjectionChecker?) {
        queue = OperationQueue()
        queue.maxConcurrentOperationCount = threads
        queue.name = "spectrum.heads"
        slots = DispatchSemaphore(value: max(queueLimit, threads))
        solvers = SolverPool(n: n)
        self.n = n
        self.checker = checker
    }

    /// Blocks until every queued job has run (used before giving up on a failed run).
    func waitUntilFinished() { queue.waitUntilAllOperationsAreFinished() }

    /// Queues the spectra (and projection checks) of every head of one layer.
    /// - Parameters:
    ///   - attention: the layer's P (and Q, K, V when projections are on).
    ///   - draws: the window's random matrices (projections only).
    func submit(_ attention: LayerAttention, into result: SequenceResult, group: DispatchGroup,
                draws: [[Matrix<Double>]], context: String) {
        for head in 0..<attention.heads {
            slots.wait()
            group.enter()
            queue.addOperation { [self] in
                defer {
                    slots.signal()
                    group.leave()
                }
                do {
                    try run(head: head, of: attention, into: result, draws: draws, context: "\(context), layer \(attention.layer), head \(head)")
                } catch let error as AnalysisError {
                    result.fail(error)
                } catch {
                    result.fail(.stage("\(context), layer \(attention.layer), head \(head)", underlying: String(describing: error)))
                }
            }
        }
    }

    private func run(head: Int, of attention: LayerAttention, into result: SequenceResult,
                     draws: [[Matrix<Double>]], context: String) throws {
        let n = attention.sequenceLength, block = n * n
        let sigma = try attention.probabilities.withUnsafeBufferPointer { all in
            let p = UnsafeBufferPointer(rebasing: all[head * block ..< (head + 1) * block])
            return try solvers.withSolver { try $0.singularValues(of: p, rows: n, columns: n) }
        }
        let spectrum = try HeadSpectrum(sigma: sigma, context: context)
        result.store(spectrum, layer: attention.layer, head: head)

        guard let checker, let q = attention.queries, let k = attention.keys, let v = attention.values else { return }
        let d = attention.headDimension, width = n * d
        // Grouped-query attention: K and V are per key-value head.
        let g = attention.keyValueHead(forQueryHead: head)
        let p = Array(attention.probabilities[head * block ..< (head + 1) * block])
        let decomposition = try Matrix(rows: n, columns: n, storage: p).gramSingularVectors()
        let tensors = HeadTensors(p: p, q: Array(q[head * width ..< (head + 1) * width]),
                                  k: Array(k[g * width ..< (g + 1) * width]),
                                  v: Array(v[g * width ..< (g + 1) * width]), n: n, d: d)
        let errors = try checker.check(head: tensors, sigma: decomposition.sigma, vt: decomposition.vt, draws: draws)
        result.store(errors, layer: attention.layer, head: head)
    }
}

/// Reusable LAPACK workspaces, one per concurrently running job.
final class SolverPool: @unchecked Sendable {
    private var idle: [SingularValueSolver] = []
    private let lock = NSLock()
    private let n: Int

    init(n: Int) { self.n = n }

    /// Runs `body` with a solver no other thread is using.
    func withSolver<T>(_ body: (SingularValueSolver) throws -> T) rethrows -> T {
        lock.lock()
        let solver = idle.popLast() ?? SingularValueSolver(maxRows: n, maxColumns: n)
        lock.unlock()
        defer {
            lock.lock()
            idle.append(solver)
            lock.unlock()
        }
        return try body(solver)
    }
}
