import Foundation
import LinearAlgebra

/// Errors of the paper's projections for one head at one k: Theorem 1, the SVD floor, Theorem 2, pooling.
public struct HeadProjectionResult: Sendable, Equatable {
    /// Theorem 1 `‖P Rᵀ R w − P w‖ / ‖P w‖` over the columns w of V (all trials pooled).
    public var theorem1: ErrorStatistics
    /// Fraction of Theorem 1 errors below each ε, `[E]`.
    public var theorem1FractionBelow: [Double]
    /// `‖P_k w − P w‖ / ‖P w‖` with `P_k` the rank-k truncated SVD (Eckart–Young floor).
    public var svdOptimal: ErrorStatistics
    /// Theorem 2 (`E = δR`, `F = e^{−δ}R`), averaged over trials.
    public var theorem2: ApproximationError
    /// Mean pooling over k contiguous segments (`E = F`).
    public var pooling: ApproximationError
    /// Max pooling over the same segments (channel-wise maximum of K and V per segment).
    public var maxPooling: ApproximationError
}

/// Error of an approximate attention output `Ã` against `P V`.
public struct ApproximationError: Sendable, Equatable {
    /// `‖Ã − PV‖_F / ‖PV‖_F`.
    public var relative: Double
    /// Mean over rows i of `‖Ã_i − (PV)_i‖ / (‖p_i‖ ‖V‖₂)` (the paper's form; ‖V‖₂ the spectral norm).
    public var rowMean: Double
    /// Maximum over rows of the same.
    public var rowMax: Double
}

/// The inputs of one head: P `[n, n]`, Q, K, V `[n, d]` (row-major Float).
public struct HeadTensors: Sendable {
    /// Attention probabilities `[n, n]`.
    public var p: [Float]
    /// Queries `[n, d]` (after bias, before the 1/√d scaling).
    public var q: [Float]
    /// Keys `[n, d]`.
    public var k: [Float]
    /// Values `[n, d]`.
    public var v: [Float]
    /// Sequence length n.
    public var n: Int
    /// Head dimension d.
    public var d: Int

    /// Bundles one head's tensors; ``ProjectionChecker/check(head:draws:)`` checks the shapes.
    public init(p: [Float], q: [Float], k: [Float], v: [Float], n: Int, d: Int) {
        self.p = p; self.q = q; self.k = k; self.v = v; self.n = n; self.d = d
    }
}

/// Measures the paper's projections on one head, in double precision, with BLAS calls on the
/// grow-only buffers of a ``ProjectionWorkspace``:
///
/// - Theorem 1: for every draw R `[k, n]` and column w of V, `‖P Rᵀ R w − P w‖ / ‖P w‖`. All the
///   `Rᵀ R V` of a head and V itself are stacked into one `[n, d·(1 + draws)]` matrix so that P
///   multiplies them in a single `dgemm`.
/// - SVD floor: `‖(P − P_k) w‖ / ‖P w‖` from the head's tridiagonal reduction
///   (``HeadSpectralKernel/truncationTails(columns:count:ranks:into:)``), no second decomposition.
/// - Theorem 2, mean and max pooling: see ``ProjectionWorkspace``'s Linformer helper.
public struct ProjectionChecker: Sendable {
    /// Sequence length n.
    public let n: Int
    /// Dimensions k checked (all < n in runs; tests may use k = n).
    public let projectionDimensions: [Int]
    /// ε levels.
    public let epsilons: [Double]
    /// δ of Theorem 2.
    public let delta: Double
    /// Draws per k.
    public let trials: Int
    /// Whether Theorem 2 and pooling are computed; false for causal attention, where they do not
    /// apply (their E, F mix future positions into the past) and are reported as absent (NaN here,
    /// no dataset in the run file).
    public var linformerApplicable = true

    /// A checker for sequence length n with the given options.
    public init(sequenceLength n: Int, options: ProjectionOptions) {
        self.init(sequenceLength: n, projectionDimensions: options.effectiveProjectionDimensions(sequenceLength: n), epsilons: options.epsilons,
                  delta: options.effectiveDelta(sequenceLength: n), trials: max(1, options.trials))
    }

