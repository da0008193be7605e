import Foundation
import SpectrumMetrics

/// Quantile with linear interpolation between order statistics (Hyndman–Fan type 7, the
/// default of numpy and R): position `q·(m−1)` in the sorted values. NaN when empty.
public func quantile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.filter { $0.isFinite }.sorted()
    guard !sorted.isEmpty else { return .nan }
    // The toolkit's one quantile definition (linear interpolation, NumPy's default).
    return ErrorStatistics.quantile(sorted, q)
}

/// The per-sequence metrics of a run file, by their dataset names.
public enum RunMetric: String, CaseIterable, Sendable {
    case k90, k95, k99
    case entropyRank = "entropy_rank"
    case stableRank = "stable_rank"
}

/// Median, lower and upper quartile of a sample.
public struct Spread: Sendable, Equatable {
    /// 50 %, 25 % and 75 % quantiles.
    public var median, q25, q75: Double
    /// Computes the spread of `values`.
    public init(_ values: [Double]) {
        median = quantile(values, 0.5)
        q25 = quantile(values, 0.25)
        q75 = quantile(values, 0.75)
    }
}

/// Spearman rank correlation (average ranks for ties); NaN for fewer than 2 points or no spread.
public func spearman(_ x: [Double], _ y: [Double]) -> Double {
    func ranks(_ v: [Double]) -> [Double] {
        let order = v.indices.sorted { v[$0] < v[$1] }
        var r = [Double](repeating: 0, count: v.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
            for t in i...j { r[order[t]] = Double(i + j) / 2 + 1 }
            i = j + 1
        }
        return r
    }
    guard x.count == y.count, x.count >= 2 else { return .nan }
    let rx = ranks(x), ry = ranks(y)
    let mx = rx.reduce(0, +) / Double(rx.count), my = ry.reduce(0, +) / Double(ry.count)
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for (a, b) in zip(rx, ry) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my) }
    return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : .nan
}

/// The projection methods compared in the projection-error figure (the last three only when the
/// run file holds them).
public enum ProjectionMethod: String, CaseIterable, Sendable {
    case theorem1 = "theorem1_random"
    case svdOptimal = "svd_optimal"
    case theorem2 = "theorem2_linformer"
    case pooling = "mean_pooling"
    case maxPooling = "max_pooling"
    case fitted = "fitted_projection"
    case fittedLinformer = "fitted_linformer"

    /// Legend text.
    public var title: String {
        switch self {
        case .theorem1: return "Theorem 1: random R"
        case .svdOptimal: return "SVD-optimal rank k"
        case .theorem2: return "Theorem 2: E = δR, F = e^−δ R"
        case .pooling: return "mean pooling E = F"
        case .maxPooling: return "max pooling E = F"
        case .fitted: return "fitted U_k U_kᵀ (held out)"
        case .fittedLinformer: return "fitted E = F = U_kᵀ (held out)"
        }
    }
}

/// Derived numbers of one run that figures, captions and tables share, so that every
/// printed number comes from one computation.
public struct RunStatistics: Sendable {
    /// The run.
    public let run: ReportRun

    /// Wraps a validated run.
    public init(_ run: ReportRun) { self.run = run }

    private var n: Int { run.sequenceLength }

    /// Mean and population std of `c_j` (j = 1…n) pooled over the selected layers and heads
    /// (nil = all). Every (layer, head) has the same `count`, so pooling sums is exact.
    public func curve(layer: Int? = nil, head: Int? = nil) -> (mean: [Double], std: [Double]) {
        let layers = layer.map { [$0] } ?? Array(0..<run.layers)
        let heads = head.map { [$0] } ?? Array(0..<run.heads)
        var sum = [Double](repeating: 0, count: n), sq = [Double](repeating: 0, count: n)
        for l in layers {
            for h in heads {
                let base = (l * run.heads + h) * n
                for j in 0..<n { sum[j] += run.cumulativeSum[base + j]; sq[j] += run.cumulativeSumSquares[base + j] }
            }
        }
        let total = Double(run.count * layers.count * heads.count)
        let mean = sum.map { $0 / total }
        let std = zip(sq, mean).map { max(0, $0 / total - $1 * $1).squareRoot() }
        return (mean, std)
    }

    /// The index used for `c_k`: k clamped to n (c_j = 1 for j ≥ n).
    public func clampedIndex(_ k: Int) -> Int { min(max(k, 1), n) }

