import Foundation
import XCTest
import SpectrumAnalysis

/// The README's library example, kept compiling and running: the API calls are verbatim, only the
/// paths point at the tiny RoBERTa fixture and a temporary folder.
final class ReadmeExampleTests: XCTestCase {
    func testReadmeExampleRuns() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let modelPath = AnalysisFixtures.tinyRoberta.path
        let corpusPath = AnalysisFixtures.corpus.path
        let outputPath = folder.appendingPathComponent("run.h5").path

        // --- README snippet (paths substituted) ---
        var options = AnalysisOptions()
        options.sequenceLength = 128
        options.sequences = 4
        let analysis = try Analysis(modelDirectory: URL(fileURLWithPath: modelPath),
                                    corpus: URL(fileURLWithPath: corpusPath), options: options)
        let run = try analysis.run(output: URL(fileURLWithPath: outputPath))
        print(try run.summary(k: 32).formattedTable())
        // --- end of snippet ---

        XCTAssertEqual(run.sequenceCount, 4)
        XCTAssertTrue(run.isComplete)
        let table = try run.summary(k: 32).formattedTable()
        XCTAssertTrue(table.contains("mean c_32"), table)
        XCTAssertEqual(table.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("1 ") }.count, 1, table)
    }
}
