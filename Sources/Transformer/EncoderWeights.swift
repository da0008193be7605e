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

/// All weights of an encoder (BERT, RoBERTa, XLM-R, CamemBERT, DistilBERT, ELECTRA), checked
/// against the configuration's shapes; e = ``ModelConfiguration/embeddingSize`` (h except ELECTRA).
struct EncoderWeights: Sendable {
    /// `[vocab_size, e]`.
    let wordEmbeddings: WeightBuffer
    /// `[max_position_embeddings, e]`.
    let positionEmbeddings: WeightBuffer
    /// `[type_vocab_size, e]`; `nil` for DistilBERT, which has no token types.
    let tokenTypeEmbeddings: WeightBuffer?
    /// `[e]` embedding LayerNorm γ and β.
    let embeddingNormWeight: WeightBuffer
    let embeddingNormBias: WeightBuffer
    /// ELECTRA's `embeddings_project`, `[h, e]` and `[h]`; `nil` when e = h.
    let embeddingProjection: Projection?

    /// A linear map `y = x Wᵀ + b` with `W` `[out, in]`.
    struct Projection: Sendable {
        let weight: WeightBuffer
        let bias: WeightBuffer
    }
    /// One entry per layer, bottom first.
    let layers: [LayerWeights]

    /// Loads every tensor the encoder needs from `tensors`; extra tensors (pooler, heads) are ignored.
    /// - Throws: ``TransformerError/missingTensor(file:tensor:expectedShape:)`` or
    ///   ``TransformerError/shapeMismatch(file:tensor:expected:found:)`` naming the tensor.
    init(tensors: SafeTensors, configuration c: ModelConfiguration) throws(TransformerError) {
        let names = try CheckpointKeys.index(tensors.tensorNames, modelType: c.modelType, file: tensors.url.path)
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
        let h = c.hiddenSize, inner = c.intermediateSize, e = c.embeddingSize
        wordEmbeddings = try buffer("embeddings.word_embeddings.weight", [c.vocabularySize, e])
        let positions = "embeddings.position_embeddings.weight"
        if c.sinusoidalPositions && names[positions] == nil {
            // The sinusoid is fixed, so a checkpoint may leave it out; transformers would rebuild it.
            positionEmbeddings = WeightBuffer(DistilBERT.sinusoidalTable(rows: c.maxPositionEmbeddings, dim: e))
        } else {
            positionEmbeddings = try buffer(positions, [c.maxPositionEmbeddings, e])
        }
        tokenTypeEmbeddings = c.modelType == .distilbert
            ? nil : try buffer("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, e])
        embeddingNormWeight = try buffer("embeddings.LayerNorm.weight", [e])
        embeddingNormBias = try buffer("embeddings.LayerNorm.bias", [e])
        embeddingProjection = e == h ? nil
            : Projection(weight: try buffer("embeddings_project.weight", [h, e]),
                         bias: try buffer("embeddings_project.bias", [h]))
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
/// Base-model prefixes of task-head checkpoints (`bert.`, `roberta.`, `electra.`, `distilbert.`) are
/// removed; TensorFlow-era LayerNorm names `gamma`/`beta` become `weight`/`bias`; the
/// `embeddings.position_ids` buffer and tensors of the pooler and of task heads (`pooler.`, `cls.`,
/// `lm_head.`, `classifier.`, `qa_outputs.`, ELECTRA's `discriminator_predictions.` and generator
/// heads, DistilBERT's `vocab_*` and `pre_classifier.`) are dropped. DistilBERT's layer names
/// (`q_lin`, `sa_layer_norm`, `ffn.lin1`, …) become BERT's.
public enum CheckpointKeys {
    private static let prefixes = ["bert.", "roberta.", "electra.", "distilbert."]
    private static let ignored = [
        "pooler.", "cls.", "lm_head.", "classifier.", "qa_outputs.", "discriminator_predictions.",
        "generator_predictions.", "generator_lm_head.", "vocab_transform.", "vocab_layer_norm.",
        "vocab_projector.", "pre_classifier.",
    ]

    /// The encoder's name for a checkpoint key of a `modelType` model, or `nil` when the encoder
    /// ignores that tensor.
    public static func normalize(_ key: String, modelType: ModelType = .bert) -> String? {
        var name = Substring(key)
        for prefix in prefixes where name.hasPrefix(prefix) {
            name = name.dropFirst(prefix.count)
            break
        }
        if ignored.contains(where: { name.hasPrefix($0) }) { return nil }
        if name == "embeddings.position_ids" || name == "embeddings.token_type_ids" { return nil }
        if modelType == .distilbert { return DistilBERT.bertName(name) }
        if name.hasSuffix("LayerNorm.gamma") { return name.dropLast("gamma".count) + "weight" }
        if name.hasSuffix("LayerNorm.beta") { return name.dropLast("beta".count) + "bias" }
        return String(name)
    }

    /// Maps each normalized name to its original key; throws when two keys collide.
    static func index(_ keys: [String], modelType: ModelType = .bert, file: String) throws(TransformerError) -> [String: String] {
        var result: [String: String] = [:]
        for key in keys {
            guard let name = normalize(key, modelType: modelType) else { continue }
            guard result[name] == nil else { throw .duplicateTensor(file: file, tensor: name) }
            result[name] = key
        }
        return result
    }
}
