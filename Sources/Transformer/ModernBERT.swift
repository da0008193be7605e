import Foundation
import LinearAlgebra

/// A ModernBERT encoder (`model_type` modernbert): inference only, one sequence at a time, no
/// padding, positions `0 ..< n`. An id equal to `pad_token_id` is an ordinary token, as in
/// `transformers` without an attention mask (its `padding_idx` only affects training).
///
/// For ids `t_1 … t_n` (h hidden, H heads, d = h/H, I intermediate):
/// - `X⁰ = LayerNorm(E_tok[t])` `[n, h]` (no position or token-type embeddings);
/// - per layer ℓ (pre-norm; `attn_norm` is the identity on layer 0):
///   `[Q K V] = attn_norm(X) W_qkvᵀ (+ b)` `[n, 3h]`; RoPE on every query and key head with the θ of the
///   layer's type; per head `P_h = softmax(Q_h K_hᵀ/√d + M_ℓ)` `[n, n]`, where `M_ℓ` is 0 for global
///   layers and, for local layers, 0 where `|i − j| ≤ ⌊local_attention/2⌋` and −∞ elsewhere (P is banded);
///   `X ← X + (P V) W_oᵀ (+ b)`; `[U G] = mlp_norm(X) W_iᵀ (+ b)` `[n, 2I]`; `X ← X + (act(U) ⊙ G) W_oᵀ (+ b)`;
/// - the output is `final_norm(X^L)`, transformers' `last_hidden_state`.
///
/// Matches `transformers` eager attention in float32 (tests: P to 1e-5 and the last hidden state to
/// 1e-4, every layer and head, on a tiny random checkpoint with global and local layers). Every
/// norm is a LayerNorm with ε = `norm_eps` and, unless `norm_bias`, no β. Concurrent `forward`
/// calls are safe (each has its own workspace).
public final class ModernBERT: Sendable {
    /// The common description (``ModelConfiguration/modernBERT`` is non-nil).
    public let configuration: ModelConfiguration
    /// ModernBERT's full configuration.
    public let modernBERTConfiguration: ModernBERTConfiguration
    let weights: ModernBERTWeights

    /// Loads `config.json` and `model.safetensors` (or a sharded checkpoint) from a model folder.
    public convenience init(directory: URL) throws(TransformerError) {
        let configuration = try ModelConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        try self.init(configuration: configuration, checkpoint: try Checkpoint(directory: directory))
    }

    /// Converts and checks every tensor the encoder needs (shapes against `configuration`).
    public init(configuration: ModelConfiguration, checkpoint: Checkpoint) throws(TransformerError) {
        guard let modernBERT = configuration.modernBERT else {
            throw .invalidConfiguration(file: checkpoint.directory.path,
                                        detail: "model_type \(configuration.modelType.rawValue) is not modernbert")
        }
        self.configuration = configuration
        modernBERTConfiguration = modernBERT
        weights = try ModernBERTWeights(checkpoint: checkpoint, configuration: modernBERT)
    }

    /// The last hidden state `[n, hidden]` for `inputIds`, with no attention capture.
    public func forward(inputIds: [Int32]) throws(TransformerError) -> Matrix<Float> {
        do {
            return try forward(inputIds: inputIds, capture: .none) { _ in }
        } catch let error as TransformerError {
            throw error
        } catch {
            throw .invalidInput("unexpected error \(error)")
        }
    }

    /// Runs the encoder on one sequence and returns the last hidden state `[n, hidden]` (after `final_norm`).
    ///
    /// - Parameters:
    ///   - inputIds: token ids, `1 ≤ n ≤ max_position_embeddings`, each in `0..<vocab_size`.
    ///   - tokenTypeIds: ModernBERT has no token types: `nil` or all zeros.
    ///   - capture: what the observer receives; with `.none` it is never called.
    ///   - threads: tasks to split each layer over; results are bit-identical for any value.
    ///   - observer: called once per layer, in order, with P `[H, n, n]` (banded on local layers) and,
    ///     if requested, Q and K after RoPE and V `[H, n, d]`. Its errors stop the pass and are rethrown.
    public func forward(
        inputIds: [Int32], tokenTypeIds: [Int32]? = nil, capture: AttentionCapture = .probabilities,
        threads: Int = 1, observer: (LayerAttention) throws -> Void
    ) throws -> Matrix<Float> {
        let c = modernBERTConfiguration
        let n = inputIds.count, h = c.hiddenSize
        guard n > 0 else { throw TransformerError.invalidInput("the sequence is empty") }
        guard n <= c.maxPositionEmbeddings else {
            throw TransformerError.invalidInput(
                "sequence of \(n) tokens is longer than max_position_embeddings = \(c.maxPositionEmbeddings) of modernbert")
        }
        for (index, id) in inputIds.enumerated() where id < 0 || Int(id) >= c.vocabularySize {
            throw TransformerError.invalidInput("token id \(id) at position \(index) is outside the vocabulary (vocab_size \(c.vocabularySize))")
        }
        if let tokenTypeIds, tokenTypeIds.contains(where: { $0 != 0 }) {
            throw TransformerError.invalidInput("modernbert takes no token type ids")
        }
        let workspace = ModernBERTWorkspace(weights: weights, configuration: c, sequenceLength: n, capture: capture, threads: threads)
        workspace.embed(inputIds)
        for index in 0..<c.layerCount {
            try workspace.runLayer(index, observer: observer)
        }
        workspace.finalNorm()
        var result = Matrix<Float>(rows: n, columns: h)
        result.storage.withUnsafeMutableBufferPointer { target in
            target.baseAddress?.update(from: workspace.hidden, count: n * h)
        }
        return result
    }
}
