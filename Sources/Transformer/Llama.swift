/// `config.json` of a Llama-style decoder (`model_type` `llama`, `mistral`, `qwen2`, `qwen3`). The
/// keys are shared; their defaults and a few fixed choices differ per family (``LlamaFamily``, one
/// file per family).
///
/// The architecture (h hidden, H query heads, G key-value heads, d head dimension, I intermediate):
/// `X⁰ = E_tok[t]`; per layer `A = X + W_o·Attn(RMSNorm₁(X))` with q `[n, H·d]`, k, v `[n, G·d]`,
/// (Qwen3: RMSNorm over each q and k head), RoPE on q and k, query head j attending with key-value
/// head `j/(H/G)`: `P_j = softmax(Q_j K_gᵀ/√d + causal or sliding-window mask)`; then
/// `X' = A + down(silu(gate(RMSNorm₂(A))) ⊙ up(RMSNorm₂(A)))`; the last hidden state is `RMSNorm_f(X^L)`.
public struct LlamaConfiguration: Decodable, Sendable {
    public var modelType: ModelType
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var keyValueHeadCount: Int?
    public var headDimension: Int?
    public var activationName: String
    public var maxPositionEmbeddings: Int
    public var rmsNormEpsilon: Double
    public var attentionBias: Bool
    public var mlpBias: Bool
    /// `sliding_window`: `.some(nil)` when the key is present as `null`.
    public var slidingWindow: Int??
    public var useSlidingWindow: Bool
    public var maxWindowLayers: Int
    public var layerTypes: [String]?
    public var dtype: String?
    var ropeTheta: Double?
    var ropeScaling: RopeParameters?
    var ropeParameters: RopeParameters?

