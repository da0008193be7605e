import Foundation

/// Figure 1 (left): mean `c_j` against j, one line per layer (single run) or per run (overlay),
/// with a ±1 std band around the all-heads mean and a vertical marker at k.
struct CumulativeSpectrumFigure {
    let runs: [RunStatistics]
    let k: Int
    /// Logarithmic x axis (`--log-x`).
    var logX = false

    /// True when the runs have different n, so the x axis becomes j / n.
    var normalised: Bool { Set(runs.map(\.run.sequenceLength)).count > 1 }

    func make() -> Figure {
        Figure(stem: "cumulative_spectrum", title: "Cumulative singular value spectrum (Figure 1, left)",
               svg: drawing(), csv: table(), caption: caption())
    }

    private func xValue(_ j: Int, n: Int) -> Double { normalised ? Double(j) / Double(n) : Double(j) }

    private func drawing() -> SVGDocument {
        let single = runs.count == 1
        var entries: [Legend.Entry] = []
        if single {
            entries.append(.init(label: "all heads: mean", color: "#111111"))
            entries.append(.init(label: "all heads: ±1 std", color: "#888888", swatch: true))
            for l in 0..<runs[0].run.layers {
                entries.append(.init(label: "layer \(l + 1)", color: ColorMap.sequential(l, of: runs[0].run.layers)))
            }
        } else {
            for (i, r) in runs.enumerated() {
                entries.append(.init(label: FigureLayout.fit(r.run.label, maxWidth: 200, size: Legend.size), color: ColorMap.category(i)))
            }
            entries.append(.init(label: "band: ±1 std (all heads)", color: "#888888", swatch: true))
        }
        // The run's label is in the caption; a legend title of fixed words is never cut short.
        let legend = Legend(title: single ? "mean over sequences" : "run (mean of all heads)", entries: entries)
        let yTicks = LinearScale.niceTicks(lo: 0, hi: 1, count: 5)
        let probe = Axis(side: .left, ticks: yTicks, position: { $0 }, label: "")
        let left = probe.leftMargin()
        let ns = Array(Set(runs.map(\.run.sequenceLength))).sorted()
        let markerLabels = ns.map { n in (x: xValue(min(k, n), n: n), text: normalised ? "k = \(k) (n = \(n))" : "k = \(k)") }
        let frameRight = FigureLayout.width - FigureLayout.right - legend.width - 18
        let xMax = normalised ? 1.0 : Double(ns.max() ?? 1)
        let xMin = normalised ? (logX ? 1 / Double(ns.max() ?? 1) : 0) : 1
        let logScale = LogScale(domain: (xMin, xMax), range: (left, frameRight))
        let linearScale = LinearScale(domain: (xMin, xMax), range: (left, frameRight))
        let useLog = logX
        let xScale: @Sendable (Double) -> Double = { x in useLog ? logScale(x) : linearScale(x) }
        let rows = FigureLayout.stagger(markerLabels.map { (xScale($0.x), $0.text) }, size: Axis.tickSize)
        let top = FigureLayout.top + Double((rows.max() ?? 0) + 1) * 15
        let frameHeight = 330.0
        let height = max(top + frameHeight + Axis.bottomMargin, top + legend.height + 10)
        let frame = PlotFrame(Box(x: left, y: top, width: frameRight - left, height: frameHeight))
        let yScale = LinearScale(domain: (0, 1), range: (frame.box.maxY, frame.box.y))

        var svg = SVGDocument(width: FigureLayout.width, height: height, idPrefix: "cumulative-spectrum")
        FigureLayout.drawTitle(normalised ? "Mean cumulative spectrum c_j against j / n" : "Mean cumulative spectrum c_j against index j", in: &svg)
        let xTicks = logX ? logScale.ticks()
            : normalised ? LinearScale.niceTicks(lo: 0, hi: 1, count: 5)
            : [1.0] + LinearScale.niceTicks(lo: 1, hi: xMax, count: 8).filter { $0 > 1 }
        Axis(side: .bottom, ticks: xTicks, position: { xScale($0) },
             label: (normalised ? "normalised singular value index j / n" : "singular value index j (of n = \(ns[0]))") + (logX ? ", log scale" : "")).draw(in: &svg, frame: frame)
        Axis(side: .left, ticks: yTicks, position: { yScale($0) }, label: "c_j (fraction of Σσ)").draw(in: &svg, frame: frame)

        for (i, stats) in runs.enumerated() {
            let n = stats.run.sequenceLength
            let all = stats.curve()
            let color = single ? "#888888" : ColorMap.category(i)
            Band(points: (0..<n).map { (xValue($0 + 1, n: n), max(0, all.mean[$0] - all.std[$0]), min(1, all.mean[$0] + all.std[$0])) },
                 color: color, opacity: single ? 0.3 : 0.15).draw(in: &svg, x: { xScale($0) }, y: { yScale($0) })
        }
        if single {
            let stats = runs[0]
            for l in 0..<stats.run.layers {
                let mean = stats.curve(layer: l).mean
                Polyline(points: mean.enumerated().map { (xValue($0.offset + 1, n: stats.run.sequenceLength), $0.element) },
                         color: ColorMap.sequential(l, of: stats.run.layers), width: 1.4,
                         tooltip: "layer \(l + 1): c_\(stats.clampedIndex(k)) = \(formatNumber(stats.layerMeanC(at: k)[l]))")
                    .draw(in: &svg, x: { xScale($0) }, y: { yScale($0) })
            }
        }
        for (i, stats) in runs.enumerated() {
            let mean = stats.curve().mean
            Polyline(points: mean.enumerated().map { (xValue($0.offset + 1, n: stats.run.sequenceLength), $0.element) },
                     color: single ? "#111111" : ColorMap.category(i), width: 2.2,
                     tooltip: "\(stats.run.label): all heads").draw(in: &svg, x: { xScale($0) }, y: { yScale($0) })
        }
        for (label, row) in zip(markerLabels, rows) {
            let x = xScale(label.x)
            svg.line(x1: x, y1: frame.box.y, x2: x, y2: frame.box.maxY, stroke: "#c0392b", width: 1.2, dash: "5 3")
            svg.text(label.text, x: x, y: top - 8 - Double(row) * 15, size: Axis.tickSize, anchor: .middle, fill: "#c0392b")
        }
        legend.draw(in: &svg, x: frameRight + 18, y: top)
        return svg
    }

