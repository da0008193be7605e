import Foundation
import XCTest

/// Where the test targets find the repository, the committed fixtures and the real model and
/// corpus: one definition for every test target.
///
/// The real model and corpus come from `SPECTRUM_MODEL_DIR` / `SPECTRUM_CORPUS` (set by the
/// Makefile) or the repository's `notebooks-data` copies; a Python with h5py from `SPECTRUM_PYTHON`
/// or the repository's `.venv`. Tests that need them fail (never skip) when they are missing,
/// because `make test` always fetches them.
public enum SharedTestPaths {
    /// `Tests/`.
    public static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    /// The repository root.
    public static let repositoryRoot = testsDirectory.deletingLastPathComponent()
    /// `Tests/Fixtures/`.
    public static let fixtures = testsDirectory.appendingPathComponent("Fixtures")
    /// The tiny random-weight RoBERTa: 2 layers × 4 heads, head_dim 8, 128 usable positions, BPE tokenizer.
    public static let tinyRoberta = fixtures.appendingPathComponent("transformer/tiny-roberta")

    /// all-MiniLM-L6-v2 (`SPECTRUM_MODEL_DIR` or the repository copy).
    public static var realModel: URL {
        environmentURL("SPECTRUM_MODEL_DIR") ?? repositoryRoot.appendingPathComponent("notebooks-data/models/all-MiniLM-L6-v2")
    }

    /// jargon.txt.gz (`SPECTRUM_CORPUS` or the repository copy).
    public static var corpus: URL {
        environmentURL("SPECTRUM_CORPUS") ?? repositoryRoot.appendingPathComponent("notebooks-data/corpora/jargon.txt.gz")
    }

    /// A Python with h5py + numpy (`SPECTRUM_PYTHON`, else the repository's `.venv/bin/python`).
    public static var python: URL {
        environmentURL("SPECTRUM_PYTHON") ?? repositoryRoot.appendingPathComponent(".venv/bin/python")
    }

    /// The URL in environment variable `name`, if set and not empty.
    public static func environmentURL(_ name: String) -> URL? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return URL(fileURLWithPath: value)
    }

    /// Fails the test (it must not be skipped) when the real model or corpus is missing.
    public static func requireRealData(file: StaticString = #filePath, line: UInt = #line) throws {
        for url in [realModel.appendingPathComponent("model.safetensors"), corpus] where !FileManager.default.fileExists(atPath: url.path) {
            XCTFail("\(url.path) is missing: run `make setup` (or set SPECTRUM_MODEL_DIR / SPECTRUM_CORPUS)", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
    }

    /// A fresh temporary folder named `prefix-UUID`; the caller removes it.
    public static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Asserts `a` and `b` agree element-wise to `relative`·max(|a_i|, |b_i|) (NaN matches NaN).
public func assertClose(_ a: [Double], _ b: [Double], relative: Double, _ message: String,
                        file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(message): lengths differ", file: file, line: line)
    for (i, (x, y)) in zip(a, b).enumerated() where !(x.isNaN && y.isNaN) {
        if !(abs(x - y) <= relative * max(abs(x), abs(y))) {
            XCTFail("\(message): element \(i): \(x) vs \(y)", file: file, line: line)
            return
        }
    }
}
