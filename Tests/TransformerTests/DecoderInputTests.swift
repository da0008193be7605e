import Foundation
import XCTest
@testable import Transformer

/// Decoder configurations and checkpoints that are wrong in the ways shipped ones can be: each is
/// one clear ``TransformerError`` naming the file and the problem.
final class DecoderInputTests: XCTestCase {
    private func copy(_ family: String, into directory: TemporaryDirectory) throws -> URL {
        let target = directory.url.appendingPathComponent(family)
        try FileManager.default.copyItem(at: TestPaths.fixtures.appendingPathComponent(family), to: target)
        return target
    }

    private func editConfig(_ folder: URL, _ change: (inout [String: Any]) -> Void) throws {
        let url = folder.appendingPathComponent("config.json")
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }

    func testMissingShardIsNamed() throws {
        let directory = try TemporaryDirectory()
        let folder = try copy("mistral", into: directory)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("model-00003-of-00004.safetensors"))
        assertThrowsTransformerError(try CausalDecoder(directory: folder),
                                     mentions: ["model.safetensors.index.json", "model-00003-of-00004.safetensors"]) {
            if case .missingShard = $0 { return true } else { return false }
        }
    }

    func testIndexNamingATensorItsShardDoesNotHoldIsRefused() throws {
        let directory = try TemporaryDirectory()
        let folder = try copy("mistral", into: directory)
        let index = folder.appendingPathComponent("model.safetensors.index.json")
        var object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: index)) as? [String: Any])
        var map = try XCTUnwrap(object["weight_map"] as? [String: String])
        let shard = try XCTUnwrap(map["norm.weight"])
        let other = Set(map.values).sorted().first { $0 != shard }
        map["norm.weight"] = try XCTUnwrap(other)
        object["weight_map"] = map
        try JSONSerialization.data(withJSONObject: object).write(to: index)
        assertThrowsTransformerError(try CausalDecoder(directory: folder), mentions: ["model.safetensors.index.json", "norm.weight"]) {
            if case .invalidShardIndex = $0 { return true } else { return false }
        }
        try Data("{\"metadata\": {}}".utf8).write(to: index)
        assertThrowsTransformerError(try CausalDecoder(directory: folder), mentions: ["weight_map"]) {
            if case .invalidShardIndex = $0 { return true } else { return false }
        }
    }

    func testShardWithAnotherDTypeThanDeclaredIsRefused() throws {
        let directory = try TemporaryDirectory()
        let folder = try copy("llama", into: directory)  // BF16 tensors
        try editConfig(folder) { $0["dtype"] = "float16" }
        assertThrowsTransformerError(try CausalDecoder(directory: folder), mentions: ["model.safetensors", "BF16", "F16"]) {
            if case .dtypeMismatch = $0 { return true } else { return false }
        }
    }

    func testHeadsNotDivisibleByKeyValueHeads() throws {
        let directory = try TemporaryDirectory()
        let folder = try copy("qwen2", into: directory)
        try editConfig(folder) { $0["num_key_value_heads"] = 4 }
        assertThrowsTransformerError(try CausalDecoder(directory: folder),
                                     mentions: ["config.json", "num_attention_heads 6 is not divisible by num_key_value_heads 4"]) {
            if case .invalidConfiguration = $0 { return true } else { return false }
        }
    }

    func testUnknownRopeTypeAndActivationAreNamed() throws {
        let directory = try TemporaryDirectory()
        let folder = try copy("llama", into: directory)
        try editConfig(folder) { $0["rope_parameters"] = ["rope_type": "yarn", "factor": 4.0, "rope_theta": 10000.0] }
        assertThrowsTransformerError(try CausalDecoder(directory: folder), mentions: ["config.json", "'yarn'", "llama3"]) {
            if case .unsupportedRopeType = $0 { return true } else { return false }
        }
        try editConfig(folder) { $0.removeValue(forKey: "rope_parameters"); $0["hidden_act"] = "quick_gelu" }
        assertThrowsTransformerError(try CausalDecoder(directory: folder), mentions: ["config.json", "quick_gelu"]) {
            if case .unsupportedActivation = $0 { return true } else { return false }
        }
        let gpt2 = try copy("gpt2", into: directory)
        try editConfig(gpt2) { $0["activation_function"] = "mish" }
        assertThrowsTransformerError(try CausalDecoder(directory: gpt2), mentions: ["config.json", "mish"]) {
            if case .unsupportedActivation = $0 { return true } else { return false }
        }
    }

    func testSequenceLongerThanPositionsAndBadIds() throws {
        let decoder = try CausalDecoder(directory: TestPaths.fixtures.appendingPathComponent("gpt2"))
        assertThrowsTransformerError(try decoder.forward(inputIds: [Int32](repeating: 1, count: 65)),
                                     mentions: ["65", "max_position_embeddings = 64"]) {
            if case .invalidInput = $0 { return true } else { return false }
        }
        assertThrowsTransformerError(try decoder.forward(inputIds: [1, 300]), mentions: ["300", "vocab_size 300"]) {
            if case .invalidInput = $0 { return true } else { return false }
        }
        assertThrowsTransformerError(try decoder.forward(inputIds: []), mentions: ["empty"]) {
            if case .invalidInput = $0 { return true } else { return false }
        }
    }

    func testMissingAndMisshapenTensorsAreNamed() throws {
        let directory = try TemporaryDirectory()
        let folder = try copy("qwen3", into: directory)
        try editConfig(folder) { $0["head_dim"] = 10 }
        assertThrowsTransformerError(try CausalDecoder(directory: folder), mentions: ["model.layers.0.self_attn.q_proj.weight", "[60, 52]"]) {
            if case .shapeMismatch = $0 { return true } else { return false }
        }
        // Qwen3 needs q_norm; a Llama-style checkpoint without it is incomplete.
        let llama = try copy("llama", into: directory)
        try editConfig(llama) { $0["model_type"] = "qwen3"; $0["attention_bias"] = false }
        assertThrowsTransformerError(try CausalDecoder(directory: llama), mentions: ["layers.0.self_attn.q_norm.weight"]) {
            if case .missingTensor = $0 { return true } else { return false }
        }
    }

    /// Every key of every fixture config replaced by hostile values: loading either succeeds or
    /// throws a ``TransformerError``; it never traps or allocates absurdly.
    func testHostileConfigValuesNeverCrash() throws {
        let directory = try TemporaryDirectory()
        let hostile: [Any] = [-1, 0, 1 << 40, Int.max, 1e300, "x", NSNull(), ["rope_type": "linear"]]
        var outcomes = 0
        for family in DecoderParityTests.families {
            let folder = try copy(family, into: directory)
            let url = folder.appendingPathComponent("config.json")
            let original = try Data(contentsOf: url)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: original) as? [String: Any])
            let checkpoint = try Checkpoint(directory: folder)
            for key in object.keys.sorted() where key != "model_type" {
                for value in hostile {
                    var changed = object
                    changed[key] = value
                    try JSONSerialization.data(withJSONObject: changed).write(to: url)
                    do {
                        let configuration = try ModelConfiguration(contentsOf: url)
                        _ = try CausalDecoder(configuration: configuration, checkpoint: checkpoint)
                    } catch is TransformerError {
                    }
                    outcomes += 1
                }
            }
            try original.write(to: url)
        }
        XCTAssertGreaterThan(outcomes, 900)
    }
}