    /// A checker with explicit dimensions (tests use k = n, which runs never do).
    public init(sequenceLength n: Int, projectionDimensions: [Int], epsilons: [Double], delta: Double, trials: Int) {
        self.n = n
        self.projectionDimensions = projectionDimensions
        self.epsilons = epsilons
        self.delta = delta
        self.trials = trials
    }

    /// The random matrices of one window, shared by all its heads: `[projectionDimensions.count][trials]` matrices
    /// R `[k, n]` with N(0, 1/k) entries, drawn from the stream of (seed, window, k, trial) so every
    /// shard draws the same.
    public func draws(seed: UInt64, window: Int) -> [[Matrix<Double>]] {
        projectionDimensions.map { k in
            (0..<trials).map { trial in
                var generator = SeededGenerator.derived(seed: seed, UInt64(window), UInt64(k), UInt64(trial))
                var r = Matrix<Double>(rows: k, columns: n)
                r.storage = generator.gaussians(count: k * n, variance: 1 / Double(k))
                return r
            }
        }
    }

    /// All four errors for every k of ``projectionDimensions`` for a head given as arrays (a fresh kernel and
    /// workspace; the pipeline reuses pooled ones through the pointer form).
    public func check(head: HeadTensors, draws: [[Matrix<Double>]]) throws -> [HeadProjectionResult] {
        let (n, d) = (head.n, head.d)
        guard n == self.n, head.p.count == n * n, [head.q.count, head.k.count, head.v.count].allSatisfy({ $0 == n * d }) else {
            throw LinearAlgebraError.shapeMismatch("head tensors do not have the shapes P [\(self.n), \(self.n)], Q/K/V [\(self.n), \(head.d)]")
        }
        let kernel = HeadSpectralKernel(order: n)
        var sigma = [Double](repeating: 0, count: n)
        try head.p.withUnsafeBufferPointer { p in
            try sigma.withUnsafeMutableBufferPointer { try kernel.spectrum(of: p, into: $0) }
        }
        return try head.q.withUnsafeBufferPointer { q in
            try head.k.withUnsafeBufferPointer { k in
                try head.v.withUnsafeBufferPointer { v in
                    guard let q = q.baseAddress, let k = k.baseAddress, let v = v.baseAddress else { return [] }
                    return try check(kernel: kernel, q: q, k: k, v: v, d: d, draws: draws, workspace: ProjectionWorkspace())
                }
            }
        }
    }

