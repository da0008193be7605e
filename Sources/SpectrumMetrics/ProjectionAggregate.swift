/// Sums over sequences of every projection statistic, per (layer, head, k), so shards merge exactly.
///
/// The mean of a statistic over sequences is `sum / count` with `count` the spectrum aggregate's count.
public struct ProjectionAggregate: Sendable, Equatable {
    /// `[L, H, K]` sums keyed by statistic name (`theorem1/median`, …).
    public var sums: [String: [Double]]
    /// Shape `[L, H, K]` of each statistic.
    public let shape: [Int]
    /// Elements per statistic, `L·H·K`.
    public var size: Int { shape.reduce(1, *) }

    /// An empty aggregate for L layers, H heads and K projection dimensions, over `statistics`
    /// (all by default; a causal run leaves out the not-applicable Theorem 2 and pooling).
    public init(layers: Int, heads: Int, dims: Int, statistics: [ProjectionStatistic]? = nil) {
        shape = [layers, heads, dims]
        let size = layers * heads * dims
        sums = Dictionary(uniqueKeysWithValues: (statistics ?? ProjectionStatistic.allCases).map { ($0.rawValue, [Double](repeating: 0, count: size)) })
    }

    /// Adds one sequence's statistics (`[L, H, K]` each).
    public mutating func add(_ statistics: [String: [Double]]) {
        for (name, values) in statistics where values.count == size && sums[name] != nil {
            sums[name] = zip(sums[name] ?? [], values).map { $0 + $1 }
        }
    }

    /// Adds another aggregate (merging shards).
    public mutating func merge(_ other: ProjectionAggregate) throws(AnalysisError) {
        guard other.shape == shape else { throw .incompatibleShards("projection shapes differ: \(shape) vs \(other.shape)") }
        add(other.sums)
    }
}
