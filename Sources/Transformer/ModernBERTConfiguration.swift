import Foundation

/// The resolved hyper-parameters of a ModernBERT encoder, decoded from its `config.json` with the
/// defaults of `transformers`' `ModernBertConfig` (vocab 50368, hidden 768, intermediate 1152,
/// 22 layers, 12 heads, `gelu`, 8192 positions, `norm_eps` 10⁻⁵, no norm/attention/MLP biases,
/// `local_attention` 128, global attention every 3 layers, θ 160000 global and 10000 local).
///
/// Layer types: `layer_types` (each `full_attention` or `sliding_attention`) if present, else layer ℓ
/// is global when `ℓ mod global_attn_every_n_layers = 0` and local otherwise. Local layers attend within
/// a symmetric band: query i sees key j when `|i − j| ≤ ⌊local_attention / 2⌋` (transformers' bidirectional
/// sliding-window mask with `sliding_window = local_attention // 2`, an inclusive bound), so a row
/// away from the ends has `2⌊local_attention/2⌋ + 1` visible keys.
///
/// RoPE per layer type: `rope_parameters.full_attention` / `.sliding_attention` (each may hold
/// `rope_type` and `rope_theta`); a legacy `rope_scaling` object is merged into both; θ not set
/// there comes from the legacy `global_rope_theta` / `local_rope_theta`, else the defaults above.
public struct ModernBERTConfiguration: Sendable, Equatable {
    /// `vocab_size`.
    public var vocabularySize: Int
    /// `hidden_size` h.
    public var hiddenSize: Int
    /// `intermediate_size` I: the GeGLU width (`Wi` has 2I rows).
    public var intermediateSize: Int
    /// `num_hidden_layers` L.
    public var layerCount: Int
    /// `num_attention_heads` H; d = h / H.
    public var headCount: Int
    /// `hidden_activation`, applied to the input half of `Wi`'s output.
    public var activation: Activation
    /// `max_position_embeddings` (no position table; the longest input accepted).
    public var maxPositionEmbeddings: Int
    /// `norm_eps`, ε of every LayerNorm.
    public var normEpsilon: Float
    /// `norm_bias`: the LayerNorms have a β.
    public var normBias: Bool
    /// `attention_bias`: `Wqkv` and the attention `Wo` have biases.
    public var attentionBias: Bool
    /// `mlp_bias`: `Wi` and the MLP `Wo` have biases.
    public var mlpBias: Bool
    /// `pad_token_id` (0 when null); the forward pass does not use it.
    public var padTokenId: Int
    /// `local_attention`: the band's total width as the config states it.
    public var localAttention: Int
    /// Per layer: true for `sliding_attention` (local), false for `full_attention` (global).
    public var localLayers: [Bool]
    /// RoPE of the global layers.
    public var globalRotary: RotaryEmbedding
    /// RoPE of the local layers.
    public var localRotary: RotaryEmbedding

    /// d.
    public var headDimension: Int { hiddenSize / headCount }
    /// w = ⌊local_attention / 2⌋: a local layer's query i sees keys `|i − j| ≤ w`.
    public var localHalfWidth: Int { localAttention / 2 }
    /// Per layer: w for local layers, `nil` for global ones.
    public var attentionWindows: [Int?] { localLayers.map { $0 ? localHalfWidth : nil } }

    /// The mask of layer `index`.
    func mask(layer index: Int) -> AttentionMask {
        localLayers[index] ? .symmetricWindow(localHalfWidth) : .bidirectional
    }

    /// The RoPE of layer `index`.
    func rotary(layer index: Int) -> RotaryEmbedding { localLayers[index] ? localRotary : globalRotary }

    private enum Keys: String, CodingKey {
        case vocabularySize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case layerCount = "num_hidden_layers", headCount = "num_attention_heads", headDimension = "head_dim"
        case activation = "hidden_activation", maxPositionEmbeddings = "max_position_embeddings"
        case normEpsilon = "norm_eps", normBias = "norm_bias", attentionBias = "attention_bias", mlpBias = "mlp_bias"
        case padTokenId = "pad_token_id", localAttention = "local_attention", layerTypes = "layer_types"
        case globalEvery = "global_attn_every_n_layers", ropeParameters = "rope_parameters", ropeScaling = "rope_scaling"
        case globalTheta = "global_rope_theta", localTheta = "local_rope_theta"
    }

