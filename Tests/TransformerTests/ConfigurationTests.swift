import Foundation
import XCTest
@testable import Transformer

final class ConfigurationTests: XCTestCase {
    private func decode(_ json: String) throws -> ModelConfiguration {
        try JSONDecoder().decode(ModelConfiguration.self, from: Data(json.utf8))
    }

    func testMiniLMConfig() throws {
        let c = try ModelConfiguration(contentsOf: TestPaths.miniLM.appendingPathComponent("config.json"))
        XCTAssertEqual(c.modelType, .bert)
        XCTAssertEqual(c.hiddenSize, 384)
        XCTAssertEqual(c.layerCount, 6)
        XCTAssertEqual(c.headCount, 12)
        XCTAssertEqual(c.headDimension, 32)
        XCTAssertEqual(c.intermediateSize, 1536)
        XCTAssertEqual(c.activation, .gelu)
        XCTAssertEqual(c.layerNormEpsilon, 1e-12)
        XCTAssertEqual(c.maxPositionEmbeddings, 512)
        XCTAssertEqual(c.maxSequenceLength, 512)
        XCTAssertEqual(c.typeVocabularySize, 2)
        XCTAssertEqual(c.vocabularySize, 30522)
        XCTAssertEqual(c.padTokenId, 0)
    }

