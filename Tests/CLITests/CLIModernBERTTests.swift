import Foundation
import XCTest
@testable import SpectrumReport
import SpectrumAnalysis

/// `spectrum-analyze run` and `spectrum-report` on the ModernBERT fixture (its own ModernBERT-style
/// tokenizer, zero-based layers 1 and 2 local with half-width 10), and the windows of a Mistral run: the run
/// file records each layer's window, the dumped P of local layers is banded, the report names them.
final class CLIModernBERTTests: CLITestCase {
    private static let fixtures = CLI.testsDirectory.appendingPathComponent("Fixtures/transformer")

    func testModernBERTRunEndToEnd() throws {
        let folder = directory.appendingPathComponent("modernbert")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("modernbert"), to: folder)
        let output = path("modernbert.h5"), n = 80
        try succeed(["run", "--model", folder.path, "--corpus", CLI.corpus.path, "--seq-len", "\(n)", "--sequences", "2",
                     "--threads", "2", "--dump-attention", "1", "--projection-dims", "4,8", "--quiet", "-o", output])
        let run = try RunFile(contentsOf: URL(fileURLWithPath: output))
        XCTAssertTrue(run.isComplete)
        XCTAssertEqual(run.metadata.modelType, "modernbert")
        XCTAssertFalse(run.metadata.causal)
        XCTAssertEqual([run.metadata.layers, run.metadata.heads, run.metadata.hiddenSize, run.metadata.sequenceLength], [4, 3, 36, n])
        XCTAssertEqual(run.metadata.attentionWindows, [-1, 10, 10, -1])
        // Bidirectional: Theorem 2 and pooling are computed.
        XCTAssertTrue(try run.contains("projection/theorem2/relative"))
        let p: [Float] = try run.read("attention/P")
        XCTAssertEqual(p.count, 4 * 3 * n * n)
        for layer in 0..<4 {
            for head in 0..<3 {
                for i in 0..<n {
                    let row = p[(((layer * 3 + head) * n + i) * n)...].prefix(n)
                    let outside = row.indices.filter { abs($0 - row.startIndex - i) > 10 }.map { row[$0] }
                    if layer == 1 || layer == 2 {
                        XCTAssertTrue(outside.allSatisfy { $0 == 0 }, "layer \(layer) head \(head) row \(i) is not banded")
                    } else {
                        XCTAssertTrue(outside.contains { $0 > 0 }, "global layer \(layer) head \(head) row \(i) is banded")
                    }
                    XCTAssertEqual(Double(row.reduce(0, +)), 1, accuracy: 1e-5)
                }
            }
        }
        let report = path("report")
        let result = try CLI.start(try CLI.binary("spectrum-report"), [output, "-o", report, "--k", "8"], in: directory).wait(timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        let html = try String(contentsOf: URL(fileURLWithPath: "\(report)/index.html"), encoding: .utf8)
        for fragment in ["attention window", "layers 2, 3 local", "symmetric sliding window", "half-width 10", "21 keys", "layers 1, 4 global"] {
            XCTAssertTrue(html.contains(fragment), "the report does not say '\(fragment)'")
        }
        try fail(["run", "--model", folder.path, "--corpus", CLI.corpus.path, "--seq-len", "97", "-o", path("long.h5")],
                 status: 64, mentioning: [folder.path, "97", "96"])
    }

    /// A causal sliding window (Mistral's `sliding_window` 7 on both layers) is recorded and reported as causal.
    func testMistralWindowIsRecordedAndReported() throws {
        let folder = directory.appendingPathComponent("mistral")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("mistral"), to: folder)
        let corpus = directory.appendingPathComponent("corpus.txt")
        try Data((0..<200).map { "Line \($0) of text for a sliding window." }.joined(separator: "\n").utf8).write(to: corpus)
        var options = AnalysisOptions()
        options.sequenceLength = 32
        options.sequences = 2
        options.threads = 2
        let file = try Analysis(modelDirectory: folder, corpus: corpus, options: options).run(output: directory.appendingPathComponent("run.h5"))
        XCTAssertEqual(file.metadata.attentionWindows, [7, 7])
        XCTAssertEqual(try RunFile(contentsOf: file.url).metadata.attentionWindows, [7, 7])
        let run = try ReportRun(runFile: file)
        let fact = try XCTUnwrap(run.facts.first { $0.key == "attention window" })
        XCTAssertTrue(fact.value.contains("layers 1, 2 local, causal sliding window of 7 keys (query i sees keys i − 6 … i)"), fact.value)
        XCTAssertFalse(fact.value.contains("global"), fact.value)
    }
}