    /// `[L, H]` mean `c_k` per layer and head.
    public func meanC(at k: Int) -> [Double] {
        let j = clampedIndex(k) - 1
        return (0..<(run.layers * run.heads)).map { run.cumulativeSum[$0 * n + j] / Double(run.count) }
    }

    /// `[L, H]` std of `c_k` per layer and head.
    public func stdC(at k: Int) -> [Double] {
        let j = clampedIndex(k) - 1
        return (0..<(run.layers * run.heads)).map { i in
            let mean = run.cumulativeSum[i * n + j] / Double(run.count)
            return max(0, run.cumulativeSumSquares[i * n + j] / Double(run.count) - mean * mean).squareRoot()
        }
    }

    /// `[L]` mean `c_k` per layer (mean over heads).
    public func layerMeanC(at k: Int) -> [Double] {
        let cells = meanC(at: k)
        return (0..<run.layers).map { l in cells[(l * run.heads)..<((l + 1) * run.heads)].reduce(0, +) / Double(run.heads) }
    }

    /// Smallest j with mean curve `c_j ≥ level` (all heads pooled), or nil.
    public func meanCurveIndex(reaching level: Double) -> Int? {
        curve().mean.firstIndex { $0 >= level }.map { $0 + 1 }
    }

    /// Spearman correlation between layer number and layer-mean `c_k` (> 0: higher layers more skewed).
    public func layerTrend(at k: Int) -> Double {
        spearman((1...run.layers).map(Double.init), layerMeanC(at: k))
    }

    /// A per-sequence metric `[S, L, H]` as doubles.
    public func metric(_ metric: RunMetric) -> [Double] {
        switch metric {
        case .k90: return run.k90.map(Double.init)
        case .k95: return run.k95.map(Double.init)
        case .k99: return run.k99.map(Double.init)
        case .entropyRank: return run.entropyRank
        case .stableRank: return run.stableRank
        }
    }

    /// Spread over sequences and heads of a metric for one layer (nil = all layers).
    public func metricSpread(_ name: RunMetric, layer: Int?) -> Spread {
        let values = metric(name)
        let lh = run.layers * run.heads
        var selected: [Double] = []
        for s in 0..<run.sequenceCount {
            for l in 0..<run.layers where layer == nil || layer == l {
                for h in 0..<run.heads { selected.append(values[s * lh + l * run.heads + h]) }
            }
        }
        return Spread(selected)
    }

    /// `[S, L, H, K]` values of a projection method, or nil without projection results or when the
    /// method is not applicable (Theorem 2 and pooling on causal attention).
    public func projectionValues(_ method: ProjectionMethod) -> [Double]? {
        guard let p = run.projection else { return nil }
        let values: [Double]
        switch method {
        case .theorem1: values = p.theorem1Median
        case .svdOptimal: values = p.svdOptimalMedian
        case .theorem2: values = p.theorem2Relative
        case .pooling: values = p.poolingRelative
        case .maxPooling: guard let v = p.maxPoolingRelative else { return nil }; values = v
        case .fitted: guard let v = p.fittedMedian else { return nil }; values = v
        case .fittedLinformer: guard let v = p.fittedLinformerRelative else { return nil }; values = v
        }
        return values.isEmpty ? nil : values
    }

    /// Whether the run has values for `method` (false without projections, or when not applicable).
    public func isApplicable(_ method: ProjectionMethod) -> Bool { projectionValues(method) != nil }

    /// Spread over sequences and heads (and layers when `layer` is nil) of a method's error at
    /// the `kIndex`-th projected dimension.
    public func projectionSpread(_ method: ProjectionMethod, kIndex: Int, layer: Int?) -> Spread {
        guard let values = projectionValues(method), let projectionDimensions = run.projection?.projectionDimensions else { return Spread([]) }
        let K = projectionDimensions.count
        var selected: [Double] = []
        // Rows: all sequences, or only the held-out ones for the fitted projection.
        for s in 0..<(values.count / max(1, run.layers * run.heads * K)) {
            for l in 0..<run.layers where layer == nil || layer == l {
                for h in 0..<run.heads { selected.append(values[((s * run.layers + l) * run.heads + h) * K + kIndex]) }
            }
        }
        return Spread(selected)
    }

    /// Smallest projected k whose all-heads median error of `method` is below ε, or nil.
    public func smallestK(_ method: ProjectionMethod, below epsilon: Double) -> Int? {
        guard let projectionDimensions = run.projection?.projectionDimensions else { return nil }
        return projectionDimensions.indices.first { projectionSpread(method, kIndex: $0, layer: nil).median < epsilon }.map { projectionDimensions[$0] }
    }
}
