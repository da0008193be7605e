/// Branch-free elementary functions for the softmax, GELU and SiLU hot loops. glibc's `expf`/`erff`/`tanhf` are
/// accurate but opaque calls, so a loop over them cannot be vectorized; these are plain float and
/// integer arithmetic with selects, which LLVM's loop vectorizer turns into SIMD code in release
/// builds. (Explicit `SIMD16` code was as fast in release but ~50× slower in debug builds, where
/// it made `swift test` crawl.)
enum VectorMath {
    /// `eˣ` for `x ≤ 0` (softmax arguments `s − max s`, and `−z²` in GELU), relative error ≤ 2 ulp
    /// (checked against `expf` in the tests) down to `x = −87.33`; `0` below, where `eˣ` < 2⁻¹²⁶ is
    /// negligible next to the softmax's largest term, 1. Positive `x` is outside the contract.
    ///
    /// Method: `k = round(x / ln 2)`, `r = x − k·ln 2` with ln 2 split in two (Cody–Waite) so `r` is
    /// exact to ~2⁻³⁵, `|r| ≤ ln 2 / 2`; `eʳ` by a degree-6 polynomial fitted for minimal maximum
    /// relative error on that interval (iteratively reweighted least squares on Chebyshev nodes;
    /// 1.9·10⁻⁹, far below float rounding), times `2ᵏ` assembled from exponent bits
    /// (`k ∈ [−126, 0]`, so `2ᵏ` is a normal float).
    @inline(__always)
    static func expNonPositive(_ x: Float) -> Float {
        let low: Float = -87.33654
        let clamped = x < low ? low : x
        // Adding 1.5·2²³ rounds to an integer that sits in the low mantissa bits of `t`.
        let magic: Float = 12_582_912
        let t = clamped * 1.44269504088896341 + magic
        let k = t - magic
        var r = clamped - k * 0.693359375
        r = r - k * -2.12194440e-4
        var p: Float = 0.0013836844535904628
        p = p * r + 0.008374815796095446
        p = p * r + 0.04166822559549263
        p = p * r + 0.1666642016997192
        p = p * r + 0.4999999207970134
        p = p * r + 1.000000036323161
        p = p * r + 1.0000000005541745
        // Bits of t are those of 1.5·2²³ plus k; rebias k to an exponent field.
        let scale = Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        let result = p * scale
        return x < low ? 0 : result
    }

    /// Exact-form GELU, `½x(1 + erf(x/√2)) = x·Φ(x)`, with error ≤ 3.5·10⁻⁷·|x| (checked against
    /// a double-precision `erf` in the tests).
    ///
    /// With `z = |x|/√2`, Abramowitz & Stegun 7.1.26 gives `erfc z ≈ (a₁t + … + a₅t⁵)·e^{−z²}`,
    /// `t = 1/(1 + 0.3275911 z)`, absolute error ≤ 1.5·10⁻⁷. Then `1 + erf(x/√2)` is `2 − erfc z`
    /// for `x ≥ 0` and `erfc z` for `x < 0`; neither form cancels. Error budget, relative to |x|:
    /// ½·1.5·10⁻⁷ (A&S) + ½·4 roundings in the erfc term (≤ 1) + ½ ulp(2)/2 + ½ ulp ≈ 3.2·10⁻⁷.
    @inline(__always)
    static func gelu(_ x: Float) -> Float {
        let z = (x < 0 ? -x : x) * 0.70710678118654752440
        let t = 1 / (1 + 0.3275911 * z)
        var p: Float = 1.061405429
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        let complement = p * t * expNonPositive(-(z * z))
        return 0.5 * x * (x < 0 ? complement : 2 - complement)
    }

    /// `gelu_new` (GPT-2), `½x(1 + tanh(u))` with `u = √(2/π)(x + 0.044715x³)`, evaluated as
    /// `x · σ(2u)` (the identity `1 + tanh u = 2σ(2u)`), so it is ``silu(_:)``'s branch-free
    /// sigmoid on `2u` and vectorizes; glibc's scalar `tanhf` call does not. For `x < 0` the sigmoid
    /// form does not cancel (`1 + tanh u` does), so it is at least as accurate as the tanh form:
    /// error ≤ 3.5·10⁻⁷·|x| (checked against a double-precision tanh in the tests). A cube that
    /// overflows gives `x` (x > 0) or `−0` (x < 0), `+∞` gives `+∞`, and `−∞` and NaN give NaN, as
    /// the tanh form in float32 does (`−∞ · 0`).
    @inline(__always)
    static func geluTanh(_ x: Float) -> Float {
        let u: Float = 0.79788456080286535588 * (x + 0.044715 * x * x * x)
        let twice = u + u
        let e = expNonPositive(twice < 0 ? twice : -twice)
        let sigmoid = (twice < 0 ? e : 1) / (1 + e)
        return x * sigmoid
    }

    /// SiLU, `x · σ(x) = x / (1 + e⁻ˣ)`. With `e = e^{−|x|} ≤ 1` (so the exponential never
    /// overflows), `σ(x) = 1/(1 + e)` for `x ≥ 0` and `e/(1 + e)` for `x < 0`; relative error a few
    /// ulp (checked against a double-precision reference in the tests).
    @inline(__always)
    static func silu(_ x: Float) -> Float {
        let e = expNonPositive(x < 0 ? x : -x)
        let sigmoid = (x < 0 ? e : 1) / (1 + e)
        return x * sigmoid
    }
}
