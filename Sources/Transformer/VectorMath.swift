/// Vectorized elementary functions for the softmax hot loop. glibc's `expf` is accurate but
/// scalar; the softmax evaluates n² exponentials per head, which dominated the forward pass.
enum VectorMath {
    typealias Vector = SIMD16<Float>

    /// `eˣ` lane-wise, relative error ≤ 2 ulp (checked against `expf` in the tests) for
    /// `x ∈ [−87.33, 88.72]`; `0` below that range (where `eˣ` < 2⁻¹²⁶ is negligible next to the
    /// softmax's largest term, 1) and `+∞` above.
    ///
    /// Method: `k = round(x / ln 2)`, `r = x − k·ln 2` with ln 2 split in two (Cody–Waite) so `r` is
    /// exact to ~2⁻³⁵, `|r| ≤ ln 2 / 2`; `eʳ` by its degree-7 Taylor polynomial (truncation
    /// `r⁸/8! < 5·10⁻⁹`), scaled by `2ᵏ` built from its exponent bits.
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        let low: Float = -87.33654, high: Float = 88.72283
        // Clamping by masked replacement: the standard library's `pointwiseMin/Max` are not vectorized.
        var clamped = x
        clamped.replace(with: low, where: x .< low)
        clamped.replace(with: high, where: x .> high)
        // Adding 1.5·2²³ rounds to an integer that sits in the low mantissa bits of `t`.
        let magic: Float = 12_582_912
        let t = clamped * 1.44269504088896341 + magic
        let k = t - magic
        var r = clamped - k * 0.693359375
        r = r - k * -2.12194440e-4
        var p = Vector(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let integer = unsafeBitCast(t, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((integer &+ 127) &<< 23, to: Vector.self)
        var result = p * scale
        result.replace(with: 0, where: x .< low)
        result.replace(with: .infinity, where: x .> high)
        return result
    }

    /// `erf(x)` lane-wise with absolute error ≤ 3·10⁻⁷ (checked against `erff` in the tests):
    /// Abramowitz & Stegun 7.1.26, `erf|x| = 1 − (a₁t + a₂t² + a₃t³ + a₄t⁴ + a₅t⁵)·e^{−x²}`,
    /// `t = 1 / (1 + 0.3275911|x|)`, whose own error is ≤ 1.5·10⁻⁷, plus float rounding; odd symmetry
    /// gives negative x. In GELU, `½x(1 + erf(x/√2))`, this adds at most ~1.5·10⁻⁷·|x|.
    @inline(__always)
    static func erf(_ x: Vector) -> Vector {
        var magnitude = x
        magnitude.replace(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.3275911 * magnitude)
        var p = Vector(repeating: 1.061405429)
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        p = p * t
        let y = 1 - p * exp(-(magnitude * magnitude))
        var result = y
        result.replace(with: -y, where: x .< 0)
        return result
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }
}
