import Foundation

/// `k_vs_n`: k90 and k95 against n on log–log axes (median over heads, interquartile band) and c_k
/// at a fixed k against n, one colour per layer, one dash per series of runs.
struct KVersusNFigure {
    let data: KVersusN

    func make() -> Figure {
        Figure(stem: "k_vs_n", title: "How k grows with the sequence length n", svg: drawing(), csv: data.table(), caption: caption())
    }

    private func drawing() -> SVGDocument {
        let maxLayers = data.series.map(\.layers.count).max() ?? 1
        var entries = (0..<maxLayers).map { Legend.Entry(label: "layer \($0 + 1)", color: ColorMap.sequential($0, of: maxLayers)) }
        entries.append(.init(label: "band: heads 25–75 %", color: "#999999", swatch: true))
        if data.series.count > 1 {
            for (i, s) in data.series.enumerated() {
                entries.append(.init(label: FigureLayout.fit(s.name, maxWidth: 190, size: Legend.size), color: "#444444",
                                     dash: ColorMap.dashes[i % ColorMap.dashes.count]))
            }
        }
        let legend = Legend(title: "median over heads", entries: entries)
        let ns = data.series.flatMap { $0.layers.flatMap { $0.points.map { Double($0.n) } } }
        let ks = data.series.flatMap { $0.layers.flatMap { $0.points.flatMap { [$0.k90.q25, $0.k95.q75] } } }.filter { $0 > 0 }
        let xDomain = LogScale.niceDomain(lo: ns.min() ?? 1, hi: ns.max() ?? 10)
        let kDomain = LogScale.niceDomain(lo: ks.min() ?? 1, hi: ks.max() ?? 10)
        let panels: [(label: String, log: Bool)] = [("k90 (singular values for 90 %)", true), ("k95", true), ("c_\(data.k) at k = \(data.k)", false)]
        let margin = 52.0
        let available = FigureLayout.width - FigureLayout.right - legend.width - 16 - 3 * margin - 24
        let panelWidth = available / 3, top = FigureLayout.top, frameHeight = 280.0
        let height = max(top + frameHeight + Axis.bottomMargin, top + legend.height + 10)
        var svg = SVGDocument(width: FigureLayout.width, height: height, idPrefix: "k-vs-n")
        FigureLayout.drawTitle("Does k grow with n? (log–log, fitted slope α of k ∝ n^α in the CSV and caption)", in: &svg)
        var x = 0.0
        for (p, panel) in panels.enumerated() {
            x += margin
            let frame = PlotFrame(Box(x: x, y: top, width: panelWidth, height: frameHeight))
            x += panelWidth + 12
            let xScale = LogScale(domain: xDomain, range: (frame.box.x, frame.box.maxX))
            Axis(side: .bottom, ticks: xScale.ticks(), position: { xScale($0) }, label: "n").draw(in: &svg, frame: frame)
            let y: (Double) -> Double
            if panel.log {
                let yScale = LogScale(domain: kDomain, range: (frame.box.maxY, frame.box.y))
                Axis(side: .left, ticks: yScale.ticks(), position: { yScale($0) }, label: panel.label).draw(in: &svg, frame: frame)
                y = { yScale($0) }
            } else {
                let yScale = LinearScale(domain: (0, 1), range: (frame.box.maxY, frame.box.y))
                Axis(side: .left, ticks: LinearScale.niceTicks(lo: 0, hi: 1, count: 5), position: { yScale($0) }, label: panel.label)
                    .draw(in: &svg, frame: frame)
                y = { yScale($0) }
            }
            for (seriesIndex, s) in data.series.enumerated() {
                for layer in s.layers {
                    let color = ColorMap.sequential(layer.layer - 1, of: maxLayers)
                    let dash = ColorMap.dashes[seriesIndex % ColorMap.dashes.count]
                    let pick: (KVersusN.Point) -> Spread = p == 0 ? { $0.k90 } : { $0.k95 }
                    if p < 2 {
                        Band(points: layer.points.map { (Double($0.n), pick($0).q25, pick($0).q75) }, color: color, opacity: 0.12)
                            .draw(in: &svg, x: { xScale($0) }, y: y)
                    }
                    let points = layer.points.map { (Double($0.n), p < 2 ? pick($0).median : $0.cK) }
                    let slope = p == 0 ? layer.slope90 : layer.slope95
                    let tip = "\(s.name) · layer \(layer.layer)" + (p < 2 ? " · α = \(formatNumber(slope))" : "")
                    Polyline(points: points, color: color, width: 2, dash: dash, tooltip: tip).draw(in: &svg, x: { xScale($0) }, y: y)
                }
            }
        }
        legend.draw(in: &svg, x: x + 4, y: top)
        return svg
    }

    /// Caption: the range of α over layers for k90 and k95, and how c_k moves from the smallest to the largest n.
    func caption() -> String {
        var parts = ["k90 and k95 per layer (median over heads of each head's median over sequences; bands: 25–75 % of heads) against n on log–log axes, and c_\(data.k) against n. α is the least-squares slope of log k on log n: α = 0 means k does not grow with n, α = 1 means k grows in proportion to n."]
        for s in data.series {
            let a90 = s.layers.map(\.slope90).filter(\.isFinite), a95 = s.layers.map(\.slope95).filter(\.isFinite)
            guard let lo90 = a90.min(), let hi90 = a90.max(), let lo95 = a95.min(), let hi95 = a95.max() else { continue }
            let ns = s.layers.first?.points.map(\.n) ?? []
            var text = "\(s.name): α(k90) from \(formatNumber(lo90, digits: 2)) to \(formatNumber(hi90, digits: 2)) over layers (median \(formatNumber(quantile(a90, 0.5), digits: 2))), α(k95) from \(formatNumber(lo95, digits: 2)) to \(formatNumber(hi95, digits: 2))"
            if let first = ns.first, let last = ns.last {
                let c0 = quantile(s.layers.compactMap { $0.points.first?.cK }, 0.5), c1 = quantile(s.layers.compactMap { $0.points.last?.cK }, 0.5)
                text += "; median over layers of c_\(data.k) is \(formatNumber(c0, digits: 3)) at n = \(first) and \(formatNumber(c1, digits: 3)) at n = \(last)"
            }
            parts.append(text + ".")
        }
        return parts.joined(separator: " ")
    }
}
