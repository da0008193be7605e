import Foundation

/// Renders `index.html` (self-contained: inline SVGs and CSS, no scripts, no network) and
/// `summary.md` from the figures and tables.
struct ReportDocuments {
    let title: String
    let figures: [Figure]
    let tables: ReportTables
    let notes: [String]

    static let recommendationText = "Per layer, the k a Linformer-style projection of that layer needs so that every head keeps the target share of Σσ on average over sequences (`spectrum-analyze recommend` also takes a fitted-projection error target). \"uniform\" is one k for all layers; the percentage is the size of the per-layer projections relative to it."

    var markdown: String {
        var out = ["# \(title)", "", "## Runs", "", tables.facts.markdown, ""]
        if !notes.isEmpty { out += ["## Notes", ""] + notes.map { "- \($0)" } + [""] }
        for figure in figures {
            out += ["## \(figure.title)", ""]
            if figure.svg != nil { out += ["![\(figure.title)](\(figure.stem).svg)", "", "Data: [`\(figure.stem).csv`](\(figure.stem).csv)", ""] }
            out += [figure.caption, ""]
        }
        out += ["## Per-layer numbers", "", "Medians are over sequences and heads; mean and std of c_\(tables.k) over heads and sequences.", "",
                tables.perLayer.markdown, ""]
        if let recommendation = tables.recommendation {
            out += ["## Which k to use", "", Self.recommendationText, "", recommendation.markdown, ""]
        }
        if let theory = tables.theory {
            out += ["## Johnson–Lindenstrauss theory (Theorem 1)", "",
                    "k_JL(ε) and the failure bound 2n·exp(−(ε² − ε³)k/4); a bound ≥ 1 promises nothing.", "", theory.markdown, ""]
        }
        return out.joined(separator: "\n")
    }

    var html: String {
        var body: [String] = ["<h1>\(esc(title))</h1>", "<h2>Runs</h2>", tables.facts.html]
        if !notes.isEmpty { body.append("<h2>Notes</h2><ul>" + notes.map { "<li>\(esc($0))</li>" }.joined() + "</ul>") }
        for figure in figures {
            body.append("<section>\n<h2>\(esc(figure.title))</h2>")
            if let svg = figure.svg {
                body.append("<figure>\n\(svg.inlineMarkup)\n<figcaption>\(esc(figure.caption)) <a href=\"\(figure.stem).csv\">data (CSV)</a></figcaption>\n</figure>")
            } else {
                body.append("<p class=\"note\">\(esc(figure.caption))</p>")
            }
            body.append("</section>")
        }
        body += ["<h2>Per-layer numbers</h2>", "<p>Medians are over sequences and heads; mean and std of c_\(tables.k) over heads and sequences.</p>",
                 tables.perLayer.html]
        if let recommendation = tables.recommendation {
            body += ["<h2>Which k to use</h2>", "<p>\(esc(Self.recommendationText))</p>", recommendation.html]
        }
        if let theory = tables.theory {
            body += ["<h2>Johnson–Lindenstrauss theory (Theorem 1)</h2>",
                     "<p>k_JL(ε) and the failure bound 2n·exp(−(ε² − ε³)k/4); a bound ≥ 1 promises nothing.</p>", theory.html]
        }
        let style = """
        body{font-family:'Liberation Sans',Arial,Helvetica,sans-serif;max-width:1000px;margin:24px auto;padding:0 16px;color:#222;line-height:1.45}
        h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.8em}
        figure{margin:0}figure svg{max-width:100%;height:auto;display:block}
        figcaption{font-size:.92em;color:#333;margin-top:6px}
        table{border-collapse:collapse;font-size:.85em;margin:8px 0}
        th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#f2f2f2}
        td:first-child,th:first-child{text-align:left}
        .note{background:#fff6e0;border-left:4px solid #e69f00;padding:6px 10px}
        """
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        \(body.joined(separator: "\n"))
        </body>
        </html>

        """
    }

    private func esc(_ s: String) -> String { SVGDocument.escape(s) }
}
