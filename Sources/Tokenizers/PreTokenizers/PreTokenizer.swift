/// A pre-tokenizer cuts normalized text into words that the model tokenizes independently
/// (`tokenizer.json` → `pre_tokenizer`). Empty words are never produced.
public protocol PreTokenizer: Sendable {
    /// Reads the component's fields; throws `TokenizerError` on a missing or malformed field.
    init(config: ComponentConfig) throws
    /// Appends the words of `text` to `words`, in order.
    func preTokenize(_ text: [Unicode.Scalar], into words: inout [[Unicode.Scalar]])
    /// The same, told whether `text` starts at the very beginning of the input (not after an
    /// added token): `Metaspace` with `prepend_scheme: first` prepends only there.
    func preTokenize(_ text: [Unicode.Scalar], atTextStart: Bool, into words: inout [[Unicode.Scalar]])
}

extension PreTokenizer {
    public func preTokenize(_ text: [Unicode.Scalar], atTextStart: Bool, into words: inout [[Unicode.Scalar]]) {
        preTokenize(text, into: &words)
    }
}

/// Builds the pre-tokenizer named by `config.type`; an unknown type is a thrown
/// `TokenizerError.unsupportedType` naming the component and the file.
func makePreTokenizer(_ config: ComponentConfig) throws -> any PreTokenizer {
    switch try config.type {
    case "BertPreTokenizer": return try BertPreTokenizer(config: config)
    case "ByteLevel": return try ByteLevelPreTokenizer(config: config)
    case "Whitespace": return try WhitespacePreTokenizer(config: config)
    case "WhitespaceSplit": return try WhitespaceSplit(config: config)
    case "Punctuation": return try PunctuationPreTokenizer(config: config)
    case "Sequence": return try PreTokenizerSequence(config: config)
    case "Split": return try SplitPreTokenizer(config: config)
    case "Metaspace": return try MetaspacePreTokenizer(config: config)
    case "Digits": return try DigitsPreTokenizer(config: config)
    case let other:
        throw TokenizerError.unsupportedType(source: config.source, component: config.component, type: other)
    }
}

extension Array where Element == [Unicode.Scalar] {
    /// Appends `text[start..<end]` as a word when it is not empty.
    @inline(__always)
    mutating func appendWord(_ text: [Unicode.Scalar], _ start: Int, _ end: Int) {
        if end > start { append([Unicode.Scalar](text[start..<end])) }
    }
}
