import Foundation
import XCTest
@testable import SpectrumAnalysis
@testable import SpectrumMetrics
@testable import RunFormat
@testable import Corpus

/// The full pipeline with several SVD workers, so that the forward pass of sequence s + 1 overlaps
/// the spectra of sequence s: this is the test `make test-sanitize` relies on for ThreadSanitizer
/// to see the encoder/SVD overlap, the parallel encoder and the parallel head jobs. Results must not
/// depend on the thread count, not even in the last bit: n = 96 spans two of the encoder's row blocks.
final class ConcurrencyRegressionTests: XCTestCase {
    static let tinyRoberta = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/transformer/tiny-roberta")

    func testThreadCountDoesNotChangeTheRunFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("concurrency-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let corpus = directory.appendingPathComponent("corpus.txt")
        let text = (0..<300).map { "Sentence \($0) about how low-rank the attention of a small encoder is." }
        try Data(text.joined(separator: "\n").utf8).write(to: corpus)

        func run(threads: Int) throws -> (sigma: [Double], k90: [Int32], projection: [[Double]]) {
            var options = AnalysisOptions()
            options.sequenceLength = 96
            options.sequences = 6
            options.threads = threads
            options.projection = ProjectionOptions(projectionDimensions: [4, 8, 48], trials: 2, delta: nil)
            let analysis = try Analysis(modelDirectory: Self.tinyRoberta, corpus: corpus, options: options)
            let file = try analysis.run(output: directory.appendingPathComponent("run-\(threads).h5"))
            let projection: [[Double]] = try ["projection/theorem1/median", "projection/svd_optimal/max",
                                              "projection/theorem2/relative", "projection/pooling/row_max"].map { try file.read($0) }
            return (try file.read("spectrum/sigma"), try file.read("spectrum/k90"), projection)
        }
        let serial = try run(threads: 1)
        let parallel = try run(threads: 3)
        XCTAssertEqual(serial.sigma.count, 6 * 2 * 4 * 96)
        XCTAssertEqual(serial.sigma, parallel.sigma, "σ must be identical whatever the worker count")
        XCTAssertEqual(serial.k90, parallel.k90)
        XCTAssertEqual(serial.projection, parallel.projection)
    }
}
