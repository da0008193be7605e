import Foundation

/// A legend placed outside the plot area (to its right), so it never covers data.
public struct Legend: Sendable {
    /// One legend row.
    public struct Entry: Sendable {
        /// Text.
        public var label: String
        /// Line or swatch colour.
        public var color: String
        /// Dash pattern of the line sample.
        public var dash: String?
        /// True for a filled swatch (a band) instead of a line sample.
        public var swatch: Bool
        /// True to draw the line sample over a band of its own colour (a line with its band).
        public var band: Bool
        /// Creates an entry.
        public init(label: String, color: String, dash: String? = nil, swatch: Bool = false, band: Bool = false) {
            self.label = label; self.color = color; self.dash = dash; self.swatch = swatch; self.band = band
        }
    }

    /// Optional heading above the entries.
    public var title: String?
    /// Rows, top to bottom.
    public var entries: [Entry]

    /// Font size of entries.
    public static let size = 11.0
    private static let rowHeight = 17.0
    private static let sample = 24.0

    /// Creates a legend.
    public init(title: String? = nil, entries: [Entry]) {
        self.title = title
        self.entries = entries
    }

    /// Width of the legend block.
    public var width: Double {
        let text = entries.map { TextMetrics.width($0.label, size: Self.size) }.max() ?? 0
        let heading = title.map { TextMetrics.width($0, size: Self.size, bold: true) } ?? 0
        return max(Self.sample + 6 + text, heading)
    }

    /// Height of the legend block.
    public var height: Double { Double(entries.count + (title == nil ? 0 : 1)) * Self.rowHeight }

    /// Draws the legend with its top-left corner at (x, y).
    public func draw(in svg: inout SVGDocument, x: Double, y: Double) {
        var rowY = y + Self.rowHeight / 2
        if let title {
            svg.text(title, x: x, y: rowY, size: Self.size, bold: true)
            rowY += Self.rowHeight
        }
        for entry in entries {
            if entry.swatch {
                svg.rect(Box(x: x, y: rowY - 5, width: Self.sample, height: 10), fill: entry.color, opacity: 0.35)
            } else {
                // Same opacity as the plotted bands (0.15), so the sample looks like the plot.
                if entry.band { svg.rect(Box(x: x, y: rowY - 5, width: Self.sample, height: 10), fill: entry.color, opacity: 0.15) }
                svg.line(x1: x, y1: rowY, x2: x + Self.sample, y2: rowY, stroke: entry.color, width: 2.2, dash: entry.dash)
            }
            svg.text(entry.label, x: x + Self.sample + 6, y: rowY, size: Self.size)
            rowY += Self.rowHeight
        }
    }
}

/// A vertical colour bar with ticks, for heatmaps.
public struct ColorBar: Sendable {
    /// Colour map.
    public var colorMap: ColorMap
    /// Value interval from bottom to top.
    public var domain: (Double, Double)
    /// Title drawn rotated to the right of the ticks.
    public var label: String

    /// Bar width in pixels.
    public static let barWidth = 14.0

    /// Creates a colour bar.
    public init(colorMap: ColorMap = .viridis, domain: (Double, Double), label: String) {
        self.colorMap = colorMap
        self.domain = domain
        self.label = label
    }

    private var ticks: [Double] { LinearScale.niceTicks(lo: domain.0, hi: domain.1, count: 5) }

    /// Width taken by bar, tick labels and label.
    public var width: Double {
        let widest = ticks.map { TextMetrics.width(formatNumber($0), size: Axis.tickSize) }.max() ?? 0
        return Self.barWidth + 5 + widest + 8 + Axis.labelSize * 1.2
    }

    /// Draws the bar in `box` (x, y: top-left of the bar; height: bar height).
    public func draw(in svg: inout SVGDocument, x: Double, y: Double, height: Double) {
        let scale = LinearScale(domain: domain, range: (y + height, y))
        // A gradient (not stacked slices) avoids anti-aliasing seams; viridis is sampled at 21
        // stops, close enough to the linear interpolation between its 11 control colours.
        let id = "\(svg.idPrefix)-colorbar"
        let stops = (0...20).map { i -> String in
            let t = Double(i) / 20
            return "<stop offset=\"\(SVGDocument.num(t))\" stop-color=\"\(colorMap.color(t).hex)\"/>"
        }.joined()
        svg.raw("<defs><linearGradient id=\"\(id)\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">\(stops)</linearGradient></defs>")
        svg.rect(Box(x: x, y: y, width: Self.barWidth, height: height), fill: "url(#\(id))")
        svg.raw("<rect x=\"\(SVGDocument.num(x))\" y=\"\(SVGDocument.num(y))\" width=\"\(SVGDocument.num(Self.barWidth))\" height=\"\(SVGDocument.num(height))\" fill=\"none\" stroke=\"#444\"/>")
        var widest = 0.0
        for v in ticks {
            let ty = scale(v)
            svg.line(x1: x + Self.barWidth, y1: ty, x2: x + Self.barWidth + 4, y2: ty, stroke: "#444")
            widest = max(widest, svg.text(formatNumber(v), x: x + Self.barWidth + 6, y: ty, size: Axis.tickSize).width)
        }
        svg.text(label, x: x + Self.barWidth + 6 + widest + 8 + Axis.labelSize * 0.6, y: y + height / 2,
                 size: Axis.labelSize, anchor: .middle, rotated: true)
    }
}
