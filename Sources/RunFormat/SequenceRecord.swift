import SpectrumMetrics

/// One sequence's rows of a run file: what the writer appends, the journal logs and merge copies.
///
/// Shapes (see docs/FORMAT.md): `inputIds` `[n]`; spectra `[L, H, n]` σ and `[L, H]` metrics;
/// projection statistics `[L, H, K]` each and `fractionBelow` `[L, H, K, E]`.
public struct SequenceRecord: Sendable, Equatable {
    /// Window number in the whole corpus (shard-independent).
    public var windowIndex: Int
    /// `[start, end)` byte offsets of the corpus lines the window came from.
    public var byteRange: Range<Int>
    /// The n token ids fed to the encoder.
    public var inputIds: [Int32]
    /// σ and metrics of every head; nil in a file without spectra (`extract`).
    public var spectra: Spectra?
    /// Projection statistics; nil without projections.
    public var projection: Projection?

    /// σ `[L, H, n]` and the per-head metrics `[L, H]`.
    public struct Spectra: Sendable, Equatable {
        public var sigma: [Double]
        public var k90: [Int32], k95: [Int32], k99: [Int32]
        public var entropyRank: [Double], stableRank: [Double]

        public init(sigma: [Double], k90: [Int32], k95: [Int32], k99: [Int32], entropyRank: [Double], stableRank: [Double]) {
            self.sigma = sigma
            (self.k90, self.k95, self.k99) = (k90, k95, k99)
            (self.entropyRank, self.stableRank) = (entropyRank, stableRank)
        }
    }

    /// Every ``ProjectionStatistic`` `[L, H, K]` and the Theorem 1 fractions below ε `[L, H, K, E]`.
    public struct Projection: Sendable, Equatable {
        public var statistics: [ProjectionStatistic: [Double]]
        public var fractionBelow: [Double]

        public init(statistics: [ProjectionStatistic: [Double]], fractionBelow: [Double]) {
            self.statistics = statistics
            self.fractionBelow = fractionBelow
        }
    }

    public init(windowIndex: Int, byteRange: Range<Int>, inputIds: [Int32], spectra: Spectra? = nil, projection: Projection? = nil) {
        self.windowIndex = windowIndex
        self.byteRange = byteRange
        self.inputIds = inputIds
        self.spectra = spectra
        self.projection = projection
    }
}

/// A row of one dataset, in the dataset's element type.
public enum RowValues: Sendable, Equatable {
    case int32([Int32]), int64([Int64]), float64([Double])

    /// Number of values.
    public var count: Int {
        switch self {
        case .int32(let v): return v.count
        case .int64(let v): return v.count
        case .float64(let v): return v.count
        }
    }
}

extension SequenceRecord {
    /// The row of `field` (nil when the record does not carry it).
    public func values(_ field: RunField) -> RowValues? {
        switch field {
        case .inputIds: return .int32(inputIds)
        case .windowIndex: return .int64([Int64(windowIndex)])
        case .byteRange: return .int64([Int64(byteRange.lowerBound), Int64(byteRange.upperBound)])
        case .sigma: return spectra.map { .float64($0.sigma) }
        case .k90: return spectra.map { .int32($0.k90) }
        case .k95: return spectra.map { .int32($0.k95) }
        case .k99: return spectra.map { .int32($0.k99) }
        case .entropyRank: return spectra.map { .float64($0.entropyRank) }
        case .stableRank: return spectra.map { .float64($0.stableRank) }
        case .projection(let statistic): return projection?.statistics[statistic].map { .float64($0) }
        case .fractionBelow: return projection.map { .float64($0.fractionBelow) }
        }
    }

    /// A record rebuilt from rows keyed by field (journal, merge); nil when a row has the wrong type.
    /// Sizes are the caller's to check (both callers take them from ``RunSchema``).
    init?(rows: [RunField: RowValues]) {
        guard case .int64(let window)? = rows[.windowIndex], window.count == 1,
              case .int64(let range)? = rows[.byteRange], range.count == 2, range[0] <= range[1],
              case .int32(let ids)? = rows[.inputIds] else { return nil }
        self.init(windowIndex: Int(window[0]), byteRange: Int(range[0]) ..< Int(range[1]), inputIds: ids)
        if case .float64(let sigma)? = rows[.sigma] {
            guard case .int32(let k90)? = rows[.k90], case .int32(let k95)? = rows[.k95], case .int32(let k99)? = rows[.k99],
                  case .float64(let entropy)? = rows[.entropyRank], case .float64(let stable)? = rows[.stableRank] else { return nil }
            spectra = Spectra(sigma: sigma, k90: k90, k95: k95, k99: k99, entropyRank: entropy, stableRank: stable)
        }
        if case .float64(let fractions)? = rows[.fractionBelow] {
            var statistics: [ProjectionStatistic: [Double]] = [:]
            // The schema says which statistics a file stores (a causal run has no Theorem 2 or pooling).
            for statistic in ProjectionStatistic.allCases {
                if case .float64(let values)? = rows[.projection(statistic)] { statistics[statistic] = values }
            }
            guard !statistics.isEmpty else { return nil }
            projection = Projection(statistics: statistics, fractionBelow: fractions)
        }
    }
}
