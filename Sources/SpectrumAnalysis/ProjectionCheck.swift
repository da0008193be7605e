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

/// The inputs of one head: P `[n, n]`, Q, K, V `[n, d]` (row-major Float), and P's SVD pieces.
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

    /// Bundles one head's tensors; shapes are checked by the caller (the encoder guarantees them).
    public init(p: [Float], q: [Float], k: [Float], v: [Float], n: Int, d: Int) {
        self.p = p; self.q = q; self.k = k; self.v = v; self.n = n; self.d = d
    }
}

/// Measures the paper's projections on one head (DESIGN §4). All arithmetic is in double precision.
public struct ProjectionChecker: Sendable {
    /// Sequence length n.
    public let n: Int
    /// Dimensions k checked (all < n).
    public let dims: [Int]
    /// ε levels.
    public let epsilons: [Double]
    /// δ of Theorem 2.
    public let delta: Double
    /// Draws per k.
    public let trials: Int
    /// Whether Theorem 2 and pooling are computed; false for causal attention, where they do not
    /// apply (their E, F mix future positions into the past) and are reported as absent.
    public var linformerApplicable = true

    /// A checker for sequence length n with the given options.
    public init(n: Int, options: ProjectionOptions) {
        self.init(n: n, dims: options.effectiveDims(n: n), epsilons: options.epsilons,
                  delta: options.effectiveDelta(n: n), trials: max(1, options.trials))
    }

    /// A checker with explicit dimensions (tests use k = n, which runs never do).
    init(n: Int, dims: [Int], epsilons: [Double], delta: Double, trials: Int) {
        self.n = n
        self.dims = dims
        self.epsilons = epsilons
        self.delta = delta
        self.trials = trials
    }

    /// The random matrices of one window: `[dims.count][trials]` matrices R `[k, n]` with N(0, 1/k)
    /// entries, drawn from the stream of (seed, window, k, trial) so every shard draws the same.
    public func draws(seed: UInt64, window: Int) -> [[Matrix<Double>]] {
        dims.map { k in
            (0..<trials).map { trial in
                var generator = SeededGenerator.derived(seed: seed, UInt64(window), UInt64(k), UInt64(trial))
                let values = generator.gaussians(count: k * n, variance: 1 / Double(k))
                return (try? Matrix(rows: k, columns: n, storage: values)) ?? Matrix(rows: k, columns: n)
            }
        }
    }

    /// The mean-pooling matrix `[k, n]`: row s averages positions `⌊s·n/k⌋ ..< ⌊(s+1)·n/k⌋`.
    public func poolingMatrix(k: Int) -> Matrix<Double> {
        var m = Matrix<Double>(rows: k, columns: n)
        for s in 0..<k {
            let lower = s * n / k, upper = (s + 1) * n / k
            for t in lower..<upper { m[s, t] = 1 / Double(upper - lower) }
        }
        return m
    }

