import Foundation
import XCTest
@testable import SpectrumReport

/// The per-layer small multiples: per-head curves of one run, and several runs overlaid.
final class CumulativePanelsTests: XCTestCase {
    private func render(_ runs: [ReportRun], k: Int, perHead: Bool = false) throws -> [String: String] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("unused")
        return Dictionary(uniqueKeysWithValues: try ReportWriter(runs: runs, options: ReportOptions(k: k, output: out, perHead: perHead)).render()
            .map { ($0.name, $0.contents) })
    }

    /// Mean over sequences of head (l, h)'s c_j, straight from the run's sums.
    private func headMean(_ run: ReportRun, _ l: Int, _ h: Int, _ j: Int) -> Double {
        run.cumulativeSum[(l * run.heads + h) * run.sequenceLength + j - 1] / Double(run.count)
    }

    func testPerHeadFigureDrawsEveryHeadOfEveryLayerWithItsOwnMean() throws {
        let run = SyntheticRuns.make(layers: 4, heads: 3, n: 32, sequences: 4)
        let files = try render([run], k: 8, perHead: true)
        let svg = try XCTUnwrap(files["cumulative_spectrum_heads.svg"])
        _ = try XMLCheck.parse(svg)
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 4 * 3, "one line per (layer, head)")
        for l in 0..<4 {
            for h in 0..<3 {
                XCTAssertTrue(svg.contains("<title>layer \(l + 1), head \(h + 1): c_8 = \(formatNumber(headMean(run, l, h, 8)))</title>"),
                              "layer \(l + 1) head \(h + 1)")
            }
        }
        // The caption's per-layer spread is the min and max over heads of c_8.
        let html = try XCTUnwrap(files["index.html"])
        let values = (0..<3).map { headMean(run, 2, $0, 8) }
        XCTAssertTrue(html.contains("layer 3: \(formatNumber(values.min()!))–\(formatNumber(values.max()!))"), "caption spread of layer 3")
        XCTAssertNil(try render([run], k: 8)["cumulative_spectrum_heads.svg"], "only with --per-head")
    }

    func testOverlayOfRunsPerLayerMatchesTheLayerMeanOfEachRun() throws {
        let a = SyntheticRuns.make(label: "trained", layers: 4, heads: 3, n: 32, sequences: 4)
        let b = SyntheticRuns.make(label: "untrained", layers: 3, heads: 3, n: 32, sequences: 5, seed: 11)
        let files = try render([a, b], k: 8)
        XCTAssertNil(try render([a], k: 8)["cumulative_spectrum_layers.svg"], "a single run has no overlay")
        let svg = try XCTUnwrap(files["cumulative_spectrum_layers.svg"])
        _ = try XMLCheck.parse(svg)
        // Layer 4 exists only in the first run: 4 + 3 lines.
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 7)
        let rows = CSVReader.parse(try XCTUnwrap(files["cumulative_spectrum_layers.csv"]))
        XCTAssertEqual(rows.first, ["run", "n", "layer", "index", "fraction", "mean"])
        XCTAssertEqual(rows.count, 1 + (4 + 3) * 32)
        for (run, layer, j) in [(a, 4, 8), (b, 2, 1), (b, 3, 32), (a, 1, 17)] {
            let expected = (0..<3).map { headMean(run, layer - 1, $0, j) }.reduce(0, +) / 3
            let row = try XCTUnwrap(rows.first { $0[0] == run.label && $0[2] == "\(layer)" && $0[3] == "\(j)" })
            XCTAssertEqual(Double(row[5])!, expected, accuracy: 5e-6 * expected, "\(run.label) layer \(layer) j \(j)")
        }
        let layerTwo = [a, b].map { run in (0..<3).map { headMean(run, 1, $0, 8) }.reduce(0, +) / 3 }
        let highest = layerTwo[0] >= layerTwo[1] ? "trained" : "untrained"
        XCTAssertTrue(try XCTUnwrap(files["summary.md"]).contains("layer 2: \(formatNumber(layerTwo.min()!))–\(formatNumber(layerTwo.max()!)) (highest: \(highest))"))
    }
}
