import Foundation
import LinearAlgebra

/// Errors of the fitted fixed projection for one held-out head at one k.
public struct FittedProjectionResult: Sendable, Equatable {
    /// `‖P Π_k w − P w‖ / ‖P w‖` over the columns w of V, with `Π_k = U_k U_kᵀ`.
    public var projection: ErrorStatistics
    /// The Linformer form with `E = F = U_kᵀ`: `softmax(Q (U_kᵀ K)ᵀ / √d) (U_kᵀ V)` against `P V`.
    public var linformer: ApproximationError
}

/// The best fixed (input-independent) rank-k projection of a head, fitted on training windows and
/// measured on held-out ones.
///
/// Fit: `U_k` = the k leading eigenvectors of `G = Σ_train P_sᵀ P_s` (``GramSums``). Among all
/// rank-k orthogonal projections Π, `Π_k = U_k U_kᵀ` minimises `Σ_s ‖P_s Π − P_s‖_F²` over the
/// training windows, i.e. the error on an isotropic w; on held-out windows and the real V it is what
/// a trained Linformer projection can at most achieve without retraining the rest of the model.
/// Eigenvector signs follow ``SymmetricEigenbasis`` (they matter for the Linformer form only).
public struct FittedProjection: Sendable {
    /// Dimensions k evaluated (each ≤ n).
    public let projectionDimensions: [Int]
    /// Windows with `index % holdout == holdout − 1` are held out; the others train.
    public let holdout: Int

    /// Fitting and evaluation at `projectionDimensions` with every `holdout`-th window held out (`holdout ≥ 2`).
    public init(projectionDimensions: [Int], holdout: Int) {
        self.projectionDimensions = projectionDimensions
        self.holdout = holdout
    }

    /// Whether a window (by its index in the packed corpus) is held out.
    public func isHeldOut(window index: Int) -> Bool { index % holdout == holdout - 1 }

    /// The basis of one head: its `max(projectionDimensions)` leading eigenvectors as rows `[k_max, n]`.
    public func fit(_ gram: Matrix<Double>) throws(LinearAlgebraError) -> SymmetricEigenbasis {
        try SymmetricEigenbasis(of: gram, count: min(projectionDimensions.max() ?? 0, gram.rows))
    }

    /// Both errors at every k of ``projectionDimensions`` for a head given as arrays.
    public func evaluate(head: HeadTensors, basis: SymmetricEigenbasis) throws -> [FittedProjectionResult] {
        let (n, d) = (head.n, head.d)
        guard head.p.count == n * n, [head.q.count, head.k.count, head.v.count].allSatisfy({ $0 == n * d }) else {
            throw LinearAlgebraError.shapeMismatch("head tensors do not have the shapes P [\(n), \(n)], Q/K/V [\(n), \(d)]")
        }
        return try head.p.withUnsafeBufferPointer { p in
            try head.q.withUnsafeBufferPointer { q in
                try head.k.withUnsafeBufferPointer { k in
                    try head.v.withUnsafeBufferPointer { v in
                        guard let p = p.baseAddress, let q = q.baseAddress, let k = k.baseAddress, let v = v.baseAddress else { return [] }
                        return try evaluate(p: p, q: q, k: k, v: v, n: n, d: d, basis: basis, workspace: FittedProjectionWorkspace())
                    }
                }
            }
        }
    }

    /// Both errors at every k of ``projectionDimensions``.
    /// - Parameters:
    ///   - p: the held-out head's P, row-major `[n, n]` floats.
    ///   - q, k, v: its Q, K, V, row-major `[n, d]` floats.
    ///   - basis: ``fit(_:)`` of the head's Gram sum (at least `max(projectionDimensions)` rows of length n).
    ///   - workspace: buffers owned by the calling thread.
    /// - Throws: `.shapeMismatch` for a basis of the wrong size, `.nonFiniteInput` for NaN/±Inf in P.
    public func evaluate(p pFloat: UnsafePointer<Float>, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                         v: UnsafePointer<Float>, n: Int, d: Int, basis: SymmetricEigenbasis,
                         workspace w: FittedProjectionWorkspace) throws(LinearAlgebraError) -> [FittedProjectionResult] {
        let kMax = projectionDimensions.max() ?? 0
        guard basis.vectors.columns == n, basis.vectors.rows >= kMax, projectionDimensions.allSatisfy({ (1...n).contains($0) }) else {
            throw .shapeMismatch("a basis of \(basis.vectors.rows) vectors of length \(basis.vectors.columns) cannot give k = \(projectionDimensions) at n = \(n)")
        }
        let p = w.wide.reserve(n * n)
        var nonFinite = false
        for index in 0..<(n * n) {
            p[index] = Double(pFloat[index])
            nonFinite = nonFinite || !pFloat[index].isFinite
        }
        if nonFinite { throw .nonFiniteInput("the attention probabilities of a held-out head contain NaN or ±Inf") }
        let projection = w.projection
        let head = projection.load(q: q, k: k, v: v, n: n, d: d)
        // Stack [V | Π_k1 V | Π_k2 V …] so that P multiplies them all in one dgemm.
        let width = d * (1 + projectionDimensions.count)
        let stacked = projection.stacked.reserve(n * width), products = projection.products.reserve(n * width)
        let coefficients = projection.projectedValues.reserve(max(1, kMax * d))
        for row in 0..<n { (stacked + row * width).update(from: head.v + row * d, count: d) }
        return try basis.vectors.storage.withUnsafeBufferPointer { (u) throws(LinearAlgebraError) -> [FittedProjectionResult] in
            guard let u = u.baseAddress else { return [] }
            for (index, k) in projectionDimensions.enumerated() {
                BLAS.gemm(m: k, n: d, k: n, a: u, lda: n, b: head.v, ldb: d, c: coefficients, ldc: d)              // U_kᵀ V
                BLAS.gemm(transposeA: true, m: n, n: d, k: k, a: u, lda: n, b: coefficients, ldb: d,
                          c: stacked + (1 + index) * d, ldc: width)                                             // U_k U_kᵀ V
            }
            BLAS.gemm(m: n, n: width, k: n, a: p, lda: n, b: stacked, ldb: width, c: products, ldc: width)
            let columnNorms = (0..<d).map { j in ProjectionChecker.columnDistance(products, width: width, n: n, column: j, from: nil) }
            let linformer = try projection.linformerContext(p: p, head: head, reference: products, width: width, kernel: w.kernel)
            return projectionDimensions.enumerated().map { index, k in
                let errors = (0..<d).compactMap { j -> Double? in
                    guard columnNorms[j] > 0 else { return nil }
                    return ProjectionChecker.columnDistance(products, width: width, n: n, column: (1 + index) * d + j, from: j) / columnNorms[j]
                }
                return FittedProjectionResult(projection: ErrorStatistics(errors), linformer: linformer.linearProjection(e: u, k: k))
            }
        }
    }
}

/// Grow-only buffers for ``FittedProjection/evaluate(p:q:k:v:n:d:basis:workspace:)``, owned by one thread.
public final class FittedProjectionWorkspace {
    let wide = Workspace<Double>()
    let projection = ProjectionWorkspace()
    /// Only its small V-norm buffers are used.
    let kernel = HeadSpectralKernel()

    /// An empty workspace; buffers grow on first use.
    public init() {}
}
