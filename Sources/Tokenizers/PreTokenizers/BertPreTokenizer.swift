/// BERT's pre-tokenizer: split on whitespace (removed) and around every punctuation character
/// (each kept as its own word). Punctuation is `UnicodeClasses.isPunctuation`: ASCII punctuation
/// and symbols plus the Unicode P* categories.
public struct BertPreTokenizer: PreTokenizer {
    public init(config: ComponentConfig) throws {}

    public func preTokenize(_ text: [Unicode.Scalar], into words: inout [[Unicode.Scalar]]) {
        var start = 0
        for (index, scalar) in text.enumerated() {
            if UnicodeClasses.isWhitespace(scalar) {
                words.appendWord(text, start, index)
                start = index + 1
            } else if UnicodeClasses.isPunctuation(scalar) {
                words.appendWord(text, start, index)
                words.append([scalar])
                start = index + 1
            }
        }
        words.appendWord(text, start, text.count)
    }
}
