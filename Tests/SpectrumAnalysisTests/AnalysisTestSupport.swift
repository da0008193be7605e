import Foundation
import XCTest
import TestSupport
@testable import SpectrumAnalysis
@testable import SpectrumMetrics
@testable import RunFormat
@testable import Corpus

/// Paths of the real model, corpus and committed fixtures used by the parity tests (see
/// ``SharedTestPaths``).
enum AnalysisFixtures {
    static let testsDirectory = SharedTestPaths.testsDirectory
    static let repositoryRoot = SharedTestPaths.repositoryRoot
    /// `Tests/Fixtures/analysis/`.
    static let directory = SharedTestPaths.fixtures.appendingPathComponent("analysis")
    static let tinyRoberta = SharedTestPaths.tinyRoberta
    static var modelDirectory: URL { SharedTestPaths.realModel }
    static var corpus: URL { SharedTestPaths.corpus }

    static func requireRealModel(file: StaticString = #filePath, line: UInt = #line) throws {
        try SharedTestPaths.requireRealData(file: file, line: line)
    }

    static func temporaryDirectory(_ prefix: String) throws -> URL { try SharedTestPaths.temporaryDirectory(prefix) }
}

/// `packing-*.json`: windows packed by the Python `tokenizers` library.
struct PackingFixture: Decodable {
    struct Windows: Decodable {
        var firstWindows: [[Int32]]
        var hashedWindows: Int?
        var sha256Int32Le: String?
    }
    var n512: Windows?
    var n128: Windows
}

/// `minilm-n128-spectra.json`: NumPy float64 `dgesdd` σ of every head of the first window at n = 128.
struct SpectraFixture: Decodable {
    var sequenceLength: Int
    var layers: Int
    var heads: Int
    var inputIds: [Int32]
    /// `[L, H, n]`.
    var sigma: [Double]
    var k90: [Int32], k95: [Int32], k99: [Int32]
    var entropyRank: [Double], stableRank: [Double]

    /// The fixture's `seq_len` is the toolkit's `sequenceLength`.
    enum CodingKeys: String, CodingKey {
        case sequenceLength = "seqLen", layers, heads, inputIds, sigma, k90, k95, k99, entropyRank, stableRank
    }

    static func load() throws -> SpectraFixture {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(SpectraFixture.self, from: Data(contentsOf: AnalysisFixtures.directory.appendingPathComponent("minilm-n128-spectra.json")))
    }
}

extension PackingFixture {
    static func load(_ name: String) throws -> PackingFixture {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(PackingFixture.self, from: Data(contentsOf: AnalysisFixtures.directory.appendingPathComponent(name)))
    }
}
