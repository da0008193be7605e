import Foundation
import LinearAlgebra

/// A BERT-architecture encoder: BERT, RoBERTa, XLM-RoBERTa, CamemBERT, DistilBERT, the ELECTRA
/// discriminator (inference only, one sequence at a time, no dropout, no padding mask).
///
/// For input ids `t_1 … t_n` (shapes use h = hidden, e = embedding width, H = heads, d = h/H):
/// - embeddings `E = LayerNorm(E_word[t] + E_type[τ] + E_pos[π])` `[n, e]` (DistilBERT has no
///   `E_type` term), with positions `π_i = i` (BERT, DistilBERT, ELECTRA) or, for the RoBERTa
///   family, `π_i = pad + #{non-pad tokens among t_1…t_i}` for non-pad tokens and `pad` for pad
///   tokens (Hugging Face `create_position_ids_from_input_ids`); `X⁰ = E`, or for ELECTRA with
///   e < h, `X⁰ = E W_projᵀ + b_proj` `[n, h]`;
/// - per layer: `[Q K V] = X W_{qkv}ᵀ + b` `[n, 3h]`; per head `P_h = softmax(Q_h K_hᵀ / √d)`
///   `[n, n]`, `C_h = P_h V_h` `[n, d]`; `A = LayerNorm(C W_oᵀ + b_o + X)`;
///   `X' = LayerNorm(act(A W_iᵀ + b_i) W_2ᵀ + b_2 + A)`.
///
/// Matches Hugging Face `transformers` eager attention in float32: P within a few 10⁻⁶ (contract
/// 10⁻⁵), the last hidden state within ~5·10⁻⁶ (contract 10⁻⁴). Every matrix product goes through
/// `cblas_sgemm`; softmax, LayerNorm and GELU run over raw buffers. Weights are immutable and
/// per-call scratch lives in the call, so concurrent `forward` calls on one encoder are safe.
public final class Encoder: Sendable {
    /// The model's hyper-parameters.
    public let configuration: ModelConfiguration
    let weights: EncoderWeights

    /// Loads `config.json` and `model.safetensors` from a Hugging Face model folder.
    /// - Throws: ``TransformerError`` naming the file or tensor at fault.
    public convenience init(directory: URL) throws(TransformerError) {
        let configuration = try ModelConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        let tensors = try SafeTensors(contentsOf: directory.appendingPathComponent("model.safetensors"))
        try self.init(configuration: configuration, tensors: tensors)
    }

    /// Builds the encoder from an already-open checkpoint; the weights are copied, so `tensors` may
    /// be released afterwards.
    public init(configuration: ModelConfiguration, tensors: SafeTensors) throws(TransformerError) {
        guard !configuration.isCausal, configuration.modernBERT == nil else {
            throw .invalidConfiguration(file: tensors.url.path,
                                        detail: "model_type \(configuration.modelType.rawValue) is not a BERT-architecture encoder; load it with TransformerModel")
        }
        self.configuration = configuration
        self.weights = try EncoderWeights(tensors: tensors, configuration: configuration)
    }

    /// The last hidden state `[n, hidden]` for `inputIds`, with no attention capture.
    public func forward(inputIds: [Int32]) throws(TransformerError) -> Matrix<Float> {
        do {
            return try forward(inputIds: inputIds, capture: .none) { _ in }
        } catch let error as TransformerError {
            throw error
        } catch {
            // The observer is a no-op, so nothing else can be thrown.
            throw .invalidInput("unexpected error \(error)")
        }
    }

    /// Runs the encoder on one sequence and returns the last hidden state `[n, hidden]`.
    ///
    /// - Parameters:
    ///   - inputIds: token ids, `1 ≤ n ≤` ``ModelConfiguration/maxSequenceLength``, each in `0..<vocab_size`.
    ///   - tokenTypeIds: segment ids `[n]` in `0..<type_vocab_size`; zeros when `nil`.
    ///   - capture: what the observer receives; with `.none` it is never called.
    ///   - threads: tasks to split each layer over (rows of the projections, heads of the
    ///     attention). Results are bit-identical for every thread count: the row blocks have a fixed
    ///     size whatever `threads` is (see ``ForwardWorkspace``). Meant for single-threaded BLAS
    ///     (`OPENBLAS_NUM_THREADS=1`); the default 1 leaves the cores to the caller.
    ///   - observer: called once per layer, in order, synchronously, with that layer's
    ///     ``LayerAttention``. Its errors stop the pass and are rethrown.
    /// - Throws: ``TransformerError/invalidInput(_:)`` for ids, types or a length the model cannot
    ///   take; whatever `observer` throws.
    public func forward(
        inputIds: [Int32], tokenTypeIds: [Int32]? = nil, capture: AttentionCapture = .probabilities,
        threads: Int = 1, observer: (LayerAttention) throws -> Void
    ) throws -> Matrix<Float> {
        let positions = try positionIds(for: inputIds)
        let types = try checkedTokenTypes(tokenTypeIds, count: inputIds.count)
        let c = configuration
        let n = inputIds.count, h = c.hiddenSize
        let workspace = ForwardWorkspace(configuration: c, sequenceLength: n, capture: capture, threads: threads)
        embed(inputIds: inputIds, tokenTypes: types, positions: positions, into: workspace.hidden)
        for (index, layer) in weights.layers.enumerated() {
            try workspace.runLayer(index, weights: layer, observer: observer)
        }
        var result = Matrix<Float>(rows: n, columns: h)
        result.storage.withUnsafeMutableBufferPointer { target in
            target.baseAddress?.update(from: workspace.hidden, count: n * h)
        }
        return result
    }

