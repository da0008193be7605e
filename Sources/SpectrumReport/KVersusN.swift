import Foundation

/// How the k a head needs grows with the sequence length n, from runs that differ only in n.
///
/// Runs are grouped into series by ``ReportRun/series`` (model, corpus and weights); a series with
/// at least two distinct n gives, per layer and n: the median and interquartile range over heads
/// of each head's median-over-sequences k90 and k95, and `c_k` at a fixed k (mean over sequences
/// and heads, k clamped to n). The slope α of `k ∝ n^α` is the least-squares slope of
/// `log(median k)` on `log n` over the series' n.
struct KVersusN {
    struct Point: Sendable {
        var n: Int
        var k90: Spread, k95: Spread
        var cK: Double
    }

    struct Layer: Sendable {
        var layer: Int
        var points: [Point]
        var slope90: Double, slope95: Double
    }

    struct Series: Sendable {
        var name: String
        var layers: [Layer]
    }

    let series: [Series]
    let k: Int

    init(runs: [ReportRun], k: Int) {
        self.k = k
        var order: [String] = []
        var groups: [String: [ReportRun]] = [:]
        for run in runs {
            let key = run.series.isEmpty ? run.label : run.series
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(run)
        }
        series = order.compactMap { key -> Series? in
            guard let members = groups[key] else { return nil }
            // One run per n (the first given), layers and heads equal across the series.
            var byN: [Int: ReportRun] = [:]
            for run in members where byN[run.sequenceLength] == nil { byN[run.sequenceLength] = run }
            let sorted = byN.keys.sorted().compactMap { byN[$0] }
            guard sorted.count >= 2, let first = sorted.first,
                  sorted.allSatisfy({ $0.layers == first.layers && $0.heads == first.heads }) else { return nil }
            let layers = (0..<first.layers).map { layer -> Layer in
                let points = sorted.map { run in
                    Point(n: run.sequenceLength, k90: Self.spread(run.k90, run: run, layer: layer),
                          k95: Self.spread(run.k95, run: run, layer: layer), cK: Self.meanC(run, layer: layer, k: k))
                }
                return Layer(layer: layer + 1, points: points,
                             slope90: Self.slope(points.map { (Double($0.n), $0.k90.median) }),
                             slope95: Self.slope(points.map { (Double($0.n), $0.k95.median) }))
            }
            return Series(name: key, layers: layers)
        }
    }

    /// Quartiles over heads of each head's median over sequences, of a `[S, L, H]` metric.
    static func spread(_ metric: [Int32], run: ReportRun, layer: Int) -> Spread {
        let (L, H) = (run.layers, run.heads)
        let S = metric.count / max(1, L * H)
        let perHead = (0..<H).map { head in quantile((0..<S).map { Double(metric[($0 * L + layer) * H + head]) }, 0.5) }
        return Spread(perHead)
    }

    /// Mean over sequences and heads of `c_k` in one layer.
    static func meanC(_ run: ReportRun, layer: Int, k: Int) -> Double {
        let n = run.sequenceLength, j = min(max(k, 1), n) - 1
        let sum = (0..<run.heads).reduce(0.0) { $0 + run.cumulativeSum[(layer * run.heads + $1) * n + j] }
        return sum / Double(max(1, run.count * run.heads))
    }

    /// Least-squares slope of log y on log x (NaN with fewer than two usable points).
    static func slope(_ points: [(Double, Double)]) -> Double {
        let logs = points.filter { $0.0 > 0 && $0.1 > 0 }.map { (log($0.0), log($0.1)) }
        guard logs.count >= 2 else { return .nan }
        let mx = logs.map(\.0).reduce(0, +) / Double(logs.count), my = logs.map(\.1).reduce(0, +) / Double(logs.count)
        let sxy = logs.reduce(0.0) { $0 + ($1.0 - mx) * ($1.1 - my) }, sxx = logs.reduce(0.0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        return sxx > 0 ? sxy / sxx : .nan
    }

    /// Tidy rows: one per series, layer and n.
    func table() -> CSVWriter {
        var csv = CSVWriter(columns: ["series", "layer", "n", "k90_median", "k90_q25", "k90_q75", "k95_median", "k95_q25", "k95_q75",
                                      "c_k", "k", "alpha_k90", "alpha_k95"])
        for s in series {
            for layer in s.layers {
                for p in layer.points {
                    csv.append([s.name, "\(layer.layer)", "\(p.n)", CSVWriter.number(p.k90.median), CSVWriter.number(p.k90.q25),
                                CSVWriter.number(p.k90.q75), CSVWriter.number(p.k95.median), CSVWriter.number(p.k95.q25),
                                CSVWriter.number(p.k95.q75), CSVWriter.number(p.cK), "\(k)",
                                CSVWriter.number(layer.slope90), CSVWriter.number(layer.slope95)])
                }
            }
        }
        return csv
    }
}
