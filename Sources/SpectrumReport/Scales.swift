import Foundation

/// Maps a data interval linearly onto a pixel interval: `y = r0 + (x − d0)/(d1 − d0)·(r1 − r0)`.
public struct LinearScale: Sendable {
    /// Data interval (d0, d1).
    public var domain: (Double, Double)
    /// Pixel interval (r0, r1); r1 < r0 is allowed (y axes grow upwards).
    public var range: (Double, Double)

    /// Creates a scale; a zero-width domain is widened by ±0.5 so it can still be drawn.
    public init(domain: (Double, Double), range: (Double, Double)) {
        self.domain = domain.0 == domain.1 ? (domain.0 - 0.5, domain.1 + 0.5) : domain
        self.range = range
    }

    /// Pixel position of a data value.
    public func callAsFunction(_ x: Double) -> Double {
        range.0 + (x - domain.0) / (domain.1 - domain.0) * (range.1 - range.0)
    }

    /// About `count` "nice" tick values (steps of 1, 2 or 5 × 10^m) inside the domain.
    public func ticks(count: Int = 6) -> [Double] {
        Self.niceTicks(lo: min(domain.0, domain.1), hi: max(domain.0, domain.1), count: count)
    }

    /// The nice step used by `ticks(count:)`.
    public static func niceStep(lo: Double, hi: Double, count: Int) -> Double {
        let raw = (hi - lo) / Double(max(1, count))
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(raw)))
        let residual = raw / magnitude
        let factor: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10
        return factor * magnitude
    }

    /// Multiples of the nice step between lo and hi, snapped to remove float noise.
    public static func niceTicks(lo: Double, hi: Double, count: Int) -> [Double] {
        let step = niceStep(lo: lo, hi: hi, count: count)
        let first = ceil(lo / step - 1e-9)
        let last = floor(hi / step + 1e-9)
        guard first <= last else { return [] }
        return stride(from: first, through: last, by: 1).map { ($0 * step * 1e9).rounded() / 1e9 }
    }

    /// Domain widened outwards to the nearest nice ticks (so the axis starts and ends on a tick).
    public static func niceDomain(lo: Double, hi: Double, count: Int = 6) -> (Double, Double) {
        guard hi > lo else { return (lo - 0.5, hi + 0.5) }
        let step = niceStep(lo: lo, hi: hi, count: count)
        return (floor(lo / step + 1e-9) * step, ceil(hi / step - 1e-9) * step)
    }
}

/// Maps a positive data interval logarithmically onto a pixel interval.
public struct LogScale: Sendable {
    /// Data interval (d0, d1), both > 0.
    public var domain: (Double, Double)
    /// Pixel interval.
    public var range: (Double, Double)

    /// Creates a log scale; non-positive or equal bounds are repaired to a one-decade domain.
    public init(domain: (Double, Double), range: (Double, Double)) {
        var lo = domain.0 > 0 ? domain.0 : 1e-3
        var hi = domain.1 > 0 ? domain.1 : lo * 10
        if hi <= lo { lo /= 3.2; hi *= 3.2 }
        self.domain = (lo, hi)
        self.range = range
    }

    /// Pixel position of a data value (values ≤ 0 map to the low end).
    public func callAsFunction(_ x: Double) -> Double {
        let v = x > 0 ? x : domain.0
        let t = (log(v) - log(domain.0)) / (log(domain.1) - log(domain.0))
        return range.0 + t * (range.1 - range.0)
    }

    /// Powers of ten inside the domain, plus 2× and 5× when the domain spans fewer than
    /// three decades so that there are always a few labelled ticks.
    public func ticks() -> [Double] {
        let lo = domain.0, hi = domain.1
        let decades = log10(hi) - log10(lo)
        let multipliers: [Double] = decades < 1.2 ? [1, 2, 3, 5] : decades < 3 ? [1, 2, 5] : [1]
        var result: [Double] = []
        var exponent = floor(log10(lo)) - 1
        while exponent <= ceil(log10(hi)) {
            for m in multipliers {
                let v = m * pow(10, exponent)
                if v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) { result.append(v) }
            }
            exponent += 1
        }
        return result
    }

    /// Domain widened outwards to the surrounding "1, 2, 5 × 10^m" values.
    public static func niceDomain(lo: Double, hi: Double) -> (Double, Double) {
        let steps: [Double] = [1, 2, 5, 10]
        func down(_ x: Double) -> Double {
            let p = pow(10, floor(log10(x)))
            return (steps.last { $0 * p <= x * (1 + 1e-9) } ?? 1) * p
        }
        func up(_ x: Double) -> Double {
            let p = pow(10, floor(log10(x)))
            return (steps.first { $0 * p >= x * (1 - 1e-9) } ?? 10) * p
        }
        guard lo > 0, hi > 0 else { return (0.01, 1) }
        return (down(lo), up(max(hi, lo)))
    }
}

/// Formats tick and caption numbers compactly: no trailing zeros, at most `digits` decimals.
public func formatNumber(_ value: Double, digits: Int = 3) -> String {
    guard value.isFinite else { return "–" }
    if abs(value) >= 1e5 || (abs(value) < 1e-3 && value != 0) {
        return String(format: "%.2g", value)
    }
    var text = String(format: "%.\(digits)f", value)
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text == "-0" ? "0" : text
}
