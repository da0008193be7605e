/// Replaces every occurrence of a literal string by `content` (`Replace` normalizer).
///
/// Only `{"String": …}` patterns are supported; a `{"Regex": …}` pattern is a thrown
/// `unsupportedType` error, because Oniguruma's regex dialect cannot be reproduced exactly here.
public struct Replace: Normalizer {
    /// The literal text to replace (non-empty).
    public let pattern: [Unicode.Scalar]
    /// The replacement text.
    public let content: [Unicode.Scalar]

    public init(config: ComponentConfig) throws {
        let patternObject = try config.object("pattern")
        guard case let .string(literal)? = patternObject["String"] else {
            let kind = patternObject.keys.sorted().joined(separator: ",")
            throw TokenizerError.unsupportedType(
                source: config.source, component: "\(config.component).pattern", type: kind)
        }
        guard !literal.isEmpty else { throw config.fieldError("pattern.String", "a non-empty string") }
        pattern = Array(literal.unicodeScalars)
        content = Array(try config.string("content").unicodeScalars)
    }

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if index + pattern.count <= text.count && text[index..<(index + pattern.count)].elementsEqual(pattern) {
                output.append(contentsOf: content)
                index += pattern.count
            } else {
                output.append(text[index])
                index += 1
            }
        }
        return output
    }
}
