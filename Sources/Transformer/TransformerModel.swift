import Foundation
import LinearAlgebra

/// Any supported model folder, encoder or decoder, behind one interface: what the pipeline uses.
/// `config.json`'s `model_type` selects ``Encoder`` (bert, roberta, xlm-roberta, camembert,
/// distilbert, electra), ``ModernBERT`` (modernbert) or ``CausalDecoder`` (gpt2, llama, mistral,
/// qwen2, qwen3); an unknown type is refused with the supported list.
public final class TransformerModel: Sendable {
    private enum Body: Sendable {
        case encoder(Encoder)
        case modernBERT(ModernBERT)
        case decoder(CausalDecoder)
    }

    /// The model's hyper-parameters.
    public let configuration: ModelConfiguration
    /// The weight files, for checksums: `model.safetensors`, or the index followed by its shards.
    public let weightFiles: [URL]
    private let body: Body

    /// Loads the model in `directory`.
    /// - Throws: ``TransformerError`` naming the file at fault.
    public init(directory: URL) throws(TransformerError) {
        let configuration = try ModelConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        self.configuration = configuration
        if configuration.isCausal {
            let checkpoint = try Checkpoint(directory: directory)
            body = .decoder(try CausalDecoder(configuration: configuration, checkpoint: checkpoint))
            weightFiles = checkpoint.files
        } else if configuration.modernBERT != nil {
            let checkpoint = try Checkpoint(directory: directory)
            body = .modernBERT(try ModernBERT(configuration: configuration, checkpoint: checkpoint))
            weightFiles = checkpoint.files
        } else {
            let file = directory.appendingPathComponent("model.safetensors")
            body = .encoder(try Encoder(configuration: configuration, tensors: try SafeTensors(contentsOf: file)))
            weightFiles = [file]
        }
    }

    /// P is lower-triangular (decoders).
    public var isCausal: Bool { configuration.isCausal }

    /// The last hidden state `[n, hidden]` for `inputIds`; see ``Encoder/forward(inputIds:tokenTypeIds:capture:threads:observer:)``
    /// and ``CausalDecoder/forward(inputIds:capture:threads:observer:)``. Token types apply to encoders only.
    public func forward(
        inputIds: [Int32], tokenTypeIds: [Int32]? = nil, capture: AttentionCapture = .probabilities,
        threads: Int = 1, observer: (LayerAttention) throws -> Void
    ) throws -> Matrix<Float> {
        switch body {
        case .encoder(let encoder):
            return try encoder.forward(inputIds: inputIds, tokenTypeIds: tokenTypeIds, capture: capture,
                                       threads: threads, observer: observer)
        case .modernBERT(let model):
            return try model.forward(inputIds: inputIds, tokenTypeIds: tokenTypeIds, capture: capture,
                                     threads: threads, observer: observer)
        case .decoder(let decoder):
            guard tokenTypeIds == nil else { throw TransformerError.invalidInput("decoders take no token type ids") }
            return try decoder.forward(inputIds: inputIds, capture: capture, threads: threads, observer: observer)
        }
    }

    /// The last hidden state with no capture.
    public func forward(inputIds: [Int32]) throws(TransformerError) -> Matrix<Float> {
        switch body {
        case .encoder(let encoder): return try encoder.forward(inputIds: inputIds)
        case .modernBERT(let model): return try model.forward(inputIds: inputIds)
        case .decoder(let decoder): return try decoder.forward(inputIds: inputIds)
        }
    }
}
