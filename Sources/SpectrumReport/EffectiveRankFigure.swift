import Foundation

/// k90 / k95 / k99 and the entropy effective rank per layer: medians over sequences and heads
/// with interquartile bands, in two panels (indices left, entropy rank right).
struct EffectiveRankFigure {
    let runs: [RunStatistics]

    private static let indexMetrics: [RunMetric] = [.k90, .k95, .k99]

    func make() -> Figure {
        Figure(stem: "effective_rank", title: "Effective rank per layer", svg: drawing(), csv: table(), caption: caption())
    }

    private func color(_ metric: RunMetric) -> String {
        ColorMap.category((Self.indexMetrics + [.entropyRank]).firstIndex(of: metric) ?? 0)
    }

    private func drawing() -> SVGDocument {
        var entries = Self.indexMetrics.map { Legend.Entry(label: "\($0.rawValue): smallest j, c_j ≥ 0.\($0.rawValue.dropFirst())", color: color($0), band: true) }
        entries.append(.init(label: "entropy effective rank", color: color(.entropyRank), band: true))
        if runs.count > 1 {
            for (i, stats) in runs.enumerated() {
                entries.append(.init(label: FigureLayout.fit(stats.run.label, maxWidth: 190, size: Legend.size), color: "#444444",
                                     dash: ColorMap.dashes[i % ColorMap.dashes.count]))
            }
        }
        let legend = Legend(title: "median, 25–75 % band", entries: entries)
        let maxLayers = runs.map(\.run.layers).max() ?? 1
        let panels: [(metrics: [RunMetric], label: String)] = [(Self.indexMetrics, "singular values needed (index j)"),
                                                           ([.entropyRank], "entropy effective rank")]
        let domains = panels.map { panel -> (Double, Double) in
            let values = runs.flatMap { stats in
                panel.metrics.flatMap { m in (0..<stats.run.layers).flatMap { l -> [Double] in
                    let s = stats.metricSpread(m, layer: l); return [s.q25, s.q75] } }
            }.filter(\.isFinite)
            return LinearScale.niceDomain(lo: 0, hi: values.max() ?? 1, count: 5)
        }
        let margins = domains.map { d in
            Axis(side: .left, ticks: LinearScale.niceTicks(lo: d.0, hi: d.1, count: 5), position: { $0 }, label: "").leftMargin()
        }
        let available = FigureLayout.width - FigureLayout.right - legend.width - 16 - margins.reduce(0, +) - 12
        let panelWidth = available / 2
        let top = FigureLayout.top
        let frameHeight = 300.0
        let height = max(top + frameHeight + Axis.bottomMargin, top + legend.height + 10)
        var svg = SVGDocument(width: FigureLayout.width, height: height, idPrefix: "effective-rank")
        FigureLayout.drawTitle("How many singular values carry the mass, per layer", in: &svg)
        var x = 0.0
        for (p, panel) in panels.enumerated() {
            x += margins[p]
            let frame = PlotFrame(Box(x: x, y: top, width: panelWidth, height: frameHeight))
            x += panelWidth + 12
            let xScale = LinearScale(domain: (0.5, Double(maxLayers) + 0.5), range: (frame.box.x, frame.box.maxX))
            let yScale = LinearScale(domain: domains[p], range: (frame.box.maxY, frame.box.y))
            Axis(side: .bottom, ticks: (1...maxLayers).map(Double.init), position: { xScale($0) }, label: "layer")
                .draw(in: &svg, frame: frame)
            Axis(side: .left, ticks: LinearScale.niceTicks(lo: domains[p].0, hi: domains[p].1, count: 5), position: { yScale($0) },
                 label: panel.label).draw(in: &svg, frame: frame)
            for (runIndex, stats) in runs.enumerated() {
                for metric in panel.metrics {
                    let spreads = (0..<stats.run.layers).map { stats.metricSpread(metric, layer: $0) }
                    Band(points: spreads.enumerated().map { (Double($0.offset + 1), $0.element.q25, $0.element.q75) },
                         color: color(metric), opacity: 0.15).draw(in: &svg, x: { xScale($0) }, y: { yScale($0) })
                    Polyline(points: spreads.enumerated().map { (Double($0.offset + 1), $0.element.median) }, color: color(metric),
                             width: 2, dash: ColorMap.dashes[runIndex % ColorMap.dashes.count],
                             tooltip: "\(stats.run.label) · \(metric.rawValue): " + spreads.enumerated().map { "L\($0.offset + 1) \(formatNumber($0.element.median))" }.joined(separator: ", "))
                        .draw(in: &svg, x: { xScale($0) }, y: { yScale($0) })
                }
            }
        }
        legend.draw(in: &svg, x: x + 4, y: top)
        return svg
    }

    private func table() -> CSVWriter {
        var csv = CSVWriter(columns: ["run", "layer", "metric", "median", "q25", "q75"])
        for stats in runs {
            for metric in RunMetric.allCases {
                for layer in [nil] + (0..<stats.run.layers).map(Optional.some) {
                    let s = stats.metricSpread(metric, layer: layer)
                    csv.append([stats.run.label, layer.map { "\($0 + 1)" } ?? "all", metric.rawValue,
                                CSVWriter.number(s.median), CSVWriter.number(s.q25), CSVWriter.number(s.q75)])
                }
            }
        }
        return csv
    }

    /// Caption: medians of k90/k99 and the entropy rank for the first and last layer, as a share of n.
    func caption() -> String {
        var parts = ["Left: k90, k95, k99 — the smallest j with c_j ≥ 0.90, 0.95, 0.99 — per layer; right: entropy effective rank exp(−Σ p_i ln p_i), p_i = σ_i / Σσ. Lines are medians over sequences and heads, bands the 25–75 % range."]
        for stats in runs {
            let n = Double(stats.run.sequenceLength)
            let L = stats.run.layers
            let k90 = (0..<L).map { stats.metricSpread(.k90, layer: $0).median }
            let entropy = (0..<L).map { stats.metricSpread(.entropyRank, layer: $0).median }
            var s = runs.count > 1 ? "\(stats.run.label): " : ""
            s += "median k90 is \(formatNumber(k90[0], digits: 1)) in layer 1 and \(formatNumber(k90[L - 1], digits: 1)) in layer \(L) (of n = \(stats.run.sequenceLength); \(formatNumber(100 * k90[0] / n, digits: 1)) % and \(formatNumber(100 * k90[L - 1] / n, digits: 1)) %)"
            s += "; median entropy rank \(formatNumber(entropy[0], digits: 1)) → \(formatNumber(entropy[L - 1], digits: 1))."
            parts.append(s.prefix(1).uppercased() + s.dropFirst())
        }
        return parts.joined(separator: " ")
    }
}
