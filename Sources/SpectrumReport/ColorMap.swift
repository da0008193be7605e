import Foundation

/// An sRGB colour with components in 0…1.
public struct RGB: Sendable, Equatable {
    /// Red, green, blue in 0…1.
    public var r, g, b: Double
    /// Creates a colour from components in 0…1.
    public init(r: Double, g: Double, b: Double) { self.r = r; self.g = g; self.b = b }
    /// Creates a colour from `0xRRGGBB`.
    public init(hex: UInt32) {
        self.init(r: Double((hex >> 16) & 0xff) / 255, g: Double((hex >> 8) & 0xff) / 255, b: Double(hex & 0xff) / 255)
    }
    /// `#rrggbb`.
    public var hex: String {
        func byte(_ v: Double) -> Int { Int((min(max(v, 0), 1) * 255).rounded()) }
        return String(format: "#%02x%02x%02x", byte(r), byte(g), byte(b))
    }
    /// Relative luminance (WCAG, linearised sRGB), used to pick black or white text on a fill.
    public var luminance: Double {
        func lin(_ c: Double) -> Double { c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }
}

/// A continuous colour map: control colours at evenly spaced positions, linear interpolation
/// in sRGB between them, inputs clamped to 0…1.
public struct ColorMap: Sendable {
    /// Control colours at t = 0, 1/(m−1), …, 1.
    public let stops: [RGB]

    /// Creates a map from at least two control colours.
    public init(stops: [RGB]) { self.stops = stops.count >= 2 ? stops : [RGB(hex: 0), RGB(hex: 0xffffff)] }

    /// Viridis (perceptually uniform, colour-blind safe; van der Walt & Smith), tabulated at
    /// t = 0, 0.1, …, 1 from the published map.
    public static let viridis = ColorMap(stops: [
        0x440154, 0x482576, 0x414487, 0x35608d, 0x2a788e, 0x21908c,
        0x22a884, 0x43bf71, 0x7ad151, 0xbbdf27, 0xfde725,
    ].map { RGB(hex: $0) })

    /// Colour at t ∈ [0, 1].
    public func color(_ t: Double) -> RGB {
        let clamped = t.isFinite ? min(max(t, 0), 1) : 0
        let position = clamped * Double(stops.count - 1)
        let i = min(Int(position), stops.count - 2)
        let f = position - Double(i)
        let a = stops[i], b = stops[i + 1]
        return RGB(r: a.r + (b.r - a.r) * f, g: a.g + (b.g - a.g) * f, b: a.b + (b.b - a.b) * f)
    }

    /// Sequential colours for `count` ordered items (layers): viridis from dark purple to
    /// green, stopping at 0.85 because the yellow end is too light for lines on white.
    public static func sequential(_ index: Int, of count: Int) -> String {
        let t = count <= 1 ? 0.4 : Double(index) / Double(count - 1) * 0.85
        return viridis.color(t).hex
    }

    /// Okabe–Ito categorical colours (colour-blind safe), without the yellow that vanishes on white.
    public static let categorical = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"]

    /// Categorical colour for item `index`, cycling.
    public static func category(_ index: Int) -> String { categorical[index % categorical.count] }

    /// Dash patterns that distinguish runs when colour already encodes something else.
    public static let dashes: [String?] = [nil, "6 3", "2 3", "8 3 2 3"]
}
