/// A post-processor adds the special tokens around one encoded sequence
/// (`tokenizer.json` → `post_processor`), e.g. `[CLS] ids [SEP]` or `<s> ids </s>`.
///
/// Only single sequences are modelled (the toolkit never encodes pairs): every supported
/// processor wraps the ids as `prefix + ids + suffix`.
public protocol PostProcessor: Sendable {
    /// Reads the component's fields; throws `TokenizerError` on a missing or malformed field.
    init(config: ComponentConfig) throws
    /// Ids placed before the sequence.
    var prefix: [Int32] { get }
    /// Ids placed after the sequence.
    var suffix: [Int32] { get }
}

extension PostProcessor {
    /// `prefix + ids + suffix`.
    public func process(_ ids: [Int32]) -> [Int32] { prefix + ids + suffix }
}

/// Builds the post-processor named by `config.type`; an unknown type is a thrown
/// `TokenizerError.unsupportedType` naming the component and the file.
func makePostProcessor(_ config: ComponentConfig) throws -> any PostProcessor {
    switch try config.type {
    case "TemplateProcessing": return try TemplateProcessing(config: config)
    case "BertProcessing": return try BertProcessing(config: config)
    case "RobertaProcessing": return try RobertaProcessing(config: config)
    case "ByteLevel": return try ByteLevelPostProcessor(config: config)
    case "Sequence": return try PostProcessorSequence(config: config)
    case let other:
        throw TokenizerError.unsupportedType(source: config.source, component: config.component, type: other)
    }
}

/// Reads a `["token", id]` pair, as in `BertProcessing`'s `cls` and `sep`.
func readTokenIdPair(_ config: ComponentConfig, _ field: String) throws -> (token: String, id: Int32) {
    let pair = try config.array(field)
    guard pair.count == 2, case let .string(token) = pair[0], let id = pair[1].tokenId else {
        throw config.fieldError(field, "a [\"token\", id] pair")
    }
    return (token, id)
}
