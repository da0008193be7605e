/// GPT-2 / RoBERTa byte-level pre-tokenizer (`ByteLevel`).
///
/// 1. `add_prefix_space`: prepend U+0020 unless the text already starts with one;
/// 2. `use_regex` (default true): split with GPT-2's pattern
///    `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
///    hand-written on scalars (see `nextMatchEnd`); `\s` is the Unicode `White_Space` property;
/// 3. each word's UTF-8 bytes are replaced by `ByteLevelAlphabet` scalars.
public struct ByteLevelPreTokenizer: PreTokenizer {
    /// `add_prefix_space` (default true).
    public let addPrefixSpace: Bool
    /// `use_regex` (default true).
    public let useRegex: Bool

    public init(config: ComponentConfig) throws {
        addPrefixSpace = try config.bool("add_prefix_space", default: true)
        useRegex = try config.bool("use_regex", default: true)
    }

    public func preTokenize(_ text: [Unicode.Scalar], into words: inout [[Unicode.Scalar]]) {
        var text = text
        if addPrefixSpace && text.first != " " { text.insert(" ", at: 0) }
        guard useRegex else {
            if !text.isEmpty { words.append(ByteLevelAlphabet.encode(text[...])) }
            return
        }
        var start = 0
        while start < text.count {
            let end = Self.nextMatchEnd(text, from: start)
            words.append(ByteLevelAlphabet.encode(text[start..<end]))
            start = end
        }
    }

    /// The end of the GPT-2 pattern's match starting at `start`.
    ///
    /// Every scalar is a space, a letter, a number or "other", so some alternative always matches
    /// at `start`: the pattern never skips text, and the alternatives are tried in order.
    static func nextMatchEnd(_ text: [Unicode.Scalar], from start: Int) -> Int {
        let count = text.count
        let first = text[start]
        // 's 't 're 've 'm 'll 'd (case-sensitive, ASCII apostrophe only).
        if first == "'" && start + 1 < count {
            let second = text[start + 1]
            if second == "s" || second == "t" || second == "m" || second == "d" { return start + 2 }
            if start + 2 < count {
                let third = text[start + 2]
                if (second == "r" && third == "e") || (second == "v" && third == "e") || (second == "l" && third == "l") {
                    return start + 3
                }
            }
        }
        // ` ?X+` for X = letters, numbers, other: an optional U+0020, then a non-empty run.
        let body = (first == " " && start + 1 < count) ? start + 1 : start
        let lead = text[body]
        if !UnicodeClasses.isWhitespace(lead) {
            let kind = Self.kind(of: lead)
            var end = body + 1
            while end < count, !UnicodeClasses.isWhitespace(text[end]), Self.kind(of: text[end]) == kind { end += 1 }
            return end
        }
        // `\s+(?!\S)`: a whitespace run that ends the text, or all but its last scalar when the
        // run is followed by a non-space (the last one then leads the next word); else `\s+`.
        var end = start + 1
        while end < count && UnicodeClasses.isWhitespace(text[end]) { end += 1 }
        if end < count && end - start >= 2 { return end - 1 }
        return end
    }

    /// 0 = letter, 1 = number, 2 = anything else that is not whitespace.
    @inline(__always)
    private static func kind(of scalar: Unicode.Scalar) -> Int {
        if UnicodeClasses.isLetter(scalar) { return 0 }
        if UnicodeClasses.isNumber(scalar) { return 1 }
        return 2
    }
}
