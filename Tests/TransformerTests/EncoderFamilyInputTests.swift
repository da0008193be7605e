import Foundation
import XCTest
@testable import Transformer

/// Configuration defaults, key names and inputs of the XLM-R, CamemBERT, DistilBERT and ELECTRA encoders.
final class EncoderFamilyInputTests: XCTestCase {
    private func decode(_ json: String) throws -> ModelConfiguration {
        try JSONDecoder().decode(ModelConfiguration.self, from: Data(json.utf8))
    }

    private func fixture(_ family: String) -> URL { TestPaths.fixtures.appendingPathComponent(family) }

    func testFamilyDefaultsMatchTheirConfigClasses() throws {
        let xlmr = try decode(#"{"model_type": "xlm-roberta", "max_position_embeddings": 514}"#)
        XCTAssertEqual(xlmr.modelType, .xlmRoberta)
        XCTAssertEqual(xlmr.vocabularySize, 30522)
        XCTAssertEqual(xlmr.padTokenId, 1)
        XCTAssertEqual(xlmr.maxSequenceLength, 512)
        let camembert = try decode(#"{"model_type": "camembert"}"#)
        XCTAssertEqual(camembert.padTokenId, 1)
        XCTAssertEqual(camembert.maxSequenceLength, 510)
        let electra = try decode(#"{"model_type": "electra"}"#)
        XCTAssertEqual([electra.hiddenSize, electra.headCount, electra.intermediateSize, electra.embeddingSize], [256, 4, 1024, 128])
        XCTAssertEqual(electra.maxSequenceLength, 512)
        let bert = try decode(#"{"model_type": "bert", "embedding_size": 64}"#)
        XCTAssertEqual(bert.embeddingSize, 768, "only ELECTRA reads embedding_size")
        let distil = try decode(#"{"model_type": "distilbert"}"#)
        XCTAssertEqual([distil.vocabularySize, distil.hiddenSize, distil.layerCount, distil.headCount, distil.intermediateSize],
                       [30522, 768, 6, 12, 3072])
        XCTAssertEqual(distil.layerNormEpsilon, 1e-12)
        XCTAssertEqual(distil.typeVocabularySize, 1)
        XCTAssertFalse(distil.sinusoidalPositions)
        let named = try decode(#"{"model_type": "distilbert", "dim": 42, "n_heads": 6, "n_layers": 2, "hidden_dim": 71, "activation": "relu", "sinusoidal_pos_embds": true, "hidden_size": 99}"#)
        XCTAssertEqual([named.hiddenSize, named.headCount, named.layerCount, named.intermediateSize], [42, 6, 2, 71])
        XCTAssertEqual(named.activation, .relu)
        XCTAssertTrue(named.sinusoidalPositions)
        XCTAssertFalse(ModelType.distilbert.isCausal)
        XCTAssertTrue(ModelType.xlmRoberta.usesRobertaPositions && ModelType.camembert.usesRobertaPositions)
        XCTAssertFalse(ModelType.electra.usesRobertaPositions || ModelType.distilbert.usesRobertaPositions)
    }

    func testBadFamilyConfigurationsNameTheProblem() throws {
        let cases: [(String, [String])] = [
            (#"{"model_type": "distilbert", "dim": 40, "n_heads": 6}"#, ["multiple"]),
            (#"{"model_type": "distilbert", "activation": "mish"}"#, ["mish"]),
            (#"{"model_type": "electra", "embedding_size": 0}"#, ["embedding_size"]),
            (#"{"model_type": "xlm-roberta", "max_position_embeddings": 2}"#, ["xlm-roberta", "pad_token_id"]),
            (#"{"model_type": "t5"}"#, ["t5", "bert, roberta, xlm-roberta, camembert, distilbert, electra, modernbert, gpt2"]),
        ]
        let directory = try TemporaryDirectory()
        for (index, (json, mentions)) in cases.enumerated() {
            let url = try directory.write(Data(json.utf8), to: "family-\(index).json")
            assertThrowsTransformerError(try ModelConfiguration(contentsOf: url), mentions: ["family-\(index).json"] + mentions) { _ in true }
        }
    }

    func testDistilBERTKeysBecomeBERTNames() {
        let cases: [(String, String?)] = [
            ("distilbert.transformer.layer.3.attention.q_lin.weight", "encoder.layer.3.attention.self.query.weight"),
            ("transformer.layer.0.attention.k_lin.bias", "encoder.layer.0.attention.self.key.bias"),
            ("transformer.layer.0.attention.v_lin.weight", "encoder.layer.0.attention.self.value.weight"),
            ("transformer.layer.11.attention.out_lin.bias", "encoder.layer.11.attention.output.dense.bias"),
            ("transformer.layer.1.sa_layer_norm.weight", "encoder.layer.1.attention.output.LayerNorm.weight"),
            ("transformer.layer.1.ffn.lin1.weight", "encoder.layer.1.intermediate.dense.weight"),
            ("transformer.layer.1.ffn.lin2.bias", "encoder.layer.1.output.dense.bias"),
            ("transformer.layer.1.output_layer_norm.bias", "encoder.layer.1.output.LayerNorm.bias"),
            ("distilbert.embeddings.word_embeddings.weight", "embeddings.word_embeddings.weight"),
            ("vocab_projector.bias", nil), ("vocab_transform.weight", nil), ("pre_classifier.weight", nil),
        ]
        for (key, expected) in cases {
            XCTAssertEqual(CheckpointKeys.normalize(key, modelType: .distilbert), expected, key)
        }
        XCTAssertEqual(CheckpointKeys.normalize("electra.embeddings_project.weight", modelType: .electra), "embeddings_project.weight")
        XCTAssertNil(CheckpointKeys.normalize("discriminator_predictions.dense.weight", modelType: .electra))
        XCTAssertNil(CheckpointKeys.normalize("generator_lm_head.bias", modelType: .electra))
    }

    /// The fixture's position table is the one transformers built; a checkpoint without it gets the
    /// same table from the configuration and the same hidden state.
    func testSinusoidalTableMatchesTransformersAndFillsAMissingTable() throws {
        let tensors = try SafeTensors(contentsOf: fixture("distilbert").appendingPathComponent("model.safetensors"))
        let name = "embeddings.position_embeddings.weight"
        let shape = try XCTUnwrap(tensors.shape(of: name))
        let table = DistilBERT.sinusoidalTable(rows: shape[0], dim: shape[1])
        let tableError = maxAbsDifference(table, try tensors.floats(name))
        XCTAssertLessThanOrEqual(tableError, 1e-7)

        let directory = try TemporaryDirectory()
        var kept: [SafeTensorsWriter.Tensor] = []
        for key in tensors.tensorNames where key != name {
            kept.append(.init(key, shape: try XCTUnwrap(tensors.shape(of: key)), floats: try tensors.floats(key)))
        }
        _ = try directory.write(SafeTensorsWriter.file(kept), to: "model.safetensors")
        _ = try directory.write(Data(contentsOf: fixture("distilbert").appendingPathComponent("config.json")), to: "config.json")
        let reference = try ReferenceCase("distilbert/reference")
        let rebuilt = try TransformerModel(directory: directory.url).forward(inputIds: reference.inputIds)
        let original = try TransformerModel(directory: fixture("distilbert")).forward(inputIds: reference.inputIds)
        XCTAssertLessThanOrEqual(maxAbsDifference(rebuilt.storage, original.storage), 1e-5)

        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: directory.url.appendingPathComponent("config.json"))) as? [String: Any])
        config["sinusoidal_pos_embds"] = false
        _ = try directory.write(JSONSerialization.data(withJSONObject: config), to: "config.json")
        assertThrowsTransformerError(try TransformerModel(directory: directory.url), mentions: [name]) {
            if case .missingTensor = $0 { return true } else { return false }
        }
    }

    func testDistilBERTRefusesTokenTypesAndElectraNeedsItsProjection() throws {
        let encoder = try Encoder(directory: fixture("distilbert"))
        XCTAssertThrowsError(try encoder.forward(inputIds: [5, 6, 7], tokenTypeIds: [0, 1, 0]) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("distilbert"), "\(error)")
        }
        _ = try encoder.forward(inputIds: [5, 6, 7], tokenTypeIds: [0, 0, 0]) { _ in }

        let tensors = try SafeTensors(contentsOf: fixture("electra").appendingPathComponent("model.safetensors"))
        let configuration = try ModelConfiguration(contentsOf: fixture("electra").appendingPathComponent("config.json"))
        XCTAssertEqual(configuration.embeddingSize, 18)
        XCTAssertEqual(configuration.hiddenSize, 30)
        let directory = try TemporaryDirectory()
        var kept: [SafeTensorsWriter.Tensor] = []
        for key in tensors.tensorNames where !key.hasPrefix("embeddings_project.") {
            kept.append(.init(key, shape: try XCTUnwrap(tensors.shape(of: key)), floats: try tensors.floats(key)))
        }
        let file = try directory.write(SafeTensorsWriter.file(kept), to: "model.safetensors")
        assertThrowsTransformerError(try Encoder(configuration: configuration, tensors: try SafeTensors(contentsOf: file)),
                                     mentions: ["embeddings_project.weight", "model.safetensors"]) {
            if case .missingTensor = $0 { return true } else { return false }
        }
    }
}
