extension LlamaFamily {
    /// Qwen2 (`transformers.Qwen2Config` defaults): biases on q, k and v always (none on o or the
    /// MLP, whatever `attention_bias` says); a sliding window only with `use_sliding_window`, on the
    /// layers `layer_types` marks `sliding_attention` (or, without `layer_types`, layers
    /// ≥ `max_window_layers`).
    static let qwen2 = LlamaFamily(
        vocabularySize: 151936, hiddenSize: 4096, intermediateSize: 22016, layerCount: 32, headCount: 32,
        maxPositionEmbeddings: 32768, keyValueHeadCount: 32, headDimension: nil, queryKeyValueBias: true,
        outputBias: false, readsMLPBias: false, queryKeyNorm: false, slidingWindow: .upperLayers)
}
