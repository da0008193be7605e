import Foundation

/// An axis-aligned rectangle in SVG user units.
public struct Box: Sendable, Equatable {
    /// Left, top, width and height.
    public var x, y, width, height: Double
    /// Creates a box.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    /// Right edge.
    public var maxX: Double { x + width }
    /// Bottom edge.
    public var maxY: Double { y + height }
    /// True when the two boxes share interior area (touching edges do not count).
    public func intersects(_ other: Box) -> Bool {
        x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
    }
    /// True when this box lies within `other` (with `slack` units of tolerance).
    public func isInside(_ other: Box, slack: Double = 0.01) -> Bool {
        x >= other.x - slack && y >= other.y - slack && maxX <= other.maxX + slack && maxY <= other.maxY + slack
    }
}

/// Where a text's anchor point sits horizontally.
public enum TextAnchor: String, Sendable {
    case start, middle, end
}

/// Estimates rendered text width for the report's font stack ("Liberation Sans", Arial,
/// Helvetica — metric compatible). Widths are Helvetica advance widths in 1/1000 em, with a 6 %
/// safety margin so that a wider fallback font still fits; unknown characters count as 0.65 em.
public enum TextMetrics {
    /// The CSS font stack every figure uses.
    public static let fontFamily = "'Liberation Sans', Arial, Helvetica, sans-serif"

    private static let widths: [Character: Double] = {
        var table: [Character: Double] = [:]
        let groups: [(String, Double)] = [
            ("ijl'|", 222), (" .,:;!/\\Itf[]", 278), ("r()-`{}", 333), ("\"", 355),
            ("*^", 389), ("Jcksvxyz", 500), ("0123456789abdeghnopqu_$#?L", 556),
            ("+=<>±×≤≥~−", 584), ("FTZ", 611), ("ABEKPSVXY&", 667), ("CDHNRUw–", 722),
            ("GOQ", 778), ("mM", 833), ("%", 889), ("W", 944), ("@—", 1015),
            ("·", 278), ("εσ", 560), ("‖", 500), ("√", 560), ("ρ", 580), ("…", 1000),
        ]
        for (chars, width) in groups { for c in chars { table[c] = width } }
        return table
    }()

    /// Estimated width in user units of `text` at `size` (font size in user units).
    public static func width(_ text: String, size: Double, bold: Bool = false) -> Double {
        let em = text.reduce(0.0) { $0 + (widths[$1] ?? 650) } / 1000
        return em * size * (bold ? 1.1 : 1.0) * 1.06
    }
}

/// Builds one standalone SVG document: escaping, `viewBox`, and a record of every text's
/// estimated box so tests (and the layout code) can check for overflow and overlap.
public struct SVGDocument: Sendable {
    /// Width and height in user units; the `viewBox` is `0 0 width height`.
    public let width, height: Double
    /// Prefix for element ids, so several SVGs can be inlined in one HTML page without clashes.
    public let idPrefix: String
    private var elements: [String] = []
    /// Estimated boxes of every text drawn, in drawing order, with their strings.
    public private(set) var textBoxes: [(text: String, box: Box)] = []

    /// Creates an empty document.
    public init(width: Double, height: Double, idPrefix: String) {
        self.width = width
        self.height = height
        self.idPrefix = idPrefix
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for XML text and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Formats a coordinate with at most two decimals.
    public static func num(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(format: "%.2f", r)
    }

    /// Appends raw, already escaped markup.
    public mutating func raw(_ markup: String) { elements.append(markup) }

    /// Draws a line segment.
    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String,
                              width: Double = 1, dash: String? = nil) {
        let dashAttr = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        raw("<line x1=\"\(Self.num(x1))\" y1=\"\(Self.num(y1))\" x2=\"\(Self.num(x2))\" y2=\"\(Self.num(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.num(width))\"\(dashAttr)/>")
    }

