/// Removes leading (`strip_left`) and/or trailing (`strip_right`) whitespace (`Strip` normalizer).
public struct Strip: Normalizer {
    /// Strip leading whitespace (`strip_left`, default true).
    public let left: Bool
    /// Strip trailing whitespace (`strip_right`, default true).
    public let right: Bool

    public init(config: ComponentConfig) throws {
        left = try config.bool("strip_left", default: true)
        right = try config.bool("strip_right", default: true)
    }

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var start = 0
        var end = text.count
        if left { while start < end && UnicodeClasses.isWhitespace(text[start]) { start += 1 } }
        if right { while end > start && UnicodeClasses.isWhitespace(text[end - 1]) { end -= 1 } }
        return Array(text[start..<end])
    }
}
