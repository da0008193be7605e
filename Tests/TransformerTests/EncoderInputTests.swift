import Foundation
import XCTest
@testable import Transformer

/// Checkpoint loading and input validation: every bad input is a thrown error naming the file or
/// tensor, never a crash or a silently wrong answer.
final class EncoderInputTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory() }
    override func tearDown() { directory = nil }

    private var tinyConfigJSON: String {
        get throws { try String(contentsOf: TestPaths.tinyRoberta.appendingPathComponent("config.json"), encoding: .utf8) }
    }

    /// The tiny RoBERTa's tensors, optionally renamed or replaced, written as a model folder.
    private func writeModel(
        named name: String, config: String? = nil,
        transform: (SafeTensorsWriter.Tensor) -> SafeTensorsWriter.Tensor? = { $0 }
    ) throws -> URL {
        let source = try SafeTensors(contentsOf: TestPaths.tinyRoberta.appendingPathComponent("model.safetensors"))
        var tensors: [SafeTensorsWriter.Tensor] = []
        for key in source.tensorNames {
            let tensor = SafeTensorsWriter.Tensor(key, shape: source.shape(of: key) ?? [], floats: try source.floats(key))
            if let changed = transform(tensor) { tensors.append(changed) }
        }
        let folder = directory.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try SafeTensorsWriter.file(tensors).write(to: folder.appendingPathComponent("model.safetensors"))
        try Data((config ?? tinyConfigJSON).utf8).write(to: folder.appendingPathComponent("config.json"))
        return folder
    }

    private var tinyIds: [Int32] { get throws { try ReferenceCase("tiny-roberta").inputIds } }

    func testPrefixedCheckpointLoadsTheSameWeights() throws {
        let prefixed = try writeModel(named: "prefixed") { tensor in
            var copy = tensor
            copy.name = "roberta." + tensor.name
            return copy
        }
        let reference = try Encoder(directory: TestPaths.tinyRoberta).forward(inputIds: try tinyIds)
        XCTAssertEqual(try Encoder(directory: prefixed).forward(inputIds: try tinyIds), reference)
    }

    func testKeyNormalization() {
        XCTAssertEqual(CheckpointKeys.normalize("bert.encoder.layer.0.output.dense.weight"), "encoder.layer.0.output.dense.weight")
        XCTAssertEqual(CheckpointKeys.normalize("roberta.embeddings.word_embeddings.weight"), "embeddings.word_embeddings.weight")
        XCTAssertEqual(CheckpointKeys.normalize("embeddings.LayerNorm.gamma"), "embeddings.LayerNorm.weight")
        XCTAssertEqual(CheckpointKeys.normalize("bert.embeddings.LayerNorm.beta"), "embeddings.LayerNorm.bias")
        XCTAssertNil(CheckpointKeys.normalize("embeddings.position_ids"))
        XCTAssertNil(CheckpointKeys.normalize("bert.embeddings.position_ids"))
        XCTAssertNil(CheckpointKeys.normalize("pooler.dense.weight"))
        XCTAssertNil(CheckpointKeys.normalize("lm_head.decoder.weight"))
    }

    func testDuplicateAfterNormalization() throws {
        let source = try SafeTensors(contentsOf: TestPaths.tinyRoberta.appendingPathComponent("model.safetensors"))
        let key = "embeddings.LayerNorm.bias"
        let duplicated = try writeModel(named: "dup") { $0 }
        let file = duplicated.appendingPathComponent("model.safetensors")
        var tensors = try source.tensorNames.map { SafeTensorsWriter.Tensor($0, shape: source.shape(of: $0) ?? [], floats: try source.floats($0)) }
        tensors.append(.init("roberta." + key, shape: [32], floats: try source.floats(key)))
        try SafeTensorsWriter.file(tensors).write(to: file)
        assertThrowsTransformerError(try Encoder(directory: duplicated), mentions: ["model.safetensors", key]) {
            if case .duplicateTensor = $0 { return true } else { return false }
        }
    }

    func testMissingTensorNamesItAndItsShape() throws {
        let folder = try writeModel(named: "missing") { $0.name == "encoder.layer.1.intermediate.dense.weight" ? nil : $0 }
        assertThrowsTransformerError(try Encoder(directory: folder),
                                     mentions: ["model.safetensors", "encoder.layer.1.intermediate.dense.weight", "[128, 32]"]) {
            if case .missingTensor = $0 { return true } else { return false }
        }
    }

    func testShapeThatDisagreesWithConfig() throws {
        let folder = try writeModel(named: "shape") { tensor in
            guard tensor.name == "encoder.layer.0.attention.self.key.weight" else { return tensor }
            return .init(tensor.name, shape: [16, 64], floats: Array(repeating: 0, count: 1024))
        }
        assertThrowsTransformerError(try Encoder(directory: folder),
                                     mentions: ["encoder.layer.0.attention.self.key.weight", "[16, 64]", "[32, 32]"]) {
            if case .shapeMismatch = $0 { return true } else { return false }
        }
        // A config that disagrees with the weights is caught the same way.
        let wider = try tinyConfigJSON.replacingOccurrences(of: "\"intermediate_size\": 128", with: "\"intermediate_size\": 256")
        let folder2 = try writeModel(named: "config-shape", config: wider)
        assertThrowsTransformerError(try Encoder(directory: folder2),
                                     mentions: ["encoder.layer.0.intermediate.dense.weight", "[256, 32]"]) {
            if case .shapeMismatch = $0 { return true } else { return false }
        }
    }

    func testUnknownModelType() throws {
        let config = try tinyConfigJSON.replacingOccurrences(of: "\"model_type\": \"roberta\"", with: "\"model_type\": \"t5\"")
        let folder = try writeModel(named: "t5", config: config)
        // The message lists every supported type, decoders included.
        assertThrowsTransformerError(try Encoder(directory: folder), mentions: ["config.json", "t5", "bert, roberta, xlm-roberta, camembert, distilbert, electra, modernbert, gpt2, llama, mistral, qwen2, qwen3"]) {
            if case .unsupportedModelType = $0 { return true } else { return false }
        }
        assertThrowsTransformerError(try TransformerModel(directory: folder), mentions: ["config.json", "t5"]) {
            if case .unsupportedModelType = $0 { return true } else { return false }
        }
    }

    func testSequenceLongerThanPositionTable() throws {
        let roberta = try Encoder(directory: TestPaths.tinyRoberta)
        XCTAssertEqual(roberta.configuration.maxSequenceLength, 128)
        let ids129 = [Int32](repeating: 5, count: 129)
        assertThrowsTransformerError(try roberta.forward(inputIds: ids129), mentions: ["129", "max_position_embeddings"]) {
            if case .invalidInput = $0 { return true } else { return false }
        }
        XCTAssertNoThrow(try roberta.forward(inputIds: Array(ids129.dropLast())))
        let bert = try Encoder(directory: TestPaths.miniLM)
        assertThrowsTransformerError(try bert.forward(inputIds: [Int32](repeating: 1000, count: 513)),
                                     mentions: ["513", "max_position_embeddings"]) {
            if case .invalidInput = $0 { return true } else { return false }
        }
        assertThrowsTransformerError(try bert.forward(inputIds: []), mentions: ["empty"]) {
            if case .invalidInput = $0 { return true } else { return false }
        }
    }

    func testTokenIdsOutsideVocabulary() throws {
        let encoder = try Encoder(directory: TestPaths.tinyRoberta)
        for bad: Int32 in [1000, -1, .max] {
            assertThrowsTransformerError(try encoder.forward(inputIds: [0, 5, bad, 2]), mentions: ["\(bad)", "position 2", "vocab"]) {
                if case .invalidInput = $0 { return true } else { return false }
            }
        }
        assertThrowsTransformerError(
            try encoder.forward(inputIds: [0, 5, 2], tokenTypeIds: [0, 1, 0]) { _ in }, mentions: ["type_vocab_size"]) {
            if case .invalidInput = $0 { return true } else { return false }
        }
        assertThrowsTransformerError(
            try encoder.forward(inputIds: [0, 5, 2], tokenTypeIds: [0, 0]) { _ in }, mentions: ["2 token type ids for 3"]) {
            if case .invalidInput = $0 { return true } else { return false }
        }
    }

    func testRobertaPositionsSkipPadTokens() throws {
        let encoder = try Encoder(directory: TestPaths.tinyRoberta)
        XCTAssertEqual(try encoder.positionIds(for: [0, 7, 1, 9, 2]), [2, 3, 1, 4, 5])
        let bert = try Encoder(directory: TestPaths.miniLM)
        XCTAssertEqual(try bert.positionIds(for: [101, 0, 102]), [0, 1, 2])
    }

    func testObserverErrorStopsThePass() throws {
        struct Stop: Error {}
        let encoder = try Encoder(directory: TestPaths.tinyRoberta)
        var calls = 0
        XCTAssertThrowsError(try encoder.forward(inputIds: try tinyIds) { _ in
            calls += 1
            throw Stop()
        }) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(calls, 1)
    }

    func testKeptCapturesAreNotOverwrittenByLaterLayers() throws {
        let reference = try ReferenceCase("tiny-roberta")
        let encoder = try Encoder(directory: TestPaths.tinyRoberta)
        var kept: [LayerAttention] = []
        _ = try encoder.forward(inputIds: reference.inputIds) { kept.append($0) }
        let expected = try reference.array("probabilities").values
        let perLayer = 4 * 128 * 128
        XCTAssertEqual(kept[0].probabilities.count, perLayer)
        XCTAssertLessThanOrEqual(maxAbsDifference(kept[0].probabilities, Array(expected[0..<perLayer])), 1e-5)
        XCTAssertLessThanOrEqual(maxAbsDifference(kept[1].probabilities, Array(expected[perLayer...])), 1e-5)
        XCTAssertNil(kept[0].queries)
    }

    /// Row blocks are fixed by n and every block and head is computed by the same calls, so the
    /// thread count changes nothing, not even the last bit. The sequence spans several row blocks.
    func testThreadCountDoesNotChangeResults() throws {
        let encoder = try Encoder(directory: TestPaths.tinyRoberta)
        let ids = try tinyIds
        XCTAssertGreaterThan(ids.count, 64, "the sequence must span more than one row block")
        var single: [LayerAttention] = []
        let one = try encoder.forward(inputIds: ids, capture: .probabilitiesAndQKV, threads: 1) { single.append($0) }
        for threads in 2...4 {
            var split: [LayerAttention] = []
            let many = try encoder.forward(inputIds: ids, capture: .probabilitiesAndQKV, threads: threads) { split.append($0) }
            let noCapture = try encoder.forward(inputIds: ids, capture: .none, threads: threads) { _ in }
            XCTAssertEqual(one.storage, many.storage, "hidden state, \(threads) threads")
            XCTAssertEqual(one.storage, noCapture.storage, "hidden state without capture, \(threads) threads")
            XCTAssertEqual(single.count, split.count)
            for (a, b) in zip(single, split) {
                XCTAssertEqual(a.probabilities, b.probabilities, "P of layer \(a.layer), \(threads) threads")
                XCTAssertEqual(a.queries, b.queries, "Q of layer \(a.layer), \(threads) threads")
                XCTAssertEqual(a.keys, b.keys, "K of layer \(a.layer), \(threads) threads")
                XCTAssertEqual(a.values, b.values, "V of layer \(a.layer), \(threads) threads")
            }
        }
    }

    func testConcurrentCallsOnOneEncoderAgree() throws {
        let encoder = try Encoder(directory: TestPaths.tinyRoberta)
        let ids = try tinyIds
        let expected = try encoder.forward(inputIds: ids)
        let results = ResultsBox(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let shifted = index % 2 == 0 ? ids : Array(ids.prefix(64))
            results.set(index, try? encoder.forward(inputIds: shifted).storage)
        }
        let short = try encoder.forward(inputIds: Array(ids.prefix(64))).storage
        for index in 0..<8 {
            XCTAssertEqual(results.get(index), index % 2 == 0 ? expected.storage : short, "call \(index)")
        }
    }
}

/// Thread-safe slots for results produced by concurrent calls.
private final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [[Float]?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: [Float]?) { lock.lock(); values[index] = value; lock.unlock() }
    func get(_ index: Int) -> [Float]? { lock.lock(); defer { lock.unlock() }; return values[index] }
}
