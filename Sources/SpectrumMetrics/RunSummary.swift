import Foundation

/// The per-layer table printed at the end of a run (and by `--json`).
public struct RunSummary: Codable, Sendable, Equatable {
    /// One row per layer.
    public struct Layer: Codable, Sendable, Equatable {
        /// Layer number, 1-based as in the report's figures.
        public var layer: Int
        /// Mean over heads and sequences of `c_k`.
        public var meanCumulativeAtK: Double
        /// Medians over (sequence, head) of k90, k95, k99.
        public var medianK90: Double
        public var medianK95: Double
        public var medianK99: Double
        /// Median entropy effective rank.
        public var medianEntropyRank: Double
        /// Median over (sequence, head) of the median Theorem 1 error at ``RunSummary/projectionK`` (nil without projections).
        public var theorem1MedianError: Double?
        /// The same for the SVD-optimal rank-k error.
        public var svdOptimalMedianError: Double?

        public init(layer: Int, meanCumulativeAtK: Double, medianK90: Double, medianK95: Double, medianK99: Double,
                    medianEntropyRank: Double, theorem1MedianError: Double?, svdOptimalMedianError: Double?) {
            self.layer = layer
            self.meanCumulativeAtK = meanCumulativeAtK
            (self.medianK90, self.medianK95, self.medianK99) = (medianK90, medianK95, medianK99)
            self.medianEntropyRank = medianEntropyRank
            self.theorem1MedianError = theorem1MedianError
            self.svdOptimalMedianError = svdOptimalMedianError
        }
    }

    /// k of ``Layer/meanCumulativeAtK`` (clamped to n).
    public var k: Int
    /// k of the projection columns (the grid value closest to `k`), nil without projections.
    public var projectionK: Int?
    /// Sequences summarised.
    public var sequences: Int
    /// Sequence length n.
    public var n: Int
    /// The rows.
    public var layers: [Layer]

    /// The k_JL(ε) of the paper's Theorem 1 at this n, for reading the projection columns.
    public var kJL: [String: Double]

    public init(k: Int, projectionK: Int?, sequences: Int, n: Int, layers: [Layer], kJL: [String: Double]) {
        self.k = k
        self.projectionK = projectionK
        self.sequences = sequences
        self.n = n
        self.layers = layers
        self.kJL = kJL
    }

    /// Median of a sample (mean of the middle pair for even counts); NaN when empty.
    public static func median<T: BinaryInteger>(_ values: [T]) -> Double { median(values.map { Double($0) }) }

    /// Median of a sample; NaN when empty.
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        return ErrorStatistics.quantile(values.sorted(), 0.5)
    }

    /// The summary as an aligned text table.
    public func formattedTable() -> String {
        var header = ["layer", "mean c_\(k)", "k90", "k95", "k99", "eff. rank"]
        if let projectionK { header += ["JL err@\(projectionK)", "SVD err@\(projectionK)"] }
        var rows = [header]
        for layer in layers {
            var row = [String(layer.layer), format(layer.meanCumulativeAtK, 4), format(layer.medianK90, 1),
                       format(layer.medianK95, 1), format(layer.medianK99, 1), format(layer.medianEntropyRank, 1)]
            if projectionK != nil {
                row += [layer.theorem1MedianError.map { format($0, 4) } ?? "-",
                        layer.svdOptimalMedianError.map { format($0, 4) } ?? "-"]
            }
            rows.append(row)
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = "\(sequences) sequences, n = \(n); medians over sequences and heads\n"
        for row in rows {
            text += row.enumerated().map { column, cell in
                String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ") + "\n"
        }
        if projectionK != nil {
            let theory = kJL.sorted { $0.key < $1.key }.map { "ε=\($0.key): \(format($0.value, 0))" }.joined(separator: ", ")
            text += "Theorem 1 needs k_JL(ε) = 5 ln n/(ε²−ε³): \(theory)\n"
        }
        return text
    }

    private func format(_ value: Double, _ digits: Int) -> String {
        value.isNaN ? "nan" : String(format: "%.\(digits)f", value)
    }
}
