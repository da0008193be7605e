import Foundation
import SpectrumMetrics

extension ReportTables {
    /// Energy targets of the recommendation table.
    static let recommendationEnergies = [0.9, 0.95]

    /// "Which k to use": per run, layer and energy target τ, the k of ``KRecommendation`` (per head the
    /// smallest j whose mean c_j reaches τ, per layer the maximum over heads), and the compression
    /// against one uniform k; nil when no run can be summarised.
    var recommendation: TextTable? {
        var rows: [[String]] = []
        for stats in runs {
            let run = stats.run
            guard run.count > 0 else { continue }
            let mean = run.cumulativeSum.map { $0 / Double(run.count) }
            let picks = Self.recommendationEnergies.compactMap {
                try? KRecommendation(layers: run.layers, heads: run.heads, n: run.sequenceLength, meanCumulative: mean, energy: $0)
            }
            guard picks.count == Self.recommendationEnergies.count else { continue }
            for layer in 0..<run.layers {
                rows.append([run.label, "\(layer + 1)"] + picks.flatMap { pick in
                    let heads = pick.layers[layer].heads
                    return ["\(pick.layers[layer].k)", "\(heads.min() ?? 0)–\(heads.max() ?? 0)"]
                })
            }
            rows.append([run.label, "uniform"] + picks.flatMap { ["\($0.uniformK)", String(format: "per-layer: %.0f %%", 100 * $0.compression)] })
        }
        guard !rows.isEmpty else { return nil }
        let header = ["run", "layer"] + Self.recommendationEnergies.flatMap { ["k for mean c_j ≥ \($0)", "range over heads"] }
        return TextTable(header: header, rows: rows)
    }
}
