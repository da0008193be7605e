import Foundation

/// The architecture named by `config.json`'s `model_type`.
public enum ModelType: String, Sendable, Equatable, CaseIterable {
    /// BERT and its distilled variants (MiniLM): position ids `0 ..< n`.
    case bert
    /// RoBERTa: position ids start at `pad_token_id + 1`; padding tokens get `pad_token_id`.
    case roberta
    /// XLM-RoBERTa: the RoBERTa architecture and position ids (its vocabulary is SentencePiece Unigram).
    case xlmRoberta = "xlm-roberta"
    /// CamemBERT: the RoBERTa architecture and position ids.
    case camembert
    /// DistilBERT: BERT's post-LayerNorm block under its own weight and config names
    /// (`dim`, `n_heads`, `n_layers`, `hidden_dim`, `activation`), no token types.
    case distilbert
    /// ELECTRA discriminator: BERT with embeddings of width `embedding_size`, projected to
    /// `hidden_size` by `embeddings_project` when the two differ.
    case electra
    /// ModernBERT: pre-norm encoder with RoPE, alternating global and symmetric sliding-window
    /// (local) attention, GeGLU MLP and a final norm (``ModernBERTConfiguration``).
    case modernbert
    /// GPT-2: causal decoder, learned positions, pre-LayerNorm, `Conv1D` weights.
    case gpt2
    /// Llama (1–3): causal decoder, RMSNorm, SwiGLU, RoPE, grouped-query attention.
    case llama
    /// Mistral: Llama plus a sliding attention window.
    case mistral
    /// Qwen2: Llama with q/k/v biases and optional sliding windows on upper layers.
    case qwen2
    /// Qwen3: Qwen2 without q/k/v biases, with RMSNorm on every query and key head.
    case qwen3

    /// Decoder LLMs attend causally: P is lower-triangular.
    public var isCausal: Bool {
        switch self {
        case .bert, .roberta, .xlmRoberta, .camembert, .distilbert, .electra, .modernbert: return false
        case .gpt2, .llama, .mistral, .qwen2, .qwen3: return true
        }
    }

    /// RoBERTa-style position ids: they start at `pad_token_id + 1` and pad tokens get `pad_token_id`.
    public var usesRobertaPositions: Bool { self == .roberta || self == .xlmRoberta || self == .camembert }

    /// Every supported `model_type`, comma-separated, for help texts and error messages.
    public static var supportedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
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
    /// `x · σ(x)` (`"silu"`, `"swish"`), the gate of Llama-style SwiGLU.
    case silu

    /// Maps a Hugging Face `hidden_act` string; `nil` when unsupported.
    public init?(huggingFaceName name: String) {
        switch name {
        case "gelu": self = .gelu
        case "gelu_new", "gelu_pytorch_tanh": self = .geluTanh
        case "relu": self = .relu
        case "silu", "swish": self = .silu
        default: return nil
        }
    }

    /// Every accepted `hidden_act` / `activation_function` name.
    public static let supportedList = "gelu, gelu_new, gelu_pytorch_tanh, relu, silu, swish"
}