    private enum CodingKeys: String, CodingKey {
        case modelType = "model_type", vocabularySize = "vocab_size", hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size", layerCount = "num_hidden_layers", headCount = "num_attention_heads"
        case keyValueHeadCount = "num_key_value_heads", headDimension = "head_dim", activationName = "hidden_act"
        case maxPositionEmbeddings = "max_position_embeddings", rmsNormEpsilon = "rms_norm_eps"
        case attentionBias = "attention_bias", mlpBias = "mlp_bias", slidingWindow = "sliding_window"
        case useSlidingWindow = "use_sliding_window", maxWindowLayers = "max_window_layers", layerTypes = "layer_types"
        case dtype, torchDType = "torch_dtype", ropeTheta = "rope_theta", ropeScaling = "rope_scaling"
        case ropeParameters = "rope_parameters"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let file = decoder.userInfo[ModelConfiguration.fileKey] as? String ?? "config.json"
        let typeName = try c.decode(String.self, forKey: .modelType)
        guard let type = ModelType(rawValue: typeName), let family = LlamaFamily.family(of: type) else {
            throw TransformerError.unsupportedModelType(file: file, modelType: typeName)
        }
        modelType = type
        vocabularySize = try c.decodeIfPresent(Int.self, forKey: .vocabularySize) ?? family.vocabularySize
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? family.hiddenSize
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? family.intermediateSize
        layerCount = try c.decodeIfPresent(Int.self, forKey: .layerCount) ?? family.layerCount
        headCount = try c.decodeIfPresent(Int.self, forKey: .headCount) ?? family.headCount
        keyValueHeadCount = try c.decodeIfPresent(Int.self, forKey: .keyValueHeadCount) ?? family.keyValueHeadCount
        headDimension = try c.decodeIfPresent(Int.self, forKey: .headDimension) ?? family.headDimension
        activationName = try c.decodeIfPresent(String.self, forKey: .activationName) ?? "silu"
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? family.maxPositionEmbeddings
        rmsNormEpsilon = try c.decodeIfPresent(Double.self, forKey: .rmsNormEpsilon) ?? 1e-6
        attentionBias = try c.decodeIfPresent(Bool.self, forKey: .attentionBias) ?? false
        mlpBias = try c.decodeIfPresent(Bool.self, forKey: .mlpBias) ?? false
        if c.contains(.slidingWindow) {
            slidingWindow = .some(try c.decodeNil(forKey: .slidingWindow) ? nil : c.decode(Int.self, forKey: .slidingWindow))
        } else {
            slidingWindow = nil
        }
        useSlidingWindow = try c.decodeIfPresent(Bool.self, forKey: .useSlidingWindow) ?? false
        maxWindowLayers = try c.decodeIfPresent(Int.self, forKey: .maxWindowLayers) ?? 28
        layerTypes = try c.decodeIfPresent([String].self, forKey: .layerTypes)
        dtype = try c.decodeIfPresent(String.self, forKey: .dtype) ?? c.decodeIfPresent(String.self, forKey: .torchDType)
        ropeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta)
        ropeScaling = try c.decodeIfPresent(RopeParameters.self, forKey: .ropeScaling)
        ropeParameters = try c.decodeIfPresent(RopeParameters.self, forKey: .ropeParameters)
    }

    /// The validated decoder description.
    func resolved(file: String) throws(TransformerError) -> DecoderConfiguration {
        guard let family = LlamaFamily.family(of: modelType) else {
            throw .unsupportedModelType(file: file, modelType: modelType.rawValue)
        }
        guard let activation = Activation(huggingFaceName: activationName) else {
            throw .unsupportedActivation(file: file, activation: activationName)
        }
        guard headCount > 0 else {
            throw .invalidConfiguration(file: file, detail: "num_attention_heads must be positive, is \(headCount)")
        }
        try DecoderConfiguration.checkLayerCount(layerCount, file: file)
        let d = headDimension ?? hiddenSize / headCount
        let rotary = try RopeParameters.resolve(
            parameters: ropeParameters, legacyScaling: ropeScaling, topLevelTheta: ropeTheta,
            headDimension: d, maxPositionEmbeddings: maxPositionEmbeddings, file: file)
        let result = DecoderConfiguration(
            modelType: modelType, vocabularySize: vocabularySize, hiddenSize: hiddenSize, layerCount: layerCount,
            headCount: headCount, keyValueHeadCount: keyValueHeadCount ?? headCount, headDimension: d,
            intermediateSize: intermediateSize, maxPositionEmbeddings: maxPositionEmbeddings, activation: activation,
            normalization: .rmsNorm, normEpsilon: Float(rmsNormEpsilon), gatedFeedForward: true,
            queryKeyValueBias: family.queryKeyValueBias ?? attentionBias, outputBias: family.outputBias ?? attentionBias,
            feedForwardBias: family.readsMLPBias && mlpBias, queryKeyNorm: family.queryKeyNorm, rotary: rotary,
            slidingWindows: try windows(family, file: file), scalesAttention: true, scalesByInverseLayer: false,
            declaredDType: DecoderConfiguration.safeTensorsDType(torchName: dtype))
        try result.validate(file: file)
        return result
    }

    /// Per-layer windows under the family's rule.
    private func windows(_ family: LlamaFamily, file: String) throws(TransformerError) -> [Int?] {
        let count = max(0, layerCount)
        switch family.slidingWindow {
        case .never:
            return Array(repeating: nil, count: count)
        case .everyLayer(let fallback):
            let window = slidingWindow ?? fallback
            return Array(repeating: window, count: count)
        case .upperLayers:
            // transformers: the window exists only with use_sliding_window; layer_types (or, when
            // absent, "layer ≥ max_window_layers") says which layers use it.
            let window = useSlidingWindow ? (slidingWindow ?? 4096) : nil
            guard let types = layerTypes else {
                return (0..<count).map { window != nil && $0 >= maxWindowLayers ? window : nil }
            }
            guard types.count == count else {
                throw .invalidConfiguration(file: file, detail: "layer_types has \(types.count) entries for \(count) layers")
            }
            return try types.map { type throws(TransformerError) -> Int? in
                switch type {
                case "full_attention": return nil
                case "sliding_attention": return window
                default: throw .invalidConfiguration(file: file, detail: "unsupported layer type '\(type)' (supported: full_attention, sliding_attention)")
                }
            }
        }
    }
}

/// Defaults and fixed choices of one Llama-style family (see `Mistral.swift`, `Qwen2.swift`, `Qwen3.swift`).
struct LlamaFamily: Sendable {
    /// Where a family's attention windows come from.
    enum SlidingWindowRule: Sendable {
        /// Full causal attention in every layer.
        case never
        /// `sliding_window` (default `fallback`; `null` disables it) in every layer.
        case everyLayer(fallback: Int?)
        /// `use_sliding_window`, `sliding_window`, `max_window_layers`, `layer_types` (Qwen).
        case upperLayers
    }

