/// `config.json` of a GPT-2 checkpoint (`model_type` `gpt2`), with the defaults of
/// `transformers.GPT2Config` (GPT-2 small) for absent keys.
///
/// The architecture (h = `n_embd`, H = `n_head`, d = h/H, I = `n_inner` or 4h):
/// `X⁰ = E_tok[t] + E_pos[i]`; per layer `A = X + Attn(LN₁(X))` with causal
/// `P_h = softmax(Q_h K_hᵀ/√d + mask)`, then `X' = A + proj(gelu_new(fc(LN₂(A))))`; the last hidden
/// state is `LN_f(X^L)`. Weights are `Conv1D`: stored `[in, out]`, `y = x W + b`.
public struct GPT2Configuration: Decodable, Sendable {
    public var vocabularySize = 50257
    public var hiddenSize = 768
    public var layerCount = 12
    public var headCount = 12
    /// `n_inner`; `nil` means 4h.
    public var innerSize: Int?
    public var positions = 1024
    public var activationName = "gelu_new"
    public var layerNormEpsilon = 1e-5
    public var scaleAttentionWeights = true
    public var scaleByInverseLayerIndex = false
    public var dtype: String?

    private enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size", hiddenSize = "n_embd", layerCount = "n_layer", headCount = "n_head"
        case innerSize = "n_inner", positions = "n_positions", activationName = "activation_function"
        case layerNormEpsilon = "layer_norm_epsilon", scaleAttentionWeights = "scale_attn_weights"
        case scaleByInverseLayerIndex = "scale_attn_by_inverse_layer_idx", dtype, torchDType = "torch_dtype"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabularySize = try c.decodeIfPresent(Int.self, forKey: .vocabularySize) ?? vocabularySize
        hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? hiddenSize
        layerCount = try c.decodeIfPresent(Int.self, forKey: .layerCount) ?? layerCount
        headCount = try c.decodeIfPresent(Int.self, forKey: .headCount) ?? headCount
        innerSize = try c.decodeIfPresent(Int.self, forKey: .innerSize)
        positions = try c.decodeIfPresent(Int.self, forKey: .positions) ?? positions
        activationName = try c.decodeIfPresent(String.self, forKey: .activationName) ?? activationName
        layerNormEpsilon = try c.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? layerNormEpsilon
        scaleAttentionWeights = try c.decodeIfPresent(Bool.self, forKey: .scaleAttentionWeights) ?? true
        scaleByInverseLayerIndex = try c.decodeIfPresent(Bool.self, forKey: .scaleByInverseLayerIndex) ?? false
        dtype = try c.decodeIfPresent(String.self, forKey: .dtype) ?? c.decodeIfPresent(String.self, forKey: .torchDType)
    }

    /// The validated decoder description.
    func resolved(file: String) throws(TransformerError) -> DecoderConfiguration {
        guard let activation = Activation(huggingFaceName: activationName) else {
            throw .unsupportedActivation(file: file, activation: activationName)
        }
        try DecoderConfiguration.checkLayerCount(layerCount, file: file)
        guard (1...(1 << 24)).contains(hiddenSize) else {
            throw .invalidConfiguration(file: file, detail: "n_embd must be in 1...\(1 << 24), is \(hiddenSize)")
        }
        guard headCount > 0, hiddenSize % headCount == 0 else {
            throw .invalidConfiguration(file: file, detail: "n_embd \(hiddenSize) is not a multiple of n_head \(headCount)")
        }
        let result = DecoderConfiguration(
            modelType: .gpt2, vocabularySize: vocabularySize, hiddenSize: hiddenSize, layerCount: layerCount,
            headCount: headCount, keyValueHeadCount: headCount, headDimension: hiddenSize / headCount,
            intermediateSize: innerSize ?? 4 * hiddenSize, maxPositionEmbeddings: positions, activation: activation,
            normalization: .layerNorm, normEpsilon: Float(layerNormEpsilon), gatedFeedForward: false,
            queryKeyValueBias: true, outputBias: true, feedForwardBias: true, queryKeyNorm: false, rotary: nil,
            slidingWindows: Array(repeating: nil, count: max(0, layerCount)), scalesAttention: scaleAttentionWeights,
            scalesByInverseLayer: scaleByInverseLayerIndex,
            declaredDType: DecoderConfiguration.safeTensorsDType(torchName: dtype))
        try result.validate(file: file)
        return result
    }
}

/// GPT-2's checkpoint names.
enum GPT2 {
    /// The one place GPT-2 keys are renamed: the `transformer.` prefix of `GPT2LMHeadModel` is
    /// removed; the LM head and the causal-mask buffers old checkpoints carry (`attn.bias`,
    /// `attn.masked_bias`) are ignored.
    static func canonicalName(_ key: String) -> String? {
        var name = Substring(key)
        if name.hasPrefix("transformer.") { name = name.dropFirst("transformer.".count) }
        if name.hasPrefix("lm_head.") || name.hasSuffix(".attn.bias") || name.hasSuffix(".attn.masked_bias") { return nil }
        return String(name)
    }

    /// The tensors of a GPT-2 checkpoint (Conv1D weights `[in, out]`, transposed into their slots).
    static func plan(_ c: DecoderConfiguration) -> DecoderTensorPlan {
        let h = c.hiddenSize, inner = c.intermediateSize
        let layers = (0..<c.layerCount).map { index -> [(slot: LayerSlot, parts: [TensorPart])] in
            let p = "h.\(index)."
            return [
                (.attentionNormWeight, [TensorPart(name: p + "ln_1.weight", shape: [h])]),
                (.attentionNormBias, [TensorPart(name: p + "ln_1.bias", shape: [h])]),
                (.queryKeyValueWeight, [TensorPart(name: p + "attn.c_attn.weight", shape: [h, 3 * h], transposed: true)]),
                (.queryKeyValueBias, [TensorPart(name: p + "attn.c_attn.bias", shape: [3 * h])]),
                (.outputWeight, [TensorPart(name: p + "attn.c_proj.weight", shape: [h, h], transposed: true)]),
                (.outputBias, [TensorPart(name: p + "attn.c_proj.bias", shape: [h])]),
                (.feedForwardNormWeight, [TensorPart(name: p + "ln_2.weight", shape: [h])]),
                (.feedForwardNormBias, [TensorPart(name: p + "ln_2.bias", shape: [h])]),
                (.upWeight, [TensorPart(name: p + "mlp.c_fc.weight", shape: [h, inner], transposed: true)]),
                (.upBias, [TensorPart(name: p + "mlp.c_fc.bias", shape: [inner])]),
                (.downWeight, [TensorPart(name: p + "mlp.c_proj.weight", shape: [inner, h], transposed: true)]),
                (.downBias, [TensorPart(name: p + "mlp.c_proj.bias", shape: [h])]),
            ]
        }
        return DecoderTensorPlan(
            embedding: TensorPart(name: "wte.weight", shape: [c.vocabularySize, h]),
            positions: TensorPart(name: "wpe.weight", shape: [c.maxPositionEmbeddings, h]),
            finalNormWeight: TensorPart(name: "ln_f.weight", shape: [h]),
            finalNormBias: TensorPart(name: "ln_f.bias", shape: [h]),
            layers: layers)
    }
}
