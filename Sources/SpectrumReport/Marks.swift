import Foundation

/// A data line: points in data units, drawn through two scales.
public struct Polyline: Sendable {
    /// (x, y) in data units; non-finite points split nothing, they are simply skipped.
    public var points: [(Double, Double)]
    /// Stroke colour.
    public var color: String
    /// Stroke width in pixels.
    public var width: Double
    /// Optional dash pattern.
    public var dash: String?
    /// Hover text.
    public var tooltip: String?

    /// Creates a line.
    public init(points: [(Double, Double)], color: String, width: Double = 1.5, dash: String? = nil, tooltip: String? = nil) {
        self.points = points
        self.color = color
        self.width = width
        self.dash = dash
        self.tooltip = tooltip
    }

    /// Draws the line with the given data → pixel mappings.
    public func draw(in svg: inout SVGDocument, x: (Double) -> Double, y: (Double) -> Double) {
        let pixels = points.filter { $0.0.isFinite && $0.1.isFinite }.map { (x($0.0), y($0.1)) }
        svg.polyline(pixels, stroke: color, width: width, dash: dash, tooltip: tooltip)
    }
}

/// A shaded band between a lower and an upper curve (e.g. mean ± std, or quartiles).
public struct Band: Sendable {
    /// (x, lower, upper) in data units.
    public var points: [(Double, Double, Double)]
    /// Fill colour.
    public var color: String
    /// Fill opacity.
    public var opacity: Double

    /// Creates a band.
    public init(points: [(Double, Double, Double)], color: String, opacity: Double = 0.18) {
        self.points = points
        self.color = color
        self.opacity = opacity
    }

    /// Fills the band with the given mappings.
    public func draw(in svg: inout SVGDocument, x: (Double) -> Double, y: (Double) -> Double) {
        let valid = points.filter { $0.0.isFinite && $0.1.isFinite && $0.2.isFinite }
        let upper = valid.map { (x($0.0), y($0.2)) }
        let lower = valid.reversed().map { (x($0.0), y($0.1)) }
        svg.polygon(upper + lower, fill: color, opacity: opacity)
    }
}

/// A grid of coloured cells (heatmap): `values[row * columns + column]`, row 0 drawn at the
/// bottom so that higher rows (layers) sit higher, like a y axis.
public struct RectGrid: Sendable {
    /// Number of rows and columns.
    public var rows, columns: Int
    /// Row-major cell values.
    public var values: [Double]
    /// Value interval mapped onto the colour map's 0…1.
    public var domain: (Double, Double)
    /// Colour map.
    public var colorMap: ColorMap
    /// Hover text for a cell (row, column).
    public var tooltip: @Sendable (Int, Int) -> String
    /// Printed value for a cell, drawn only when it fits the cell.
    public var cellLabel: @Sendable (Int, Int) -> String

    /// Font size of printed cell values.
    public static let labelSize = 10.0

    /// Creates a grid.
    public init(rows: Int, columns: Int, values: [Double], domain: (Double, Double), colorMap: ColorMap = .viridis,
                tooltip: @escaping @Sendable (Int, Int) -> String, cellLabel: @escaping @Sendable (Int, Int) -> String) {
        self.rows = rows
        self.columns = columns
        self.values = values
        self.domain = domain
        self.colorMap = colorMap
        self.tooltip = tooltip
        self.cellLabel = cellLabel
    }

    /// Map position (0…1) of a value.
    public func unit(_ value: Double) -> Double {
        let span = domain.1 - domain.0
        return span > 0 ? (value - domain.0) / span : 0.5
    }

    /// Fill colour of a cell.
    public func fill(row: Int, column: Int) -> RGB { colorMap.color(unit(values[row * columns + column])) }

    /// Draws the cells filling `frame`.
    public func draw(in svg: inout SVGDocument, frame: PlotFrame) {
        let w = frame.box.width / Double(columns), h = frame.box.height / Double(rows)
        for row in 0..<rows {
            for column in 0..<columns {
                let cell = Box(x: frame.box.x + Double(column) * w, y: frame.box.maxY - Double(row + 1) * h, width: w, height: h)
                let color = fill(row: row, column: column)
                svg.rect(cell, fill: color.hex, tooltip: tooltip(row, column))
                let label = cellLabel(row, column)
                let fits = TextMetrics.width(label, size: Self.labelSize) + 4 <= w && Self.labelSize * 1.2 + 2 <= h
                if fits {
                    svg.text(label, x: cell.x + w / 2, y: cell.y + h / 2, size: Self.labelSize, anchor: .middle,
                             fill: color.luminance > 0.35 ? "#111111" : "#ffffff")
                }
            }
        }
    }
}
