/// Weights of one encoder layer. Linear maps are stored as Hugging Face does, `[out, in]`, and
/// applied as `y = x Wᵀ + b` with a transposed-B GEMM.
struct LayerWeights: Sendable {
    /// `[3h, h]`: rows `0..<h` query, `h..<2h` key, `2h..<3h` value, so one GEMM gives `[n, 3h]`.
    let qkvWeight: WeightBuffer
    /// `[3h]`: query, key, value biases.
    let qkvBias: WeightBuffer
    /// `[h, h]` attention output projection and its `[h]` bias.
    let attentionOutputWeight: WeightBuffer
    let attentionOutputBias: WeightBuffer
    /// `[h]` LayerNorm γ and β after the attention block.
    let attentionNormWeight: WeightBuffer
    let attentionNormBias: WeightBuffer
    /// `[intermediate, h]` feed-forward up projection and its `[intermediate]` bias.
    let intermediateWeight: WeightBuffer
    let intermediateBias: WeightBuffer
    /// `[h, intermediate]` feed-forward down projection and its `[h]` bias.
    let outputWeight: WeightBuffer
    let outputBias: WeightBuffer
    /// `[h]` LayerNorm γ and β after the feed-forward block.
    let outputNormWeight: WeightBuffer
    let outputNormBias: WeightBuffer
}

/// All weights of a BERT/RoBERTa encoder, checked against the configuration's shapes.
struct EncoderWeights: Sendable {
    /// `[vocab_size, h]`.
    let wordEmbeddings: WeightBuffer
    /// `[max_position_embeddings, h]`.
    let positionEmbeddings: WeightBuffer
    /// `[type_vocab_size, h]`.
    let tokenTypeEmbeddings: WeightBuffer
    /// `[h]` embedding LayerNorm γ and β.
    let embeddingNormWeight: WeightBuffer
    let embeddingNormBias: WeightBuffer
    /// One entry per layer, bottom first.
    let layers: [LayerWeights]

    /// Loads every tensor the encoder needs from `tensors`; extra tensors (pooler, heads) are ignored.
    /// - Throws: ``TransformerError/missingTensor(file:tensor:expectedShape:)`` or
    ///   ``TransformerError/shapeMismatch(file:tensor:expected:found:)`` naming the tensor.
    init(tensors: SafeTensors, configuration c: ModelConfiguration) throws(TransformerError) {
        let names = try CheckpointKeys.index(tensors.tensorNames, file: tensors.url.path)
        func load(_ name: String, _ shape: [Int]) throws(TransformerError) -> [Float] {
            guard let key = names[name] else {
                throw .missingTensor(file: tensors.url.path, tensor: name, expectedShape: shape)
            }
            let found = tensors.shape(of: key) ?? []
            guard found == shape else {
                throw .shapeMismatch(file: tensors.url.path, tensor: key, expected: shape, found: found)
            }
            return try tensors.floats(key)
        }
        func buffer(_ name: String, _ shape: [Int]) throws(TransformerError) -> WeightBuffer {
            WeightBuffer(try load(name, shape))
        }
        let h = c.hiddenSize, inner = c.intermediateSize
        wordEmbeddings = try buffer("embeddings.word_embeddings.weight", [c.vocabularySize, h])
        positionEmbeddings = try buffer("embeddings.position_embeddings.weight", [c.maxPositionEmbeddings, h])
        tokenTypeEmbeddings = try buffer("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])
        embeddingNormWeight = try buffer("embeddings.LayerNorm.weight", [h])
        embeddingNormBias = try buffer("embeddings.LayerNorm.bias", [h])
        var layers: [LayerWeights] = []
        for index in 0..<c.layerCount {
            let p = "encoder.layer.\(index)."
            let qkvWeight = WeightBuffer(concatenating: [
                try load(p + "attention.self.query.weight", [h, h]),
                try load(p + "attention.self.key.weight", [h, h]),
                try load(p + "attention.self.value.weight", [h, h]),
            ])
            let qkvBias = WeightBuffer(concatenating: [
                try load(p + "attention.self.query.bias", [h]),
                try load(p + "attention.self.key.bias", [h]),
                try load(p + "attention.self.value.bias", [h]),
            ])
            layers.append(LayerWeights(
                qkvWeight: qkvWeight, qkvBias: qkvBias,
                attentionOutputWeight: try buffer(p + "attention.output.dense.weight", [h, h]),
                attentionOutputBias: try buffer(p + "attention.output.dense.bias", [h]),
                attentionNormWeight: try buffer(p + "attention.output.LayerNorm.weight", [h]),
                attentionNormBias: try buffer(p + "attention.output.LayerNorm.bias", [h]),
                intermediateWeight: try buffer(p + "intermediate.dense.weight", [inner, h]),
                intermediateBias: try buffer(p + "intermediate.dense.bias", [inner]),
                outputWeight: try buffer(p + "output.dense.weight", [h, inner]),
                outputBias: try buffer(p + "output.dense.bias", [h]),
                outputNormWeight: try buffer(p + "output.LayerNorm.weight", [h]),
                outputNormBias: try buffer(p + "output.LayerNorm.bias", [h])))
        }
        self.layers = layers
    }
}

/// The one place where checkpoint keys are normalized to the encoder's names.
///
/// `bert.` and `roberta.` prefixes (task-head checkpoints) are removed; TensorFlow-era LayerNorm
/// names `gamma`/`beta` become `weight`/`bias`; the `embeddings.position_ids` buffer and tensors
/// of the pooler and of task heads (`pooler.`, `cls.`, `lm_head.`, `classifier.`, `qa_outputs.`)
/// are dropped.
public enum CheckpointKeys {
    /// The encoder's name for a checkpoint key, or `nil` when the encoder ignores that tensor.
    public static func normalize(_ key: String) -> String? {
        var name = Substring(key)
        for prefix in ["bert.", "roberta."] where name.hasPrefix(prefix) {
            name = name.dropFirst(prefix.count)
            break
        }
        let ignored = ["pooler.", "cls.", "lm_head.", "classifier.", "qa_outputs."]
        if ignored.contains(where: { name.hasPrefix($0) }) { return nil }
        if name == "embeddings.position_ids" || name == "embeddings.token_type_ids" { return nil }
        if name.hasSuffix("LayerNorm.gamma") { return name.dropLast("gamma".count) + "weight" }
        if name.hasSuffix("LayerNorm.beta") { return name.dropLast("beta".count) + "bias" }
        return String(name)
    }

    /// Maps each normalized name to its original key; throws when two keys collide.
    static func index(_ keys: [String], file: String) throws(TransformerError) -> [String: String] {
        var result: [String: String] = [:]
        for key in keys {
            guard let name = normalize(key) else { continue }
            guard result[name] == nil else { throw .duplicateTensor(file: file, tensor: name) }
            result[name] = key
        }
        return result
    }
}
