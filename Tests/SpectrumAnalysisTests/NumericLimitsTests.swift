import Foundation
import XCTest
@testable import SpectrumAnalysis
@testable import SpectrumMetrics
@testable import RunFormat
@testable import Corpus
import Transformer

/// Numeric trouble in the weights reaches the attention check, which names the layer and head; and
/// sizes the model cannot run are refused before anything is allocated.
final class NumericLimitsTests: XCTestCase {
    static let tinyRoberta = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/transformer/tiny-roberta")

    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("numeric-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// A copy of the tiny RoBERTa whose `tensor` has `value` at flat index `index`, and a small corpus.
    func poisonedModel(_ tensor: String, index: Int, value: Float) throws -> (model: URL, corpus: URL) {
        let model = directory.appendingPathComponent("model")
        try FileManager.default.copyItem(at: Self.tinyRoberta, to: model)
        let weights = model.appendingPathComponent("model.safetensors")
        let reader = try SafeTensors(contentsOf: weights)
        let range = try XCTUnwrap(reader.entry(tensor)).byteRange
        var bytes = try Data(contentsOf: weights)
        let headerLength = bytes.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        let offset = 8 + headerLength + range.lowerBound + 4 * index
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.replaceSubrange(offset..<offset + 4, with: $0) }
        try bytes.write(to: weights)
        let corpus = directory.appendingPathComponent("corpus.txt")
        let text = (0..<200).map { "line \($0) of a small corpus about attention and low rank matrices." }.joined(separator: "\n")
        try Data(text.utf8).write(to: corpus)
        return (model, corpus)
    }

    func options() -> AnalysisOptions {
        var options = AnalysisOptions()
        options.sequenceLength = 16
        options.sequences = 2
        options.projection = nil
        options.threads = 1
        return options
    }

    /// NaN in row 9 of layer 1's query weight: q[:, 9] is NaN, i.e. head 9 / (32 / 4) = 1 of layer 1.
    func testNaNInAWeightIsReportedWithTheLayerAndHead() throws {
        let (model, corpus) = try poisonedModel("encoder.layer.1.attention.self.query.weight", index: 9 * 32, value: .nan)
        let analysis = try Analysis(modelDirectory: model, corpus: corpus, options: options())
        let output = directory.appendingPathComponent("run.h5")
        XCTAssertThrowsError(try analysis.run(output: output)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("numeric trouble"), message)
            XCTAssertTrue(message.contains("layer 1, head 1"), message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "no final file after numeric trouble")
    }

    func testInfinityInTheEmbeddingsIsReportedAtTheFirstLayer() throws {
        let (model, corpus) = try poisonedModel("embeddings.LayerNorm.weight", index: 0, value: .infinity)
        let analysis = try Analysis(modelDirectory: model, corpus: corpus, options: options())
        XCTAssertThrowsError(try analysis.run(output: directory.appendingPathComponent("run.h5"))) { error in
            XCTAssertTrue("\(error)".contains("numeric trouble"), "\(error)")
            XCTAssertTrue("\(error)".contains("layer 0"), "\(error)")
        }
    }

    func testSequenceLengthBeyondThePositionTableIsRefusedUpFront() throws {
        let (model, corpus) = try poisonedModel("embeddings.LayerNorm.weight", index: 0, value: 1)
        var options = options()
        options.sequenceLength = 1_000_000_000
        XCTAssertThrowsError(try Analysis(modelDirectory: model, corpus: corpus, options: options)) { error in
            XCTAssertTrue("\(error)".contains("1000000000"), "\(error)")
        }
    }
}
