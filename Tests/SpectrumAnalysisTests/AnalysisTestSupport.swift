import Foundation
import XCTest
@testable import SpectrumAnalysis
@testable import SpectrumMetrics
@testable import RunFormat
@testable import Corpus

/// Paths of the real model, corpus and committed fixtures used by the parity tests.
///
/// The real model and corpus come from `SPECTRUM_MODEL_DIR` / `SPECTRUM_CORPUS` (set by the
/// Makefile) or the repository's `notebooks-data` copies; tests that need them fail (not skip) when
/// they are missing, because `make test` always fetches them.
enum AnalysisFixtures {
    /// `Tests/`.
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    /// The repository root.
    static let repositoryRoot = testsDirectory.deletingLastPathComponent()
    /// `Tests/Fixtures/analysis/`.
    static let directory = testsDirectory.appendingPathComponent("Fixtures/analysis")
    /// The tiny random-weight RoBERTa (2 layers × 4 heads, 128 positions, BPE tokenizer).
    static let tinyRoberta = testsDirectory.appendingPathComponent("Fixtures/transformer/tiny-roberta")

    /// all-MiniLM-L6-v2.
    static var modelDirectory: URL {
        environmentURL("SPECTRUM_MODEL_DIR") ?? repositoryRoot.appendingPathComponent("notebooks-data/models/all-MiniLM-L6-v2")
    }

    /// jargon.txt.gz.
    static var corpus: URL {
        environmentURL("SPECTRUM_CORPUS") ?? repositoryRoot.appendingPathComponent("notebooks-data/corpora/jargon.txt.gz")
    }

    private static func environmentURL(_ name: String) -> URL? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return URL(fileURLWithPath: value)
    }

    /// Fails the test (it must not be skipped) when the real model or corpus is missing.
    static func requireRealModel(file: StaticString = #filePath, line: UInt = #line) throws {
        for url in [modelDirectory.appendingPathComponent("model.safetensors"), corpus] {
            guard FileManager.default.fileExists(atPath: url.path) else {
                XCTFail("\(url.path) is missing: run `make setup` (or set SPECTRUM_MODEL_DIR / SPECTRUM_CORPUS)", file: file, line: line)
                throw CocoaError(.fileNoSuchFile)
            }
        }
    }

    /// A fresh temporary folder, removed by the caller's tearDown.
    static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
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
    var seqLen: Int
    var layers: Int
    var heads: Int
    var inputIds: [Int32]
    /// `[L, H, n]`.
    var sigma: [Double]
    var k90: [Int32], k95: [Int32], k99: [Int32]
    var entropyRank: [Double], stableRank: [Double]

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
