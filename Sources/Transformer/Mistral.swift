extension LlamaFamily {
    /// Mistral (`transformers.MistralConfig` defaults, Mistral 7B): the Llama block without any
    /// bias, 8 key-value heads, and a sliding window in every layer: query i attends to keys
    /// `i − w < j ≤ i`, w = `sliding_window` (4096 when absent; `null` turns it off), so P is banded.
    static let mistral = LlamaFamily(
        vocabularySize: 32000, hiddenSize: 4096, intermediateSize: 14336, layerCount: 32, headCount: 32,
        maxPositionEmbeddings: 4096 * 32, keyValueHeadCount: 8, headDimension: nil, queryKeyValueBias: false,
        outputBias: false, readsMLPBias: false, queryKeyNorm: false, slidingWindow: .everyLayer(fallback: 4096))
}
