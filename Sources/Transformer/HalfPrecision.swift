/// Exact widening of 16-bit floating-point encodings to `Float`, by bit manipulation so that it
/// works on every platform (Swift's `Float16` is unavailable on Intel macOS).
enum HalfPrecision {
    /// IEEE 754 binary16 → binary32. Exact: every half value, including subnormals, ±0, ±∞ and
    /// NaN (payload kept), is representable as a float.
    @inline(__always)
    static func float(fromHalfBits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32((bits >> 10) & 0x1f)
        let mantissa = UInt32(bits & 0x03ff)
        if exponent == 0 {
            // Zero or subnormal: mantissa × 2⁻²⁴, exact in float arithmetic.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        if exponent == 0x1f {
            return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13))
        }
        // Rebias the exponent from 15 to 127.
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// bfloat16 → binary32: bfloat16 is the upper half of a float's bits.
    @inline(__always)
    static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
