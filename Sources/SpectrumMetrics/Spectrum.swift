import Foundation

/// The spectrum of one attention matrix P (one sequence, layer and head) and its low-rank metrics.
///
/// With σ₁ ≥ … ≥ σ_n ≥ 0 the singular values of P:
/// - cumulative curve `c_j = Σ_{i≤j} σ_i / Σ_i σ_i` (j = 1…n; `c_n = 1`);
/// - `k90`, `k95`, `k99`: the smallest j (1-based) with `c_j ≥ 0.90 / 0.95 / 0.99`;
/// - entropy effective rank `exp(−Σ p_i ln p_i)`, `p_i = σ_i / Σσ` (Roy & Vetterli 2007), in [1, n];
/// - stable rank `Σ σ_i² / σ₁²`, in [1, rank].
public struct HeadSpectrum: Sendable, Equatable {
    /// Singular values, descending, `[n]`.
    public let sigma: [Double]
    /// Normalized cumulative singular values `c_j`, `[n]`.
    public let cumulative: [Double]
    /// Smallest j with `c_j ≥ 0.90`.
    public let k90: Int32
    /// Smallest j with `c_j ≥ 0.95`.
    public let k95: Int32
    /// Smallest j with `c_j ≥ 0.99`.
    public let k99: Int32
    /// `exp(−Σ p_i ln p_i)` with `p_i = σ_i/Σσ`.
    public let entropyRank: Double
    /// `Σσ_i² / σ₁²`.
    public let stableRank: Double

    /// Computes the curve and metrics from singular values (sorted descending by the caller).
    /// - Throws: ``AnalysisError/numeric(_:)`` when σ holds NaN/Inf or sums to zero; `context` names the head.
    public init(sigma: [Double], context: @autoclosure () -> String = "") throws(AnalysisError) {
        var running = 0.0
        var cumulativeSums = [Double](repeating: 0, count: sigma.count)
        for (i, s) in sigma.enumerated() {
            running += s
            cumulativeSums[i] = running
        }
        guard running.isFinite, running > 0 else {
            throw .numeric("\(context()): singular values are \(running.isFinite ? "all zero" : "not finite")")
        }
        let total = running
        let curve = cumulativeSums.map { $0 / total }
        func firstIndex(reaching level: Double) -> Int32 {
            Int32((curve.firstIndex { $0 >= level } ?? curve.count - 1) + 1)
        }
        var entropy = 0.0
        var squares = 0.0
        for s in sigma {
            let p = s / total
            if p > 0 { entropy -= p * log(p) }
            squares += s * s
        }
        self.sigma = sigma
        self.cumulative = curve
        self.k90 = firstIndex(reaching: 0.90)
        self.k95 = firstIndex(reaching: 0.95)
        self.k99 = firstIndex(reaching: 0.99)
        self.entropyRank = exp(entropy)
        self.stableRank = squares / (sigma[0] * sigma[0])
    }
}

/// Running sums over sequences of `c_j`, per (layer, head), that merge exactly across shards.
///
/// Mean `c̄_j = S_j / N`, standard deviation `sqrt(max(0, Q_j / N − c̄_j²))` where `S` are the sums,
/// `Q` the sums of squares and `N` the count. Adding two aggregates of disjoint sequence sets gives
/// the aggregate of their union (up to floating-point summation order).
public struct SpectrumAggregate: Sendable, Equatable {
    /// Layers L.
    public let layers: Int
    /// Heads H.
    public let heads: Int
    /// Sequence length n.
    public let sequenceLength: Int
    /// `Σ_s c_j`, `[L, H, n]`.
    public var cumulativeSum: [Double]
    /// `Σ_s c_j²`, `[L, H, n]`.
    public var cumulativeSumSquares: [Double]
    /// Sequences aggregated per (layer, head), `[L, H]`.
    public var count: [Int64]

    /// An empty aggregate.
    public init(layers: Int, heads: Int, sequenceLength: Int) {
        self.layers = layers
        self.heads = heads
        self.sequenceLength = sequenceLength
        cumulativeSum = Array(repeating: 0, count: layers * heads * sequenceLength)
        cumulativeSumSquares = cumulativeSum
        count = Array(repeating: 0, count: layers * heads)
    }

    /// Adds one head's curve.
    public mutating func add(_ spectrum: HeadSpectrum, layer: Int, head: Int) {
        let base = (layer * heads + head) * sequenceLength
        for (j, c) in spectrum.cumulative.enumerated() {
            cumulativeSum[base + j] += c
            cumulativeSumSquares[base + j] += c * c
        }
        count[layer * heads + head] += 1
    }

    /// Adds another aggregate of the same shape (merging shards).
    public mutating func merge(_ other: SpectrumAggregate) throws(AnalysisError) {
        guard other.layers == layers, other.heads == heads, other.sequenceLength == sequenceLength else {
            throw .incompatibleShards("aggregate shapes differ: \(layers)×\(heads)×\(sequenceLength) vs \(other.layers)×\(other.heads)×\(other.sequenceLength)")
        }
        for i in cumulativeSum.indices {
            cumulativeSum[i] += other.cumulativeSum[i]
            cumulativeSumSquares[i] += other.cumulativeSumSquares[i]
        }
        for i in count.indices { count[i] += other.count[i] }
    }

    /// Mean `c_j` of (layer, head) at 1-based index `j`.
    public func mean(layer: Int, head: Int, j: Int) -> Double {
        let n = Double(count[layer * heads + head])
        return n > 0 ? cumulativeSum[(layer * heads + head) * sequenceLength + j - 1] / n : .nan
    }
}