    /// Draws a rectangle, optionally with a hover tooltip (`<title>`).
    public mutating func rect(_ box: Box, fill: String, stroke: String? = nil, opacity: Double? = nil, tooltip: String? = nil) {
        let strokeAttr = (stroke.map { " stroke=\"\($0)\"" } ?? "") + (opacity.map { " fill-opacity=\"\(Self.num($0))\"" } ?? "")
        let open = "<rect x=\"\(Self.num(box.x))\" y=\"\(Self.num(box.y))\" width=\"\(Self.num(box.width))\" height=\"\(Self.num(box.height))\" fill=\"\(fill)\"\(strokeAttr)"
        if let tooltip { raw(open + "><title>\(Self.escape(tooltip))</title></rect>") } else { raw(open + "/>") }
    }

    /// Draws text whose baseline is shifted so that `y` is the vertical centre of the glyphs;
    /// `rotated` turns it 90° counter-clockwise around (x, y) (for y-axis labels).
    /// Returns the estimated box that was recorded.
    @discardableResult
    public mutating func text(_ string: String, x: Double, y: Double, size: Double,
                              anchor: TextAnchor = .start, bold: Bool = false, fill: String = "#222",
                              rotated: Bool = false) -> Box {
        let w = TextMetrics.width(string, size: size, bold: bold)
        let startOffset: Double = anchor == .start ? 0 : anchor == .middle ? -w / 2 : -w
        // Cap height ≈ 0.72 em; baseline at centre + 0.35 em centres digits and capitals.
        let baseline = y + 0.35 * size
        var box = Box(x: x + startOffset, y: y - 0.6 * size, width: w, height: 1.2 * size)
        var transform = ""
        if rotated {
            box = Box(x: x - 0.6 * size, y: y - startOffset - w, width: 1.2 * size, height: w)
            transform = " transform=\"rotate(-90 \(Self.num(x)) \(Self.num(y)))\""
        }
        let weight = bold ? " font-weight=\"bold\"" : ""
        raw("<text x=\"\(Self.num(x))\" y=\"\(Self.num(baseline))\" font-size=\"\(Self.num(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\"\(weight)\(transform)>\(Self.escape(string))</text>")
        textBoxes.append((string, box))
        return box
    }

    /// Draws a polyline through the points (already in pixels).
    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5,
                                  dash: String? = nil, tooltip: String? = nil) {
        guard points.count > 1 else { return }
        let pts = points.map { "\(Self.num($0.0)),\(Self.num($0.1))" }.joined(separator: " ")
        let dashAttr = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        let open = "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.num(width))\" stroke-linejoin=\"round\"\(dashAttr)"
        if let tooltip { raw(open + "><title>\(Self.escape(tooltip))</title></polyline>") } else { raw(open + "/>") }
    }

    /// Fills a closed polygon (used for bands).
    public mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double) {
        guard points.count > 2 else { return }
        let pts = points.map { "\(Self.num($0.0)),\(Self.num($0.1))" }.joined(separator: " ")
        raw("<polygon points=\"\(pts)\" fill=\"\(fill)\" fill-opacity=\"\(Self.num(opacity))\" stroke=\"none\"/>")
    }

    /// The standalone document with XML declaration, `viewBox`, size and a white background.
    public var xml: String { "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + inlineMarkup + "\n" }

    /// The `<svg>` element alone, for inlining into HTML.
    public var inlineMarkup: String {
        let head = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Self.num(width)) \(Self.num(height))\" width=\"\(Self.num(width))\" height=\"\(Self.num(height))\" font-family=\"\(Self.escape(TextMetrics.fontFamily))\" role=\"img\" id=\"\(idPrefix)\">"
        let background = "<rect x=\"0\" y=\"0\" width=\"\(Self.num(width))\" height=\"\(Self.num(height))\" fill=\"#ffffff\"/>"
        return ([head, background] + elements + ["</svg>"]).joined(separator: "\n")
    }
}
