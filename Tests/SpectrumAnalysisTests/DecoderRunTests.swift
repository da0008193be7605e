import Foundation
import XCTest
@testable import SpectrumAnalysis
import HDF5Store
import Transformer

/// The pipeline on causal decoders (tiny random checkpoints from `scripts/make-decoder-fixtures.py`;
/// gpt2/ carries a trained byte-level BPE tokenizer): Theorem 2 and pooling are recorded as not
/// applicable instead of computed, K and V are dumped per key-value head, and P is lower-triangular.
final class DecoderRunTests: XCTestCase {
    static let fixtures = AnalysisFixtures.testsDirectory.appendingPathComponent("Fixtures/transformer")
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try AnalysisFixtures.temporaryDirectory("decoder-run")
        let text = (0..<200).map { "Line \($0): the attention of a causal decoder is lower-triangular, so it is full rank." }
        try Data(text.joined(separator: "\n").utf8).write(to: directory.appendingPathComponent("corpus.txt"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func options(n: Int = 32) -> AnalysisOptions {
        var options = AnalysisOptions()
        options.sequenceLength = n
        options.sequences = 3
        options.threads = 2
        options.dumpAttention = 1
        options.dumpQKV = true
        options.projection = ProjectionOptions(projectionDimensions: [4, 8], trials: 1, delta: nil)
        return options
    }

    /// A copy of a decoder fixture, given the gpt2 fixture's tokenizer when it has none (every
    /// fixture vocabulary covers it).
    private func model(_ family: String) throws -> URL {
        let source = Self.fixtures.appendingPathComponent(family)
        let target = directory.appendingPathComponent(family)
        try FileManager.default.copyItem(at: source, to: target)
        if !FileManager.default.fileExists(atPath: target.appendingPathComponent("tokenizer.json").path) {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("gpt2/tokenizer.json"),
                                             to: target.appendingPathComponent("tokenizer.json"))
        }
        return target
    }

    func testGPT2RunRecordsTheorem2AndPoolingAsNotApplicable() throws {
        let analysis = try Analysis(modelDirectory: try model("gpt2"), corpus: directory.appendingPathComponent("corpus.txt"), options: options())
        let file = try analysis.run(output: directory.appendingPathComponent("gpt2.h5"))
        let m = file.metadata
        XCTAssertEqual(m.modelType, "gpt2")
        XCTAssertTrue(m.causal)
        XCTAssertEqual(m.notApplicable, ["projection/theorem2", "projection/pooling", "projection/max_pooling", "projection/fitted_linformer"])
        XCTAssertFalse(try file.contains("projection/max_pooling/relative"))
        XCTAssertFalse(try file.contains("projection/theorem2/relative"))
        XCTAssertFalse(try file.contains("projection/pooling/relative"))
        XCTAssertFalse(try file.contains("projection/aggregate/theorem2_relative_sum"))
        let theorem1: [Double] = try file.read("projection/theorem1/median")
        XCTAssertEqual(theorem1.count, 3 * 2 * 5 * 2)
        XCTAssertTrue(theorem1.allSatisfy { $0.isFinite && $0 > 0 })
        let aggregate = try XCTUnwrap(try file.projectionAggregate())
        XCTAssertNil(aggregate.sums[.theorem2Relative])
        XCTAssertNotNil(aggregate.sums[.theorem1Median])
        // Dumped P is exactly lower-triangular, every row sums to 1.
        let p: [Float] = try file.read("attention/P")
        let n = 32
        XCTAssertEqual(p.count, 2 * 5 * n * n)
        for block in 0..<(2 * 5) {
            for i in 0..<n {
                let row = p[(block * n * n + i * n)..<(block * n * n + (i + 1) * n)]
                XCTAssertTrue(row.dropFirst(i + 1).allSatisfy { $0 == 0 })
                XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5)
            }
        }
        // The energy curve still separates heads: σ is descending and not flat.
        let sigma: [Double] = try file.read("spectrum/sigma")
        for block in 0..<(sigma.count / n) {
            let s = sigma[(block * n)..<((block + 1) * n)]
            XCTAssertTrue(zip(s, s.dropFirst()).allSatisfy { $0 >= $1 })
            XCTAssertGreaterThan(s.first ?? 0, s.last ?? 0)
        }
        // The root attributes carry the reason.
        let attributes = try HDF5Store.File.open(file.url.path).attributes
        XCTAssertTrue(try attributes.string("not_applicable_reason").contains("causal"))
        XCTAssertEqual(try attributes.int64("causal"), 1)
    }