    func testHuggingFaceDefaults() throws {
        let bert = try decode(#"{"model_type": "bert"}"#)
        XCTAssertEqual(bert, try ModelConfiguration(modelType: .bert, vocabularySize: 30522, hiddenSize: 768, layerCount: 12,
                                                    headCount: 12, intermediateSize: 3072))
        let roberta = try decode(#"{"model_type": "roberta", "hidden_act": "gelu_new", "layer_norm_eps": 1e-5}"#)
        XCTAssertEqual(roberta.vocabularySize, 50265)
        XCTAssertEqual(roberta.padTokenId, 1)
        XCTAssertEqual(roberta.activation, .geluTanh)
        XCTAssertEqual(roberta.layerNormEpsilon, 1e-5)
        XCTAssertEqual(roberta.maxSequenceLength, 510)
    }

    func testRejectedConfigurations() throws {
        let cases: [(String, String)] = [
            (#"{"hidden_size": 32}"#, "model_type"),
            (#"{"model_type": "t5"}"#, "t5"),
            (#"{"model_type": "bert", "hidden_act": "mish"}"#, "mish"),
            (#"{"model_type": "bert", "position_embedding_type": "relative_key"}"#, "relative_key"),
            (#"{"model_type": "bert", "hidden_size": 100, "num_attention_heads": 12}"#, "multiple"),
            (#"{"model_type": "bert", "num_hidden_layers": 0}"#, "num_hidden_layers"),
            (#"{"model_type": "bert", "hidden_size": "wide"}"#, "hidden_size"),
            (#"{"model_type": "bert", "pad_token_id": 40000}"#, "pad_token_id"),
            ("{not json", "JSON"),
        ]
        let directory = try TemporaryDirectory()
        for (index, (json, mention)) in cases.enumerated() {
            let url = try directory.write(Data(json.utf8), to: "config-\(index).json")
            assertThrowsTransformerError(try ModelConfiguration(contentsOf: url), mentions: ["config-\(index).json", mention]) { _ in true }
        }
        assertThrowsTransformerError(try ModelConfiguration(contentsOf: directory.url.appendingPathComponent("none.json")),
                                     mentions: ["none.json"]) {
            if case .cannotRead = $0 { return true } else { return false }
        }
    }
}

/// Decoder configurations: family defaults, legacy and new rope keys, windows.
final class DecoderConfigurationTests: XCTestCase {
    private func decode(_ json: String) throws -> DecoderConfiguration {
        let directory = try TemporaryDirectory()
        let url = try directory.write(Data(json.utf8), to: "config.json")
        return try XCTUnwrap(try ModelConfiguration(contentsOf: url).decoder)
    }

    func testFamilyDefaults() throws {
        let llama = try decode(#"{"model_type": "llama"}"#)
        XCTAssertEqual(llama.hiddenSize, 4096)
        XCTAssertEqual(llama.keyValueHeadCount, 32)
        XCTAssertEqual(llama.headDimension, 128)
        XCTAssertEqual(llama.rotary, RotaryEmbedding(theta: 10_000, scaling: .none, dimension: 128, maxPositionEmbeddings: 2048))
        XCTAssertEqual(llama.slidingWindows, Array(repeating: nil, count: 32))
        let mistral = try decode(#"{"model_type": "mistral"}"#)
        XCTAssertEqual(mistral.keyValueHeadCount, 8)
        XCTAssertEqual(mistral.slidingWindows.first, 4096)
        XCTAssertEqual(try decode(#"{"model_type": "mistral", "sliding_window": null}"#).slidingWindows.first, .some(nil))
        let qwen2 = try decode(#"{"model_type": "qwen2", "attention_bias": false}"#)
        XCTAssertTrue(qwen2.queryKeyValueBias)
        XCTAssertFalse(qwen2.outputBias)
        let windowed = try decode(#"{"model_type": "qwen2", "num_hidden_layers": 4, "use_sliding_window": true, "sliding_window": 16, "max_window_layers": 2}"#)
        XCTAssertEqual(windowed.slidingWindows, [nil, nil, 16, 16])
        let qwen3 = try decode(#"{"model_type": "qwen3", "hidden_size": 1024, "num_attention_heads": 16, "num_key_value_heads": 8}"#)
        XCTAssertEqual(qwen3.headDimension, 128)
        XCTAssertTrue(qwen3.queryKeyNorm)
        let gpt2 = try decode(#"{"model_type": "gpt2"}"#)
        XCTAssertEqual(gpt2.intermediateSize, 3072)
        XCTAssertEqual(gpt2.maxPositionEmbeddings, 1024)
        XCTAssertEqual(gpt2.activation, .geluTanh)
        XCTAssertNil(gpt2.rotary)
    }

    func testLegacyAndNewRopeKeysAgree() throws {
        let legacy = try decode(#"{"model_type": "llama", "rope_theta": 500000.0, "max_position_embeddings": 131072, "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}}"#)
        let new = try decode(#"{"model_type": "llama", "max_position_embeddings": 131072, "rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}}"#)
        XCTAssertEqual(legacy.rotary, new.rotary)
        XCTAssertEqual(legacy.rotary?.scaling, .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 8192))
        let linear = try decode(#"{"model_type": "mistral", "rope_theta": 1000.0, "rope_scaling": {"type": "linear", "factor": 2.0}}"#)
        XCTAssertEqual(linear.rotary?.scaling, .linear(factor: 2))
        XCTAssertEqual(linear.rotary?.theta, 1000)
        let dynamic = try decode(#"{"model_type": "qwen2", "rope_scaling": {"type": "dynamic", "factor": 2.0}}"#)
        XCTAssertEqual(dynamic.rotary?.scaling, .dynamic(factor: 2))
    }

    /// ω against values computed by hand from the formulas of `transformers.modeling_rope_utils`.
    func testInverseFrequencies() throws {
        let base = RotaryEmbedding(theta: 10_000, scaling: .none, dimension: 8, maxPositionEmbeddings: 64)
        let omega = base.inverseFrequencies(sequenceLength: 10)
        XCTAssertEqual(omega.map(Double.init), [1, 0.1, 0.01, 0.001], accuracy: 1e-7)
        var linear = base
        linear.scaling = .linear(factor: 4)
        XCTAssertEqual(linear.inverseFrequencies(sequenceLength: 10).map(Double.init), [0.25, 0.025, 0.0025, 0.00025], accuracy: 1e-7)
        var dynamic = base
        dynamic.scaling = .dynamic(factor: 2)
        XCTAssertEqual(dynamic.inverseFrequencies(sequenceLength: 64), omega, "no change up to max_position_embeddings")
        // n = 128 > 64: θ' = θ·(2·128/64 − 1)^(8/6) = θ·3^(4/3).
        let theta = 10_000 * pow(3.0, 4.0 / 3.0)
        XCTAssertEqual(dynamic.inverseFrequencies(sequenceLength: 128).map(Double.init),
                       (0..<4).map { 1 / pow(theta, Double(2 * $0) / 8) }, accuracy: 1e-6)
        // llama3 with context 64, low 1, high 4: wavelengths 2π/ω = 6.28, 62.8, 628, 6283 →
        // keep (< 16), blend (16…64: s = (64/62.8 − 1)/3), divide by 8 (> 64), divide by 8.
        var llama3 = base
        llama3.scaling = .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 64)
        let s = (64 / (2 * Double.pi / 0.1) - 1) / 3
        XCTAssertEqual(llama3.inverseFrequencies(sequenceLength: 10).map(Double.init),
                       [1, (1 - s) * 0.1 / 8 + s * 0.1, 0.01 / 8, 0.001 / 8], accuracy: 1e-7)
    }

    func testRejectedDecoderConfigurations() throws {
        let cases: [(String, String)] = [
            (#"{"model_type": "llama", "rope_scaling": {"type": "yarn", "factor": 4.0}}"#, "'yarn'"),
            (#"{"model_type": "llama", "rope_parameters": {"rope_type": "linear"}}"#, "factor"),
            (#"{"model_type": "llama", "rope_parameters": {"rope_type": "llama3", "factor": 8.0}}"#, "low_freq_factor"),
            (#"{"model_type": "llama", "rope_parameters": {"full_attention": {"rope_type": "default"}}}"#, "per-layer-type"),
            (#"{"model_type": "llama", "partial_rotary_factor": 0.5, "rope_parameters": {"rope_type": "default", "partial_rotary_factor": 0.5}}"#, "partial_rotary_factor"),
            (#"{"model_type": "llama", "head_dim": 7}"#, "even head dimension"),
            (#"{"model_type": "llama", "num_key_value_heads": 5}"#, "not divisible"),
            (#"{"model_type": "qwen2", "num_hidden_layers": 2, "layer_types": ["full_attention"]}"#, "layer_types"),
            (#"{"model_type": "qwen2", "num_hidden_layers": 1, "layer_types": ["chunked_attention"]}"#, "chunked_attention"),
            (#"{"model_type": "mistral", "sliding_window": 0}"#, "sliding_window"),
            (#"{"model_type": "gpt2", "n_embd": 100, "n_head": 12}"#, "n_head"),
            (#"{"model_type": "gpt2", "activation_function": "swiglu"}"#, "swiglu"),
            (#"{"model_type": "llama", "rope_theta": "big"}"#, "rope_theta"),
        ]
        let directory = try TemporaryDirectory()
        for (index, (json, mention)) in cases.enumerated() {
            let url = try directory.write(Data(json.utf8), to: "config-\(index).json")
            assertThrowsTransformerError(try ModelConfiguration(contentsOf: url), mentions: ["config-\(index).json", mention]) { _ in true }
        }
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, _ message: String = "",
                            file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, message, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy * max(1, abs(y)), message, file: file, line: line) }
}
