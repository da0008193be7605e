/// `Digits` pre-tokenizer: numbers (Unicode categories Nd, Nl, No, Rust's `char::is_numeric`)
/// are cut out of the text, each digit alone with `individual_digits`, else as runs.
public struct DigitsPreTokenizer: PreTokenizer {
    /// `individual_digits` (default false).
    public let individualDigits: Bool

    public init(config: ComponentConfig) throws {
        individualDigits = try config.bool("individual_digits", default: false)
    }

    public func preTokenize(_ text: [Unicode.Scalar], into words: inout [[Unicode.Scalar]]) {
        var pieces: [(range: Range<Int>, isMatch: Bool)] = []
        var start = 0
        for index in text.indices where UnicodeClasses.isNumber(text[index]) {
            if start < index { pieces.append((start..<index, false)) }
            pieces.append((index..<(index + 1), true))
            start = index + 1
        }
        if start < text.count { pieces.append((start..<text.count, false)) }
        let behavior: SplitDelimiterBehavior = individualDigits ? .isolated : .contiguous
        for range in behavior.apply(pieces) where !range.isEmpty { words.append(Array(text[range])) }
    }
}
