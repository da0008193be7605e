import Foundation
import LinearAlgebra

/// Element-wise and row-wise kernels of the encoder over raw row-major buffers. They run in the
/// hot loop, so they take pointers (no bounds or uniqueness checks); callers guarantee the sizes.
enum Kernels {
    /// `y ← x Wᵀ + b (+ residual)`: `x` `[rows, inner]` with row stride `ldx`, `W` `[out, inner]`,
    /// `b` `[out]`, `residual` and `y` `[rows, out]` with row stride `ldy`. `b` (plus the residual)
    /// is written first and the GEMM adds onto it (`β = 1`), as `torch.addmm` does.
    static func linear(
        rows: Int, inner: Int, out: Int,
        x: UnsafePointer<Float>, ldx: Int, weight: WeightBuffer, bias: WeightBuffer,
        residual: UnsafePointer<Float>? = nil, y: UnsafeMutablePointer<Float>, ldy: Int
    ) {
        linear(rows: rows, inner: inner, out: out, x: x, ldx: ldx, weight: weight.pointer, bias: bias.pointer,
               residual: residual, y: y, ldy: ldy)
    }

    /// ``linear(rows:inner:out:x:ldx:weight:bias:residual:y:ldy:)`` over raw weight pointers
    /// (the decoder's per-layer float32 buffer).
    static func linear(
        rows: Int, inner: Int, out: Int,
        x: UnsafePointer<Float>, ldx: Int, weight: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
        residual: UnsafePointer<Float>? = nil, y: UnsafeMutablePointer<Float>, ldy: Int
    ) {
        for row in 0..<rows {
            let target = y + row * ldy
            if let residual {
                let source = residual + row * ldy
                for j in 0..<out { target[j] = source[j] + b[j] }
            } else {
                target.update(from: b, count: out)
            }
        }
        BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: out, k: inner,
                  alpha: 1, a: x, lda: ldx, b: weight, ldb: inner, beta: 1, c: y, ldc: ldy)
    }

    /// Output columns per GEMM call of ``linear(blocks:inner:out:x:ldx:weight:bias:residual:y:ldy:)``:
    /// a slice of W is then at most 3 MiB for inner ≤ 3072, which stays in the last-level cache
    /// while every row block uses it (128 to 512 measured the same within noise on a Zen 3 host).
    static let columnChunk = 256

    /// ``linear(rows:inner:out:x:ldx:weight:bias:residual:y:ldy:)`` on several row blocks of one
    /// buffer (`x`, `residual`, `y` point at row 0), looping over slices of ``columnChunk`` output
    /// columns outside the blocks: each slice of W (`columnChunk × inner`) is read from memory once
    /// and reused from cache by every block, where a GEMM per whole block would stream all of W once
    /// per block (W of a 768-wide decoder layer is far larger than the caches). Every
    /// (block, slice) product is one GEMM call whose shape depends on n and the layer only, so a
    /// block's result does not depend on which other blocks share the call sequence.
    static func linear(
        blocks: [Range<Int>], inner: Int, out: Int,
        x: UnsafePointer<Float>, ldx: Int, weight: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
        residual: UnsafePointer<Float>? = nil, y: UnsafeMutablePointer<Float>, ldy: Int
    ) {
        for rows in blocks {
            for row in rows {
                let target = y + row * ldy
                if let residual {
                    let source = residual + row * ldy
                    for j in 0..<out { target[j] = source[j] + b[j] }
                } else {
                    target.update(from: b, count: out)
                }
            }
        }
        for start in stride(from: 0, to: out, by: columnChunk) {
            let width = Swift.min(columnChunk, out - start)
            for rows in blocks {
                BLAS.gemm(transposeA: false, transposeB: true, m: rows.count, n: width, k: inner,
                          alpha: 1, a: x + rows.lowerBound * ldx, lda: ldx, b: weight + start * inner, ldb: inner,
                          beta: 1, c: y + rows.lowerBound * ldy + start, ldc: ldy)
            }
        }
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
            let sum = laneSum(columns) { r[$0] }
            let inverse = 1 / sum
            for t in 0..<columns { r[t] *= inverse }
        }
    }

    /// Row-wise LayerNorm in place on `[rows, columns]`:
    /// `y = (x − μ) / √(σ² + ε) · γ + β`, μ and the biased σ² of the row, two-pass (σ² from
    /// `x − μ`, no cancellation), each sum over 8 float lanes.
    @_optimize(speed)
    static func layerNormRows(
        _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
        gamma: WeightBuffer, beta: WeightBuffer, epsilon: Float
    ) {
        layerNormRows(x, rows: rows, columns: columns, gamma: gamma.pointer, beta: beta.pointer, epsilon: epsilon)
    }

    /// LayerNorm over raw γ, β pointers `[columns]`.
    @_optimize(speed)
    static func layerNormRows(
        _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
        gamma g: UnsafePointer<Float>, beta b: UnsafePointer<Float>, epsilon: Float
    ) {
        let count = Float(columns)
        for row in 0..<rows {
            let r = x + row * columns
            let mean = laneSum(columns) { r[$0] } / count
            let variance = laneSum(columns) { (r[$0] - mean) * (r[$0] - mean) } / count
            let inverseDeviation = 1 / (variance + epsilon).squareRoot()
            for j in 0..<columns { r[j] = (r[j] - mean) * inverseDeviation * g[j] + b[j] }
        }
    }

    /// `Σ_{j<count} value(j)` over 8 independent accumulators, which the compiler turns into one
    /// SIMD register (a single float chain would serialize on the add latency).
    @inline(__always)
    static func laneSum(_ count: Int, _ value: (Int) -> Float) -> Float {
        var s: (Float, Float, Float, Float, Float, Float, Float, Float) = (0, 0, 0, 0, 0, 0, 0, 0)
        let full = count - count % 8
        var j = 0
        while j < full {
            s.0 += value(j); s.1 += value(j + 1); s.2 += value(j + 2); s.3 += value(j + 3)
            s.4 += value(j + 4); s.5 += value(j + 5); s.6 += value(j + 6); s.7 += value(j + 7)
            j += 8
        }
        var total = ((s.0 + s.1) + (s.2 + s.3)) + ((s.4 + s.5) + (s.6 + s.7))
        for t in full..<count { total += value(t) }
        return total
    }

    /// Applies `activation` in place to `count` elements.
    @_optimize(speed)
    static func activate(_ x: UnsafeMutablePointer<Float>, count: Int, activation: Activation) {
        switch activation {
        case .gelu:
            // Exact GELU form, ½x(1 + erf(x/√2)); see VectorMath.gelu for its error.
            for i in 0..<count { x[i] = VectorMath.gelu(x[i]) }
        case .geluTanh:
            // ½x(1 + tanh(√(2/π)(x + 0.044715x³))), Hugging Face `gelu_new`; see VectorMath.geluTanh.
            for i in 0..<count { x[i] = VectorMath.geluTanh(x[i]) }
        case .relu:
            for i in 0..<count { x[i] = Swift.max(0, x[i]) }
        case .silu:
            for i in 0..<count { x[i] = VectorMath.silu(x[i]) }
        }
    }
}
