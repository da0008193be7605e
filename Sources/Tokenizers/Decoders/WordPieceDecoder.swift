/// `WordPiece` decoder: a token starting with `prefix` (`##`) is glued to the previous one with
/// the prefix removed; any other token after the first gets a leading space. With `cleanup`,
/// each token then gets BERT's spacing clean-up (`" ."` → `"."`, `" n't"` → `"n't"`, …).
public struct WordPieceDecoder: TokenDecoder {
    /// The continuation prefix (default `##`).
    public let prefix: String
    /// Whether to apply `cleanUp` (default true).
    public let cleanup: Bool

    public init(config: ComponentConfig) throws {
        prefix = try config.optionalString("prefix") ?? "##"
        cleanup = try config.bool("cleanup", default: true)
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { index, token in
            var text = token
            if index > 0 {
                if !prefix.isEmpty, text.hasPrefix(prefix) {
                    text.removeFirst(prefix.count)
                } else {
                    text = " " + text
                }
            }
            return cleanup ? Self.cleanUp(text) : text
        }
    }

    /// The Rust library's `cleanup`: removes the space that tokenization put before punctuation
    /// and English contractions.
    static func cleanUp(_ text: String) -> String {
        let replacements: [(String, String)] = [
            (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
            (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
        ]
        var result = text
        for (target, replacement) in replacements where result.contains(target) {
            result = result.replacingAll(target, with: replacement)
        }
        return result
    }
}

extension String {
    /// Every non-overlapping occurrence of `target` (scanning left to right) replaced.
    func replacingAll(_ target: String, with replacement: String) -> String {
        let source = Array(unicodeScalars)
        let pattern = Array(target.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        while index < source.count {
            if index + pattern.count <= source.count && source[index..<(index + pattern.count)].elementsEqual(pattern) {
                output.append(contentsOf: replacement.unicodeScalars)
                index += pattern.count
            } else {
                output.append(source[index])
                index += 1
            }
        }
        return String(output)
    }
}
