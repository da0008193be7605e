/// The exponential in double precision, four lanes at a time, and the softmax of a row built on it:
/// the projection checks take e^x of n·k logits per head and projected dimension, where libm's
/// scalar `exp` was the largest single cost of Theorem 2 and pooling.
///
/// Method: `x = k·ln 2 + r` with `k = round(x / ln 2)` (the 1.5·2⁵² shift trick, exact for the
/// clamped range) and Cody–Waite `ln 2 = hi + lo`, so `|r| ≤ ln 2 / 2`; `e^r` by its Taylor
/// polynomial of degree 13 in Horner form (truncation error below 10⁻¹⁷ relative); `2^k` applied
/// as two power-of-two factors, so results down to the subnormal range and up to overflow are
/// right. Accuracy: within 2 ulp of the correctly rounded e^x for normal results (tested against
/// libm over [−745, 709.7]); +∞ above 709.78, 0 below −745.2, NaN for NaN.
public enum VectorExp {
    private static let log2e = 1.4426950408889634
    private static let ln2High = 0.693147180369123816490   // ln 2 with its last 21 bits zero
    private static let ln2Low = 1.90821492927058770002e-10 // ln 2 − ln2High
    private static let shifter = 0x1.8p52

    /// e^x of each lane.
    @inline(__always)
    public static func exp(_ x: SIMD4<Double>) -> SIMD4<Double> {
        // Clamping keeps k within ±1100 (both scale factors stay normal); NaN lanes are restored below.
        let clamped = x.clamped(lowerBound: SIMD4(repeating: -746), upperBound: SIMD4(repeating: 710))
        let t = clamped * log2e + shifter
        let kd = t - shifter
        let r = (clamped - kd * ln2High) - kd * ln2Low
        // Horner with 1/j!, j = 13 … 2, then 1 and 1.
        var p = SIMD4<Double>(repeating: 1.6059043836821613e-10)
        p = p * r + 2.08767569878681e-09
        p = p * r + 2.505210838544172e-08
        p = p * r + 2.755731922398589e-07
        p = p * r + 2.7557319223985893e-06
        p = p * r + 2.48015873015873e-05
        p = p * r + 0.0001984126984126984
        p = p * r + 0.001388888888888889
        p = p * r + 0.008333333333333333
        p = p * r + 0.041666666666666664
        p = p * r + 0.16666666666666666
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // The low mantissa bits of t hold 2⁵¹ + k; split k = k₁ + k₂ so that 2^k₁ and 2^k₂ are normal.
        let mantissa = SIMD4<Int64>(truncatingIfNeeded: unsafeBitCast(t, to: SIMD4<UInt64>.self) & SIMD4(repeating: (1 << 52) - 1))
        let k = mantissa &- (1 << 51)
        let k1 = k &>> 1, k2 = k &- k1
        let scale1 = unsafeBitCast((k1 &+ 1023) &<< 52, to: SIMD4<Double>.self)
        let scale2 = unsafeBitCast((k2 &+ 1023) &<< 52, to: SIMD4<Double>.self)
        var result = p * scale1 * scale2
        result.replace(with: 0, where: x .< -745.2)
        result.replace(with: Double.infinity, where: x .> 709.79)
        result.replace(with: x, where: x .!= x)
        return result
    }

    /// Replaces `row[0..<count]` by its softmax `e^{x_j − max x} / Σ_l e^{x_l − max x}`.
    public static func softmax(_ row: UnsafeMutablePointer<Double>, count: Int) {
        guard count > 0 else { return }
        var largest = -Double.infinity
        for j in 0..<count { largest = max(largest, row[j]) }
        var total = 0.0
        var j = 0
        while j < count {
            let lanes = min(4, count - j)
            var x = SIMD4<Double>(repeating: -.infinity)
            for lane in 0..<lanes { x[lane] = row[j + lane] - largest }
            let e = exp(x)
            for lane in 0..<lanes {
                row[j + lane] = e[lane]
                total += e[lane]
            }
            j += 4
        }
        let inverse = 1 / total
        for j in 0..<count { row[j] *= inverse }
    }
}
