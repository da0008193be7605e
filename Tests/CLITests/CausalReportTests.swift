import Foundation
import XCTest
@testable import SpectrumReport
import SpectrumAnalysis

/// (In CLITests because it runs the pipeline, which SpectrumReportTests does not link.)
/// The report of a causal decoder run: Theorem 2 and pooling appear as not applicable (with the
/// reason), never as numbers, and P's lower-triangular structure is stated.
final class CausalReportTests: XCTestCase {
    func testCausalRunReportsTheorem2AndPoolingAsNotApplicable() throws {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("causal-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let corpus = directory.appendingPathComponent("corpus.txt")
        try Data((0..<200).map { "Line \($0) of text for a causal report." }.joined(separator: "\n").utf8).write(to: corpus)
        var options = AnalysisOptions()
        options.sequenceLength = 32
        options.sequences = 2
        options.threads = 2
        options.projection = ProjectionOptions(projectionDimensions: [4, 8], trials: 1, delta: nil)
        let analysis = try Analysis(modelDirectory: tests.appendingPathComponent("Fixtures/transformer/gpt2"), corpus: corpus, options: options)
        let file = try analysis.run(output: directory.appendingPathComponent("run.h5"))
        let run = try ReportRun(runFile: file)
        XCTAssertTrue(run.facts.contains { $0.key == "Theorem 2 and pooling" && $0.value.contains("not applicable") })
        XCTAssertTrue(run.facts.contains { $0.key == "attention" && $0.value.contains("lower-triangular") })
        let statistics = RunStatistics(run)
        XCTAssertFalse(statistics.isApplicable(.theorem2))
        XCTAssertFalse(statistics.isApplicable(.pooling))
        XCTAssertTrue(statistics.isApplicable(.theorem1))
        let documents = Dictionary(uniqueKeysWithValues: try ReportWriter(runs: [run], options: ReportOptions(k: 8, output: directory.appendingPathComponent("report"))).render()
            .map { ($0.name, $0.contents) })
        let text = documents.values.joined(separator: "\n")
        XCTAssertTrue(text.contains("not applicable"))
        XCTAssertTrue(text.contains("n/a (causal)"), "the per-layer table marks Theorem 2 as not applicable")
        XCTAssertTrue(text.contains("theorem1"), "Theorem 1 is still reported")
        XCTAssertFalse(text.contains("theorem2_linformer,"), "no Theorem 2 rows in the CSV")
        XCTAssertFalse(text.lowercased().contains("nan"), "no NaN anywhere in the report")
    }
}
