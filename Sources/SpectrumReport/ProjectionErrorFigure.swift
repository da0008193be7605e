import Foundation

/// Projection error against k on log–log axes: Theorem 1 random projection, SVD-optimal,
/// Theorem 2 Linformer E/F and mean pooling; all-heads medians with interquartile bands,
/// ε levels and the theoretical k_JL(ε) where they fall inside the axes.
struct ProjectionErrorFigure {
    let runs: [RunStatistics]

    static let stem = "projection_error"
    static let title = "Projection error against k (Theorems 1 and 2)"

    private var withProjection: [RunStatistics] { runs.filter { $0.run.projection != nil } }


    func make() -> Figure {
        let skipped = runs.filter { $0.run.projection == nil }.map(\.run.label)
        guard !withProjection.isEmpty else {
            return Figure(stem: Self.stem, title: Self.title, svg: nil, csv: nil,
                          caption: "Skipped: no run has projection results (the runs were made with --no-projection).")
        }
        var caption = self.caption()
        if !skipped.isEmpty {
            caption += " Not shown (no projection results): \(skipped.joined(separator: ", "))."
        }
        return Figure(stem: Self.stem, title: Self.title, svg: drawing(), csv: table(), caption: caption)
    }

    private func color(_ method: ProjectionMethod) -> String {
        ColorMap.category(ProjectionMethod.allCases.firstIndex(of: method) ?? 0)
    }

    private func drawing() -> SVGDocument {
        let projectionDimensions = Array(Set(withProjection.flatMap { $0.run.projection?.projectionDimensions ?? [] })).sorted()
        var lo = Double.infinity, hi = 0.0
        for stats in withProjection {
            for method in ProjectionMethod.allCases where stats.isApplicable(method) {
                for i in stats.run.projection?.projectionDimensions.indices ?? 0..<0 {
                    let s = stats.projectionSpread(method, kIndex: i, layer: nil)
                    for v in [s.q25, s.median, s.q75] where v.isFinite && v > 0 { lo = min(lo, v); hi = max(hi, v) }
                }
            }
        }
        if !lo.isFinite { lo = 0.01; hi = 1 }
        let yDomain = LogScale.niceDomain(lo: lo, hi: hi)
        // Each method's sample is its line over its own band colour, as drawn in the plot.
        var entries = ProjectionMethod.allCases.filter { m in withProjection.contains { $0.isApplicable(m) } }
            .map { Legend.Entry(label: $0.title, color: color($0), band: true) }
        if withProjection.count > 1 {
            for (i, stats) in withProjection.enumerated() {
                entries.append(.init(label: FigureLayout.fit(stats.run.label, maxWidth: 190, size: Legend.size), color: "#444444",
                                     dash: ColorMap.dashes[i % ColorMap.dashes.count]))
            }
        }
        let legend = Legend(title: "median, 25–75 % band", entries: entries)
        let epsilons = Array(Set(withProjection.flatMap { $0.run.projection?.epsilons ?? [] })).sorted()
        let epsLabels = epsilons.map { "ε = \(formatNumber($0))" }
        let epsColumn = (epsLabels.map { TextMetrics.width($0, size: Axis.tickSize) }.max() ?? 0) + 8
        let probeScale = LogScale(domain: yDomain, range: (1, 0))
        let left = Axis(side: .left, ticks: probeScale.ticks(), position: { $0 }, label: "").leftMargin()
        let frameRight = FigureLayout.width - FigureLayout.right - legend.width - 16 - epsColumn
        let xScale = LogScale(domain: (Double(projectionDimensions.first ?? 1), Double(projectionDimensions.last ?? 2)), range: (left + 8, frameRight - 8))
        var jl: [(x: Double, text: String)] = []
        for stats in withProjection {
            guard let p = stats.run.projection else { continue }
            for (e, kjl) in zip(p.epsilons, p.kJL) where kjl >= xScale.domain.0 && kjl <= xScale.domain.1 {
                let text = "k_JL(ε = \(formatNumber(e))) = \(Int(kjl.rounded()))" + (withProjection.count > 1 ? " (n = \(stats.run.sequenceLength))" : "")
                if !jl.contains(where: { $0.text == text }) { jl.append((kjl, text)) }
            }
        }
        let rows = FigureLayout.stagger(jl.map { (xScale($0.x), $0.text) }, size: Axis.tickSize)
        let top = FigureLayout.top + Double(jl.isEmpty ? 0 : (rows.max() ?? 0) + 1) * 15
        let frameHeight = 330.0
        let height = max(top + frameHeight + Axis.bottomMargin, top + legend.height + 10)
        let frame = PlotFrame(Box(x: left, y: top, width: frameRight - left, height: frameHeight))
        let yScale = LogScale(domain: yDomain, range: (frame.box.maxY, frame.box.y))

        var svg = SVGDocument(width: FigureLayout.width, height: height, idPrefix: "projection-error")
        FigureLayout.drawTitle("Relative error of rank-k projections of P", in: &svg)
        Axis(side: .bottom, ticks: projectionDimensions.map(Double.init), position: { xScale($0) }, label: "projected dimension k (log scale)")
            .draw(in: &svg, frame: frame)
        Axis(side: .left, ticks: yScale.ticks(), position: { yScale($0) }, label: "relative error (log scale)")
            .draw(in: &svg, frame: frame)
        for (e, label) in zip(epsilons, epsLabels) where e >= yScale.domain.0 && e <= yScale.domain.1 {
            let y = yScale(e)
            svg.line(x1: frame.box.x, y1: y, x2: frame.box.maxX, y2: y, stroke: "#777777", width: 1, dash: "3 3")
            svg.text(label, x: frame.box.maxX + 5, y: y, size: Axis.tickSize, fill: "#555555")
        }
        for (label, row) in zip(jl, rows) {
            let x = xScale(label.x)
            svg.line(x1: x, y1: frame.box.y, x2: x, y2: frame.box.maxY, stroke: "#c0392b", width: 1.2, dash: "5 3")
            svg.text(label.text, x: x, y: top - 8 - Double(row) * 15, size: Axis.tickSize, anchor: .middle, fill: "#c0392b")
        }
        for (runIndex, stats) in withProjection.enumerated() {
            guard let p = stats.run.projection else { continue }
            for method in ProjectionMethod.allCases where stats.isApplicable(method) {
                let spreads = p.projectionDimensions.indices.map { stats.projectionSpread(method, kIndex: $0, layer: nil) }
                // Log axes cannot show zero errors (SVD-optimal at k = n); such points are left out.
                let positive = zip(p.projectionDimensions, spreads).filter { $0.1.median > 0 }
                Band(points: positive.map { (Double($0.0), max($0.1.q25, yScale.domain.0), $0.1.q75) }, color: color(method), opacity: 0.15)
                    .draw(in: &svg, x: { xScale($0) }, y: { yScale($0) })
                Polyline(points: positive.map { (Double($0.0), $0.1.median) }, color: color(method), width: 2,
                         dash: ColorMap.dashes[runIndex % ColorMap.dashes.count],
                         tooltip: "\(stats.run.label) · \(method.title): " + positive.map { "k=\($0.0): \(formatNumber($0.1.median))" }.joined(separator: ", "))
                    .draw(in: &svg, x: { xScale($0) }, y: { yScale($0) })
            }
        }
        legend.draw(in: &svg, x: frame.box.maxX + epsColumn + 16, y: top)
        return svg
    }

