import Foundation

/// Summary statistics of a sample of errors.
public struct ErrorStatistics: Sendable, Equatable {
    /// Arithmetic mean.
    public var mean: Double
    /// Median (mean of the two middle values for an even count).
    public var median: Double
    /// 95th percentile, linear interpolation between order statistics (NumPy's default).
    public var p95: Double
    /// Largest value.
    public var max: Double

    /// Statistics of `values`; all NaN when `values` is empty.
    public init(_ values: [Double]) {
        let sorted = values.sorted()
        let count = sorted.count
        guard count > 0 else {
            (mean, median, p95, max) = (.nan, .nan, .nan, .nan)
            return
        }
        mean = sorted.reduce(0, +) / Double(count)
        median = Self.quantile(sorted, 0.5)
        p95 = Self.quantile(sorted, 0.95)
        max = sorted[count - 1]
    }

    /// The q-quantile of sorted data with linear interpolation: position q·(count − 1).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}