    let vocabularySize, hiddenSize, intermediateSize, layerCount, headCount, maxPositionEmbeddings: Int
    let keyValueHeadCount: Int?
    let headDimension: Int?
    /// Fixed q/k/v bias, or `nil` to read `attention_bias`.
    let queryKeyValueBias: Bool?
    /// Fixed o bias, or `nil` to read `attention_bias`.
    let outputBias: Bool?
    let readsMLPBias: Bool
    let queryKeyNorm: Bool
    let slidingWindow: SlidingWindowRule

    /// `transformers.LlamaConfig` defaults (Llama 2 7B); q/k/v/o biases from `attention_bias`, MLP biases from `mlp_bias`.
    static let llama = LlamaFamily(
        vocabularySize: 32000, hiddenSize: 4096, intermediateSize: 11008, layerCount: 32, headCount: 32,
        maxPositionEmbeddings: 2048, keyValueHeadCount: nil, headDimension: nil, queryKeyValueBias: nil,
        outputBias: nil, readsMLPBias: true, queryKeyNorm: false, slidingWindow: .never)

    static func family(of type: ModelType) -> LlamaFamily? {
        switch type {
        case .llama: return .llama
        case .mistral: return .mistral
        case .qwen2: return .qwen2
        case .qwen3: return .qwen3
        default: return nil
        }
    }
}

/// Checkpoint names of the Llama-style families.
enum Llama {
    /// The one place their keys are renamed: the `model.` prefix of `*ForCausalLM` checkpoints is
    /// removed; the LM and classification heads and stored RoPE buffers are ignored.
    static func canonicalName(_ key: String) -> String? {
        var name = Substring(key)
        if name.hasPrefix("model.") { name = name.dropFirst("model.".count) }
        if name.hasPrefix("lm_head.") || name.hasPrefix("score.") || name.hasSuffix("rotary_emb.inv_freq") { return nil }
        return String(name)
    }

    /// The tensors a Llama-style checkpoint provides for `c`.
    static func plan(_ c: DecoderConfiguration) -> DecoderTensorPlan {
        let h = c.hiddenSize, inner = c.intermediateSize, d = c.headDimension
        let q = c.headCount * d, kv = c.keyValueHeadCount * d
        let layers = (0..<c.layerCount).map { index -> [(slot: LayerSlot, parts: [TensorPart])] in
            let p = "layers.\(index)."
            func part(_ name: String, _ shape: [Int]) -> TensorPart { TensorPart(name: p + name, shape: shape) }
            var slots: [(slot: LayerSlot, parts: [TensorPart])] = [
                (.attentionNormWeight, [part("input_layernorm.weight", [h])]),
                (.queryKeyValueWeight, [part("self_attn.q_proj.weight", [q, h]), part("self_attn.k_proj.weight", [kv, h]),
                                        part("self_attn.v_proj.weight", [kv, h])]),
                (.outputWeight, [part("self_attn.o_proj.weight", [h, q])]),
                (.feedForwardNormWeight, [part("post_attention_layernorm.weight", [h])]),
                (.upWeight, [part("mlp.gate_proj.weight", [inner, h]), part("mlp.up_proj.weight", [inner, h])]),
                (.downWeight, [part("mlp.down_proj.weight", [h, inner])]),
            ]
            if c.queryKeyValueBias {
                slots.append((.queryKeyValueBias, [part("self_attn.q_proj.bias", [q]), part("self_attn.k_proj.bias", [kv]),
                                                   part("self_attn.v_proj.bias", [kv])]))
            }
            if c.outputBias { slots.append((.outputBias, [part("self_attn.o_proj.bias", [h])])) }
            if c.feedForwardBias {
                slots.append((.upBias, [part("mlp.gate_proj.bias", [inner]), part("mlp.up_proj.bias", [inner])]))
                slots.append((.downBias, [part("mlp.down_proj.bias", [h])]))
            }
            if c.queryKeyNorm {
                slots.append((.queryNorm, [part("self_attn.q_norm.weight", [d])]))
                slots.append((.keyNorm, [part("self_attn.k_norm.weight", [d])]))
            }
            return slots
        }
        return DecoderTensorPlan(
            embedding: TensorPart(name: "embed_tokens.weight", shape: [c.vocabularySize, h]), positions: nil,
            finalNormWeight: TensorPart(name: "norm.weight", shape: [h]), finalNormBias: nil, layers: layers)
    }
}