    /// All four errors for every k of ``projectionDimensions``.
    /// - Parameters:
    ///   - kernel: a kernel whose last ``HeadSpectralKernel/spectrum(of:into:)`` was this head's P
    ///     (its double copy of P and its reduction are used).
    ///   - q, k, v: the head's Q, K, V, row-major `[n, d]` floats.
    ///   - draws: ``draws(seed:window:)`` of the head's window.
    ///   - workspace: buffers owned by the calling worker.
    public func check(kernel: HeadSpectralKernel, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                      v: UnsafePointer<Float>, d: Int, draws: [[Matrix<Double>]],
                      workspace w: ProjectionWorkspace) throws -> [HeadProjectionResult] {
        guard kernel.order == n else {
            throw LinearAlgebraError.shapeMismatch("the kernel holds a \(kernel.order)×\(kernel.order) P, the checker expects n = \(n)")
        }
        guard draws.count == projectionDimensions.count, zip(draws, projectionDimensions).allSatisfy({ pair in
            pair.0.count == trials && pair.0.allSatisfy { $0.rows == pair.1 && $0.columns == n }
        }) else {
            throw LinearAlgebraError.shapeMismatch("draws do not match \(projectionDimensions.count) dimensions × \(trials) trials of R [k, \(n)]")
        }
        let p = kernel.matrix
        let head = w.load(q: q, k: k, v: v, n: n, d: d)
        let width = d * (1 + projectionDimensions.count * trials)
        let stacked = w.stacked.reserve(n * width), products = w.products.reserve(n * width)
        let kMax = projectionDimensions.max() ?? 0
        let projectedValues = w.projectedValues.reserve(max(1, projectionDimensions.count * trials * kMax * d))
        for row in 0..<n { (stacked + row * width).update(from: head.v + row * d, count: d) }
        for (index, k) in projectionDimensions.enumerated() {
            for trial in 0..<trials {
                let block = index * trials + trial
                let rv = projectedValues + block * kMax * d
                draws[index][trial].storage.withUnsafeBufferPointer { r in
                    guard let r = r.baseAddress else { return }
                    BLAS.gemm(m: k, n: d, k: n, a: r, lda: n, b: head.v, ldb: d, c: rv, ldc: d)            // R V
                    BLAS.gemm(transposeA: true, m: n, n: d, k: k, a: r, lda: n, b: rv, ldb: d,
                              c: stacked + (1 + block) * d, ldc: width)                                // Rᵀ R V
                }
            }
        }
        BLAS.gemm(m: n, n: width, k: n, a: p, lda: n, b: stacked, ldb: width, c: products, ldc: width) // P [V | Rᵀ R V …]
        let columnNorms = (0..<d).map { j in Self.columnDistance(products, width: width, n: n, column: j, from: nil) }
        let tails = w.tails.reserve(projectionDimensions.count * d)
        try kernel.truncationTails(columns: head.v, count: d, ranks: projectionDimensions, into: tails)
        let linformer = try w.linformerContext(p: p, head: head, reference: products, width: width, kernel: kernel)

        var results: [HeadProjectionResult] = []
        for (index, k) in projectionDimensions.enumerated() {
            var errors: [Double] = []
            var theorem2: [ApproximationError] = []
            for trial in 0..<trials {
                let block = 1 + index * trials + trial
                for j in 0..<d where columnNorms[j] > 0 {
                    errors.append(Self.columnDistance(products, width: width, n: n, column: block * d + j, from: j) / columnNorms[j])
                }
                guard linformerApplicable else { continue }
                draws[index][trial].storage.withUnsafeBufferPointer { r in
                    guard let r = r.baseAddress else { return }
                    let rv = projectedValues + (index * trials + trial) * kMax * d
                    theorem2.append(linformer.randomProjection(r: r, k: k, rv: rv, delta: delta))
                }
            }
            let floor = (0..<d).compactMap { j -> Double? in
                columnNorms[j] > 0 ? tails[index * d + j].squareRoot() / columnNorms[j] : nil
            }
            results.append(HeadProjectionResult(
                theorem1: ErrorStatistics(errors),
                theorem1FractionBelow: epsilons.map { eps in Double(errors.filter { $0 < eps }.count) / Double(errors.count) },
                svdOptimal: ErrorStatistics(floor),
                theorem2: linformerApplicable ? Self.average(theorem2) : Self.absent,
                pooling: linformerApplicable ? linformer.meanPooling(k: k) : Self.absent,
                maxPooling: linformerApplicable ? linformer.maxPooling(k: k) : Self.absent))
        }
        return results
    }

    /// `‖m[:, column] − m[:, reference]‖` (or `‖m[:, column]‖` when `reference` is nil) of a
    /// row-major `[n, width]` matrix.
    static func columnDistance(_ m: UnsafePointer<Double>, width: Int, n: Int, column: Int, from reference: Int?) -> Double {
        var squared = 0.0
        for i in 0..<n {
            let difference = m[i * width + column] - (reference.map { m[i * width + $0] } ?? 0)
            squared += difference * difference
        }
        return squared.squareRoot()
    }

    /// A check that does not apply to this head.
    static let absent = ApproximationError(relative: .nan, rowMean: .nan, rowMax: .nan)

    static func average(_ errors: [ApproximationError]) -> ApproximationError {
        let count = Double(errors.count)
        return ApproximationError(relative: errors.map(\.relative).reduce(0, +) / count,
                                  rowMean: errors.map(\.rowMean).reduce(0, +) / count,
                                  rowMax: errors.map(\.rowMax).reduce(0, +) / count)
    }
}
