/// Replaces every match of `pattern` by `content` (`Replace` normalizer).
///
/// `{"String": …}` patterns are literal text, replaced left to right without overlaps;
/// `{"Regex": …}` patterns (e.g. XLM-R's `" {2,}"`) use `TokenizerRegex` with Oniguruma's
/// semantics, and a pattern it cannot express is a load error naming it.
public struct Replace: Normalizer {
    /// The literal text to replace (non-empty), or the regular expression's source scalars.
    public let pattern: [Unicode.Scalar]
    /// The replacement text.
    public let content: [Unicode.Scalar]
    /// True when `pattern` is a regular expression.
    public let isRegex: Bool
    let regex: TokenizerRegex

    public init(config: ComponentConfig) throws {
        let (text, isRegex, regex) = try readPattern(config)
        guard !text.isEmpty else { throw config.fieldError("pattern", "a non-empty pattern") }
        pattern = Array(text.unicodeScalars)
        self.isRegex = isRegex
        self.regex = regex
        content = Array(try config.string("content").unicodeScalars)
    }

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if isRegex { return regex.replacingMatches(in: text, with: content) }
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

extension TokenizerRegex {
    /// `text` with every match (empty ones included, as in the Rust library) replaced by `content`.
    func replacingMatches(in text: [Unicode.Scalar], with content: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        for piece in findMatches(in: text) {
            if piece.isMatch { output.append(contentsOf: content) } else { output.append(contentsOf: text[piece.range]) }
        }
        return output
    }
}