    func testGroupedQueryRunDumpsKeysAndValuesPerKeyValueHead() throws {
        let folder = try model("llama")
        let analysis = try Analysis(modelDirectory: folder, corpus: directory.appendingPathComponent("corpus.txt"), options: options())
        let file = try analysis.run(output: directory.appendingPathComponent("llama.h5"))
        let m = file.metadata
        XCTAssertEqual(m.heads, 4)
        XCTAssertEqual(m.keyValueHeads, 2)
        XCTAssertEqual(m.headDimension, 18)
        let (L, n, d) = (3, 32, 18)
        let q: [Float] = try file.read("attention/Q"), k: [Float] = try file.read("attention/K"), v: [Float] = try file.read("attention/V")
        XCTAssertEqual(q.count, L * 4 * n * d)
        XCTAssertEqual(k.count, L * 2 * n * d)
        XCTAssertEqual(v.count, L * 2 * n * d)
        // The dump is the forward pass's capture, bit for bit.
        let ids: [Int32] = Array(try file.read("tokens/input_ids", as: Int32.self).prefix(n))
        var keys: [Float] = []
        _ = try analysis.encoder.forward(inputIds: ids, capture: .probabilitiesAndQKV) { keys += $0.keys ?? [] }
        XCTAssertEqual(keys, k)
        let theorem1: [Double] = try file.read("projection/theorem1/median")
        XCTAssertTrue(theorem1.allSatisfy { $0.isFinite })
    }

    func testSequenceLengthAbovePositionsIsRefused() throws {
        // gpt2 has n_positions = 64.
        XCTAssertThrowsError(try Analysis(modelDirectory: try model("gpt2"), corpus: directory.appendingPathComponent("corpus.txt"),
                                          options: options(n: 65))) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("sequence length 65") && message.contains("64 positions"), message)
        }
    }

    /// Packing with the decoders' tokenizers equals the Python packing id for id: GPT-2 adds no
    /// token (windows of n corpus ids), the Llama-3-style template one `<|begin_of_text|>` (n − 1).
    func testPackingWithDecoderTokenizersMatchesPython() throws {
        try AnalysisFixtures.requireRealModel()
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent("decoder-packing.json")))
        let fixture = try XCTUnwrap(object as? [String: Any])
        let corpus = try Corpus(contentsOf: AnalysisFixtures.corpus)
        for (family, added) in [("gpt2", 0), ("llama", 1)] {
            let entry = try XCTUnwrap(fixture[family] as? [String: Any])
            let expected = try XCTUnwrap(entry["windows"] as? [[Int]]).map { $0.map(Int32.init) }
            XCTAssertEqual(entry["added"] as? Int, added)
            let tokenizer = try Tokenizer(contentsOf: Self.fixtures.appendingPathComponent("\(family)/tokenizer.json"))
            let packer = try SequencePacker(tokenizer: tokenizer, sequenceLength: 32)
            XCTAssertEqual(packer.idsPerWindow, 32 - added, family)
            let windows = try packer.windows(of: corpus, limit: expected.count)
            XCTAssertEqual(windows.map(\.inputIds), expected, family)
        }
    }

    /// The Mistral (SentencePiece-style BPE), Qwen2 and Qwen3 (regex-split byte-level BPE) fixture
    /// tokenizers: ids with special tokens equal Hugging Face `tokenizers` on the hard strings, and
    /// packing equals the Python packing window for window (n minus what each post-processor adds).
    func testDecoderFamilyTokenizersAndPackingMatchPython() throws {
        try AnalysisFixtures.requireRealModel()
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent("decoder-tokenizers.json")))
        let fixture = try XCTUnwrap(object as? [String: Any])
        let strings = try XCTUnwrap(fixture["strings"] as? [String])
        let corpus = try Corpus(contentsOf: AnalysisFixtures.corpus)
        var families = 0
        for family in ["mistral", "qwen2", "qwen3"] {
            guard let entry = fixture[family] as? [String: Any] else { continue }
            families += 1
            let tokenizer = try Tokenizer(contentsOf: Self.fixtures.appendingPathComponent("\(family)/tokenizer.json"))
            let ids = try XCTUnwrap(entry["ids"] as? [[Int]])
            XCTAssertEqual(ids.count, strings.count, family)
            for (text, expected) in zip(strings, ids) {
                XCTAssertEqual(tokenizer.encode(text, addSpecialTokens: true).map(Int.init), expected, "\(family): \(text.debugDescription)")
            }
            let packing = try XCTUnwrap(entry["packing"] as? [String: Any])
            let n = try XCTUnwrap(packing["n"] as? Int), added = try XCTUnwrap(packing["added"] as? Int)
            let expected = try XCTUnwrap(packing["windows"] as? [[Int]]).map { $0.map(Int32.init) }
            let packer = try SequencePacker(tokenizer: tokenizer, sequenceLength: n)
            XCTAssertEqual(packer.idsPerWindow, n - added, family)
            XCTAssertEqual(try packer.windows(of: corpus, limit: expected.count).map(\.inputIds), expected, family)
        }
        XCTAssertGreaterThanOrEqual(families, 2, "the fixture holds the Mistral and Qwen2 tokenizers at least")
    }
}