/// Hyper-parameters of a model, decoded from a Hugging Face `config.json`.
///
/// For the decoder families (``ModelType/isCausal``) the family's own configuration type decodes the
/// file (``GPT2Configuration``, ``LlamaConfiguration``) and ``decoder`` holds the result; the common
/// fields below are filled from it. For the encoders missing keys take the Hugging Face defaults of
/// the family's config class (`BertConfig`, `RobertaConfig`, `XLMRobertaConfig`, `CamembertConfig`,
/// `ElectraConfig`, `DistilBertConfig`; DistilBERT's own key names are read by its decoder).
/// `model_type` is required.
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
    /// d: width of one head; `hidden_size / num_attention_heads` unless the config sets `head_dim`.
    public var headDimension: Int
    /// `embedding_size` (ELECTRA): width of the embedding tables and their LayerNorm; equals
    /// ``hiddenSize`` for every other family.
    public var embeddingSize: Int
    /// `sinusoidal_pos_embds` (DistilBERT): the position table is the fixed sinusoid, computed when
    /// the checkpoint does not hold it.
    public var sinusoidalPositions: Bool
    /// Key-value heads (grouped-query attention); equals ``headCount`` for encoders.
    public var keyValueHeadCount: Int
    /// The decoder's full configuration; `nil` for encoders.
    public var decoder: DecoderConfiguration?
    /// ModernBERT's full configuration; `nil` for every other family.
    public var modernBERT: ModernBERTConfiguration?

    /// Per layer: the attention window, `nil` for full attention. Causal models (Mistral, Qwen2
    /// windows): query i sees keys `i − w < j ≤ i`; ModernBERT's local layers: keys `|i − j| ≤ w`.
    public var attentionWindows: [Int?] {
        decoder?.slidingWindows ?? modernBERT?.attentionWindows ?? Array(repeating: nil, count: layerCount)
    }

    /// P is lower-triangular (decoders): Theorem 2 and pooling do not apply.
    public var isCausal: Bool { modelType.isCausal }

    /// The longest input the position table allows: `max_position_embeddings` for BERT,
    /// `max_position_embeddings − pad_token_id − 1` for the RoBERTa family (its positions start after the pad id).
    public var maxSequenceLength: Int {
        modelType.usesRobertaPositions ? max(0, maxPositionEmbeddings - padTokenId - 1) : maxPositionEmbeddings
    }

    /// A configuration from explicit values; checked like a decoded one.
    public init(
        modelType: ModelType, vocabularySize: Int, hiddenSize: Int, layerCount: Int, headCount: Int,
        intermediateSize: Int, activation: Activation = .gelu, layerNormEpsilon: Float = 1e-12,
        maxPositionEmbeddings: Int = 512, typeVocabularySize: Int = 2, padTokenId: Int? = nil
    ) throws(TransformerError) {
        try self.init(modelType: modelType, vocabularySize: vocabularySize, hiddenSize: hiddenSize, layerCount: layerCount,
                      headCount: headCount, intermediateSize: intermediateSize, activation: activation,
                      layerNormEpsilon: layerNormEpsilon, maxPositionEmbeddings: maxPositionEmbeddings,
                      typeVocabularySize: typeVocabularySize, padTokenId: padTokenId, embeddingSize: nil,
                      sinusoidalPositions: false, file: "configuration")
    }

    /// The explicit initializer with ELECTRA's embedding width, DistilBERT's sinusoid flag and the
    /// file named by errors.
    init(
        modelType: ModelType, vocabularySize: Int, hiddenSize: Int, layerCount: Int, headCount: Int,
        intermediateSize: Int, activation: Activation, layerNormEpsilon: Float, maxPositionEmbeddings: Int,
        typeVocabularySize: Int, padTokenId: Int?, embeddingSize: Int?, sinusoidalPositions: Bool, file: String
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
        self.padTokenId = padTokenId ?? (modelType.usesRobertaPositions ? 1 : 0)
        self.embeddingSize = embeddingSize ?? hiddenSize
        self.sinusoidalPositions = sinusoidalPositions
        headDimension = headCount > 0 ? hiddenSize / headCount : 0
        keyValueHeadCount = headCount
        decoder = nil
        guard !modelType.isCausal, modelType != .modernbert else {
            throw .invalidConfiguration(file: file, detail: "\(modelType.rawValue) has its own configuration; build it with ModelConfiguration(decoder:) or (modernBERT:)")
        }
        try validate(file: file)
    }

    /// The common description of a decoder (already validated by its family's configuration).
    public init(decoder d: DecoderConfiguration) {
        modelType = d.modelType
        vocabularySize = d.vocabularySize
        hiddenSize = d.hiddenSize
        layerCount = d.layerCount
        headCount = d.headCount
        intermediateSize = d.intermediateSize
        activation = d.activation
        layerNormEpsilon = d.normEpsilon
        maxPositionEmbeddings = d.maxPositionEmbeddings
        typeVocabularySize = 1
        padTokenId = 0
        embeddingSize = d.hiddenSize
        sinusoidalPositions = false
        headDimension = d.headDimension
        keyValueHeadCount = d.keyValueHeadCount
        decoder = d
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
        case embeddingSize = "embedding_size"
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
        switch modelType {
        case .gpt2:
            self = ModelConfiguration(decoder: try GPT2Configuration(from: decoder).resolved(file: file))
            return
        case .llama, .mistral, .qwen2, .qwen3:
            self = ModelConfiguration(decoder: try LlamaConfiguration(from: decoder).resolved(file: file))
            return
        case .distilbert:
            self = try ModelConfiguration(distilBERTFrom: decoder, file: file)
            return
        case .modernbert:
            self = ModelConfiguration(modernBERT: try ModernBERTConfiguration(from: decoder, file: file))
            return
        case .bert, .roberta, .xlmRoberta, .camembert, .electra:
            break
        }
        // Defaults of BertConfig, RobertaConfig (vocab_size 50265), XLMRobertaConfig and CamembertConfig
        // (30522) and ElectraConfig (a small discriminator: 256 wide, 4 heads, embeddings 128 wide).
        let electra = modelType == .electra
        self.modelType = modelType
        vocabularySize = try c.decodeIfPresent(Int.self, forKey: .vocabularySize)
            ?? (modelType == .roberta ? 50265 : 30522)
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? (electra ? 256 : 768)
        layerCount = try c.decodeIfPresent(Int.self, forKey: .layerCount) ?? 12
        headCount = try c.decodeIfPresent(Int.self, forKey: .headCount) ?? (electra ? 4 : 12)
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? (electra ? 1024 : 3072)
        embeddingSize = electra ? try c.decodeIfPresent(Int.self, forKey: .embeddingSize) ?? 128 : hiddenSize
        sinusoidalPositions = false
        let activationName = try c.decodeIfPresent(String.self, forKey: .activation) ?? "gelu"
        guard let activation = Activation(huggingFaceName: activationName) else {
            throw TransformerError.unsupportedActivation(file: file, activation: activationName)
        }
        self.activation = activation
        layerNormEpsilon = Float(try c.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? 1e-12)
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 512
        typeVocabularySize = try c.decodeIfPresent(Int.self, forKey: .typeVocabularySize) ?? 2
        padTokenId = try c.decodeIfPresent(Int.self, forKey: .padTokenId) ?? (modelType.usesRobertaPositions ? 1 : 0)
        let positionType = try c.decodeIfPresent(String.self, forKey: .positionEmbeddingType) ?? "absolute"
        guard positionType == "absolute" else {
            throw TransformerError.unsupportedPositionEmbedding(file: file, type: positionType)
        }
        headDimension = headCount > 0 ? hiddenSize / headCount : 0
        keyValueHeadCount = headCount
        self.decoder = nil
        try validate(file: file)
    }

    /// Rejects sizes the encoder cannot run.
    func validate(file: String) throws(TransformerError) {
        func require(_ condition: Bool, _ detail: @autoclosure () -> String) throws(TransformerError) {
            if !condition { throw .invalidConfiguration(file: file, detail: detail()) }
        }
        try require(vocabularySize > 0, "vocab_size must be positive, is \(vocabularySize)")
        try require(hiddenSize > 0, "hidden_size must be positive, is \(hiddenSize)")
        try require(embeddingSize > 0, "embedding_size must be positive, is \(embeddingSize)")
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
        if modelType.usesRobertaPositions {
            try require(padTokenId + 1 < maxPositionEmbeddings,
                        "\(modelType.rawValue) positions start at pad_token_id + 1 = \(padTokenId + 1), beyond max_position_embeddings \(maxPositionEmbeddings)")
        }
    }

    private static func describe(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return path.isEmpty ? context.debugDescription : "'\(path)': \(context.debugDescription)"
    }
}
