extension Kernels {
    /// Row-wise RMSNorm of the Llama family, in place on `rows` rows of `columns` floats with row
    /// stride `ld`: `y = x · (1/√(mean(x²) + ε)) · γ`, γ `[columns]`, multiplied in that order as
    /// `transformers` does (`weight * (x * rsqrt(var + eps))`). The mean of squares is one 8-lane sum.
    /// Used on hidden states (`columns` = h) and, for Qwen3, on each query and key head (`columns` = d).
    @_optimize(speed)
    static func rmsNormRows(
        _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ld: Int,
        gamma: UnsafePointer<Float>, epsilon: Float
    ) {
        let count = Float(columns)
        for row in 0..<rows {
            let r = x + row * ld
            let meanSquare = laneSum(columns) { r[$0] * r[$0] } / count
            let inverse = 1 / (meanSquare + epsilon).squareRoot()
            for j in 0..<columns { r[j] = gamma[j] * (r[j] * inverse) }
        }
    }
}