    /// Mean and std of `c_j` of every (layer, head), one row per j: the curves behind the heatmap.
    func perHeadTable() -> CSVWriter {
        var csv = CSVWriter(columns: ["run", "n", "layer", "head", "index", "fraction", "mean", "std"])
        for stats in runs {
            let r = stats.run, n = r.sequenceLength, count = Double(r.count)
            for layer in 0..<r.layers {
                for head in 0..<r.heads {
                    let base = (layer * r.heads + head) * n
                    for j in 0..<n {
                        let mean = r.cumulativeSum[base + j] / count
                        let std = max(0, r.cumulativeSumSquares[base + j] / count - mean * mean).squareRoot()
                        csv.append([r.label, "\(n)", "\(layer + 1)", "\(head + 1)", "\(j + 1)", CSVWriter.number(Double(j + 1) / Double(n)),
                                    CSVWriter.number(mean), CSVWriter.number(std)])
                    }
                }
            }
        }
        return csv
    }

    private func table() -> CSVWriter {
        var csv = CSVWriter(columns: ["run", "n", "layer", "head", "index", "fraction", "mean", "std"])
        for stats in runs {
            let n = stats.run.sequenceLength
            var curves: [(String, (mean: [Double], std: [Double]))] = (0..<stats.run.layers).map { ("\($0 + 1)", stats.curve(layer: $0)) }
            curves.append(("all", stats.curve()))
            for (layer, curve) in curves {
                for j in 0..<n {
                    csv.append([stats.run.label, "\(n)", layer, "all", "\(j + 1)", CSVWriter.number(Double(j + 1) / Double(n)),
                                CSVWriter.number(curve.mean[j]), CSVWriter.number(curve.std[j])])
                }
            }
        }
        return csv
    }

    /// Caption: what is drawn, c_k per run and layer, where the mean curve reaches 90 %, and
    /// whether that is the long tail the paper reports (90 % of the mass within the first n/4).
    func caption() -> String {
        var parts: [String] = []
        if runs.count == 1 {
            let r = runs[0].run
            parts.append("Mean normalised cumulative singular value c_j = Σ_{i≤j} σ_i / Σ_i σ_i of the attention matrix P against the index j, averaged over \(r.count) sequences of n = \(r.sequenceLength) tokens; one line per layer (mean of its \(r.heads) heads), black: mean of all \(r.layers * r.heads) heads with a ±1 std band over heads and sequences; dashed red: k = \(k).")
        } else {
            parts.append("Mean normalised cumulative singular value c_j = Σ_{i≤j} σ_i / Σ_i σ_i of P, one line per run (mean of all layers and heads) with a ±1 std band; dashed red: k = \(k).")
            if normalised {
                parts.append("The runs have different sequence lengths (n = \(Array(Set(runs.map(\.run.sequenceLength))).sorted().map(String.init).joined(separator: ", "))), so the x axis is the normalised index j / n.")
            }
        }
        for stats in runs {
            let r = stats.run
            let kk = stats.clampedIndex(k)
            let overall = stats.curve().mean[kk - 1]
            let layers = stats.layerMeanC(at: k)
            let prefix = runs.count == 1 ? "" : "\(r.label): "
            var sentence = "\(prefix)at k = \(kk) of n = \(r.sequenceLength) (\(formatNumber(100 * Double(kk) / Double(r.sequenceLength), digits: 1)) % of the spectrum) the all-heads mean is c_k = \(formatNumber(overall)) (layers \(formatNumber(layers.min() ?? .nan))–\(formatNumber(layers.max() ?? .nan)))"
            if kk < k { sentence += "; k exceeds n, so c_k = c_n = 1" }
            if let j90 = stats.meanCurveIndex(reaching: 0.9) {
                let share = Double(j90) / Double(r.sequenceLength)
                sentence += "; the mean curve reaches 0.9 at j = \(j90) (\(formatNumber(100 * share, digits: 1)) % of n)"
                sentence += share <= 0.25
                    ? ", a long tail as in the paper's Figure 1, where most of the mass sits in the first quarter of the spectrum."
                    : ", a flatter spectrum than the paper's Figure 1, which has 90 % of the mass within the first quarter."
            } else {
                sentence += "."
            }
            parts.append(sentence.prefix(1).uppercased() + sentence.dropFirst())
        }
        return parts.joined(separator: " ")
    }
}
