import Foundation
import XCTest
@testable import SpectrumReport

/// Writes a realistic sample report (6 layers × 12 heads, n = 512) when
/// `SPECTRUM_REPORT_SAMPLE_DIR` is set, for looking at it in a browser (`scripts/report-check.sh`).
final class SampleReportTests: XCTestCase {
    func testWriteSampleReportWhenRequested() throws {
        guard let dir = ProcessInfo.processInfo.environment["SPECTRUM_REPORT_SAMPLE_DIR"] else {
            throw XCTSkip("set SPECTRUM_REPORT_SAMPLE_DIR to write a sample report")
        }
        let run = SyntheticRuns.make(label: "all-MiniLM-L6-v2 · jargon · n=512", layers: 6, heads: 12, n: 512, sequences: 8)
        let base = URL(fileURLWithPath: dir)
        try ReportWriter(runs: [run], options: ReportOptions(k: 128, output: base.appendingPathComponent("single"))).write()
        let other = SyntheticRuns.make(label: "roberta-base · imdb · n=256", layers: 12, heads: 12, n: 256, sequences: 4, projection: false, seed: 3)
        try ReportWriter(runs: [run, other], options: ReportOptions(k: 128, title: "Overlay sample", output: base.appendingPathComponent("overlay"))).write()
    }
}
