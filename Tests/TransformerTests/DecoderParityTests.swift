import Foundation
import XCTest
@testable import Transformer

/// Parity of every decoder family with Hugging Face `transformers` eager attention (fixtures from
/// `scripts/make-decoder-fixtures.py`: tiny random checkpoints with odd sizes, GQA, explicit
/// head_dim, sliding windows, llama3 / linear / dynamic rope, BF16, F16 and sharded files).
/// Contract: every element of P within 1e-5 absolute, the last hidden state within 1e-4; Q, K
/// (after RoPE) and V, pre-softmax activations of order 1–10, within the hidden-state tolerance.
final class DecoderParityTests: XCTestCase {
    static let probabilityTolerance: Float = 1e-5
    static let hiddenTolerance: Float = 1e-4
    static let families = ["gpt2", "llama", "mistral", "qwen2", "qwen3"]

    private func decoder(_ family: String) throws -> CausalDecoder {
        try CausalDecoder(directory: TestPaths.fixtures.appendingPathComponent(family))
    }

    private func run(_ decoder: CausalDecoder, _ ids: [Int32], threads: Int = 1) throws -> (layers: [LayerAttention], hidden: [Float]) {
        var layers: [LayerAttention] = []
        let hidden = try decoder.forward(inputIds: ids, capture: .probabilitiesAndQKV, threads: threads) { layers.append($0) }
        return (layers, hidden.storage)
    }

    private func checkParity(_ family: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = try ReferenceCase("decoder-" + family)
        let model = try decoder(family)
        let (L, H, G, d) = (try reference.int("layers"), try reference.int("heads"), try reference.int("kv_heads"), try reference.int("head_dim"))
        XCTAssertEqual(model.configuration.modelType.rawValue, family, file: file, line: line)
        XCTAssertEqual(model.configuration.keyValueHeadCount, G, file: file, line: line)
        XCTAssertEqual(model.configuration.headDimension, d, file: file, line: line)
        let ids = reference.inputIds
        let n = ids.count
        let (layers, hidden) = try run(model, ids)
        XCTAssertEqual(layers.count, L, file: file, line: line)
        XCTAssertTrue(layers.allSatisfy { $0.heads == H && $0.keyValueHeads == G && $0.headDimension == d && $0.sequenceLength == n },
                      file: file, line: line)
        let expectedP = try reference.array("probabilities")
        XCTAssertEqual(expectedP.shape, [L, H, n, n], file: file, line: line)
        // Layer by layer and head by head, so a failure names where.
        for attention in layers {
            for head in 0..<H {
                let block = n * n
                let actual = Array(attention.probabilities[(head * block)..<((head + 1) * block)])
                let offset = (attention.layer * H + head) * block
                let expected = Array(expectedP.values[offset..<(offset + block)])
                XCTAssertLessThanOrEqual(maxAbsDifference(actual, expected), Self.probabilityTolerance,
                                         "\(family) P layer \(attention.layer) head \(head)", file: file, line: line)
                // Causal: exactly zero above the diagonal.
                for i in 0..<n where (i + 1) < n {
                    XCTAssertTrue(actual[(i * n + i + 1)..<((i + 1) * n)].allSatisfy { $0 == 0 },
                                  "\(family) P layer \(attention.layer) head \(head) row \(i) not causal", file: file, line: line)
                }
            }
        }
        XCTAssertLessThanOrEqual(maxAbsDifference(hidden, try reference.array("hidden").values), Self.hiddenTolerance,
                                 "\(family) last hidden state", file: file, line: line)
        for (name, path, heads) in [("queries", \LayerAttention.queries, H), ("keys", \.keys, G), ("values", \.values, G)] {
            let expected = try reference.array(name)
            XCTAssertEqual(expected.shape, [L, heads, n, d], name, file: file, line: line)
            let actual = layers.flatMap { $0[keyPath: path] ?? [] }
            XCTAssertLessThanOrEqual(maxAbsDifference(actual, expected.values), Self.hiddenTolerance, "\(family) \(name)",
                                     file: file, line: line)
        }
    }

    func testGPT2MatchesTransformers() throws { try checkParity("gpt2") }
    func testLlamaBF16Llama3RopeMatchesTransformers() throws { try checkParity("llama") }
    func testMistralShardedSlidingWindowMatchesTransformers() throws { try checkParity("mistral") }
    func testQwen2F16LayerTypesMatchesTransformers() throws { try checkParity("qwen2") }
    func testQwen3QueryKeyNormMatchesTransformers() throws { try checkParity("qwen3") }

