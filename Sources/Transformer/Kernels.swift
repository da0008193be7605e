import Foundation
import LinearAlgebra

/// Element-wise and row-wise kernels of the encoder over raw row-major buffers. They run in the
/// hot loop, so they take pointers (no bounds or uniqueness checks); callers guarantee the sizes.
enum Kernels {
    /// `y ← x Wᵀ + b` (+ `y` when `accumulate`): `x` `[rows, inner]`, `W` `[out, inner]`, `b` `[out]`,
    /// `y` `[rows, out]` with row stride `ldy`. The bias is written first and the GEMM adds onto it
    /// (`β = 1`), as `torch.addmm` does.
    static func linear(
        rows: Int, inner: Int, out: Int,
        x: UnsafePointer<Float>, ldx: Int, weight: WeightBuffer, bias: WeightBuffer,
        y: UnsafeMutablePointer<Float>, ldy: Int, accumulate: Bool = false
    ) {
        for row in 0..<rows {
            let target = y + row * ldy
            if accumulate {
                for j in 0..<out { target[j] += bias.pointer[j] }
            } else {
                target.update(from: bias.pointer, count: out)
            }
        }
        BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: out, k: inner,
                  alpha: 1, a: x, lda: ldx, b: weight.pointer, ldb: inner, beta: 1, c: y, ldc: ldy)
    }

    /// Row-wise softmax in place on a `[rows, columns]` block with row stride `ld`:
    /// `p_j = exp(s_j − max s) / Σ_k exp(s_k − max s)`. Subtracting the row maximum keeps every
    /// exponent ≤ 0 (no overflow). The max and sum passes use 8 independent accumulators (for
    /// instruction-level parallelism; the sum's relative error stays near (n/8 + 3)·2⁻²⁴); the exp
    /// and scaling passes are plain loops that the compiler vectorizes.
    @_optimize(speed)
    static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ld: Int) {
        let lanes = 8
        let full = columns - columns % lanes
        for row in 0..<rows {
            let r = x + row * ld
            // `a > b ? a : b` (not Swift.max, whose NaN rules block vectorization) maps to maxps.
            var m = (r[0], r[0], r[0], r[0], r[0], r[0], r[0], r[0])
            var j = 0
            while j < full {
                m.0 = r[j] > m.0 ? r[j] : m.0; m.1 = r[j + 1] > m.1 ? r[j + 1] : m.1
                m.2 = r[j + 2] > m.2 ? r[j + 2] : m.2; m.3 = r[j + 3] > m.3 ? r[j + 3] : m.3
                m.4 = r[j + 4] > m.4 ? r[j + 4] : m.4; m.5 = r[j + 5] > m.5 ? r[j + 5] : m.5
                m.6 = r[j + 6] > m.6 ? r[j + 6] : m.6; m.7 = r[j + 7] > m.7 ? r[j + 7] : m.7
                j += lanes
            }
            var maximum = Swift.max(Swift.max(Swift.max(m.0, m.1), Swift.max(m.2, m.3)),
                                    Swift.max(Swift.max(m.4, m.5), Swift.max(m.6, m.7)))
            for t in full..<columns { maximum = Swift.max(maximum, r[t]) }
            for t in 0..<columns { r[t] = VectorMath.expNonPositive(r[t] - maximum) }
            var sums: (Float, Float, Float, Float, Float, Float, Float, Float) = (0, 0, 0, 0, 0, 0, 0, 0)
            j = 0
            while j < full {
                sums.0 += r[j]; sums.1 += r[j + 1]; sums.2 += r[j + 2]; sums.3 += r[j + 3]
                sums.4 += r[j + 4]; sums.5 += r[j + 5]; sums.6 += r[j + 6]; sums.7 += r[j + 7]
                j += lanes
            }
            var sum = ((sums.0 + sums.1) + (sums.2 + sums.3)) + ((sums.4 + sums.5) + (sums.6 + sums.7))
            for t in full..<columns { sum += r[t] }
            let inverse = 1 / sum
            for t in 0..<columns { r[t] *= inverse }
        }
    }

    /// Row-wise LayerNorm in place on `[rows, columns]`:
    /// `y = (x − μ) / √(σ² + ε) · γ + β`, μ and σ² (biased) of the row, accumulated in double.
    @_optimize(speed)
    static func layerNormRows(
        _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
        gamma: WeightBuffer, beta: WeightBuffer, epsilon: Float
    ) {
        let g = gamma.pointer, b = beta.pointer
        for row in 0..<rows {
            let r = x + row * columns
            var sum: Double = 0
            for j in 0..<columns { sum += Double(r[j]) }
            let mean = sum / Double(columns)
            var squares: Double = 0
            for j in 0..<columns {
                let d = Double(r[j]) - mean
                squares += d * d
            }
            let variance = squares / Double(columns)
            let inverseDeviation = Float(1 / (variance + Double(epsilon)).squareRoot())
            let mu = Float(mean)
            for j in 0..<columns { r[j] = (r[j] - mu) * inverseDeviation * g[j] + b[j] }
        }
    }

    /// Applies `activation` in place to `count` elements.
    @_optimize(speed)
    static func activate(_ x: UnsafeMutablePointer<Float>, count: Int, activation: Activation) {
        switch activation {
        case .gelu:
            // Exact GELU form, ½x(1 + erf(x/√2)); see VectorMath.erf for the erf's error.
            let invSqrt2: Float = 0.70710678118654752440
            for i in 0..<count {
                let v = x[i]
                x[i] = v * 0.5 * (1 + VectorMath.erf(v * invSqrt2))
            }
        case .geluTanh:
            // ½x(1 + tanh(√(2/π)(x + 0.044715x³))), Hugging Face `gelu_new`.
            let c: Float = 0.79788456080286535588
            for i in 0..<count {
                let v = x[i]
                x[i] = 0.5 * v * (1 + tanhf(c * (v + 0.044715 * v * v * v)))
            }
        case .relu:
            for i in 0..<count { x[i] = Swift.max(0, x[i]) }
        }
    }
}
