/// Branch-free elementary functions for the softmax and GELU hot loops. glibc's `expf`/`erff` are
/// accurate but opaque calls, so a loop over them cannot be vectorized; these are plain float and
/// integer arithmetic with selects, which LLVM's loop vectorizer turns into SIMD code in release
/// builds. (Explicit `SIMD16` code was as fast in release but ~50× slower in debug builds, where
/// it made `swift test` crawl.)
enum VectorMath {
    /// `eˣ`, relative error ≤ 2 ulp (checked against `expf` in the tests) for
    /// `x ∈ [−87.33, 88.72]`; `0` below that range (where `eˣ` < 2⁻¹²⁶ is negligible next to the
    /// softmax's largest term, 1) and `+∞` above.
    ///
    /// Method: `k = round(x / ln 2)`, `r = x − k·ln 2` with ln 2 split in two (Cody–Waite) so `r` is
    /// exact to ~2⁻³⁵, `|r| ≤ ln 2 / 2`; `eʳ` by its degree-7 Taylor polynomial (truncation
    /// `r⁸/8! < 5·10⁻⁹`), scaled by `2ᵏ` built from exponent bits.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let low: Float = -87.33654, high: Float = 88.72283
        let clamped = x < low ? low : (x > high ? high : x)
        // Adding 1.5·2²³ rounds to an integer that sits in the low mantissa bits of `t`.
        let magic: Float = 12_582_912
        let t = clamped * 1.44269504088896341 + magic
        let k = t - magic
        var r = clamped - k * 0.693359375
        r = r - k * -2.12194440e-4
        var p: Float = 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // 2ᵏ as 2^⌊k/2⌋ · 2^(k−⌊k/2⌋): each factor stays a normal float for k ∈ [−126, 128].
        let integer = Int32(bitPattern: t.bitPattern) &- 0x4B40_0000
        let half = integer &>> 1
        let scaleLow = Float(bitPattern: UInt32(bitPattern: (half &+ 127) &<< 23))
        let scaleHigh = Float(bitPattern: UInt32(bitPattern: (integer &- half &+ 127) &<< 23))
        let result = p * scaleLow * scaleHigh
        return x < low ? 0 : (x > high ? .infinity : result)
    }

    /// `erf(x)` with absolute error ≤ 2.5·10⁻⁷ (checked against `erff` in the tests).
    ///
    /// For `|x| < 1`, the Maclaurin series `2/√π · Σₙ (−1)ⁿ x²ⁿ⁺¹ / (n!(2n+1))` through n = 9
    /// (truncation < 1.3·10⁻⁸); it avoids the cancellation in `1 − …` near 0. Otherwise
    /// Abramowitz & Stegun 7.1.26, `erf|x| = 1 − (a₁t + a₂t² + a₃t³ + a₄t⁴ + a₅t⁵)·e^{−x²}`,
    /// `t = 1 / (1 + 0.3275911|x|)`, whose own error is ≤ 1.5·10⁻⁷. Odd symmetry gives negative x.
    /// In GELU, `½x(1 + erf(x/√2))`, this adds at most ~1.3·10⁻⁷·|x|.
    @inline(__always)
    static func erf(_ x: Float) -> Float {
        let magnitude = x < 0 ? -x : x
        let s = magnitude * magnitude
        let t = 1 / (1 + 0.3275911 * magnitude)
        var p: Float = 1.061405429
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        p = p * t
        let tail = 1 - p * exp(-s)

        var q: Float = -1.4503852223150468e-07
        q = q * s + 1.4589169000933706e-06
        q = q * s - 1.3227513227513228e-05
        q = q * s + 0.00010683760683760684
        q = q * s - 0.0007575757575757576
        q = q * s + 0.004629629629629629
        q = q * s - 0.023809523809523808
        q = q * s + 0.1
        q = q * s - 0.3333333333333333
        q = q * s + 1
        let series = 1.1283791670955126 * magnitude * q
        let y = magnitude < 1 ? series : tail
        return x < 0 ? -y : y
    }
}
