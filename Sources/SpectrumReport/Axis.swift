import Foundation

/// The pixel rectangle where data is drawn, inside an `SVGDocument`.
public struct PlotFrame: Sendable {
    /// The data area.
    public var box: Box
    /// Creates a frame.
    public init(_ box: Box) { self.box = box }
}

/// Horizontal (bottom) or vertical (left) axis with ticks, tick labels, an axis label and
/// optional light grid lines across the plot.
public struct Axis: Sendable {
    /// Which side of the frame the axis is drawn on.
    public enum Side: Sendable { case bottom, left }

    /// Side of the frame.
    public var side: Side
    /// Tick values in data units.
    public var ticks: [Double]
    /// Data → pixel mapping.
    public var position: @Sendable (Double) -> Double
    /// Tick label text.
    public var format: @Sendable (Double) -> String
    /// Axis title including the unit, e.g. "singular value index j".
    public var label: String
    /// Whether to draw grid lines.
    public var grid: Bool

    /// Tick label font size.
    public static let tickSize = 11.0
    /// Axis label font size.
    public static let labelSize = 12.5

    /// Creates an axis.
    public init(side: Side, ticks: [Double], position: @escaping @Sendable (Double) -> Double,
                format: @escaping @Sendable (Double) -> String = { formatNumber($0) },
                label: String, grid: Bool = true) {
        self.side = side
        self.ticks = ticks
        self.position = position
        self.format = format
        self.label = label
        self.grid = grid
    }

    /// Ticks thinned (every 2nd, 3rd, …) until their labels no longer collide along the axis.
    public func thinnedTicks() -> [Double] {
        var stride = 1
        while stride < max(1, ticks.count) {
            let kept = ticks.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
            if !labelsCollide(kept) { return kept }
            stride += 1
        }
        return Array(ticks.prefix(1))
    }

    private func labelsCollide(_ values: [Double]) -> Bool {
        let spans: [(Double, Double)] = values.map { v in
            let p = position(v)
            let extent = side == .bottom ? TextMetrics.width(format(v), size: Self.tickSize) / 2 + 3 : Self.tickSize * 0.6 + 1
            return (p - extent, p + extent)
        }.sorted { $0.0 < $1.0 }
        return zip(spans, spans.dropFirst()).contains { $0.1 > $1.0 }
    }

    /// Width needed left of the frame for a left axis (tick labels + rotated axis label).
    public func leftMargin() -> Double {
        let widest = ticks.map { TextMetrics.width(format($0), size: Self.tickSize) }.max() ?? 0
        return widest + 6 + 8 + Self.labelSize * 1.2 + 6
    }

    /// Draws the axis onto `svg` around `frame`.
    public func draw(in svg: inout SVGDocument, frame: PlotFrame) {
        let b = frame.box
        let shown = thinnedTicks()
        switch side {
        case .bottom:
            for v in shown {
                let x = position(v)
                if grid { svg.line(x1: x, y1: b.y, x2: x, y2: b.maxY, stroke: "#e6e6e6") }
                svg.line(x1: x, y1: b.maxY, x2: x, y2: b.maxY + 5, stroke: "#444")
                svg.text(format(v), x: x, y: b.maxY + 7 + Self.tickSize * 0.6, size: Self.tickSize, anchor: .middle)
            }
            svg.line(x1: b.x, y1: b.maxY, x2: b.maxX, y2: b.maxY, stroke: "#444")
            if !label.isEmpty { svg.text(label, x: b.x + b.width / 2, y: b.maxY + 12 + Self.tickSize * 1.2 + Self.labelSize * 0.6,
                     size: Self.labelSize, anchor: .middle) }
        case .left:
            var widest = 0.0
            for v in shown {
                let y = position(v)
                if grid { svg.line(x1: b.x, y1: y, x2: b.maxX, y2: y, stroke: "#e6e6e6") }
                svg.line(x1: b.x - 5, y1: y, x2: b.x, y2: y, stroke: "#444")
                let box = svg.text(format(v), x: b.x - 7, y: y, size: Self.tickSize, anchor: .end)
                widest = max(widest, box.width)
            }
            svg.line(x1: b.x, y1: b.y, x2: b.x, y2: b.maxY, stroke: "#444")
            // Panels of a small-multiples figure after the first column carry no axis title.
            if !label.isEmpty {
                svg.text(label, x: b.x - 7 - widest - 8 - Self.labelSize * 0.6, y: b.y + b.height / 2,
                         size: Self.labelSize, anchor: .middle, rotated: true)
            }
        }
    }

    /// Height needed below the frame for a bottom axis.
    public static var bottomMargin: Double { 12 + tickSize * 1.2 + labelSize * 1.2 + 4 }
}