    /// The `rope_parameters` object of ModernBERT: one entry per layer type.
    private struct PerLayerType: Decodable {
        var full: RopeParameters?
        var sliding: RopeParameters?
        private enum Keys: String, CodingKey { case full = "full_attention", sliding = "sliding_attention" }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            full = try c.decodeIfPresent(RopeParameters.self, forKey: .full)
            sliding = try c.decodeIfPresent(RopeParameters.self, forKey: .sliding)
            let others = try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue)
                .filter { Keys(rawValue: $0) == nil }
            guard others.isEmpty else {
                throw TransformerError.invalidConfiguration(
                    file: decoder.userInfo[ModelConfiguration.fileKey] as? String ?? "config.json",
                    detail: "rope_parameters holds \(others.sorted().joined(separator: ", ")); ModernBERT's has only full_attention and sliding_attention objects")
            }
        }
    }

    /// Decodes and checks a ModernBERT `config.json`; errors name `file` and the key at fault.
    init(from decoder: Decoder, file: String) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        func fail(_ detail: String) -> TransformerError { .invalidConfiguration(file: file, detail: detail) }
        vocabularySize = try c.decodeIfPresent(Int.self, forKey: .vocabularySize) ?? 50368
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? 768
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? 1152
        layerCount = try c.decodeIfPresent(Int.self, forKey: .layerCount) ?? 22
        headCount = try c.decodeIfPresent(Int.self, forKey: .headCount) ?? 12
        let activationName = try c.decodeIfPresent(String.self, forKey: .activation) ?? "gelu"
        guard let activation = Activation(huggingFaceName: activationName) else {
            throw fail("unsupported hidden_activation '\(activationName)' (supported: \(Activation.supportedList))")
        }
        self.activation = activation
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 8192
        normEpsilon = Float(try c.decodeIfPresent(Double.self, forKey: .normEpsilon) ?? 1e-5)
        normBias = try c.decodeIfPresent(Bool.self, forKey: .normBias) ?? false
        attentionBias = try c.decodeIfPresent(Bool.self, forKey: .attentionBias) ?? false
        mlpBias = try c.decodeIfPresent(Bool.self, forKey: .mlpBias) ?? false
        // `pad_token_id` may be null (transformers then has no padding row).
        if c.contains(.padTokenId) {
            padTokenId = try c.decodeNil(forKey: .padTokenId) ? 0 : c.decode(Int.self, forKey: .padTokenId)
        } else {
            padTokenId = 50283
        }
        localAttention = try c.decodeIfPresent(Int.self, forKey: .localAttention) ?? 128
        try DecoderConfiguration.checkLayerCount(layerCount, file: file)
        guard headCount > 0, headCount <= DecoderConfiguration.maximumHeads else {
            throw fail("num_attention_heads must be in 1...\(DecoderConfiguration.maximumHeads), is \(headCount)")
        }
        guard hiddenSize > 0, hiddenSize % headCount == 0 else {
            throw fail("hidden_size \(hiddenSize) must be a positive multiple of num_attention_heads \(headCount)")
        }
        if let d = try c.decodeIfPresent(Int.self, forKey: .headDimension), d != hiddenSize / headCount {
            throw fail("head_dim \(d) differs from hidden_size / num_attention_heads = \(hiddenSize / headCount), which ModernBERT's attention uses")
        }
        // The window is local_attention // 2 keys each side; below 2 it would be empty.
        guard localAttention >= 2 else { throw fail("local_attention must be at least 2 (a window of local_attention // 2 keys each side), is \(localAttention)") }
        if let types = try c.decodeIfPresent([String].self, forKey: .layerTypes) {
            guard types.count == layerCount else {
                throw fail("layer_types has \(types.count) entries for num_hidden_layers \(layerCount)")
            }
            localLayers = try types.enumerated().map { index, type throws(TransformerError) in
                switch type {
                case "full_attention": return false
                case "sliding_attention": return true
                default: throw fail("layer_types[\(index)] is '\(type)' (supported: full_attention, sliding_attention)")
                }
            }
        } else {
            let every = try c.decodeIfPresent(Int.self, forKey: .globalEvery) ?? 3
            guard every > 0 else { throw fail("global_attn_every_n_layers must be positive, is \(every)") }
            localLayers = (0..<layerCount).map { $0 % every != 0 }
        }
        let perType = try c.decodeIfPresent(PerLayerType.self, forKey: .ropeParameters)
        let legacy = try c.decodeIfPresent(RopeParameters.self, forKey: .ropeScaling)
        let d = hiddenSize / headCount, positions = maxPositionEmbeddings
        func rotary(_ own: RopeParameters?, legacyTheta: Keys, defaultTheta: Double, name: String) throws -> RotaryEmbedding {
            // transformers starts a missing layer type at {"rope_type": "default"}, updates it with
            // rope_scaling (so a legacy "type" alone does not change rope_type), then fills in θ.
            var base = RopeParameters()
            base.ropeType = "default"
            var p = own ?? base
            if let legacy { p = p.merging(legacy) }
            if p.theta == nil { p.theta = try c.decodeIfPresent(Double.self, forKey: legacyTheta) ?? defaultTheta }
            let type = p.ropeType ?? p.legacyType ?? "default"
            // Only these two are checked against ModernBERT's per-layer-type rope code.
            guard type == "default" || type == "linear" else {
                throw fail("rope_parameters.\(name) has rope type '\(type)'; ModernBERT supports default and linear")
            }
            return try RopeParameters.resolve(parameters: p, legacyScaling: nil, topLevelTheta: nil, headDimension: d,
                                              maxPositionEmbeddings: positions, file: file)
        }
        globalRotary = try rotary(perType?.full, legacyTheta: .globalTheta, defaultTheta: 160_000, name: "full_attention")
        localRotary = try rotary(perType?.sliding, legacyTheta: .localTheta, defaultTheta: 10_000, name: "sliding_attention")
        try validate(file: file)
    }

    /// Rejects sizes the forward pass cannot run.
    private func validate(file: String) throws(TransformerError) {
        func require(_ condition: Bool, _ detail: @autoclosure () -> String) throws(TransformerError) {
            if !condition { throw .invalidConfiguration(file: file, detail: detail()) }
        }
        let limit = 1 << 24
        for (name, value) in [("vocab_size", vocabularySize), ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
                              ("max_position_embeddings", maxPositionEmbeddings), ("local_attention", localAttention)] {
            try require(value > 0 && value <= limit, "\(name) must be in 1...\(limit), is \(value)")
        }
        try require(normEpsilon.isFinite && normEpsilon > 0, "norm_eps must be positive, is \(normEpsilon)")
        try require(padTokenId >= 0 && padTokenId < vocabularySize,
                    "pad_token_id \(padTokenId) is outside the vocabulary of \(vocabularySize)")
    }
}

