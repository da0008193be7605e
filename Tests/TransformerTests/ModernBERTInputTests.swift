import Foundation
import XCTest
@testable import Transformer

/// ModernBERT's configuration defaults and keys, bad configurations and checkpoints, and inputs.
final class ModernBERTInputTests: XCTestCase {
    private func decode(_ json: String) throws -> ModelConfiguration {
        try JSONDecoder().decode(ModelConfiguration.self, from: Data(json.utf8))
    }

    private let fixture = TestPaths.fixtures.appendingPathComponent("modernbert")

    func testDefaultsAreModernBertConfigs() throws {
        let c = try decode(#"{"model_type": "modernbert"}"#)
        let m = try XCTUnwrap(c.modernBERT)
        XCTAssertEqual(c.modelType, .modernbert)
        XCTAssertFalse(c.isCausal)
        XCTAssertEqual([m.vocabularySize, m.hiddenSize, m.intermediateSize, m.layerCount, m.headCount, m.maxPositionEmbeddings],
                       [50368, 768, 1152, 22, 12, 8192])
        XCTAssertEqual([m.localAttention, m.localHalfWidth, m.padTokenId], [128, 64, 50283])
        XCTAssertEqual(m.normEpsilon, 1e-5)
        XCTAssertEqual(m.activation, .gelu)
        XCTAssertFalse(m.normBias || m.attentionBias || m.mlpBias)
        // Every third layer is global, starting with layer 0.
        XCTAssertEqual(m.localLayers, (0..<22).map { $0 % 3 != 0 })
        XCTAssertEqual([m.globalRotary.theta, m.localRotary.theta], [160_000, 10_000])
        XCTAssertEqual(c.maxSequenceLength, 8192)
        XCTAssertEqual(c.attentionWindows.prefix(4), [nil, 64, 64, nil])
        XCTAssertEqual(c.headDimension, 64)
    }

    func testLayerTypesAndRopeKeys() throws {
        let explicit = try XCTUnwrap(try decode(#"""
            {"model_type": "modernbert", "num_hidden_layers": 3, "global_attn_every_n_layers": 2,
             "layer_types": ["sliding_attention", "full_attention", "sliding_attention"], "local_attention": 7,
             "rope_parameters": {"full_attention": {"rope_theta": 5000.0}, "sliding_attention": {"rope_type": "linear", "factor": 2.0}},
             "local_rope_theta": 300.0, "global_rope_theta": 9.0}
            """#).modernBERT)
        XCTAssertEqual(explicit.localLayers, [true, false, true], "layer_types wins over global_attn_every_n_layers")
        XCTAssertEqual(explicit.localHalfWidth, 3)
        XCTAssertEqual(explicit.globalRotary.theta, 5000, "θ inside rope_parameters wins over global_rope_theta")
        XCTAssertEqual(explicit.localRotary.theta, 300, "local_rope_theta fills a layer type without θ")
        XCTAssertEqual(explicit.localRotary.scaling, .linear(factor: 2))
        let every2 = try XCTUnwrap(try decode(#"{"model_type": "modernbert", "num_hidden_layers": 5, "global_attn_every_n_layers": 2}"#).modernBERT)
        XCTAssertEqual(every2.localLayers, [false, true, false, true, false])
        // A legacy rope_scaling object is merged into both layer types.
        let scaled = try XCTUnwrap(try decode(#"{"model_type": "modernbert", "rope_scaling": {"rope_type": "linear", "factor": 4.0}}"#).modernBERT)
        XCTAssertEqual([scaled.globalRotary.scaling, scaled.localRotary.scaling], [.linear(factor: 4), .linear(factor: 4)])
        XCTAssertEqual([scaled.globalRotary.theta, scaled.localRotary.theta], [160_000, 10_000])
    }

    func testBadConfigurationsNameTheFileAndKey() throws {
        let cases: [(String, [String])] = [
            (#"{"model_type": "modernbert", "num_hidden_layers": 2, "layer_types": ["full_attention", "chunked_attention"]}"#,
             ["layer_types[1]", "chunked_attention", "full_attention, sliding_attention"]),
            (#"{"model_type": "modernbert", "num_hidden_layers": 2, "layer_types": ["full_attention"]}"#, ["layer_types", "1 entries", "2"]),
            (#"{"model_type": "modernbert", "local_attention": 1}"#, ["local_attention", "at least 2", "1"]),
            (#"{"model_type": "modernbert", "local_attention": 0}"#, ["local_attention", "0"]),
            (#"{"model_type": "modernbert", "local_attention": -4}"#, ["local_attention", "-4"]),
            (#"{"model_type": "modernbert", "local_attention": 99999999999}"#, ["local_attention", "99999999999"]),
            (#"{"model_type": "modernbert", "hidden_activation": "mish"}"#, ["hidden_activation", "mish", "gelu"]),
            (#"{"model_type": "modernbert", "global_attn_every_n_layers": 0}"#, ["global_attn_every_n_layers"]),
            (#"{"model_type": "modernbert", "hidden_size": 100, "num_attention_heads": 12}"#, ["hidden_size", "num_attention_heads"]),
            (#"{"model_type": "modernbert", "head_dim": 32}"#, ["head_dim", "64"]),
            (#"{"model_type": "modernbert", "rope_parameters": {"full_attention": {"rope_type": "yarn", "factor": 2}}}"#,
             ["full_attention", "yarn"]),
            (#"{"model_type": "modernbert", "rope_parameters": {"rope_theta": 10000}}"#, ["rope_parameters", "rope_theta"]),
            (#"{"model_type": "modernbert", "norm_eps": 0}"#, ["norm_eps"]),
            (#"{"model_type": "modernbert", "num_hidden_layers": 0}"#, ["layer count"]),
            (#"{"model_type": "modernbert", "vocab_size": 10, "pad_token_id": 10}"#, ["pad_token_id"]),
            (#"{"model_type": "modernbert", "local_attention": "wide"}"#, ["local_attention"]),
        ]
        let directory = try TemporaryDirectory()
        for (index, (json, mentions)) in cases.enumerated() {
            let url = try directory.write(Data(json.utf8), to: "modernbert-\(index).json")
            assertThrowsTransformerError(try ModelConfiguration(contentsOf: url), mentions: ["modernbert-\(index).json"] + mentions) { _ in true }
        }
    }

    func testCheckpointKeysAndMissingTensors() throws {
        XCTAssertEqual(ModernBERTWeights.canonicalName("model.layers.0.attn.Wqkv.weight"), "layers.0.attn.Wqkv.weight")
        XCTAssertEqual(ModernBERTWeights.canonicalName("final_norm.weight"), "final_norm.weight")
        XCTAssertNil(ModernBERTWeights.canonicalName("head.dense.weight"))
        XCTAssertNil(ModernBERTWeights.canonicalName("decoder.bias"))
        XCTAssertNil(ModernBERTWeights.canonicalName("classifier.weight"))
        // The fixture without its final norm, and with a wrong Wi shape.
        let directory = try TemporaryDirectory()
        let file = try SafeTensors(contentsOf: fixture.appendingPathComponent("model.safetensors"))
        try FileManager.default.copyItem(at: fixture.appendingPathComponent("config.json"), to: directory.url.appendingPathComponent("config.json"))
        func write(skipping skipped: String, reshaping: String? = nil) throws {
            var tensors: [SafeTensorsWriter.Tensor] = []
            for name in file.tensorNames where name != skipped {
                var shape = try XCTUnwrap(file.shape(of: name))
                if name == reshaping { shape = [shape[0] - 1, shape[1]] }
                let values = try file.floats(name)
                tensors.append(.init(name, shape: shape, floats: Array(values.prefix(shape.reduce(1, *)))))
            }
            _ = try directory.write(SafeTensorsWriter.file(tensors), to: "model.safetensors")
        }
        try write(skipping: "final_norm.weight")
        assertThrowsTransformerError(try TransformerModel(directory: directory.url), mentions: ["model.safetensors", "final_norm.weight", "[36]"]) { _ in true }
        try write(skipping: "", reshaping: "layers.2.mlp.Wi.weight")
        assertThrowsTransformerError(try TransformerModel(directory: directory.url), mentions: ["layers.2.mlp.Wi.weight", "[73, 36]", "[74, 36]"]) { _ in true }
        // Layer 0 has no attn_norm: a checkpoint with one (ignored) still loads, one without layer 1's fails.
        try write(skipping: "layers.1.attn_norm.weight")
        assertThrowsTransformerError(try TransformerModel(directory: directory.url), mentions: ["layers.1.attn_norm.weight"]) { _ in true }
    }

    func testInputsAreChecked() throws {
        let model = try TransformerModel(directory: fixture)
        let c = try XCTUnwrap(model.configuration.modernBERT)
        assertThrowsTransformerError(try model.forward(inputIds: []), mentions: ["empty"]) { _ in true }
        assertThrowsTransformerError(try model.forward(inputIds: [1, Int32(c.vocabularySize)]), mentions: ["\(c.vocabularySize)", "position 1"]) { _ in true }
        assertThrowsTransformerError(try model.forward(inputIds: [Int32](repeating: 5, count: c.maxPositionEmbeddings + 1)),
                                     mentions: ["\(c.maxPositionEmbeddings + 1)", "max_position_embeddings"]) { _ in true }
        XCTAssertThrowsError(try model.forward(inputIds: [1, 2], tokenTypeIds: [0, 1]) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("token type"), "\(error)")
        }
        XCTAssertNoThrow(try model.forward(inputIds: [1, 2], tokenTypeIds: [0, 0]) { _ in })
        // Q and K come after RoPE: position 0 is not rotated, so its query equals the raw projection row there.
        var captured: LayerAttention?
        _ = try model.forward(inputIds: [3, 4, 5], capture: .probabilitiesAndQKV) { if $0.layer == 0 { captured = $0 } }
        let attention = try XCTUnwrap(captured)
        XCTAssertEqual(attention.queries?.count, c.headCount * 3 * c.headDimension)
        XCTAssertEqual(attention.keys?.count, c.headCount * 3 * c.headDimension)
        XCTAssertEqual(attention.values?.count, c.headCount * 3 * c.headDimension)
    }
}
