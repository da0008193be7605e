import Foundation
import LinearAlgebra

/// A causal decoder LLM of any supported family (GPT-2, Llama, Mistral, Qwen2, Qwen3): inference
/// only, one sequence at a time, no padding, positions `0 ..< n`.
///
/// The families' formulas are in the documentation of ``GPT2Configuration`` and
/// ``LlamaConfiguration``; all run through ``DecoderConfiguration``. The checkpoint stays
/// memory-mapped in its own dtype (F32, F16, BF16); each forward pass converts one layer at a time
/// into a float32 buffer, so its peak memory is about one layer in float32 plus activations.
/// Matches `transformers` eager attention in float32 (tests: P to 1e-5, last hidden state to
/// 1e-4, every layer and head, for a tiny random checkpoint of each family). Concurrent `forward`
/// calls are safe (each has its own workspace).
public final class CausalDecoder: Sendable {
    /// The common description (``ModelConfiguration/decoder`` is non-nil).
    public let configuration: ModelConfiguration
    /// The decoder's full configuration.
    public let decoderConfiguration: DecoderConfiguration
    /// The checkpoint files (kept mapped).
    public let checkpoint: Checkpoint
    let weights: DecoderWeights

    /// Loads `config.json` and `model.safetensors` (or the sharded checkpoint) from a model folder.
    public convenience init(directory: URL) throws(TransformerError) {
        let configuration = try ModelConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        try self.init(configuration: configuration, checkpoint: try Checkpoint(directory: directory))
    }

    /// Checks every tensor the family needs against `configuration` (shapes, dtypes). Layers are
    /// converted to float32 here when all of them fit in 1 GiB, else one at a time in each forward pass.
    public convenience init(configuration: ModelConfiguration, checkpoint: Checkpoint) throws(TransformerError) {
        try self.init(configuration: configuration, checkpoint: checkpoint, residentLimit: DecoderWeights.residentLimit)
    }

    /// As the public initializer, with the resident-layer limit in float32 bytes (0: always stream).
    init(configuration: ModelConfiguration, checkpoint: Checkpoint, residentLimit: Int) throws(TransformerError) {
        guard let decoder = configuration.decoder else {
            throw .invalidConfiguration(file: checkpoint.directory.path,
                                        detail: "model_type \(configuration.modelType.rawValue) is not a decoder")
        }
        self.configuration = configuration
        decoderConfiguration = decoder
        self.checkpoint = checkpoint
        switch decoder.modelType {
        case .gpt2:
            weights = try DecoderWeights(checkpoint: checkpoint, configuration: decoder, plan: GPT2.plan(decoder),
                                         canonicalName: GPT2.canonicalName, residentLimit: residentLimit)
        default:
            weights = try DecoderWeights(checkpoint: checkpoint, configuration: decoder, plan: Llama.plan(decoder),
                                         canonicalName: Llama.canonicalName, residentLimit: residentLimit)
        }
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

    /// Runs the decoder on one sequence and returns the last hidden state `[n, hidden]` (after the final norm).
    ///
    /// - Parameters:
    ///   - inputIds: token ids, `1 ≤ n ≤ max_position_embeddings`, each in `0..<vocab_size`.
    ///   - capture: what the observer receives; with `.none` it is never called.
    ///   - threads: tasks to split each layer over; results are bit-identical for any value.
    ///   - observer: called once per layer, in order, with P `[H, n, n]` (lower-triangular) and, if
    ///     requested, Q `[H, n, d]`, K and V `[G, n, d]`. Its errors stop the pass and are rethrown.
    public func forward(
        inputIds: [Int32], capture: AttentionCapture = .probabilities, threads: Int = 1,
        observer: (LayerAttention) throws -> Void
    ) throws -> Matrix<Float> {
        let c = decoderConfiguration
        let n = inputIds.count, h = c.hiddenSize
        guard n > 0 else { throw TransformerError.invalidInput("the sequence is empty") }
        guard n <= c.maxPositionEmbeddings else {
            throw TransformerError.invalidInput(
                "sequence of \(n) tokens is longer than max_position_embeddings = \(c.maxPositionEmbeddings) of \(c.modelType.rawValue)")
        }
        for (index, id) in inputIds.enumerated() where id < 0 || Int(id) >= c.vocabularySize {
            throw TransformerError.invalidInput("token id \(id) at position \(index) is outside the vocabulary (vocab_size \(c.vocabularySize))")
        }
        let workspace = DecoderWorkspace(weights: weights, sequenceLength: n, capture: capture, threads: threads)
        try weights.embed(inputIds, into: workspace.hidden)
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