    private func table() -> CSVWriter {
        var csv = CSVWriter(columns: ["run", "method", "k", "layer", "median", "q25", "q75"])
        for stats in withProjection {
            guard let p = stats.run.projection else { continue }
            for method in ProjectionMethod.allCases where stats.isApplicable(method) {
                for (i, k) in p.projectionDimensions.enumerated() {
                    for layer in [nil] + (0..<stats.run.layers).map(Optional.some) {
                        let s = stats.projectionSpread(method, kIndex: i, layer: layer)
                        csv.append([stats.run.label, method.rawValue, "\(k)", layer.map { "\($0 + 1)" } ?? "all",
                                    CSVWriter.number(s.median), CSVWriter.number(s.q25), CSVWriter.number(s.q75)])
                    }
                }
            }
        }
        return csv
    }

    /// Caption: the smallest k meeting each ε per method, and k_JL against n (vacuous bounds said plainly).
    func caption() -> String {
        var parts = ["Relative error against the projected dimension k (log–log): lines are medians over all sequences, layers and heads, bands the 25–75 % range; Theorem 1 is the median over the columns w of V of ‖P Rᵀ R w − P w‖ / ‖P w‖, SVD-optimal the truncated-SVD floor, Theorem 2 and pooling ‖softmax(Q (EK)ᵀ/√d)(FV) − PV‖_F / ‖PV‖_F; the fitted projection (when present) is the best fixed rank-k projection U_k U_kᵀ fitted on the training windows and measured on held-out ones. Dotted grey: ε levels; dashed red: k_JL(ε) where it lies inside the k range."]
        for stats in withProjection {
            guard let p = stats.run.projection else { continue }
            var s = withProjection.count > 1 ? "\(stats.run.label): " : ""
            let pieces = p.epsilons.map { e -> String in
                let compared: [ProjectionMethod] = [.theorem1, .theorem2, .pooling, .svdOptimal] + (stats.isApplicable(.fitted) ? [.fitted] : [])
                let found = compared.map { m in
                    let name = m == .theorem1 ? "Theorem 1" : m == .theorem2 ? "Theorem 2" : m == .pooling ? "mean pooling" : m == .fitted ? "fitted" : "SVD"
                    return "\(name) " + (!stats.isApplicable(m) ? "not applicable (causal attention)"
                        : stats.smallestK(m, below: e).map { "k = \($0)" } ?? "none ≤ \(p.projectionDimensions.last ?? 0)")
                }
                return "ε = \(formatNumber(e)): " + found.joined(separator: ", ")
            }
            s += "smallest k with median error below ε — " + pieces.joined(separator: "; ") + "."
            let n = Double(stats.run.sequenceLength)
            let jl = zip(p.epsilons, p.kJL).map { "k_JL(\(formatNumber($0.0))) = \(Int($0.1.rounded()))\($0.1 > n ? " > n" : "")" }
            s += " Theory: " + jl.joined(separator: ", ") + "."
            let vacuous = zip(p.epsilons, p.kJL).filter { $0.1 > n }.map { formatNumber($0.0) }
            if !vacuous.isEmpty {
                s += " For ε = \(vacuous.joined(separator: ", ")) the JL bound needs k > n = \(stats.run.sequenceLength), so Theorem 1 promises nothing there; the measured errors show how far practice is from the bound."
            }
            // A run label keeps its own spelling; only a sentence of our own is capitalised.
            parts.append(withProjection.count > 1 ? s : s.prefix(1).uppercased() + s.dropFirst())
        }
        return parts.joined(separator: " ")
    }
}
