/// The resolved hyper-parameters of a causal decoder, whatever family's `config.json` they came
/// from (``GPT2Configuration`` and ``LlamaConfiguration`` build it). The forward pass reads only
/// this, so the families differ in configuration keys and checkpoint names, not in code paths.
///
/// Shapes (h = hidden, H = heads, G = key-value heads, d = head dimension, I = intermediate):
/// q `[n, H·d]`, k and v `[n, G·d]`; query head `j` reads key-value head `j / (H/G)`.
public struct DecoderConfiguration: Sendable, Equatable {
    /// Which normalization the blocks use.
    public enum Normalization: Sendable, Equatable {
        /// `(x − μ)/√(σ² + ε)·γ + β` (GPT-2).
        case layerNorm
        /// `x/√(mean(x²) + ε)·γ` (Llama family).
        case rmsNorm
    }

    /// The family.
    public var modelType: ModelType
    /// Rows of the token embedding.
    public var vocabularySize: Int
    /// h.
    public var hiddenSize: Int
    /// L.
    public var layerCount: Int
    /// H, query heads.
    public var headCount: Int
    /// G, key-value heads; divides H.
    public var keyValueHeadCount: Int
    /// d.
    public var headDimension: Int
    /// I, width of the feed-forward block.
    public var intermediateSize: Int
    /// Positions the model was trained for (RoPE) or rows of the position table (GPT-2).
    public var maxPositionEmbeddings: Int
    /// Feed-forward nonlinearity (the gate's, for a gated block).
    public var activation: Activation
    /// Block and final normalization.
    public var normalization: Normalization
    /// ε of every normalization.
    public var normEpsilon: Float
    /// `down(act(gate(x)) ⊙ up(x))` (SwiGLU) instead of `proj(act(fc(x)))`.
    public var gatedFeedForward: Bool
    /// Biases on the q, k, v projections.
    public var queryKeyValueBias: Bool
    /// Bias on the attention output projection.
    public var outputBias: Bool
    /// Biases on the feed-forward projections.
    public var feedForwardBias: Bool
    /// RMSNorm over each query and key head (width d) before RoPE (Qwen3).
    public var queryKeyNorm: Bool
    /// RoPE settings; `nil` means a learned position table (GPT-2).
    public var rotary: RotaryEmbedding?
    /// Per layer: the sliding window w (query i sees keys `i − w < j ≤ i`), or `nil` for full causal attention.
    public var slidingWindows: [Int?]
    /// Scores are scaled by `1/√d` (GPT-2's `scale_attn_weights`; always for the Llama family).
    public var scalesAttention: Bool
    /// GPT-2's `scale_attn_by_inverse_layer_idx`: layer ℓ's scores are further divided by ℓ + 1.
    public var scalesByInverseLayer: Bool
    /// The checkpoint dtype `config.json` declares (`dtype` or `torch_dtype`), as a safetensors dtype name.
    public var declaredDType: String?

    /// Query heads per key-value head.
    public var groupSize: Int { headCount / keyValueHeadCount }
    /// Width of the fused q | k | v projection, `(H + 2G)·d`.
    public var queryKeyValueWidth: Int { (headCount + 2 * keyValueHeadCount) * headDimension }

    /// Safetensors dtype name of a `torch_dtype` string; `nil` for names that are not float types.
    static func safeTensorsDType(torchName: String?) -> String? {
        switch torchName {
        case "float32": return "F32"
        case "float16": return "F16"
        case "bfloat16": return "BF16"
        default: return nil
        }
    }

    /// Upper bounds far above any released model (the largest have ~128 layers and heads, d ≤ 256),
    /// checked before any array is sized by these counts or any two of them are multiplied.
    static let maximumLayers = 1024, maximumHeads = 1024, maximumHeadDimension = 1 << 16

    /// Refuses layer counts that would size arrays absurdly; run before building per-layer values.
    static func checkLayerCount(_ count: Int, file: String) throws(TransformerError) {
        guard (1...maximumLayers).contains(count) else {
            throw .invalidConfiguration(file: file, detail: "the layer count must be in 1...\(maximumLayers), is \(count)")
        }
    }

    /// Rejects values the forward pass cannot run, naming the key.
    func validate(file: String) throws(TransformerError) {
        func require(_ condition: Bool, _ detail: @autoclosure () -> String) throws(TransformerError) {
            if !condition { throw .invalidConfiguration(file: file, detail: detail()) }
        }
        try Self.checkLayerCount(layerCount, file: file)
        try require(headCount <= Self.maximumHeads, "num_attention_heads \(headCount) exceeds \(Self.maximumHeads)")
        try require(headDimension <= Self.maximumHeadDimension, "head_dim \(headDimension) exceeds \(Self.maximumHeadDimension)")
        try require(vocabularySize > 0, "vocab_size must be positive, is \(vocabularySize)")
        try require(hiddenSize > 0, "the hidden size must be positive, is \(hiddenSize)")
        try require(layerCount > 0, "the layer count must be positive, is \(layerCount)")
        try require(headCount > 0, "num_attention_heads must be positive, is \(headCount)")
        try require(keyValueHeadCount > 0, "num_key_value_heads must be positive, is \(keyValueHeadCount)")
        try require(headCount % keyValueHeadCount == 0,
                    "num_attention_heads \(headCount) is not divisible by num_key_value_heads \(keyValueHeadCount)")
        try require(headDimension > 0, "head_dim must be positive, is \(headDimension)")
        try require(intermediateSize > 0, "intermediate_size must be positive, is \(intermediateSize)")
        try require(maxPositionEmbeddings > 0, "max_position_embeddings must be positive, is \(maxPositionEmbeddings)")
        try require(normEpsilon.isFinite && normEpsilon > 0, "the norm epsilon must be positive, is \(normEpsilon)")
        try require(slidingWindows.count == layerCount,
                    "\(slidingWindows.count) layer types for \(layerCount) layers")
        for window in slidingWindows.compactMap({ $0 }) {
            try require(window > 0, "sliding_window must be positive, is \(window)")
        }
        // Sizes are multiplied together for buffers; refuse what would overflow long before that.
        let limit = 1 << 24
        for (name, value) in [("vocab_size", vocabularySize), ("hidden size", hiddenSize), ("intermediate_size", intermediateSize),
                              ("heads × head_dim", headCount * headDimension), ("max_position_embeddings", maxPositionEmbeddings)] {
            try require(value <= limit, "\(name) \(value) exceeds \(limit)")
        }
    }
}
