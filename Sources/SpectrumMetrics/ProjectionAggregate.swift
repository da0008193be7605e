/// Sums over sequences of every projection statistic, per (layer, head, k), so shards merge exactly.
///
/// The mean of a statistic over sequences is `sum / count` with `count` the spectrum aggregate's count.
public struct ProjectionAggregate: Sendable, Equatable {
    /// `[L, H, K]` sums of each statistic the run stores (a causal run leaves out Theorem 2 and pooling).
    public private(set) var sums: [ProjectionStatistic: [Double]]
    /// Shape `[L, H, K]` of each statistic.
    public let shape: [Int]
    /// Elements per statistic, `L·H·K`.
    public var size: Int { shape.reduce(1, *) }
    /// The statistics summed, in file order.
    public var statistics: [ProjectionStatistic] { ProjectionStatistic.allCases.filter { sums[$0] != nil } }

    /// An empty aggregate for L layers, H heads and K projection dimensions, over `statistics`
    /// (all by default; a causal run leaves out the not-applicable Theorem 2 and pooling).
    public init(layers: Int, heads: Int, dimensionCount: Int, statistics: [ProjectionStatistic]? = nil) {
        shape = [layers, heads, dimensionCount]
        let size = layers * heads * dimensionCount
        sums = Dictionary(uniqueKeysWithValues: (statistics ?? ProjectionStatistic.allCases).map { ($0, [Double](repeating: 0, count: size)) })
    }

    /// Adds one sequence's statistics (`[L, H, K]` each). Every statistic this aggregate sums must be
    /// present with `L·H·K` values; statistics it does not sum (Theorem 2 of a causal run) are ignored.
    /// A refused add changes nothing.
    public mutating func add(_ statistics: [ProjectionStatistic: [Double]]) throws(AnalysisError) {
        for statistic in self.statistics where statistics[statistic]?.count != size {
            throw .numeric("projection statistic \(statistic.rawValue): \(statistics[statistic]?.count ?? 0) values, expected \(size) (shape \(shape))")
        }
        for statistic in self.statistics {
            sums[statistic] = zip(sums[statistic] ?? [], statistics[statistic] ?? []).map { $0 + $1 }
        }
    }

    /// Replaces the sums of `statistic` (read back from a file); `values` must hold `L·H·K` values.
    public mutating func setSums(_ values: [Double], of statistic: ProjectionStatistic) throws(AnalysisError) {
        guard sums[statistic] != nil else { throw .numeric("projection statistic \(statistic.rawValue) is not part of this aggregate") }
        guard values.count == size else {
            throw .numeric("projection statistic \(statistic.rawValue): \(values.count) sums, expected \(size) (shape \(shape))")
        }
        sums[statistic] = values
    }

    /// Adds another aggregate (merging shards): same shape and the same statistics.
    public mutating func merge(_ other: ProjectionAggregate) throws(AnalysisError) {
        guard other.shape == shape else { throw .incompatibleShards("projection shapes differ: \(shape) vs \(other.shape)") }
        guard other.statistics == statistics else {
            throw .incompatibleShards("projection statistics differ: \(statistics.map(\.rawValue)) vs \(other.statistics.map(\.rawValue))")
        }
        try add(other.sums)
    }
}
