import Foundation

/// The encoder architecture named by `config.json`'s `model_type`.
public enum ModelType: String, Sendable, Equatable {
    /// BERT and its distilled variants (MiniLM): position ids `0 ..< n`.
    case bert
    /// RoBERTa: position ids start at `pad_token_id + 1`; padding tokens get `pad_token_id`.
    case roberta
}

/// The feed-forward nonlinearity named by `hidden_act`.
public enum Activation: Sendable, Equatable {
    /// Exact GELU, `x · ½ · (1 + erf(x / √2))` (`"gelu"`).
    case gelu
    /// Tanh approximation, `½x · (1 + tanh(√(2/π) · (x + 0.044715 x³)))`
    /// (`"gelu_new"`, `"gelu_pytorch_tanh"`).
    case geluTanh
    /// `max(0, x)` (`"relu"`).
    case relu

    /// Maps a Hugging Face `hidden_act` string; `nil` when unsupported.
    public init?(huggingFaceName name: String) {
        switch name {
        case "gelu": self = .gelu
        case "gelu_new", "gelu_pytorch_tanh": self = .geluTanh
        case "relu": self = .relu
        default: return nil
        }
    }
}

/// Hyper-parameters of a BERT/RoBERTa encoder, decoded from a Hugging Face `config.json`.
///
/// Missing keys take the Hugging Face defaults of `BertConfig` / `RobertaConfig` (which differ only
/// in `vocab_size` 30522 / 50265 and `pad_token_id` 0 / 1). `model_type` is required.
/// Decoding checks that the values describe a model this encoder can run (positive sizes,
/// `hidden_size` divisible by `num_attention_heads`, a supported activation and position type).
public struct ModelConfiguration: Decodable, Sendable, Equatable {
    /// `model_type`.
    public var modelType: ModelType
    /// `vocab_size`: rows of the word-embedding table.
    public var vocabularySize: Int
    /// `hidden_size` (h): width of every token's hidden state.
    public var hiddenSize: Int
    /// `num_hidden_layers` (L).
    public var layerCount: Int
    /// `num_attention_heads` (H).
    public var headCount: Int
    /// `intermediate_size`: width of the feed-forward layer.
    public var intermediateSize: Int
    /// `hidden_act`.
    public var activation: Activation
    /// `layer_norm_eps`: ε in `(x − μ) / √(σ² + ε)`.
    public var layerNormEpsilon: Float
    /// `max_position_embeddings`: rows of the position-embedding table.
    public var maxPositionEmbeddings: Int
    /// `type_vocab_size`: rows of the token-type embedding table.
    public var typeVocabularySize: Int
    /// `pad_token_id`.
    public var padTokenId: Int

    /// `d_head = hidden_size / num_attention_heads`.
    public var headDimension: Int { hiddenSize / headCount }

    /// The longest input the position table allows: `max_position_embeddings` for BERT,
    /// `max_position_embeddings − pad_token_id − 1` for RoBERTa (its positions start after the pad id).
    public var maxSequenceLength: Int {
        switch modelType {
        case .bert: return maxPositionEmbeddings
        case .roberta: return max(0, maxPositionEmbeddings - padTokenId - 1)
        }
    }

    /// A configuration from explicit values; checked like a decoded one.
    public init(
        modelType: ModelType, vocabularySize: Int, hiddenSize: Int, layerCount: Int, headCount: Int,
        intermediateSize: Int, activation: Activation = .gelu, layerNormEpsilon: Float = 1e-12,
        maxPositionEmbeddings: Int = 512, typeVocabularySize: Int = 2, padTokenId: Int? = nil
    ) throws(TransformerError) {
        self.modelType = modelType
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.activation = activation
        self.layerNormEpsilon = layerNormEpsilon
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabularySize = typeVocabularySize
        self.padTokenId = padTokenId ?? (modelType == .roberta ? 1 : 0)
        try validate(file: "configuration")
    }