    /// All four errors for every k of ``dims``.
    /// - Parameters:
    ///   - head: P, Q, K, V of the head.
    ///   - sigma: singular values of P, descending, `[n]`.
    ///   - vt: right singular vectors of P as rows, `[n, n]` (`P = U Σ Vᵀ`).
    ///   - draws: ``draws(seed:window:)`` of this window.
    public func check(head: HeadTensors, sigma: [Double], vt: Matrix<Double>,
                      draws: [[Matrix<Double>]]) throws -> [HeadProjectionResult] {
        let d = head.d
        let p = try Matrix(rows: n, columns: n, storage: head.p.map(Double.init))
        let q = try Matrix(rows: n, columns: d, storage: head.q.map(Double.init))
        let keys = try Matrix(rows: n, columns: d, storage: head.k.map(Double.init))
        let v = try Matrix(rows: n, columns: d, storage: head.v.map(Double.init))
        let reference = try Matrix.multiply(p, v)                       // P V, [n, d]
        let columnNorms = Self.columnNorms(reference)
        let rowNorms = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + p[i, $1] * p[i, $1] }.squareRoot() }
        let spectralV = try Matrix<Float>(rows: n, columns: d, storage: head.v).singularValues().first ?? 0
        let floorTails = try svdTails(sigma: sigma, vt: vt, v: v)        // [n + 1, d] squared tail norms

        var results: [HeadProjectionResult] = []
        for (index, k) in dims.enumerated() {
            var errors: [Double] = []
            var theorem2: [ApproximationError] = []
            for r in draws[index] {
                let rv = try Matrix.multiply(r, v)                          // R W, [k, d]
                let projected = try Matrix.multiply(p, Matrix.multiply(r, rv, transposeA: true))
                errors += Self.columnErrors(projected, reference, norms: columnNorms)
                guard linformerApplicable else { continue }
                let e = Self.scaled(r, by: delta), f = Self.scaled(rv, by: exp(-delta))
                theorem2.append(try linformer(q: q, e: e, keys: keys, fv: f, reference: reference,
                                              rowNorms: rowNorms, spectralV: Double(spectralV)))
            }
            let floor = (0..<d).compactMap { j -> Double? in
                columnNorms[j] > 0 ? floorTails[k * d + j].squareRoot() / columnNorms[j] : nil
            }
            let absent = ApproximationError(relative: .nan, rowMean: .nan, rowMax: .nan)
            let pool = poolingMatrix(k: k)
            let pooled = !linformerApplicable ? absent
                : try linformer(q: q, e: pool, keys: keys, fv: Matrix.multiply(pool, v),
                                reference: reference, rowNorms: rowNorms, spectralV: Double(spectralV))
            results.append(HeadProjectionResult(
                theorem1: ErrorStatistics(errors),
                theorem1FractionBelow: epsilons.map { eps in Double(errors.filter { $0 < eps }.count) / Double(errors.count) },
                svdOptimal: ErrorStatistics(floor),
                theorem2: linformerApplicable ? Self.average(theorem2) : absent,
                pooling: pooled))
        }
        return results
    }

    /// `softmax(Q (E K)ᵀ / √d) (F V)` against `P V`; `fv` is `F V` already multiplied.
    func linformer(q: Matrix<Double>, e: Matrix<Double>, keys: Matrix<Double>, fv: Matrix<Double>,
                   reference: Matrix<Double>, rowNorms: [Double], spectralV: Double) throws -> ApproximationError {
        let projectedKeys = try Matrix.multiply(e, keys)                       // [k, d]
        var logits = try Matrix.multiply(q, projectedKeys, transposeB: true)   // [n, k]
        let scale = 1 / Double(q.columns).squareRoot()
        for i in 0..<logits.rows {
            var largest = -Double.infinity
            for j in 0..<logits.columns { largest = max(largest, logits[i, j] * scale) }
            var total = 0.0
            for j in 0..<logits.columns {
                let value = exp(logits[i, j] * scale - largest)
                logits[i, j] = value
                total += value
            }
            for j in 0..<logits.columns { logits[i, j] /= total }
        }
        let approximation = try Matrix.multiply(logits, fv)                     // [n, d]
        var squared = 0.0, referenceSquared = 0.0, rowSum = 0.0, rowMax = 0.0
        for i in 0..<reference.rows {
            var rowSquared = 0.0
            for j in 0..<reference.columns {
                let difference = approximation[i, j] - reference[i, j]
                rowSquared += difference * difference
                referenceSquared += reference[i, j] * reference[i, j]
            }
            squared += rowSquared
            let rowError = rowSquared.squareRoot() / (rowNorms[i] * spectralV)
            rowSum += rowError
            rowMax = max(rowMax, rowError)
        }
        return ApproximationError(relative: (squared / referenceSquared).squareRoot(),
                                  rowMean: rowSum / Double(reference.rows), rowMax: rowMax)
    }

    /// Squared norms of `(P − P_k) w_j = Σ_{i ≥ k} u_i σ_i (v_iᵀ w_j)` for every k = 0…n, `[n + 1, d]`,
    /// using orthonormality of U: `‖·‖² = Σ_{i ≥ k} σ_i² (v_iᵀ w_j)²`.
    func svdTails(sigma: [Double], vt: Matrix<Double>, v: Matrix<Double>) throws -> [Double] {
        let coefficients = try Matrix.multiply(vt, v)                           // [n, d], v_iᵀ w_j
        let d = v.columns
        var tails = [Double](repeating: 0, count: (n + 1) * d)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in 0..<d {
                let c = sigma[i] * coefficients[i, j]
                tails[i * d + j] = tails[(i + 1) * d + j] + c * c
            }
        }
        return tails
    }

    static func columnNorms(_ m: Matrix<Double>) -> [Double] {
        (0..<m.columns).map { j in (0..<m.rows).reduce(0.0) { $0 + m[$1, j] * m[$1, j] }.squareRoot() }
    }

    /// `‖a_j − b_j‖ / ‖b_j‖` for every column with `‖b_j‖ > 0`.
    static func columnErrors(_ a: Matrix<Double>, _ b: Matrix<Double>, norms: [Double]) -> [Double] {
        (0..<a.columns).compactMap { j in
            guard norms[j] > 0 else { return nil }
            let squared = (0..<a.rows).reduce(0.0) { sum, i in
                let difference = a[i, j] - b[i, j]
                return sum + difference * difference
            }
            return squared.squareRoot() / norms[j]
        }
    }

    static func scaled(_ m: Matrix<Double>, by factor: Double) -> Matrix<Double> {
        var result = m
        for i in result.storage.indices { result.storage[i] *= factor }
        return result
    }

    static func average(_ errors: [ApproximationError]) -> ApproximationError {
        let count = Double(errors.count)
        return ApproximationError(relative: errors.map(\.relative).reduce(0, +) / count,
                                  rowMean: errors.map(\.rowMean).reduce(0, +) / count,
                                  rowMax: errors.map(\.rowMax).reduce(0, +) / count)
    }
}