    /// Position ids `[n]` (see the type's documentation), checked against the position table.
    func positionIds(for inputIds: [Int32]) throws(TransformerError) -> [Int] {
        let c = configuration
        guard !inputIds.isEmpty else { throw .invalidInput("the sequence is empty") }
        guard inputIds.count <= c.maxSequenceLength else {
            throw .invalidInput(
                "sequence of \(inputIds.count) tokens is longer than the \(c.maxSequenceLength) that max_position_embeddings = \(c.maxPositionEmbeddings) allows for \(c.modelType.rawValue)")
        }
        for (index, id) in inputIds.enumerated() where id < 0 || Int(id) >= c.vocabularySize {
            throw .invalidInput("token id \(id) at position \(index) is outside the vocabulary (vocab_size \(c.vocabularySize))")
        }
        guard c.modelType.usesRobertaPositions else { return Array(0..<inputIds.count) }
        var seen = 0
        return inputIds.map { id in
            if Int(id) == c.padTokenId { return c.padTokenId }
            seen += 1
            return c.padTokenId + seen
        }
    }

    private func checkedTokenTypes(_ types: [Int32]?, count: Int) throws(TransformerError) -> [Int32] {
        guard let types else { return [Int32](repeating: 0, count: count) }
        if weights.tokenTypeEmbeddings == nil, types.contains(where: { $0 != 0 }) {
            throw .invalidInput("\(configuration.modelType.rawValue) takes no token type ids")
        }
        guard types.count == count else {
            throw .invalidInput("\(types.count) token type ids for \(count) input ids")
        }
        for (index, type) in types.enumerated() where type < 0 || Int(type) >= configuration.typeVocabularySize {
            throw .invalidInput(
                "token type id \(type) at position \(index) is outside 0..<\(configuration.typeVocabularySize) (type_vocab_size)")
        }
        return types
    }

    /// `X⁰` (see the type's documentation) into `output` `[n, h]`, summed in Hugging Face's order.
    /// The whole sequence goes through one projection GEMM whatever the thread count.
    private func embed(inputIds: [Int32], tokenTypes: [Int32], positions: [Int], into output: UnsafeMutablePointer<Float>) {
        let n = inputIds.count, h = configuration.hiddenSize, e = configuration.embeddingSize
        guard let projection = weights.embeddingProjection else {
            embedTables(inputIds: inputIds, tokenTypes: tokenTypes, positions: positions, into: output)
            return
        }
        let narrow = UnsafeMutablePointer<Float>.allocate(capacity: n * e)
        defer { narrow.deallocate() }
        embedTables(inputIds: inputIds, tokenTypes: tokenTypes, positions: positions, into: narrow)
        Kernels.linear(rows: n, inner: e, out: h, x: narrow, ldx: e, weight: projection.weight, bias: projection.bias,
                       y: output, ldy: h)
    }

    /// `LayerNorm(E_word[t] + E_type[τ] + E_pos[π])` into `output` `[n, e]`.
    private func embedTables(inputIds: [Int32], tokenTypes: [Int32], positions: [Int], into output: UnsafeMutablePointer<Float>) {
        let n = inputIds.count, e = configuration.embeddingSize
        for i in 0..<n {
            let word = weights.wordEmbeddings.pointer + Int(inputIds[i]) * e
            let position = weights.positionEmbeddings.pointer + positions[i] * e
            let row = output + i * e
            if let types = weights.tokenTypeEmbeddings {
                let type = types.pointer + Int(tokenTypes[i]) * e
                for j in 0..<e { row[j] = (word[j] + type[j]) + position[j] }
            } else {
                for j in 0..<e { row[j] = word[j] + position[j] }
            }
        }
        Kernels.layerNormRows(output, rows: n, columns: e, gamma: weights.embeddingNormWeight,
                              beta: weights.embeddingNormBias, epsilon: configuration.layerNormEpsilon)
    }
}