    /// Reads and decodes `config.json` at `url`; errors name the file.
    public init(contentsOf url: URL) throws(TransformerError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .cannotRead(file: url.path, reason: error.localizedDescription)
        }
        let decoder = JSONDecoder()
        decoder.userInfo[Self.fileKey] = url.path
        do {
            self = try decoder.decode(ModelConfiguration.self, from: data)
        } catch let error as TransformerError {
            throw error
        } catch let DecodingError.keyNotFound(key, _) {
            throw .invalidConfiguration(file: url.path, detail: "missing required key '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidConfiguration(file: url.path, detail: Self.describe(context))
        } catch let DecodingError.valueNotFound(_, context) {
            throw .invalidConfiguration(file: url.path, detail: Self.describe(context))
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidConfiguration(file: url.path, detail: Self.describe(context))
        } catch {
            throw .invalidConfiguration(file: url.path, detail: "\(error)")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case modelType = "model_type"
        case vocabularySize = "vocab_size"
        case hiddenSize = "hidden_size"
        case layerCount = "num_hidden_layers"
        case headCount = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case activation = "hidden_act"
        case layerNormEpsilon = "layer_norm_eps"
        case maxPositionEmbeddings = "max_position_embeddings"
        case typeVocabularySize = "type_vocab_size"
        case padTokenId = "pad_token_id"
        case positionEmbeddingType = "position_embedding_type"
    }

    /// `CodingUserInfoKey` under which ``init(contentsOf:)`` passes the file path to error messages.
    static let fileKey = CodingUserInfoKey(rawValue: "spectrum.transformer.configFile")!

    /// Decodes with Hugging Face defaults for absent keys; throws ``TransformerError`` for values
    /// the encoder cannot run.
    public init(from decoder: Decoder) throws {
        let file = decoder.userInfo[Self.fileKey] as? String ?? "config.json"
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let typeName = try c.decode(String.self, forKey: .modelType)
        guard let modelType = ModelType(rawValue: typeName) else {
            throw TransformerError.unsupportedModelType(file: file, modelType: typeName)
        }
        self.modelType = modelType
        vocabularySize = try c.decodeIfPresent(Int.self, forKey: .vocabularySize)
            ?? (modelType == .roberta ? 50265 : 30522)
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? 768
        layerCount = try c.decodeIfPresent(Int.self, forKey: .layerCount) ?? 12
        headCount = try c.decodeIfPresent(Int.self, forKey: .headCount) ?? 12
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? 3072
        let activationName = try c.decodeIfPresent(String.self, forKey: .activation) ?? "gelu"
        guard let activation = Activation(huggingFaceName: activationName) else {
            throw TransformerError.unsupportedActivation(file: file, activation: activationName)
        }
        self.activation = activation
        layerNormEpsilon = Float(try c.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? 1e-12)
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 512
        typeVocabularySize = try c.decodeIfPresent(Int.self, forKey: .typeVocabularySize) ?? 2
        padTokenId = try c.decodeIfPresent(Int.self, forKey: .padTokenId) ?? (modelType == .roberta ? 1 : 0)
        let positionType = try c.decodeIfPresent(String.self, forKey: .positionEmbeddingType) ?? "absolute"
        guard positionType == "absolute" else {
            throw TransformerError.unsupportedPositionEmbedding(file: file, type: positionType)
        }
        try validate(file: file)
    }

    /// Rejects sizes the encoder cannot run.
    private func validate(file: String) throws(TransformerError) {
        func require(_ condition: Bool, _ detail: @autoclosure () -> String) throws(TransformerError) {
            if !condition { throw .invalidConfiguration(file: file, detail: detail()) }
        }
        try require(vocabularySize > 0, "vocab_size must be positive, is \(vocabularySize)")
        try require(hiddenSize > 0, "hidden_size must be positive, is \(hiddenSize)")
        try require(layerCount > 0, "num_hidden_layers must be positive, is \(layerCount)")
        try require(headCount > 0, "num_attention_heads must be positive, is \(headCount)")
        try require(hiddenSize % headCount == 0,
                    "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(headCount)")
        try require(intermediateSize > 0, "intermediate_size must be positive, is \(intermediateSize)")
        try require(layerNormEpsilon.isFinite && layerNormEpsilon > 0,
                    "layer_norm_eps must be positive, is \(layerNormEpsilon)")
        try require(maxPositionEmbeddings > 0, "max_position_embeddings must be positive, is \(maxPositionEmbeddings)")
        try require(typeVocabularySize > 0, "type_vocab_size must be positive, is \(typeVocabularySize)")
        try require(padTokenId >= 0 && padTokenId < vocabularySize,
                    "pad_token_id \(padTokenId) is outside the vocabulary of \(vocabularySize)")
        if modelType == .roberta {
            try require(padTokenId + 1 < maxPositionEmbeddings,
                        "RoBERTa positions start at pad_token_id + 1 = \(padTokenId + 1), beyond max_position_embeddings \(maxPositionEmbeddings)")
        }
    }

    private static func describe(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return path.isEmpty ? context.debugDescription : "'\(path)': \(context.debugDescription)"
    }
}
