import Foundation
import XCTest
@testable import SpectrumReport

final class ReportWriterTests: XCTestCase {
    private func files(_ runs: [ReportRun], k: Int = 16) throws -> [String: String] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("unused")
        return Dictionary(uniqueKeysWithValues: try ReportWriter(runs: runs, options: ReportOptions(k: k, output: out)).render()
            .map { ($0.name, $0.contents) })
    }

    func testEverySVGIsWellFormedWithViewBoxAndTextStaysInsideWithoutOverlap() throws {
        let runs = [SyntheticRuns.make(), SyntheticRuns.make(label: "second, \"quoted\" run", layers: 3, heads: 4, n: 64, seed: 9)]
        for figures in [[runs[0]], runs] {
            let stats = figures.map(RunStatistics.init)
            let svgs = [CumulativeSpectrumFigure(runs: stats, k: 16).make(), HeatmapFigure(runs: stats, k: 16).make(),
                        ProjectionErrorFigure(runs: stats).make(), EffectiveRankFigure(runs: stats).make(),
                        CumulativePanelsFigure(runs: [stats[0]], kind: .heads, k: 16).make(stem: "heads"),
                        CumulativePanelsFigure(runs: stats, kind: .runs, k: 16).make(stem: "layers")].compactMap(\.svg)
            XCTAssertEqual(svgs.count, 6)
            for svg in svgs {
                let xml = try XMLCheck.parse(svg.xml)
                XCTAssertEqual(xml.rootAttributes["viewBox"], "0 0 \(SVGDocument.num(svg.width)) \(SVGDocument.num(svg.height))")
                let frame = Box(x: 0, y: 0, width: svg.width, height: svg.height)
                for (text, box) in svg.textBoxes { XCTAssertTrue(box.isInside(frame), "\(svg.idPrefix): '\(text)' at \(box) overflows") }
                for (i, a) in svg.textBoxes.enumerated() {
                    for b in svg.textBoxes[(i + 1)...] where a.box.intersects(b.box) {
                        XCTFail("\(svg.idPrefix): '\(a.text)' overlaps '\(b.text)'")
                    }
                }
            }
        }
        let written = try files(runs)
        XCTAssertEqual(Set(written.keys), ["cumulative_spectrum.svg", "cumulative_spectrum.csv", "heatmap_k16.svg", "heatmap_k16.csv",
                                           "projection_error.svg", "projection_error.csv", "effective_rank.svg", "effective_rank.csv",
                                           "cumulative_spectrum_layers.svg", "cumulative_spectrum_layers.csv", "index.html", "summary.md"])
        let html = try XCTUnwrap(written["index.html"])
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 5, "all five SVGs are inline")
        XCTAssertFalse(html.contains("http://") && html.contains("<script"), "no scripts")
        XCTAssertFalse(html.contains("src=\"http"), "no network resources")
    }

    func testHeatmapCellColoursFollowViridis() throws {
        let run = SyntheticRuns.make()
        let k = 16
        let svg = try XCTUnwrap(HeatmapFigure(runs: [RunStatistics(run)], k: k).make().svg)
        let rects = try XMLCheck.parse(svg.xml).rects.filter { $0.title.hasPrefix("layer ") }
        XCTAssertEqual(rects.count, run.layers * run.heads)
        // Independent means and colour domain (data range widened to multiples of the tick step).
        let means = (0..<(run.layers * run.heads)).map { run.cumulativeSum[$0 * run.sequenceLength + k - 1] / Double(run.count) }
        let domain = LinearScale.niceDomain(lo: means.min()!, hi: means.max()!, count: 5)
        for rect in rects {
            let numbers = rect.title.split(separator: ",").map { $0.split(whereSeparator: { $0 == " " || $0 == ":" }).compactMap { Int($0) } }
            let layer = numbers[0][0] - 1, head = numbers[1][0] - 1
            let expected = ColorMap.viridis.color((means[layer * run.heads + head] - domain.0) / (domain.1 - domain.0)).hex
            XCTAssertEqual(rect.attributes["fill"], expected, rect.title)
            XCTAssertTrue(rect.title.contains(formatNumber(means[layer * run.heads + head])), rect.title)
        }
    }

    func testCaptionAndSummaryNumbersMatchIndependentComputation() throws {
        let run = SyntheticRuns.make(layers: 4, heads: 6, n: 64, sequences: 5)
        let k = 16, n = run.sequenceLength
        let written = try files([run], k: k)
        let summary = try XCTUnwrap(written["summary.md"])
        // Mean c_k over all heads, and per layer.
        var layerMeans: [Double] = []
        for l in 0..<run.layers {
            let cells = (0..<run.heads).map { run.cumulativeSum[(l * run.heads + $0) * n + k - 1] / Double(run.count) }
            layerMeans.append(cells.reduce(0, +) / Double(run.heads))
        }
        let overall = layerMeans.reduce(0, +) / Double(run.layers)
        XCTAssertTrue(summary.contains("the all-heads mean is c_k = \(formatNumber(overall))"), "overall c_k \(overall)")
        for (l, mean) in layerMeans.enumerated() {
            XCTAssertTrue(summary.contains("L\(l + 1) \(formatNumber(mean))"), "layer \(l + 1) mean \(mean)")
            XCTAssertTrue(summary.contains("| \(l + 1) | \(String(format: "%.3f", mean)) |"), "table row of layer \(l + 1)")
        }
        // The synthetic σ decay faster in higher layers, so c_k rises monotonically with depth.
        XCTAssertEqual(layerMeans, layerMeans.sorted())
        XCTAssertTrue(summary.contains("Spearman ρ(layer, c_k) = 1: higher layers are more skewed, as the paper reports."), summary)
        // Smallest k with all-heads median Theorem 1 error below ε.
        let p = try XCTUnwrap(run.projection)
        for e in p.epsilons {
            let found = p.projectionDimensions.indices.first { i -> Bool in
                var values: [Double] = []
                for cell in 0..<(run.sequenceCount * run.layers * run.heads) { values.append(p.theorem1Median[cell * p.projectionDimensions.count + i]) }
                values.sort()
                let m = values.count
                let median = m % 2 == 1 ? values[m / 2] : (values[m / 2 - 1] + values[m / 2]) / 2
                return median < e
            }
            let expected = found.map { "Theorem 1 k = \(p.projectionDimensions[$0])" } ?? "Theorem 1 none ≤ \(p.projectionDimensions.last!)"
            XCTAssertTrue(summary.contains("ε = \(formatNumber(e)): \(expected)"), "ε = \(e): \(expected)")
        }
        // The caption names mean pooling too, and the legend says what the lines are, as the caption does.
        XCTAssertTrue(summary.contains("mean pooling k = ") || summary.contains("mean pooling none"), summary)
        XCTAssertTrue(written["projection_error.svg"]!.contains("median, 25–75 % band"))
        XCTAssertFalse(written["projection_error.svg"]!.contains("median over heads"))
        // Median k90 of layer 1 (over sequences and heads).
        var k90 = (0..<run.sequenceCount).flatMap { s in (0..<run.heads).map { Double(run.k90[s * run.layers * run.heads + $0]) } }
        k90.sort()
        let median = (k90[k90.count / 2 - 1] + k90[k90.count / 2]) / 2
        XCTAssertTrue(summary.contains("Median k90 is \(formatNumber(median, digits: 1)) in layer 1"), "\(median) in \(summary)")
        // The mean curve's 90 % index.
        let curve = (0..<n).map { j in (0..<(run.layers * run.heads)).map { run.cumulativeSum[$0 * n + j] }.reduce(0, +) / Double(run.count * run.layers * run.heads) }
        let j90 = curve.firstIndex { $0 >= 0.9 }! + 1
        XCTAssertTrue(summary.contains("reaches 0.9 at j = \(j90) "))
        for fact in run.facts { XCTAssertTrue(summary.contains(fact.value), fact.key) }
    }

    func testTidyCSVsHaveHeadersAndOneObservationPerRow() throws {
        let run = SyntheticRuns.make()
        let written = try files([run])
        let cumulative = CSVReader.parse(try XCTUnwrap(written["cumulative_spectrum.csv"]))
        XCTAssertEqual(cumulative[0], ["run", "n", "layer", "head", "index", "fraction", "mean", "std"])
        XCTAssertEqual(cumulative.count - 1, (run.layers + 1) * run.sequenceLength)
        let heat = CSVReader.parse(try XCTUnwrap(written["heatmap_k16.csv"]))
        XCTAssertEqual(heat[0], ["run", "k", "layer", "head", "mean", "std"])
        XCTAssertEqual(heat.count - 1, run.layers * run.heads)
        // CSV numbers carry 6 significant digits (CSVWriter.number).
        XCTAssertEqual(Double(heat[1][4])!, run.cumulativeSum[15] / Double(run.count), accuracy: 5e-6 * abs(run.cumulativeSum[15] / Double(run.count)))
        for name in ["projection_error.csv", "effective_rank.csv"] {
            let rows = CSVReader.parse(try XCTUnwrap(written[name]))
            XCTAssertTrue(rows.dropFirst().allSatisfy { $0.count == rows[0].count }, name)
        }
    }

    func testRunWithoutProjectionSkipsThatFigureWithANote() throws {
        let written = try files([SyntheticRuns.make(projection: false)])
        XCTAssertNil(written["projection_error.svg"])
        XCTAssertNil(written["projection_error.csv"])
        XCTAssertTrue(written["summary.md"]!.contains("Skipped: no run has projection results"))
        XCTAssertTrue(written["index.html"]!.contains("has no projection results"))
        XCTAssertNotNil(written["heatmap_k16.svg"])
    }

    func testDifferentSequenceLengthsAreNormalisedToJOverN() throws {
        let a = SyntheticRuns.make(label: "n64", n: 64), b = SyntheticRuns.make(label: "n32", n: 32, projection: false)
        let written = try files([a, b])
        let summary = try XCTUnwrap(written["summary.md"])
        XCTAssertTrue(summary.contains("different sequence lengths (n = 32, 64), so the x axis is the normalised index j / n"))
        XCTAssertTrue(written["cumulative_spectrum.svg"]!.contains("normalised singular value index j / n"))
        let rows = CSVReader.parse(written["cumulative_spectrum.csv"]!)
        let last32 = try XCTUnwrap(rows.last { $0[0] == "n32" })
        XCTAssertEqual(last32[5], "1")
        XCTAssertThrowsError(try files([a, SyntheticRuns.make(label: "n64")])) { error in
            XCTAssertTrue("\(error)".contains("more than one run"))
        }
    }

    /// k_JL and the failure bound depend on n: runs of different n get one labelled block each.
    func testTheoryTableHasOneBlockPerSequenceLength() throws {
        let written = try files([SyntheticRuns.make(label: "n64", n: 64), SyntheticRuns.make(label: "n32", n: 32)])
        let summary = try XCTUnwrap(written["summary.md"])
        let rows = summary.split(separator: "\n").filter { $0.hasPrefix("| 32 | ") || $0.hasPrefix("| 64 | ") }
        XCTAssertEqual(Set(rows.map { String($0.prefix(7)) }), ["| 32 | ", "| 64 | "], summary)
        XCTAssertTrue(summary.contains("| n | ε | k_JL(ε)"), summary)
        // k_JL(0.5) = 5 ln n / 0.125: 139 at n = 32, 166 at n = 64.
        XCTAssertTrue(rows.contains { $0.hasPrefix("| 32 | 0.5 | 139") }, "\(rows)")
        XCTAssertTrue(rows.contains { $0.hasPrefix("| 64 | 0.5 | 166") }, "\(rows)")
    }

    /// `--log-x`, `--per-head` and PNG/PDF copies (through librsvg's rsvg-convert, installed by `make setup`).
    func testLogAxisPerHeadCurvesAndImageCopies() throws {
        let run = SyntheticRuns.make(layers: 2, heads: 3, n: 32, sequences: 4)
        let base = try SyntheticRuns.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        let output = base.appendingPathComponent("report")
        let options = ReportOptions(k: 8, output: output, logX: true, perHead: true, imageFormats: [.png, .pdf])
        let names = try ReportWriter(runs: [run], options: options).write()
        XCTAssertTrue(names.contains("cumulative_spectrum_heads.csv"))
        let svg = try String(contentsOf: output.appendingPathComponent("cumulative_spectrum.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("log scale"), "no log axis label")
        _ = try XMLCheck.parse(svg)
        // One row per (layer, head, j); head 2 of layer 1 at j = 8 is its own sum / count.
        let rows = CSVReader.parse(try String(contentsOf: output.appendingPathComponent("cumulative_spectrum_heads.csv"), encoding: .utf8))
        XCTAssertEqual(rows.count, 1 + 2 * 3 * 32)
        let row = try XCTUnwrap(rows.first { $0[2] == "1" && $0[3] == "2" && $0[4] == "8" })
        let expected = run.cumulativeSum[(0 * 3 + 1) * 32 + 7] / Double(run.count)
        XCTAssertEqual(Double(row[6])!, expected, accuracy: 5e-6 * expected)
        for stem in ["cumulative_spectrum", "heatmap_k8", "projection_error", "effective_rank"] {
            let png = try Data(contentsOf: output.appendingPathComponent("\(stem).png"))
            XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(stem).png is not a PNG")
            let pdf = try Data(contentsOf: output.appendingPathComponent("\(stem).pdf"))
            XCTAssertEqual(String(decoding: pdf.prefix(5), as: UTF8.self), "%PDF-", "\(stem).pdf is not a PDF")
        }
    }

    func testBadShapesAndKAreClearErrors() {
        var run = SyntheticRuns.make()
        run.k90.removeLast()
        XCTAssertThrowsError(try files([run])) { error in
            XCTAssertEqual(error as? ReportError, .invalidInput(run: run.label, field: "k90", problem: "expected [S, L, H] = 120 values, got 119"))
        }
        XCTAssertThrowsError(try files([SyntheticRuns.make()], k: 0)) { XCTAssertEqual($0 as? ReportError, .invalidK(0)) }
        XCTAssertThrowsError(try files([])) { XCTAssertEqual($0 as? ReportError, .noRuns) }
    }

    func testWriteIsAtomicIdempotentAndRefusesUnwritableOutput() throws {
        let base = try SyntheticRuns.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        let output = base.appendingPathComponent("report")
        let run = SyntheticRuns.make()
        try ReportWriter(runs: [run], options: ReportOptions(k: 16, output: output)).write()
        let stale = output.appendingPathComponent("stale.txt")
        try Data("old".utf8).write(to: stale)
        let first = try Data(contentsOf: output.appendingPathComponent("index.html"))
        let names = try ReportWriter(runs: [run], options: ReportOptions(k: 16, output: output)).write()
        XCTAssertEqual(try Data(contentsOf: output.appendingPathComponent("index.html")), first, "same input, same bytes")
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale.path), "the folder is replaced as a whole")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: output.path)), Set(names))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base.path), ["report"], "no temporary folders left")

        // A regular file where a parent folder should be: unwritable even for root.
        let blocker = base.appendingPathComponent("blocker")
        try Data("x".utf8).write(to: blocker)
        let bad = blocker.appendingPathComponent("report")
        XCTAssertThrowsError(try ReportWriter(runs: [run], options: ReportOptions(output: bad)).write()) { error in
            guard case .outputNotWritable(let path, _)? = error as? ReportError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, bad.path)
            XCTAssertTrue("\(error)".contains("nothing was written"))
        }
        let fileTarget = base.appendingPathComponent("blocker")
        XCTAssertThrowsError(try ReportWriter(runs: [run], options: ReportOptions(output: fileTarget)).write())
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: base.path)), ["report", "blocker"])
        XCTAssertEqual(try Data(contentsOf: blocker), Data("x".utf8))
    }
}