    /// Bit-identical results for 1–4 threads, with and without capture, for every family.
    func testEveryFamilyIsThreadCountIndependent() throws {
        for family in Self.families {
            let reference = try ReferenceCase("decoder-" + family)
            let model = try decoder(family)
            let ids = reference.inputIds
            let (one, hidden) = try run(model, ids, threads: 1)
            for threads in 2...4 {
                let (many, hiddenMany) = try run(model, ids, threads: threads)
                XCTAssertEqual(hidden, hiddenMany, "\(family) hidden, \(threads) threads")
                let plain = try model.forward(inputIds: ids, capture: .none, threads: threads) { _ in }
                XCTAssertEqual(hidden, plain.storage, "\(family) hidden without capture, \(threads) threads")
                for (a, b) in zip(one, many) {
                    XCTAssertEqual(a.probabilities, b.probabilities, "\(family) P layer \(a.layer), \(threads) threads")
                    XCTAssertEqual(a.queries, b.queries, "\(family) Q layer \(a.layer), \(threads) threads")
                    XCTAssertEqual(a.keys, b.keys, "\(family) K layer \(a.layer), \(threads) threads")
                    XCTAssertEqual(a.values, b.values, "\(family) V layer \(a.layer), \(threads) threads")
                }
            }
        }
    }

    /// The same at n = max_position_embeddings (64–128: one or two full row blocks, or one and a
    /// short one), which the 37-token fixtures do not reach: the blocked GEMMs and banded attention
    /// with more than one block per task, or one each.
    func testLongestSequenceIsThreadCountIndependent() throws {
        for family in Self.families {
            let model = try decoder(family)
            let c = model.decoderConfiguration
            let ids = (0..<c.maxPositionEmbeddings).map { Int32(($0 * 7 + 3) % c.vocabularySize) }
            let (one, hidden) = try run(model, ids, threads: 1)
            XCTAssertTrue(hidden.allSatisfy(\.isFinite), family)
            for threads in 2...4 {
                let (many, hiddenMany) = try run(model, ids, threads: threads)
                XCTAssertEqual(hidden, hiddenMany, "\(family) hidden, n = \(ids.count), \(threads) threads")
                XCTAssertEqual(one.map(\.probabilities), many.map(\.probabilities), "\(family) P, n = \(ids.count), \(threads) threads")
            }
        }
    }

    /// Streaming (one layer converted per use, as for checkpoints above 1 GiB) gives exactly the
    /// resident result, for every family and dtype.
    func testStreamedLayersEqualResidentLayers() throws {
        for family in Self.families {
            let folder = TestPaths.fixtures.appendingPathComponent(family)
            let configuration = try ModelConfiguration(contentsOf: folder.appendingPathComponent("config.json"))
            let streamed = try CausalDecoder(configuration: configuration, checkpoint: try Checkpoint(directory: folder), residentLimit: 0)
            XCTAssertNil(streamed.weights.resident)
            let resident = try decoder(family)
            XCTAssertNotNil(resident.weights.resident)
            let ids = try ReferenceCase("decoder-" + family).inputIds
            let (a, hiddenA) = try run(streamed, ids, threads: 2)
            let (b, hiddenB) = try run(resident, ids, threads: 1)
            XCTAssertEqual(hiddenA, hiddenB, family)
            XCTAssertEqual(a.map(\.probabilities), b.map(\.probabilities), family)
            XCTAssertEqual(a.map(\.keys), b.map(\.keys), family)
        }
    }

    /// The windowed layers really are banded, and the pipeline façade reports causality.
    func testSlidingWindowIsBandedAndFacadeIsCausal() throws {
        let model = try TransformerModel(directory: TestPaths.fixtures.appendingPathComponent("mistral"))
        XCTAssertTrue(model.isCausal)
        XCTAssertEqual(model.configuration.decoder?.slidingWindows, [7, 7])
        XCTAssertEqual(model.weightFiles.first?.lastPathComponent, "model.safetensors.index.json")
        XCTAssertEqual(model.weightFiles.count, 5)
        let ids = try ReferenceCase("decoder-mistral").inputIds
        var first: LayerAttention?
        _ = try model.forward(inputIds: ids, capture: .probabilities) { if first == nil { first = $0 } }
        let p = try XCTUnwrap(first)
        let n = ids.count
        for i in 0..<n {
            for j in 0..<n {
                let visible = j <= i && j > i - 7
                if !visible { XCTAssertEqual(p.probability(head: 0, row: i, column: j), 0) }
                else { XCTAssertGreaterThan(p.probability(head: 0, row: i, column: j), 0) }
            }
        }
        let qwen2 = try TransformerModel(directory: TestPaths.fixtures.appendingPathComponent("qwen2"))
        XCTAssertEqual(qwen2.configuration.decoder?.slidingWindows, [nil, 9, 9])
        let encoder = try TransformerModel(directory: TestPaths.tinyRoberta)
        XCTAssertFalse(encoder.isCausal)
    }
}
