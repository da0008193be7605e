import Foundation

/// Small multiples of the cumulative spectrum, one panel per layer, each panel `c_j` against j:
/// - ``Kind/heads`` (`--per-head`): one line per head, the mean over sequences of that head's `c_j`
///   (the curves of `cumulative_spectrum_heads.csv`); one figure per run.
/// - ``Kind/runs`` (several runs): one line per run, the mean over sequences and the layer's heads;
///   a run with fewer layers is simply absent from the later panels.
struct CumulativePanelsFigure {
    enum Kind { case heads, runs }

    let runs: [RunStatistics]
    let kind: Kind
    let k: Int
    var logX = false

    /// Panels per row.
    static let columns = 3
    /// Legend rows drawn for the heads before the list is summarised.
    static let maxHeadEntries = 16

    /// True when the runs have different n, so the x axis becomes j / n.
    private var normalised: Bool { Set(runs.map(\.run.sequenceLength)).count > 1 }
    private var layerCount: Int { runs.map(\.run.layers).max() ?? 0 }

    /// File stem: `cumulative_spectrum_layers` (runs) or `cumulative_spectrum_heads[_<i>]` (heads).
    static func stem(_ kind: Kind, run index: Int, of count: Int) -> String {
        kind == .runs ? "cumulative_spectrum_layers" : count == 1 ? "cumulative_spectrum_heads" : "cumulative_spectrum_heads_\(index + 1)"
    }

    /// The figure; for ``Kind/heads`` `runs` must hold the one run drawn.
    func make(stem: String) -> Figure {
        let title = kind == .runs ? "Cumulative spectrum per layer, runs overlaid"
                                  : "Cumulative spectrum per head (\(runs[0].run.label))"
        return Figure(stem: stem, title: title, svg: drawing(title: title), csv: kind == .runs ? table() : nil, caption: caption())
    }

    /// The lines of one layer's panel: label, colour and mean curve; n is the curve's length.
    private func lines(layer: Int) -> [(label: String, color: String, n: Int, mean: [Double])] {
        switch kind {
        case .heads:
            let stats = runs[0], H = stats.run.heads
            return (0..<H).map { h in ("head \(h + 1)", ColorMap.sequential(h, of: H), stats.run.sequenceLength, stats.curve(layer: layer, head: h).mean) }
        case .runs:
            return runs.enumerated().compactMap { i, stats in
                layer < stats.run.layers ? (stats.run.label, ColorMap.category(i), stats.run.sequenceLength, stats.curve(layer: layer).mean) : nil
            }
        }
    }

    private func legend() -> Legend {
        switch kind {
        case .runs:
            return Legend(title: "run (mean of the layer's heads)", entries: runs.enumerated().map { i, stats in
                .init(label: FigureLayout.fit(stats.run.label, maxWidth: 160, size: Legend.size), color: ColorMap.category(i))
            })
        case .heads:
            let H = runs[0].run.heads
            let shown = H <= Self.maxHeadEntries ? Array(0..<H) : [0, H - 1]
            var entries: [Legend.Entry] = shown.map { .init(label: "head \($0 + 1)", color: ColorMap.sequential($0, of: H)) }
            if H > Self.maxHeadEntries { entries.insert(.init(label: "… (colours in head order)", color: "#ffffff"), at: 1) }
            return Legend(title: "head (mean over sequences)", entries: entries)
        }
    }

