import Foundation

/// One rendered figure of the report: its SVG, its tidy data and its caption.
public struct Figure: Sendable {
    /// File stem, e.g. "cumulative_spectrum" (files `<stem>.svg` and `<stem>.csv`).
    public var stem: String
    /// Heading used in index.html and summary.md.
    public var title: String
    /// The drawing, or nil when the figure was skipped.
    public var svg: SVGDocument?
    /// Tidy data behind the drawing.
    public var csv: CSVWriter?
    /// Caption computed from the data (or the reason the figure was skipped).
    public var caption: String
}

/// Shared page geometry: title strip, margins and the right-hand column for annotations and legend.
struct FigureLayout {
    static let titleSize = 14.0
    static let width = 760.0
    static let top = 40.0
    static let right = 14.0

    /// Draws the figure title centred in the top strip.
    static func drawTitle(_ title: String, in svg: inout SVGDocument) {
        svg.text(title, x: svg.width / 2, y: 20, size: titleSize, anchor: .middle, bold: true)
    }

    /// Shortens `text` with "…" until it fits `maxWidth` at `size`, so long run labels never overflow.
    static func fit(_ text: String, maxWidth: Double, size: Double, bold: Bool = false) -> String {
        if TextMetrics.width(text, size: size, bold: bold) <= maxWidth { return text }
        var t = text
        while !t.isEmpty && TextMetrics.width(t + "…", size: size, bold: bold) > maxWidth { t.removeLast() }
        return t + "…"
    }

    /// Places labels (centred at the given x positions) on rows of the strip above the plot,
    /// moving a label to the next row when it would overlap a label already placed.
    /// Returns the row index of each label; rows are `rowHeight` apart.
    static func stagger(_ labels: [(x: Double, text: String)], size: Double) -> [Int] {
        var rowsEnd: [Double] = []
        var result: [Int] = []
        for label in labels.sorted(by: { $0.x < $1.x }) {
            let w = TextMetrics.width(label.text, size: size)
            let start = label.x - w / 2
            if let row = rowsEnd.firstIndex(where: { $0 + 6 <= start }) {
                rowsEnd[row] = label.x + w / 2
                result.append(row)
            } else {
                rowsEnd.append(label.x + w / 2)
                result.append(rowsEnd.count - 1)
            }
        }
        // Map back from sorted order to input order.
        let order = labels.indices.sorted { labels[$0].x < labels[$1].x }
        var rows = [Int](repeating: 0, count: labels.count)
        for (sortedIndex, original) in order.enumerated() { rows[original] = result[sortedIndex] }
        return rows
    }
}
