import Foundation
import XCTest
@testable import SpectrumReport

/// The report's additions beyond the paper on synthetic runs: the "which k" table against the k
/// computed here from the mean curves, the fitted projection and max pooling in the projection-error
/// figure, and k_vs_n only for runs that differ in n.
final class BeyondThePaperReportTests: XCTestCase {
    func testRecommendationTableEqualsTheSmallestJOfTheMeanCurves() throws {
        let run = SyntheticRuns.make(layers: 3, heads: 4, n: 64, sequences: 4)
        let table = try XCTUnwrap(ReportTables(runs: [RunStatistics(run)], k: 16).recommendation)
        for layer in 0..<3 {
            let ks = (0..<4).map { head -> Int in
                let base = (layer * 4 + head) * 64
                return ((0..<64).first { run.cumulativeSum[base + $0] / 4 >= 0.9 } ?? 63) + 1
            }
            XCTAssertEqual(table.rows[layer][2], "\(ks.max() ?? 0)", "layer \(layer + 1)")
            XCTAssertEqual(table.rows[layer][3], "\(ks.min() ?? 0)–\(ks.max() ?? 0)")
        }
        XCTAssertEqual(table.rows[3][1], "uniform")
    }

    func testProjectionFigureShowsFittedAndMaxPoolingOnlyWhenPresent() throws {
        var run = SyntheticRuns.make(layers: 2, heads: 3, n: 64, sequences: 5)
        let plain = ProjectionErrorFigure(runs: [RunStatistics(run)]).make()
        XCTAssertFalse(plain.svg?.xml.contains("fitted") ?? true)
        let size = 2 * 3 * (run.projection?.projectionDimensions.count ?? 0)
        var projection = try XCTUnwrap(run.projection)
        projection.maxPoolingRelative = projection.poolingRelative.map { $0 * 1.5 }
        projection.fittedMedian = (0..<(2 * size)).map { 0.01 * Double($0 % 7 + 1) }     // S_test = 2
        projection.fittedLinformerRelative = projection.fittedMedian
        run.projection = projection
        try run.validate()
        let figure = ProjectionErrorFigure(runs: [RunStatistics(run)]).make()
        let svg = try XCTUnwrap(figure.svg?.xml)
        XCTAssertTrue(svg.contains("max pooling E = F"))
        XCTAssertTrue(svg.contains("fitted U_k U_kᵀ (held out)"))
        XCTAssertTrue(figure.caption.contains("fitted k = 4"), figure.caption)
        XCTAssertTrue(figure.csv?.text.contains("fitted_projection") ?? false)
        // The fitted spread is over the held-out rows only.
        let spread = RunStatistics(run).projectionSpread(.fitted, kIndex: 0, layer: nil)
        let K = run.projection?.projectionDimensions.count ?? 1
        var values: [Double] = []
        for row in 0..<(2 * 2 * 3) { values.append(0.01 * Double((row * K) % 7 + 1)) }
        XCTAssertEqual(spread.median, quantile(values, 0.5), accuracy: 1e-12)
    }

    func testKVersusNNeedsOneSeriesAtTwoOrMoreLengths() throws {
        let a = SyntheticRuns.make(label: "n=32", layers: 2, heads: 3, n: 32), b = SyntheticRuns.make(label: "n=64", layers: 2, heads: 3, n: 64)
        var sa = a, sb = b
        sa.series = "model · corpus"
        sb.series = "model · corpus"
        let data = KVersusN(runs: [sa, sb], k: 8)
        XCTAssertEqual(data.series.count, 1)
        XCTAssertEqual(data.series[0].layers[0].points.map(\.n), [32, 64])
        let p = data.series[0].layers[1].points
        let expected = (log(p[1].k90.median) - log(p[0].k90.median)) / (log(64) - log(32))
        XCTAssertEqual(data.series[0].layers[1].slope90, expected, accuracy: 1e-12)
        XCTAssertTrue(KVersusN(runs: [a, b], k: 8).series.isEmpty, "different labels, no series")
        let files = try ReportWriter(runs: [sa, sb], options: ReportOptions(k: 8, output: URL(fileURLWithPath: "/nonexistent"))).render()
        XCTAssertTrue(files.contains { $0.name == "k_vs_n.svg" })
        XCTAssertTrue(files.contains { $0.name == "k_vs_n.csv" })
        XCTAssertFalse(try ReportWriter(runs: [a], options: ReportOptions(k: 8, output: URL(fileURLWithPath: "/x"))).render().contains { $0.name == "k_vs_n.svg" })
    }
}
