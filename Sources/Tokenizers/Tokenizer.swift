import Foundation

/// A Hugging Face tokenizer loaded from a `tokenizer.json`, producing the same ids as the Python
/// `tokenizers` library: WordPiece, BPE (byte-level or SentencePiece-style with byte fallback)
/// and Unigram models with the normalizers, pre-tokenizers, post-processors and decoders their
/// published files use.
///
/// Pipeline for `encode(text)`, as in the Rust library:
/// 1. added tokens with `normalized: false` (all special tokens of published files) are cut out
///    of the raw text;
/// 2. each remaining piece is normalized, then added tokens with `normalized: true` are cut out;
/// 3. each remaining piece is pre-tokenized into words, and each word is tokenized by the model;
/// 4. optionally the post-processor wraps the ids (`[CLS] … [SEP]`, `<s> … </s>`).
///
/// The `truncation` and `padding` sections of the file are ignored on purpose: the packing step
/// cuts the id stream into windows itself. The value is immutable after loading and `Sendable`;
/// encoding from several threads at once is safe.
public struct Tokenizer: Sendable {
    /// The file (or label) the tokenizer was loaded from, used in error messages.
    public let source: String
    let addedVocabulary: AddedVocabulary
    let normalizer: (any Normalizer)?
    let preTokenizer: (any PreTokenizer)?
    let model: any TokenizerModel
    let postProcessor: (any PostProcessor)?
    let decoder: (any TokenDecoder)?

    /// The id the post-processor puts first (`[CLS]`, `<s>`), if it adds one.
    public let clsOrBosId: Int32?
    /// The id the post-processor puts last (`[SEP]`, `</s>`), if it adds one.
    public let sepOrEosId: Int32?
    /// The padding token's id: the `padding.pad_token` of the file if set, else the first of
    /// `[PAD]`, `<pad>`, `<|pad|>` that exists.
    public let padId: Int32?

    /// Loads `tokenizer.json` from `url`.
    /// - Throws: `TokenizerError.unreadableFile` when the file cannot be read, and every error of
    ///   `init(data:source:)`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        try self.init(data: data, source: url.path)
    }

    /// Parses the bytes of a `tokenizer.json`; `source` labels error messages.
    /// - Throws: `TokenizerError.malformedJSON` for bytes that are not a JSON object,
    ///   `.invalidField` / `.invalidConfiguration` for a malformed or inconsistent component,
    ///   `.unsupportedType` for a component type this module does not implement.
    public init(data: Data, source: String) throws {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw TokenizerError.malformedJSON(source: source, reason: String(describing: error).prefix(300).description)
        }
        guard case .object = root else {
            throw TokenizerError.malformedJSON(source: source, reason: "the top level is \(root.typeName), not an object")
        }
        let config = try ComponentConfig(root, component: "tokenizer", source: source)
        func component(_ name: String) throws -> ComponentConfig? {
            switch config.fields[name] {
            case nil, .null?: return nil
            case let value?: return try ComponentConfig(value, component: name, source: source)
            }
        }

        self.source = source
        normalizer = try component("normalizer").map(makeNormalizer)
        preTokenizer = try component("pre_tokenizer").map(makePreTokenizer)
        guard let modelConfig = try component("model") else {
            throw TokenizerError.invalidField(source: source, component: "tokenizer", field: "model", expected: "an object")
        }
        model = try makeModel(modelConfig)
        postProcessor = try component("post_processor").map(makePostProcessor)
        decoder = try component("decoder").map(makeDecoder)

        var addedTokens: [AddedToken] = []
        if case let .array(list)? = config.fields["added_tokens"] {
            for (index, value) in list.enumerated() {
                addedTokens.append(try AddedToken(config: ComponentConfig(value, component: "added_tokens[\(index)]", source: source)))
            }
        } else if let value = config.fields["added_tokens"], value != .null {
            throw config.fieldError("added_tokens", "an array")
        }
        addedVocabulary = AddedVocabulary(tokens: addedTokens, normalizer: normalizer)

        clsOrBosId = postProcessor?.prefix.first
        sepOrEosId = postProcessor?.suffix.last
        var padCandidates = ["[PAD]", "<pad>", "<|pad|>"]
        if case let .object(padding)? = config.fields["padding"], case let .string(token)? = padding["pad_token"] {
            padCandidates.insert(token, at: 0)
        }
        let added = addedVocabulary
        let model = model
        padId = padCandidates.lazy.compactMap { added.idsByContent[$0] ?? model.id(forToken: $0) }.first
    }

    /// The id of a token: added tokens first, then the model's vocabulary.
    public func id(forToken token: String) -> Int32? {
        addedVocabulary.idsByContent[token] ?? model.id(forToken: token)
    }

    /// The token string of an id: added tokens first, then the model's vocabulary.
    public func token(forId id: Int32) -> String? {
        addedVocabulary.tokensById[id]?.content ?? model.token(forId: id)
    }

    /// One more than the largest id the tokenizer can produce (model vocabulary and added
    /// tokens), i.e. the number of embedding rows a model needs; equals the Python library's
    /// `get_vocab_size(with_added_tokens=True)` when ids are contiguous.
    public var vocabularySize: Int {
        max(model.vocabularySize, addedVocabulary.tokens.map { Int($0.id) + 1 }.max() ?? 0)
    }

    /// The added tokens of the file (special or not), in file order.
    public var addedTokens: [AddedToken] { addedVocabulary.tokens }

    /// How many ids `addingSpecialTokens(to:)` adds to one sequence (2 for BERT and RoBERTa).
    public var specialTokensAddedToSingle: Int {
        (postProcessor?.prefix.count ?? 0) + (postProcessor?.suffix.count ?? 0)
    }

    /// Wraps one sequence of ids with the post-processor's special tokens
    /// (`[CLS] ids [SEP]`, `<s> ids </s>`); unchanged when the file has no post-processor.
    public func addingSpecialTokens(to ids: [Int32]) -> [Int32] {
        postProcessor?.process(ids) ?? ids
    }
}
