/// The weights of a ModernBERT encoder in float32, checked against ``ModernBERTConfiguration``.
/// Linear maps are `[out, in]` as in the checkpoint and applied as `y = x Wᵀ + b`; an absent bias
/// (`attention_bias`, `mlp_bias`, `norm_bias` false) is a zero vector, which adds nothing exactly.
struct ModernBERTWeights: Sendable {
    /// A linear map `y = x Wᵀ + b`, `W` `[out, in]`, `b` `[out]`.
    struct Linear: Sendable {
        let weight: WeightBuffer
        let bias: WeightBuffer
    }

    /// A LayerNorm's γ and β `[h]`.
    struct Norm: Sendable {
        let weight: WeightBuffer
        let bias: WeightBuffer
    }

    /// One encoder layer.
    struct Layer: Sendable {
        /// `attn_norm`; `nil` on layer 0, where transformers uses `nn.Identity`.
        let attentionNorm: Norm?
        /// `attn.Wqkv` `[3h, h]`: rows `0..<h` queries, `h..<2h` keys, `2h..<3h` values (head-major within each).
        let qkv: Linear
        /// `attn.Wo` `[h, h]`.
        let attentionOutput: Linear
        /// `mlp_norm`.
        let mlpNorm: Norm
        /// `mlp.Wi` `[2I, h]`: rows `0..<I` the input (activated), `I..<2I` the gate.
        let mlpIn: Linear
        /// `mlp.Wo` `[h, I]`.
        let mlpOut: Linear
    }

    /// `embeddings.tok_embeddings` `[vocab_size, h]`.
    let tokenEmbeddings: WeightBuffer
    /// `embeddings.norm`.
    let embeddingNorm: Norm
    /// Bottom layer first.
    let layers: [Layer]
    /// `final_norm`.
    let finalNorm: Norm

    /// Loads every tensor the encoder needs; task heads and other extras are ignored.
    /// - Throws: ``TransformerError/missingTensor(file:tensor:expectedShape:)``,
    ///   ``TransformerError/shapeMismatch(file:tensor:expected:found:)`` or
    ///   ``TransformerError/duplicateTensor(file:tensor:)``, naming the tensor.
    init(checkpoint: Checkpoint, configuration c: ModernBERTConfiguration) throws(TransformerError) {
        var names: [String: String] = [:]
        for key in checkpoint.tensorNames {
            guard let name = Self.canonicalName(key) else { continue }
            guard names[name] == nil else {
                throw .duplicateTensor(file: checkpoint.file(holding: key)?.url.path ?? checkpoint.directory.path, tensor: name)
            }
            names[name] = key
        }
        let folder = checkpoint.directory.appendingPathComponent("model.safetensors").path
        func load(_ name: String, _ shape: [Int]) throws(TransformerError) -> WeightBuffer {
            guard let key = names[name], let file = checkpoint.file(holding: key) else {
                throw .missingTensor(file: folder, tensor: name, expectedShape: shape)
            }
            let found = file.shape(of: key) ?? []
            guard found == shape else { throw .shapeMismatch(file: file.url.path, tensor: key, expected: shape, found: found) }
            return WeightBuffer(try file.floats(key))
        }
        func zeros(_ count: Int) -> WeightBuffer { WeightBuffer([Float](repeating: 0, count: count)) }
        let h = c.hiddenSize, inner = c.intermediateSize
        func norm(_ prefix: String) throws(TransformerError) -> Norm {
            Norm(weight: try load(prefix + ".weight", [h]), bias: c.normBias ? try load(prefix + ".bias", [h]) : zeros(h))
        }
        func linear(_ prefix: String, out: Int, in width: Int, bias: Bool) throws(TransformerError) -> Linear {
            Linear(weight: try load(prefix + ".weight", [out, width]), bias: bias ? try load(prefix + ".bias", [out]) : zeros(out))
        }
        tokenEmbeddings = try load("embeddings.tok_embeddings.weight", [c.vocabularySize, h])
        embeddingNorm = try norm("embeddings.norm")
        var layers: [Layer] = []
        for index in 0..<c.layerCount {
            let p = "layers.\(index)."
            layers.append(Layer(
                attentionNorm: index == 0 ? nil : try norm(p + "attn_norm"),
                qkv: try linear(p + "attn.Wqkv", out: 3 * h, in: h, bias: c.attentionBias),
                attentionOutput: try linear(p + "attn.Wo", out: h, in: h, bias: c.attentionBias),
                mlpNorm: try norm(p + "mlp_norm"),
                mlpIn: try linear(p + "mlp.Wi", out: 2 * inner, in: h, bias: c.mlpBias),
                mlpOut: try linear(p + "mlp.Wo", out: h, in: inner, bias: c.mlpBias)))
        }
        self.layers = layers
        finalNorm = try norm("final_norm")
    }

    /// The base model's name of a checkpoint key, or `nil` for a tensor the encoder does not read.
    /// Task-model checkpoints (`ModernBertForMaskedLM`, `…ForSequenceClassification`, …) prefix the
    /// base model with `model.` and add `head.`, `decoder.`, `classifier.`; those heads are dropped.
    static func canonicalName(_ key: String) -> String? {
        let name = key.hasPrefix("model.") ? String(key.dropFirst("model.".count)) : key
        let heads = ["head.", "decoder.", "classifier.", "drop.", "lm_head."]
        return heads.contains(where: { name.hasPrefix($0) }) ? nil : name
    }
}
