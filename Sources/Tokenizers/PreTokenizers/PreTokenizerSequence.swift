/// Applies the pre-tokenizers of `pretokenizers` in order, each to every word of the previous one
/// (`Sequence` pre-tokenizer).
public struct PreTokenizerSequence: PreTokenizer {
    /// The pre-tokenizers, applied first to last.
    public let preTokenizers: [any PreTokenizer]

    public init(config: ComponentConfig) throws {
        preTokenizers = try config.array("pretokenizers").enumerated().map { index, value in
            try makePreTokenizer(config.child(value, path: "pretokenizers[\(index)]"))
        }
    }

    public func preTokenize(_ text: [Unicode.Scalar], into words: inout [[Unicode.Scalar]]) {
        preTokenize(text, atTextStart: true, into: &words)
    }

    /// Only the first word of each stage can start at the beginning of the input; it is taken
    /// to do so when it is a prefix of the stage's first input word (true for every splitting
    /// pre-tokenizer unless a removed leading delimiter happens to repeat the word after it).
    public func preTokenize(_ text: [Unicode.Scalar], atTextStart: Bool, into words: inout [[Unicode.Scalar]]) {
        var current: [[Unicode.Scalar]] = [text]
        var firstAtStart = atTextStart
        for preTokenizer in preTokenizers {
            var next: [[Unicode.Scalar]] = []
            for (index, word) in current.enumerated() {
                preTokenizer.preTokenize(word, atTextStart: index == 0 && firstAtStart, into: &next)
            }
            if firstAtStart, let first = next.first, let source = current.first {
                firstAtStart = first.count <= source.count && source[..<first.count].elementsEqual(first)
            }
            current = next
        }
        words.append(contentsOf: current.filter { !$0.isEmpty })
    }
}
