import Foundation

/// DistilBERT's configuration keys and weight names, mapped onto the BERT encoder.
///
/// The block is BERT's post-LayerNorm layer: `A = LayerNorm(attn(X) + X)` (`sa_layer_norm`),
/// `X' = LayerNorm(lin2(act(lin1(A))) + A)` (`output_layer_norm`), every LayerNorm with ε = 10⁻¹²
/// (fixed by the architecture, not configurable). Embeddings are `LayerNorm(E_word[t] + E_pos[i])`:
/// no token types.
enum DistilBERT {
    /// `config.json` keys of `DistilBertConfig`.
    enum Keys: String, CodingKey {
        case vocabularySize = "vocab_size", hiddenSize = "dim", layerCount = "n_layers", headCount = "n_heads"
        case intermediateSize = "hidden_dim", activation, maxPositionEmbeddings = "max_position_embeddings"
        case padTokenId = "pad_token_id", sinusoidalPositions = "sinusoidal_pos_embds"
    }

    /// The BERT name of a DistilBERT key (already without the `distilbert.` prefix):
    /// `transformer.layer.i.attention.q_lin.weight` → `encoder.layer.i.attention.self.query.weight`, etc.
    /// Keys outside the layers (the embeddings) keep their names, which BERT shares.
    static func bertName(_ name: Substring) -> String {
        let layerPrefix = "transformer.layer."
        guard name.hasPrefix(layerPrefix) else { return String(name) }
        let tail = name.dropFirst(layerPrefix.count)
        guard let dot = tail.firstIndex(of: "."), Int(tail[..<dot]) != nil else { return String(name) }
        let index = tail[..<dot], rest = tail[tail.index(after: dot)...]
        let renames = [
            ("attention.q_lin.", "attention.self.query."), ("attention.k_lin.", "attention.self.key."),
            ("attention.v_lin.", "attention.self.value."), ("attention.out_lin.", "attention.output.dense."),
            ("sa_layer_norm.", "attention.output.LayerNorm."), ("ffn.lin1.", "intermediate.dense."),
            ("ffn.lin2.", "output.dense."), ("output_layer_norm.", "output.LayerNorm."),
        ]
        for (old, new) in renames where rest.hasPrefix(old) {
            return "encoder.layer.\(index)." + new + rest.dropFirst(old.count)
        }
        return String(name)
    }

    /// The fixed sinusoidal position table `[rows, dim]` of `sinusoidal_pos_embds`:
    /// `T[p][j] = sin(p / 10000^(2⌊j/2⌋/dim))` for even j, `cos(…)` for odd j, computed in double
    /// precision and rounded once to float32, as `transformers` does with numpy.
    static func sinusoidalTable(rows: Int, dim: Int) -> [Float] {
        var table = [Float](repeating: 0, count: rows * dim)
        for p in 0..<rows {
            for j in 0..<dim {
                let angle = Double(p) / pow(10000, Double(2 * (j / 2)) / Double(dim))
                table[p * dim + j] = Float(j % 2 == 0 ? sin(angle) : cos(angle))
            }
        }
        return table
    }
}

extension ModelConfiguration {
    /// Decodes a DistilBERT `config.json` with `DistilBertConfig`'s defaults (vocab 30522, dim 768,
    /// 6 layers, 12 heads, hidden_dim 3072, gelu, 512 positions, pad 0, learned positions).
    init(distilBERTFrom decoder: Decoder, file: String) throws {
        let c = try decoder.container(keyedBy: DistilBERT.Keys.self)
        let activationName = try c.decodeIfPresent(String.self, forKey: .activation) ?? "gelu"
        guard let activation = Activation(huggingFaceName: activationName) else {
            throw TransformerError.unsupportedActivation(file: file, activation: activationName)
        }
        try self.init(
            modelType: .distilbert,
            vocabularySize: try c.decodeIfPresent(Int.self, forKey: .vocabularySize) ?? 30522,
            hiddenSize: try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? 768,
            layerCount: try c.decodeIfPresent(Int.self, forKey: .layerCount) ?? 6,
            headCount: try c.decodeIfPresent(Int.self, forKey: .headCount) ?? 12,
            intermediateSize: try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? 3072,
            activation: activation, layerNormEpsilon: 1e-12,
            maxPositionEmbeddings: try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 512,
            typeVocabularySize: 1,
            padTokenId: try c.decodeIfPresent(Int.self, forKey: .padTokenId) ?? 0, embeddingSize: nil,
            sinusoidalPositions: try c.decodeIfPresent(Bool.self, forKey: .sinusoidalPositions) ?? false,
            file: file)
    }
}
