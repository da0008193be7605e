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
        var current: [[Unicode.Scalar]] = [text]
        for preTokenizer in preTokenizers {
            var next: [[Unicode.Scalar]] = []
            for word in current { preTokenizer.preTokenize(word, into: &next) }
            current = next
        }
        words.append(contentsOf: current.filter { !$0.isEmpty })
    }
}
