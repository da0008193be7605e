/// The value the Rust library's JSON parser (`serde_json` without its `float_roundtrip`
/// feature) gives a number, which is not always the correctly rounded one Foundation gives.
///
/// serde_json accumulates the decimal digits into a `u64` significand s and an exponent e, then
/// computes `Double(s) * 10^e` (or `/ 10^-e`) with one rounding for `Double(s)` and one for the
/// product: when s needs more than 53 bits (17-digit scores such as `-9.594847723898779`) the
/// result can be one ulp away from the exact value. Unigram scores differ in the last bit for
/// about one piece in ten, enough to flip ties between equal-scoring segmentations, so the
/// model reads its scores through this.
///
/// The digits are recovered from the correctly rounded `Double`'s shortest round-trip form,
/// which is what the Rust library writes (ryu): exact for every file it saved; a hand-written
/// score with more digits than needed may still differ.
enum SerdeFloat {
    private static let powersOfTen: [Double] = (0...308).map { Double("1e\($0)") ?? .infinity }

    static func reparse(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value }
        let text = Array(value.magnitude.description.utf8)
        var significand: UInt64 = 0
        var exponent = 0
        var index = 0
        var overflowed = false
        func accumulate(_ digit: UInt8, fraction: Bool) {
            let (times10, overflowA) = significand.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times10.addingReportingOverflow(UInt64(digit - 0x30))
            if overflowed || overflowA || overflowB {
                // serde_json ignores the digits that no longer fit.
                overflowed = true
                if !fraction { exponent += 1 }
                return
            }
            significand = sum
            if fraction { exponent -= 1 }
        }
        while index < text.count, text[index] >= 0x30, text[index] <= 0x39 {
            accumulate(text[index], fraction: false)
            index += 1
        }
        if index < text.count, text[index] == 0x2E {
            index += 1
            while index < text.count, text[index] >= 0x30, text[index] <= 0x39 {
                accumulate(text[index], fraction: true)
                index += 1
            }
        }
        if index < text.count, text[index] == 0x65 || text[index] == 0x45 {
            index += 1
            var negative = false
            if index < text.count, text[index] == 0x2B || text[index] == 0x2D {
                negative = text[index] == 0x2D
                index += 1
            }
            var power = 0
            while index < text.count, text[index] >= 0x30, text[index] <= 0x39, power < 100_000 {
                power = power * 10 + Int(text[index] - 0x30)
                index += 1
            }
            exponent += negative ? -power : power
        }
        var result = Double(significand)
        while true {
            if exponent.magnitude < powersOfTen.count {
                if exponent >= 0 { result *= powersOfTen[exponent] } else { result /= powersOfTen[-exponent] }
                break
            }
            if result == 0 || exponent > 0 { break }
            result /= 1e308
            exponent += 308
        }
        return value < 0 ? -result : result
    }
}
