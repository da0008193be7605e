extension LlamaFamily {
    /// Qwen3 (`transformers.Qwen3Config` defaults): q/k/v/o biases from `attention_bias` (default
    /// off), `head_dim` 128 by default (not hidden/heads), and an RMSNorm with its own `[d]` γ over
    /// every query and key head before RoPE (`q_norm`, `k_norm`); windows as Qwen2.
    static let qwen3 = LlamaFamily(
        vocabularySize: 151936, hiddenSize: 4096, intermediateSize: 22016, layerCount: 32, headCount: 32,
        maxPositionEmbeddings: 32768, keyValueHeadCount: 32, headDimension: 128, queryKeyValueBias: nil,
        outputBias: nil, readsMLPBias: false, queryKeyNorm: true, slidingWindow: .upperLayers)
}
