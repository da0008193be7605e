import Foundation

/// A small table (header + rows of text) rendered to Markdown and HTML.
struct TextTable {
    var header: [String]
    var rows: [[String]]

    var markdown: String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        return ([line(header), "|" + header.map { _ in " --- |" }.joined()] + rows.map(line)).joined(separator: "\n")
    }

    var html: String {
        let head = "<tr>" + header.map { "<th>\(SVGDocument.escape($0))</th>" }.joined() + "</tr>"
        let body = rows.map { "<tr>" + $0.map { "<td>\(SVGDocument.escape($0))</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table>\n<thead>\(head)</thead>\n<tbody>\n\(body)\n</tbody>\n</table>"
    }
}

/// The report's tables: run facts, per-layer numbers and the JL theory, all computed from the runs.
struct ReportTables {
    let runs: [RunStatistics]
    let k: Int

    /// Facts of every run, one column per run.
    var facts: TextTable {
        var keys: [String] = []
        for stats in runs { for f in stats.run.facts where !keys.contains(f.key) { keys.append(f.key) } }
        let rows = keys.map { key in [key] + runs.map { s in s.run.facts.first { $0.key == key }?.value ?? "–" } }
        return TextTable(header: ["fact"] + runs.map(\.run.label), rows: rows)
    }

    /// The projected k whose Theorem 1 error goes in the per-layer table: k itself when it was
    /// measured, otherwise none.
    private func projectionIndex(_ stats: RunStatistics) -> Int? { stats.run.projection?.projectionDimensions.firstIndex(of: k) }

    /// Per-layer numbers: mean ± std of c_k, medians of k90/k95/k99, entropy and stable rank,
    /// and the median Theorem 1 / Theorem 2 errors at k when k was a projected dimension.
    var perLayer: TextTable {
        let showProjection = runs.contains { projectionIndex($0) != nil }
        var header = ["run", "layer", "mean c_\(k)", "std c_\(k)", "median k90", "median k95", "median k99",
                      "median entropy rank", "median stable rank"]
        if showProjection { header += ["Theorem 1 error at k = \(k)", "Theorem 2 error at k = \(k)"] }
        var rows: [[String]] = []
        for stats in runs {
            let kk = stats.clampedIndex(k)
            for layer in Array(0..<stats.run.layers).map(Optional.some) + [nil] {
                let curve = stats.curve(layer: layer)
                var row = [stats.run.label, layer.map { "\($0 + 1)" } ?? "all",
                           String(format: "%.3f", curve.mean[kk - 1]), String(format: "%.3f", curve.std[kk - 1])]
                row += RunMetric.allCases.map {
                    formatNumber(stats.metricSpread($0, layer: layer).median, digits: 1)
                }
                if showProjection {
                    if let i = projectionIndex(stats) {
                        row += [ProjectionMethod.theorem1, .theorem2].map {
                            stats.isApplicable($0) ? String(format: "%.3f", stats.projectionSpread($0, kIndex: i, layer: layer).median)
                                : "n/a (causal)"
                        }
                    } else {
                        row += ["–", "–"]
                    }
                }
                rows.append(row)
            }
        }
        return TextTable(header: header, rows: rows)
    }

    /// k_JL(ε) and the failure bound per n, ε and k, with "vacuous" where the bound is ≥ 1. Both
    /// depend on n, so runs of different n get one block of rows each (the first column says which);
    /// runs of the same n share theirs.
    var theory: TextTable? {
        var blocks: [(n: Int, projection: ProjectionResults)] = []
        for stats in runs {
            guard let p = stats.run.projection, !blocks.contains(where: { $0.n == stats.run.sequenceLength }) else { continue }
            blocks.append((stats.run.sequenceLength, p))
        }
        guard !blocks.isEmpty else { return nil }
        let projectionDimensions = Array(Set(blocks.flatMap(\.projection.projectionDimensions))).sorted()
        let header = ["n", "ε", "k_JL(ε) = 5 ln n / (ε² − ε³)"] + projectionDimensions.map { "bound at k = \($0)" }
        var rows: [[String]] = []
        for (n, p) in blocks.sorted(by: { $0.n < $1.n }) {
            for e in p.epsilons.indices {
                let kjl = p.kJL[e]
                rows.append(["\(n)", formatNumber(p.epsilons[e]), "\(Int(kjl.rounded()))" + (kjl > Double(n) ? " (> n)" : "")]
                    + projectionDimensions.map { k in
                        guard let i = p.projectionDimensions.firstIndex(of: k) else { return "–" }
                        let b = p.failureBound[e * p.projectionDimensions.count + i]
                        return b >= 1 ? "\(formatNumber(b)) (vacuous)" : formatNumber(b)
                    })
            }
        }
        return TextTable(header: header, rows: rows)
    }
}
