import Foundation
@testable import LinearAlgebra

/// SplitMix64: a small seeded generator so every test matrix is reproducible.
struct SeededGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal (Box–Muller).
    mutating func gaussian() -> Double {
        let u = Swift.max(uniform(), 0x1p-60), v = uniform()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }
}

/// Test fixtures built from first principles (no LAPACK), so they can check the LAPACK wrappers.
enum Fixtures {
    /// An `n × n` orthogonal matrix: the product of `n` Householder reflectors `I − 2vvᵀ/(vᵀv)`
    /// with Gaussian `v`, applied to the identity.
    static func randomOrthogonal(_ n: Int, _ rng: inout SeededGenerator) -> Matrix<Double> {
        var q = Matrix<Double>.identity(n)
        for _ in 0..<n {
            let v = (0..<n).map { _ in rng.gaussian() }
            let vv = v.reduce(0) { $0 + $1 * $1 }
            // q ← q · (I − 2vvᵀ/vᵀv): each row r becomes r − (2 r·v / vᵀv) v.
            for i in 0..<n {
                var dot = 0.0
                for j in 0..<n { dot += q[i, j] * v[j] }
                let factor = 2 * dot / vv
                for j in 0..<n { q[i, j] -= factor * v[j] }
            }
        }
        return q
    }

    /// `A = U · diag(s) · Vᵀ` (`rows × columns`) with the first `s.count` columns of random
    /// orthogonal `U` (`rows × rows`) and `V` (`columns × columns`); `s.count ≤ min(rows, columns)`.
    static func withSingularValues(
        _ s: [Double], rows: Int, columns: Int, _ rng: inout SeededGenerator
    ) -> (a: Matrix<Double>, u: Matrix<Double>, v: Matrix<Double>) {
        let u = randomOrthogonal(rows, &rng), v = randomOrthogonal(columns, &rng)
        var a = Matrix<Double>(rows: rows, columns: columns)
        for i in 0..<rows {
            for j in 0..<columns {
                var sum = 0.0
                for l in 0..<s.count { sum += u[i, l] * s[l] * v[j, l] }
                a[i, j] = sum
            }
        }
        return (a, u, v)
    }

    /// Row-softmax of a Gaussian matrix scaled by `scale`, in float32, like an attention matrix.
    static func rowStochastic(rows: Int, columns: Int, scale: Double, _ rng: inout SeededGenerator) -> Matrix<Float> {
        var p = Matrix<Float>(rows: rows, columns: columns)
        for i in 0..<rows {
            let logits = (0..<columns).map { _ in rng.gaussian() * scale }
            let top = logits.max() ?? 0
            let weights = logits.map { Foundation.exp($0 - top) }
            let total = weights.reduce(0, +)
            for j in 0..<columns { p[i, j] = Float(weights[j] / total) }
        }
        return p
    }

    /// Naive `C = op(A) · op(B)` with a double accumulator, the reference for GEMM.
    static func naiveProduct<S: BinaryFloatingPoint>(
        _ a: Matrix<S>, _ b: Matrix<S>, transposeA: Bool, transposeB: Bool
    ) -> (product: [Double], magnitude: [Double], inner: Int) {
        let m = transposeA ? a.columns : a.rows, k = transposeA ? a.rows : a.columns
        let n = transposeB ? b.rows : b.columns
        var product = [Double](repeating: 0, count: m * n), magnitude = product
        for i in 0..<m {
            for j in 0..<n {
                for l in 0..<k {
                    let x = Double(transposeA ? a[l, i] : a[i, l]), y = Double(transposeB ? b[j, l] : b[l, j])
                    product[i * n + j] += x * y
                    magnitude[i * n + j] += abs(x * y)
                }
            }
        }
        return (product, magnitude, k)
    }
}

/// `max_i |x_i − y_i|`, or +∞ when the counts differ (so a length bug fails the comparison).
func maxAbsDifference(_ x: [Double], _ y: [Double]) -> Double {
    guard x.count == y.count else { return .infinity }
    return zip(x, y).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
}

/// The error bound each method documents, for an input of dimension ≤ `n` and largest singular
/// value `sigma1` (see `SingularValueMethod`): `10·n·ε·σ₁` for the backward-stable SVDs,
/// `√(10·n·ε_double)·σ₁` for the Gram route (worst case, reached for σ near that level).
func tolerance(_ method: SingularValueMethod, n: Int, sigma1: Double) -> Double {
    let size = Double(Swift.max(n, 1))
    switch method {
    case .gesdd: return 10 * size * Double.ulpOfOne * sigma1
    case .sgesdd: return 10 * size * Double(Float.ulpOfOne) * sigma1
    case .gram, .gramTwoStage: return (10 * size * Double.ulpOfOne).squareRoot() * sigma1
    }
}
