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
    /// exponent ≤ 0 (no overflow); the sum is over 16 float lanes, each holding ≤ n/16 terms ≤ 1,
    /// so its relative error stays near (n/16 + 4)·2⁻²⁴.
    static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ld: Int) {
        typealias V = VectorMath.Vector
        let width = V.scalarCount
        let full = columns - columns % width
        let tail = columns - full
        for row in 0..<rows {
            let r = x + row * ld
            var maxima = V(repeating: -.infinity)
            var j = 0
            while j < full {
                let s = VectorMath.load(r + j)
                maxima.replace(with: s, where: s .> maxima)
                j += width
            }
            var maximum = maxima.max()
            for t in full..<columns { maximum = Swift.max(maximum, r[t]) }
            var sums = V.zero
            j = 0
            while j < full {
                let e = VectorMath.exp(VectorMath.load(r + j) - maximum)
                VectorMath.store(e, r + j)
                sums += e
                j += width
            }
            if tail > 0 {
                // The partial chunk goes through the same exp, padded with −∞ (whose exp is 0).
                var chunk = V(repeating: -.infinity)
                for t in 0..<tail { chunk[t] = r[full + t] - maximum }
                let e = VectorMath.exp(chunk)
                for t in 0..<tail { r[full + t] = e[t] }
                sums += e
            }
            let inverse = 1 / sums.sum()
            j = 0
            while j < full {
                VectorMath.store(VectorMath.load(r + j) * inverse, r + j)
                j += width
            }
            for t in full..<columns { r[t] *= inverse }
        }
    }

    /// Row-wise LayerNorm in place on `[rows, columns]`:
    /// `y = (x − μ) / √(σ² + ε) · γ + β`, μ and σ² (biased) of the row, accumulated in double.
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
    static func activate(_ x: UnsafeMutablePointer<Float>, count: Int, activation: Activation) {
        switch activation {
        case .gelu:
            // Exact GELU form, ½x(1 + erf(x/√2)); erf vectorized (see VectorMath.erf for its error).
            typealias V = VectorMath.Vector
            let invSqrt2: Float = 0.70710678118654752440
            let width = V.scalarCount
            let full = count - count % width
            var i = 0
            while i < full {
                let v = VectorMath.load(x + i)
                VectorMath.store(v * 0.5 * (1 + VectorMath.erf(v * invSqrt2)), x + i)
                i += width
            }
            if full < count {
                var chunk = V.zero
                for t in full..<count { chunk[t - full] = x[t] }
                let y = chunk * 0.5 * (1 + VectorMath.erf(chunk * invSqrt2))
                for t in full..<count { x[t] = y[t - full] }
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