    private func drawing(title: String) -> SVGDocument {
        let legend = legend()
        let L = layerCount, columns = min(Self.columns, max(1, L))
        let rows = (L + columns - 1) / columns
        let ns = Array(Set(runs.map(\.run.sequenceLength))).sorted()
        let xMax = normalised ? 1.0 : Double(ns.max() ?? 1)
        let xMin = normalised ? (logX ? 1 / xMax.rounded() : 0) : 1
        let yTicks = [0.0, 0.5, 1.0]
        let left = Axis(side: .left, ticks: yTicks, position: { $0 }, label: "c_j").leftMargin()
        let areaRight = FigureLayout.width - FigureLayout.right - legend.width - 18
        // Panels after the first column need room for their tick labels only.
        let gap = 40.0, panelHeight = 150.0, titleStrip = 16.0
        let panelWidth = (areaRight - left - Double(columns - 1) * gap) / Double(columns)
        let top = FigureLayout.top + 6
        let rowHeight = titleStrip + panelHeight + Axis.bottomMargin + 4
        let height = max(top + Double(rows) * rowHeight, top + legend.height + 10)
        var svg = SVGDocument(width: FigureLayout.width, height: height,
                              idPrefix: kind == .runs ? "cumulative-layers" : "cumulative-heads")
        FigureLayout.drawTitle(title, in: &svg)
        let xLabel = (normalised ? "j / n" : "index j") + (logX ? " (log)" : "")
        for layer in 0..<L {
            let x0 = left + Double(layer % columns) * (panelWidth + gap)
            let y0 = top + Double(layer / columns) * rowHeight + titleStrip
            let frame = PlotFrame(Box(x: x0, y: y0, width: panelWidth, height: panelHeight))
            let logScale = LogScale(domain: (xMin, xMax), range: (frame.box.x, frame.box.maxX))
            let linearScale = LinearScale(domain: (xMin, xMax), range: (frame.box.x, frame.box.maxX))
            let useLog = logX
            let xScale: @Sendable (Double) -> Double = { useLog ? logScale($0) : linearScale($0) }
            let yScale = LinearScale(domain: (0, 1), range: (frame.box.maxY, frame.box.y))
            svg.text("layer \(layer + 1)", x: frame.box.x + panelWidth / 2, y: y0 - 6, size: Axis.tickSize, anchor: .middle, bold: true)
            let xTicks = logX ? logScale.ticks() : normalised ? [0, 0.5, 1] : [1.0] + LinearScale.niceTicks(lo: 1, hi: xMax, count: 3).filter { $0 > 1 }
            Axis(side: .bottom, ticks: xTicks, position: { xScale($0) }, label: xLabel).draw(in: &svg, frame: frame)
            Axis(side: .left, ticks: yTicks, position: { yScale($0) }, label: layer % columns == 0 ? "c_j" : "").draw(in: &svg, frame: frame)
            for line in lines(layer: layer) {
                let n = line.n
                let kk = min(max(k, 1), n)
                Polyline(points: line.mean.enumerated().map { (normalised ? Double($0.offset + 1) / Double(n) : Double($0.offset + 1), $0.element) },
                         color: line.color, width: 1.3, tooltip: "layer \(layer + 1), \(line.label): c_\(kk) = \(formatNumber(line.mean[kk - 1]))")
                    .draw(in: &svg, x: { xScale($0) }, y: { yScale($0) })
            }
            for n in ns {
                let x = xScale(normalised ? Double(min(k, n)) / Double(n) : Double(min(k, n)))
                svg.line(x1: x, y1: frame.box.y, x2: x, y2: frame.box.maxY, stroke: "#c0392b", width: 1, dash: "4 3")
            }
        }
        legend.draw(in: &svg, x: areaRight + 18, y: top)
        return svg
    }

    /// Tidy data of the overlay: one row per (run, layer, j).
    private func table() -> CSVWriter {
        var csv = CSVWriter(columns: ["run", "n", "layer", "index", "fraction", "mean"])
        for stats in runs {
            let n = stats.run.sequenceLength
            for layer in 0..<stats.run.layers {
                for (j, value) in stats.curve(layer: layer).mean.enumerated() {
                    csv.append([stats.run.label, "\(n)", "\(layer + 1)", "\(j + 1)", CSVWriter.number(Double(j + 1) / Double(n)), CSVWriter.number(value)])
                }
            }
        }
        return csv
    }

    /// Caption: what is drawn, and per layer the spread of c_k across the lines of its panel.
    func caption() -> String {
        var parts = [kind == .runs
            ? "One panel per layer: the mean over sequences and the layer's heads of c_j = Σ_{i≤j} σ_i / Σ_i σ_i, one line per run; dashed red: k = \(k)."
            : "One panel per layer: the mean over \(runs[0].run.count) sequences of each head's c_j = Σ_{i≤j} σ_i / Σ_i σ_i, one line per head (colours in head order); dashed red: k = \(k)."]
        if normalised { parts.append("The runs have different sequence lengths, so the x axis is j / n.") }
        var spreads: [String] = []
        for layer in 0..<layerCount {
            let values = lines(layer: layer).map { $0.mean[min(max(k, 1), $0.n) - 1] }
            guard let lo = values.min(), let hi = values.max() else { continue }
            let who = kind == .runs ? values.enumerated().max { $0.element < $1.element }.map { lines(layer: layer)[$0.offset].label } : nil
            spreads.append("layer \(layer + 1): \(formatNumber(lo))–\(formatNumber(hi))" + (who.map { " (highest: \($0))" } ?? ""))
        }
        parts.append("c_k across the \(kind == .runs ? "runs" : "heads") of each layer: " + spreads.joined(separator: "; ") + ".")
        return parts.joined(separator: " ")
    }
}
