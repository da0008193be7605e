import Foundation

/// Figure 1 (right): layers × heads of mean `c_k`, viridis with a colour bar; one panel per run.
struct HeatmapFigure {
    let runs: [RunStatistics]
    let k: Int

    func make() -> Figure {
        Figure(stem: "heatmap_k\(k)", title: "Mean c_\(k) per layer and head (Figure 1, right)",
               svg: drawing(), csv: table(), caption: caption())
    }

    /// Colour domain shared by all panels: the data range widened to nice values within [0, 1].
    var domain: (Double, Double) {
        let all = runs.flatMap { $0.meanC(at: k) }
        let lo = all.min() ?? 0, hi = all.max() ?? 1
        let nice = LinearScale.niceDomain(lo: lo, hi: hi, count: 5)
        return (max(0, nice.0), min(1, nice.1) > max(0, nice.0) ? min(1, nice.1) : max(0, nice.0) + 0.05)
    }

    private func drawing() -> SVGDocument {
        let maxHeads = runs.map(\.run.heads).max() ?? 1
        let cellWidth = min(52, max(16, 560 / Double(maxHeads)))
        let bar = ColorBar(domain: domain, label: "mean c_\(k)")
        let yProbe = Axis(side: .left, ticks: [88], position: { $0 }, label: "")
        let left = yProbe.leftMargin()
        let panelTitle = 18.0
        var panels: [(stats: RunStatistics, frame: Box)] = []
        var y = FigureLayout.top + (runs.count > 1 ? panelTitle : 0)
        for stats in runs {
            let cellHeight = min(36, max(12, 300 / Double(stats.run.layers)))
            let frame = Box(x: left, y: y, width: cellWidth * Double(stats.run.heads), height: cellHeight * Double(stats.run.layers))
            panels.append((stats, frame))
            y = frame.maxY + Axis.bottomMargin + (runs.count > 1 ? panelTitle + 10 : 0)
        }
        let plotRight = left + cellWidth * Double(maxHeads)
        let width = max(FigureLayout.width * 0.75, plotRight + 24 + bar.width + FigureLayout.right)
        let height = y + 4 - (runs.count > 1 ? panelTitle + 10 : 0)
        var svg = SVGDocument(width: width, height: height, idPrefix: "heatmap-k\(k)")
        FigureLayout.drawTitle("Mean c_\(k) per layer and head", in: &svg)
        let color = domain
        for (stats, frameBox) in panels {
            let r = stats.run
            let frame = PlotFrame(frameBox)
            if runs.count > 1 {
                svg.text(FigureLayout.fit(r.label, maxWidth: frameBox.width, size: 12, bold: true), x: frameBox.x, y: frameBox.y - 10, size: 12, bold: true)
            }
            let means = stats.meanC(at: k), stds = stats.stdC(at: k)
            let heads = r.heads, kk = stats.clampedIndex(k)
            RectGrid(rows: r.layers, columns: heads, values: means, domain: color,
                     tooltip: { l, h in "layer \(l + 1), head \(h + 1): mean c_\(kk) = \(formatNumber(means[l * heads + h])) ± \(formatNumber(stds[l * heads + h])) (std)" },
                     cellLabel: { l, h in String(format: "%.2f", means[l * heads + h]) }).draw(in: &svg, frame: frame)
            let cw = frameBox.width / Double(heads), ch = frameBox.height / Double(r.layers)
            Axis(side: .bottom, ticks: (1...heads).map(Double.init), position: { frameBox.x + ($0 - 0.5) * cw },
                 label: "head", grid: false).draw(in: &svg, frame: frame)
            Axis(side: .left, ticks: (1...r.layers).map(Double.init), position: { frameBox.maxY - ($0 - 0.5) * ch },
                 label: "layer", grid: false).draw(in: &svg, frame: frame)
        }
        let first = panels[0].frame
        bar.draw(in: &svg, x: plotRight + 24, y: first.y, height: max(120, min(first.height, 300)))
        return svg
    }

    private func table() -> CSVWriter {
        var csv = CSVWriter(columns: ["run", "k", "layer", "head", "mean", "std"])
        for stats in runs {
            let means = stats.meanC(at: k), stds = stats.stdC(at: k)
            for l in 0..<stats.run.layers {
                for h in 0..<stats.run.heads {
                    let i = l * stats.run.heads + h
                    csv.append([stats.run.label, "\(stats.clampedIndex(k))", "\(l + 1)", "\(h + 1)",
                                CSVWriter.number(means[i]), CSVWriter.number(stds[i])])
                }
            }
        }
        return csv
    }

    /// Caption: the per-layer mean c_k, its rank correlation with depth and what that says about
    /// the paper's claim that higher layers are more skewed.
    func caption() -> String {
        var parts = ["Mean c_\(k) (the share of Σσ carried by the first \(k) singular values) for every layer (rows, layer 1 at the bottom) and head (columns), viridis colour scale from \(formatNumber(domain.0)) to \(formatNumber(domain.1)); hover a cell for mean ± std over sequences."]
        for stats in runs {
            let layers = stats.layerMeanC(at: k)
            let rho = stats.layerTrend(at: k)
            let cells = stats.meanC(at: k)
            var s = runs.count > 1 ? "\(stats.run.label): " : ""
            s += "layer means \(layers.enumerated().map { "L\($0.offset + 1) \(formatNumber($0.element))" }.joined(separator: ", "))"
            s += "; heads range \(formatNumber(cells.min() ?? .nan))–\(formatNumber(cells.max() ?? .nan))"
            s += "; Spearman ρ(layer, c_k) = \(formatNumber(rho, digits: 2))"
            if rho.isNaN {
                s += " (undefined with one layer or constant values)."
            } else if rho >= 0.5 {
                s += ": higher layers are more skewed, as the paper reports."
            } else if rho <= -0.5 {
                s += ": lower layers are more skewed, the opposite of the paper's observation."
            } else {
                s += ": no clear depth trend, unlike the paper's observation that higher layers are more skewed."
            }
            if stats.clampedIndex(k) < k { s += " (k exceeds n = \(stats.run.sequenceLength), so c_k = 1.)" }
            parts.append(s.prefix(1).uppercased() + s.dropFirst())
        }
        return parts.joined(separator: " ")
    }
}
