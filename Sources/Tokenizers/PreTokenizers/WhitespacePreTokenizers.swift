/// `Whitespace` pre-tokenizer: the matches of `\w+|[^\w\s]+`, i.e. runs of word characters and
/// runs of other non-whitespace characters; whitespace is dropped.
public struct WhitespacePreTokenizer: PreTokenizer {
    public init(config: ComponentConfig) throws {}

    public func preTokenize(_ text: [Unicode.Scalar], into words: inout [[Unicode.Scalar]]) {
        var index = 0
        while index < text.count {
            let scalar = text[index]
            if UnicodeClasses.isWhitespace(scalar) {
                index += 1
                continue
            }
            let word = UnicodeClasses.isWordCharacter(scalar)
            let start = index
            index += 1
            while index < text.count {
                let next = text[index]
                let same = word
                    ? UnicodeClasses.isWordCharacter(next)
                    : !UnicodeClasses.isWordCharacter(next) && !UnicodeClasses.isWhitespace(next)
                if !same { break }
                index += 1
            }
            words.appendWord(text, start, index)
        }
    }
}

/// `WhitespaceSplit` pre-tokenizer: split on whitespace, which is removed.
public struct WhitespaceSplit: PreTokenizer {
    public init(config: ComponentConfig) throws {}

    public func preTokenize(_ text: [Unicode.Scalar], into words: inout [[Unicode.Scalar]]) {
        var start = 0
        for (index, scalar) in text.enumerated() where UnicodeClasses.isWhitespace(scalar) {
            words.appendWord(text, start, index)
            start = index + 1
        }
        words.appendWord(text, start, text.count)
    }
}
