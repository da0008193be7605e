import Foundation

/// Options of the projection checks (Theorems 1 and 2 of the Linformer paper; docs/ARCHITECTURE.md).
public struct ProjectionOptions: Sendable, Equatable {
    /// Projection dimensions k; values ≥ n are skipped for a given n.
    public var dims: [Int]
    /// Independent draws of R per (sequence, k).
    public var trials: Int
    /// δ of Theorem 2 (`E = δR`, `F = e^{−δ}R`); nil means `1/n`.
    public var delta: Double?
    /// Error levels ε for the fractions and the theory.
    public var epsilons: [Double]

    /// The defaults of `spectrum-analyze run`: k ∈ {16, 32, 64, 128, 256}, one trial, δ = 1/n, ε ∈ {0.1, 0.2, 0.3, 0.5}.
    public init(dims: [Int] = [16, 32, 64, 128, 256], trials: Int = 1, delta: Double? = nil,
                epsilons: [Double] = [0.1, 0.2, 0.3, 0.5]) {
        self.dims = dims
        self.trials = trials
        self.delta = delta
        self.epsilons = epsilons
    }

    /// The dimensions that apply at sequence length n (k < n), sorted and unique.
    public func effectiveDims(n: Int) -> [Int] { Array(Set(dims.filter { $0 > 0 && $0 < n })).sorted() }

    /// δ at sequence length n.
    public func effectiveDelta(n: Int) -> Double { delta ?? 1 / Double(n) }
}

/// What the Johnson–Lindenstrauss argument of the paper's Theorem 1 promises at sequence length n.
public enum ProjectionTheory {
    /// `k_JL(ε) = 5 ln n / (ε² − ε³)`: the dimension at which Theorem 1 guarantees error ≤ ε.
    public static func kJL(epsilon: Double, n: Int) -> Double {
        5 * log(Double(n)) / (epsilon * epsilon - epsilon * epsilon * epsilon)
    }

    /// `2n·exp(−(ε² − ε³)k/4)`: the paper's bound on the probability that some error exceeds ε.
    /// Values ≥ 1 are vacuous (the bound promises nothing).
    public static func failureBound(epsilon: Double, k: Int, n: Int) -> Double {
        2 * Double(n) * exp(-(epsilon * epsilon - epsilon * epsilon * epsilon) * Double(k) / 4)
    }
}

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
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}
