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
