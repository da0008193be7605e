import Foundation
import XCTest
@testable import Transformer

/// The untrained control's weights: the rules against what `transformers` does to fresh models
/// (`random-init-rules.json`, from `scripts/make-random-init-fixture.py`), and a random tiny RoBERTa
/// loaded through the normal path.
final class RandomInitializationTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("random-init-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testRulesMatchTransformersInitialisationForEveryFamily() throws {
        let url = TestPaths.fixtures.appendingPathComponent("random-init-rules.json")
        let fixture = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: [String: Any]])
        XCTAssertEqual(Set(fixture.keys), ["bert", "roberta", "gpt2", "llama", "modernbert"])
        for (family, entry) in fixture {
            let config = try XCTUnwrap(entry["config"] as? [String: Any])
            let configURL = folder.appendingPathComponent("\(family).json")
            try JSONSerialization.data(withJSONObject: config).write(to: configURL)
            let settings = try RandomInitialization.Settings(contentsOf: configURL)
            let tensors = try XCTUnwrap(entry["tensors"] as? [String: [String: Any]])
            for (name, expected) in tensors {
                let shape = try XCTUnwrap(expected["shape"] as? [Int])
                let rule = RandomInitialization.rule(for: name, shape: shape, settings: settings)
                switch expected["rule"] as? String {
                case "ones": XCTAssertEqual(rule, .ones, "\(family) \(name)")
                case "zeros": XCTAssertEqual(rule, .zeros, "\(family) \(name)")
                case "normal" where family == "modernbert":
                    guard case .truncatedNormal(let deviation, let cutoff)? = rule else {
                        XCTFail("\(family) \(name): expected a truncated normal draw, got \(String(describing: rule))")
                        continue
                    }
                    // The std of N(0, σ²) truncated at ±cσ is σ·√(1 − 2cφ(c)/(2Φ(c) − 1)).
                    let phi = exp(-cutoff * cutoff / 2) / (2 * Double.pi).squareRoot(), mass = erf(cutoff / 2.0.squareRoot())
                    let truncatedStd = deviation * (1 - 2 * cutoff * phi / mass).squareRoot()
                    let sampleStd = try XCTUnwrap(expected["std"] as? Double), count = shape.reduce(1, *)
                    XCTAssertEqual(sampleStd / truncatedStd, 1, accuracy: 5 / (2 * Double(count)).squareRoot(), "\(family) \(name)")
                    XCTAssertLessThanOrEqual(try XCTUnwrap(expected["max_abs"] as? Double), cutoff * deviation * (1 + 1e-6), "\(family) \(name)")
                    XCTAssertGreaterThan(try XCTUnwrap(expected["max_abs"] as? Double), 0.9 * cutoff * deviation, "\(family) \(name)")
                    XCTAssertNil(expected["zero_row"] as? Int, "\(family) \(name): no padding row")
                default:
                    guard case .normal(let deviation, let zeroRow)? = rule else {
                        XCTFail("\(family) \(name): expected a normal draw, got \(String(describing: rule))")
                        continue
                    }
                    let sampleStd = try XCTUnwrap(expected["std"] as? Double)
                    let count = shape.reduce(1, *)
                    // The sample std of m normal draws has relative standard error ≈ 1/√(2m); allow 5 of them.
                    XCTAssertEqual(sampleStd / deviation, 1, accuracy: 5 / (2 * Double(count)).squareRoot(), "\(family) \(name)")
                    XCTAssertEqual(zeroRow, expected["zero_row"] as? Int, "\(family) \(name): padding row")
                }
            }
        }
    }

    func testRandomTinyRobertaLoadsThroughTheNormalPathWithTheDrawnDistribution() throws {
        let template = try SafeTensors(contentsOf: TestPaths.tinyRoberta.appendingPathComponent("model.safetensors"))
        let model = try RandomInitialization.writeModel(like: TestPaths.tinyRoberta, seed: 7, into: folder.appendingPathComponent("a"))
        let random = try SafeTensors(contentsOf: model.appendingPathComponent("model.safetensors"))
        let floatNames = template.tensorNames.filter { template.entry($0).map { [.f32, .f16, .bf16].contains($0.dtype) } ?? false }
        XCTAssertEqual(random.tensorNames, floatNames)
        for name in random.tensorNames { XCTAssertEqual(random.shape(of: name), template.shape(of: name), name) }

        let word = try random.floats("embeddings.word_embeddings.weight")
        let h = try XCTUnwrap(random.shape(of: "embeddings.word_embeddings.weight")?.last)
        XCTAssertTrue(word[h ..< 2 * h].allSatisfy { $0 == 0 }, "row pad_token_id = 1 is zero")
        let drawn = Array(word[0 ..< h]) + Array(word[(2 * h)...])
        let mean = drawn.reduce(0) { $0 + Double($1) } / Double(drawn.count)
        let std = (drawn.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(drawn.count)).squareRoot()
        XCTAssertEqual(std, 0.02, accuracy: 0.02 * 5 / (2 * Double(drawn.count)).squareRoot())
        XCTAssertEqual(mean, 0, accuracy: 5 * 0.02 / Double(drawn.count).squareRoot())
        let within = drawn.filter { abs(Double($0)) < 0.02 }.count
        XCTAssertEqual(Double(within) / Double(drawn.count), 0.6827, accuracy: 0.02, "normal, not uniform")
        XCTAssertTrue(try random.floats("embeddings.LayerNorm.weight").allSatisfy { $0 == 1 })
        XCTAssertTrue(try random.floats("encoder.layer.0.attention.self.query.bias").allSatisfy { $0 == 0 })

        // The encoder loads it and runs; same seed → same bytes, another seed → other weights.
        let encoder = try Encoder(directory: model)
        let output = try encoder.forward(inputIds: [0, 5, 6, 7, 2])
        XCTAssertTrue(output.storage.allSatisfy(\.isFinite))
        let again = try RandomInitialization.writeModel(like: TestPaths.tinyRoberta, seed: 7, into: folder.appendingPathComponent("b"))
        let other = try RandomInitialization.writeModel(like: TestPaths.tinyRoberta, seed: 8, into: folder.appendingPathComponent("c"))
        let bytes = { (url: URL) in try Data(contentsOf: url.appendingPathComponent("model.safetensors")) }
        XCTAssertEqual(try bytes(model), try bytes(again))
        XCTAssertNotEqual(try bytes(model), try bytes(other))
    }

    /// ModernBERT's truncated draws: within ±2σ, with the truncated normal's std, σ/√(2L) for `Wo`; the model loads and runs.
    func testRandomModernBERTDrawsTruncatedNormals() throws {
        let model = try RandomInitialization.writeModel(like: TestPaths.fixtures.appendingPathComponent("modernbert"), seed: 3,
                                                        into: folder.appendingPathComponent("modernbert"))
        let random = try SafeTensors(contentsOf: model.appendingPathComponent("model.safetensors"))
        // initializer_range 0.02, initializer_cutoff_factor 2, 4 layers; the std of N(0, 1) truncated at ±2 is 0.8796.
        for (name, sigma) in [("layers.1.attn.Wqkv.weight", 0.02), ("embeddings.tok_embeddings.weight", 0.02),
                              ("layers.2.mlp.Wo.weight", 0.02 / 8.0.squareRoot())] {
            let values = try random.floats(name).map(Double.init)
            XCTAssertTrue(values.allSatisfy { abs($0) <= 2 * sigma * (1 + 1e-6) }, name)
            let std = (values.reduce(0) { $0 + $1 * $1 } / Double(values.count)).squareRoot()
            XCTAssertEqual(std / (0.8796 * sigma), 1, accuracy: 6 / (2 * Double(values.count)).squareRoot(), name)
        }
        XCTAssertTrue(try random.floats("final_norm.weight").allSatisfy { $0 == 1 })
        let output = try TransformerModel(directory: model).forward(inputIds: [1, 5, 6, 7, 8])
        XCTAssertTrue(output.storage.allSatisfy(\.isFinite))
    }

    func testRandomDecodersLoadThroughTheModelFacadeIncludingShardedAndBF16Checkpoints() throws {
        for family in ["gpt2", "llama", "mistral", "qwen2", "qwen3"] {
            let source = TestPaths.fixtures.appendingPathComponent(family)
            let model = try RandomInitialization.writeModel(like: source, seed: 5, into: folder.appendingPathComponent(family))
            let loaded = try TransformerModel(directory: model)
            let output = try loaded.forward(inputIds: [1, 5, 6, 7, 8])
            XCTAssertTrue(output.storage.allSatisfy(\.isFinite), family)
            let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("config.json"))) as? [String: Any])
            for key in ["torch_dtype", "dtype"] where config[key] != nil { XCTAssertEqual(config[key] as? String, "float32", "\(family) \(key)") }
        }
    }

    func testMissingCheckpointIsATypedError() {
        XCTAssertThrowsError(try RandomInitialization.writeModel(like: folder, seed: 1, into: folder.appendingPathComponent("x"))) { error in
            XCTAssertTrue("\(error)".contains(self.folder.path), "\(error)")
        }
    }
}
