import Foundation
import LinearAlgebra
import Transformer

/// Runs the per-head work (spectrum, projection checks) on a bounded pool of worker threads.
///
/// Each worker owns a ``HeadSpectralKernel`` and projection buffers (LAPACK workspaces are not
/// shared), and OpenBLAS runs
/// single-threaded inside each job: on few cores, independent heads in parallel beat one
/// multi-threaded LAPACK call. At most `2 × layers × heads` jobs are queued, which bounds memory to
/// about two sequences of attention while letting the encoder run ahead by one sequence.
final class HeadJobs: @unchecked Sendable {
    private let queue: OperationQueue
    private let slots: DispatchSemaphore
    private let workers: HeadWorkerPool
    let n: Int
    let checker: ProjectionChecker?
    /// Gram sums of the fitted projection (training windows only); nil when it is off.
    let gram: GramSums?

    /// - Parameters:
    ///   - threads: concurrent jobs.
    ///   - queueLimit: jobs queued or running before ``submit(_:)`` blocks.
    init(threads: Int, queueLimit: Int, n: Int, checker: ProjectionChecker?, gram: GramSums? = nil) {
        queue = OperationQueue()
        queue.maxConcurrentOperationCount = threads
        queue.name = "spectrum.heads"
        slots = DispatchSemaphore(value: max(queueLimit, threads))
        workers = HeadWorkerPool(n: n)
        self.n = n
        self.checker = checker
        self.gram = gram
    }

    /// Blocks until every queued job has run (used before giving up on a failed run).
    func waitUntilFinished() { queue.waitUntilAllOperationsAreFinished() }

    /// Queues the spectra (and projection checks) of every head of one layer.
    /// - Parameters:
    ///   - attention: the layer's P (and Q, K, V when projections are on).
    ///   - draws: the window's random matrices (projections only).
    ///   - train: add the heads' `PᵀP` to ``gram`` (a training window of the fitted projection).
    func submit(_ attention: LayerAttention, into result: SequenceResult, group: DispatchGroup,
                draws: [[Matrix<Double>]], train: Bool = false, context: String) {
        for head in 0..<attention.heads {
            slots.wait()
            group.enter()
            queue.addOperation { [self] in
                defer {
                    slots.signal()
                    group.leave()
                }
                do {
                    try run(head: head, of: attention, into: result, draws: draws, train: train, context: "\(context), layer \(attention.layer), head \(head)")
                } catch let error as AnalysisError {
                    result.fail(error)
                } catch LinearAlgebraError.nonFiniteInput(let detail) {
                    // The kernel's widening pass is the one finiteness check of P on this path.
                    result.fail(.numeric("\(context), layer \(attention.layer), head \(head): attention probabilities: \(detail)"))
                } catch {
                    result.fail(.stage("\(context), layer \(attention.layer), head \(head)", underlying: String(describing: error)))
                }
            }
        }
    }

    private func run(head: Int, of attention: LayerAttention, into result: SequenceResult,
                     draws: [[Matrix<Double>]], train: Bool, context: String) throws {
        let n = attention.sequenceLength, block = n * n, d = attention.headDimension, width = n * d
        try workers.withWorker { worker in
            // A training window's Gram matrix PᵀP goes into the fit as the kernel forms it for σ.
            var gramFailure: AnalysisError?
            let sums = train ? gram : nil
            let observe: ((UnsafePointer<Double>) -> Void)? = sums.map { sums in
                { g in
                    do throws(AnalysisError) { try sums.add(upperGram: g, layer: attention.layer, head: head) } catch { gramFailure = error }
                }
            }
            try attention.probabilities.withUnsafeBufferPointer { all in
                let p = UnsafeBufferPointer(rebasing: all[head * block ..< (head + 1) * block])
                try worker.sigma.withUnsafeMutableBufferPointer { try worker.kernel.spectrum(of: p, into: $0, gram: observe) }
            }
            if let gramFailure { throw gramFailure }
            // The spectrum object is built once here and carried to the writer and the aggregates.
            result.store(try HeadSpectrum(sigma: worker.sigma, context: context), layer: attention.layer, head: head)

            guard let checker, let q = attention.queries, let k = attention.keys, let v = attention.values else { return }
            // Grouped-query attention: Q per query head, K and V per key-value head.
            let g = attention.keyValueHead(forQueryHead: head)
            guard q.count >= (head + 1) * width, k.count >= (g + 1) * width, v.count >= (g + 1) * width else {
                throw AnalysisError.numeric("\(context): Q, K or V holds fewer heads of [\(n), \(d)] than head \(head) needs")
            }
            let errors: [HeadProjectionResult] = try q.withUnsafeBufferPointer { q in
                try k.withUnsafeBufferPointer { k in
                    try v.withUnsafeBufferPointer { v in
                        guard let q = q.baseAddress, let k = k.baseAddress, let v = v.baseAddress else { return [] }
                        return try checker.check(kernel: worker.kernel, q: q + head * width, k: k + g * width,
                                                 v: v + g * width, d: d, draws: draws, workspace: worker.projection)
                    }
                }
            }
            result.store(errors, layer: attention.layer, head: head)
        }
    }
}

/// The per-worker state of head jobs: the spectral kernel, the projection buffers and σ, all
/// grow-only, so a worker allocates nothing after its first head except the results it hands on.
final class HeadWorker {
    let kernel: HeadSpectralKernel
    let projection = ProjectionWorkspace()
    var sigma: [Double]

    init(n: Int) {
        kernel = HeadSpectralKernel(order: n)
        sigma = [Double](repeating: 0, count: n)
    }
}

/// Reusable workers, one per concurrently running job.
final class HeadWorkerPool: @unchecked Sendable {
    private var idle: [HeadWorker] = []
    private let lock = NSLock()
    private let n: Int

    init(n: Int) { self.n = n }

    /// Runs `body` with a worker no other thread is using.
    func withWorker<T>(_ body: (HeadWorker) throws -> T) rethrows -> T {
        lock.lock()
        let worker = idle.popLast() ?? HeadWorker(n: n)
        lock.unlock()
        defer {
            lock.lock()
            idle.append(worker)
            lock.unlock()
        }
        return try body(worker)
    }
}