extension RopeParameters {
    /// No keys set.
    init() {
        nestedLayerTypes = []
    }

    /// These settings with every key that `other` sets replaced by its value (Python's `dict.update`).
    func merging(_ other: RopeParameters) -> RopeParameters {
        var result = self
        result.ropeType = other.ropeType ?? ropeType
        result.legacyType = other.legacyType ?? legacyType
        result.theta = other.theta ?? theta
        result.factor = other.factor ?? factor
        result.lowFrequencyFactor = other.lowFrequencyFactor ?? lowFrequencyFactor
        result.highFrequencyFactor = other.highFrequencyFactor ?? highFrequencyFactor
        result.originalMaxPositionEmbeddings = other.originalMaxPositionEmbeddings ?? originalMaxPositionEmbeddings
        result.partialRotaryFactor = other.partialRotaryFactor ?? partialRotaryFactor
        return result
    }
}

/// Any JSON object key, for listing the keys of an object.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension ModelConfiguration {
    /// The common description of a ModernBERT encoder.
    public init(modernBERT m: ModernBERTConfiguration) {
        modelType = .modernbert
        vocabularySize = m.vocabularySize
        hiddenSize = m.hiddenSize
        layerCount = m.layerCount
        headCount = m.headCount
        intermediateSize = m.intermediateSize
        activation = m.activation
        layerNormEpsilon = m.normEpsilon
        maxPositionEmbeddings = m.maxPositionEmbeddings
        typeVocabularySize = 1
        padTokenId = m.padTokenId
        embeddingSize = m.hiddenSize
        sinusoidalPositions = false
        headDimension = m.headDimension
        keyValueHeadCount = m.headCount
        decoder = nil
        modernBERT = m
    }
}
