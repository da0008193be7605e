/// The model turns one pre-tokenized word into token ids (`tokenizer.json` → `model`).
public protocol TokenizerModel: Sendable {
    /// Reads the vocabulary and options; throws `TokenizerError` on a missing or malformed field
    /// or an inconsistent vocabulary (e.g. the named unk token is not in it).
    init(config: ComponentConfig) throws
    /// Appends the ids of `word` (non-empty) to `ids`.
    func tokenize(_ word: [Unicode.Scalar], into ids: inout [Int32])
    /// The id of a vocabulary entry.
    func id(forToken token: String) -> Int32?
    /// The vocabulary entry of an id.
    func token(forId id: Int32) -> String?
    /// One more than the largest id of the vocabulary (the embedding rows the model needs).
    var vocabularySize: Int { get }
}

/// Builds the model named by `config.type`; an unknown type is a thrown
/// `TokenizerError.unsupportedType` naming the component and the file.
func makeModel(_ config: ComponentConfig) throws -> any TokenizerModel {
    // Old files omit the model's "type"; the fields then tell which model it is.
    let type = try config.optionalString("type") ?? (config.fields["merges"] != nil ? "BPE" : "WordPiece")
    switch type {
    case "WordPiece": return try WordPiece(config: config)
    case "BPE": return try BPE(config: config)
    case "Unigram": return try Unigram(config: config)
    case let other:
        throw TokenizerError.unsupportedType(source: config.source, component: config.component, type: other)
    }
}

/// A vocabulary: token → id and id → token, read from a `"vocab"` object.
struct Vocabulary: Sendable {
    let ids: [String: Int32]
    let tokens: [Int32: String]
    /// The longest entry, in scalars (no longer substring can match).
    let maxTokenLength: Int
    /// One more than the largest id (0 for an empty vocabulary).
    let size: Int

    init(config: ComponentConfig) throws {
        let object = try config.object("vocab")
        var ids: [String: Int32] = [:]
        var tokens: [Int32: String] = [:]
        ids.reserveCapacity(object.count)
        tokens.reserveCapacity(object.count)
        var maxLength = 0
        for (token, value) in object {
            guard let id = value.tokenId else {
                throw config.fieldError("vocab[\(token.debugDescription)]", "a non-negative integer id")
            }
            ids[token] = id
            tokens[id] = token
            maxLength = max(maxLength, token.unicodeScalars.count)
        }
        self.ids = ids
        self.tokens = tokens
        maxTokenLength = maxLength
        size = tokens.keys.max().map { Int($0) + 1 } ?? 0
    }

    /// The id of `token`; throws when the model names a token its vocabulary lacks.
    func requiredId(_ token: String, role: String, config: ComponentConfig) throws -> Int32 {
        guard let id = ids[token] else {
            throw config.configurationError("the \(role) \(token.debugDescription) is not in the vocabulary")
        }
        return id
    }
}
