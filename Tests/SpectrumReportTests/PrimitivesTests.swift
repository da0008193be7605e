import Foundation
import XCTest
@testable import SpectrumReport

final class PrimitivesTests: XCTestCase {
    func testCSVQuotingFollowsRFC4180AndRoundTrips() {
        XCTAssertEqual(CSVWriter.escape("plain"), "plain")
        XCTAssertEqual(CSVWriter.escape("a,b"), "\"a,b\"")
        XCTAssertEqual(CSVWriter.escape("say \"hi\""), "\"say \"\"hi\"\"\"")
        XCTAssertEqual(CSVWriter.escape("two\nlines"), "\"two\nlines\"")
        var csv = CSVWriter(columns: ["run", "value"])
        let rows = [["model · corpus, n=512", "0.5"], ["quote \"x\"", "NaN"], ["multi\r\nline", ""]]
        for row in rows { csv.append(row) }
        XCTAssertTrue(csv.text.hasPrefix("run,value\r\n"))
        XCTAssertEqual(CSVReader.parse(csv.text), [["run", "value"]] + rows)
        XCTAssertEqual(CSVWriter.number(.nan), "NaN")
        XCTAssertEqual(CSVWriter.number(0.25), "0.25")
    }

    func testLinearTicksAreNiceAndInsideTheDomain() {
        XCTAssertEqual(LinearScale.niceTicks(lo: 0, hi: 1, count: 5), [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(LinearScale.niceTicks(lo: 1, hi: 512, count: 8), [100, 200, 300, 400, 500])
        XCTAssertEqual(LinearScale.niceTicks(lo: 0.83, hi: 0.99, count: 5), [0.85, 0.9, 0.95])
        let d = LinearScale.niceDomain(lo: 0.837, hi: 0.981, count: 5)
        XCTAssertEqual(d.0, 0.8, accuracy: 1e-12)
        XCTAssertEqual(d.1, 1.0, accuracy: 1e-12)
        let s = LinearScale(domain: (0, 10), range: (100, 0))
        XCTAssertEqual(s(2.5), 75, accuracy: 1e-12)
    }

    func testLogScaleTicksAndMapping() {
        let s = LogScale(domain: (0.01, 1), range: (0, 200))
        XCTAssertEqual(s(0.1), 100, accuracy: 1e-9)
        XCTAssertEqual(s.ticks(), [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1].map { $0 }, accuracy: 1e-12)
        XCTAssertEqual(LogScale(domain: (1e-4, 1), range: (0, 1)).ticks(), [1e-4, 1e-3, 1e-2, 0.1, 1], accuracy: 1e-15)
        let nice = LogScale.niceDomain(lo: 0.031, hi: 0.73)
        XCTAssertEqual(nice.0, 0.02, accuracy: 1e-12)
        XCTAssertEqual(nice.1, 1.0, accuracy: 1e-12)
    }

    func testViridisEndpointsAndInterpolation() {
        XCTAssertEqual(ColorMap.viridis.color(0).hex, "#440154")
        XCTAssertEqual(ColorMap.viridis.color(1).hex, "#fde725")
        XCTAssertEqual(ColorMap.viridis.color(0.5).hex, "#21908c")
        // Halfway between the 0.0 and 0.1 stops.
        let mid = ColorMap.viridis.color(0.05)
        XCTAssertEqual(mid.r * 255, (0x44 + 0x48) / 2.0, accuracy: 1e-9)
        XCTAssertEqual(mid.g * 255, (0x01 + 0x25) / 2.0, accuracy: 1e-9)
        XCTAssertEqual(ColorMap.viridis.color(-3).hex, "#440154")
    }

    func testSVGEscapingAndTextWidthEstimate() {
        XCTAssertEqual(SVGDocument.escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
        XCTAssertGreaterThan(TextMetrics.width("WWW", size: 10), TextMetrics.width("iii", size: 10) * 3)
        // Helvetica "100" is 3 × 0.556 em; the estimate adds its 6 % margin.
        XCTAssertEqual(TextMetrics.width("100", size: 10), 3 * 5.56 * 1.06, accuracy: 1e-9)
        var svg = SVGDocument(width: 100, height: 50, idPrefix: "t")
        svg.text("<&>", x: 10, y: 10, size: 10)
        XCTAssertTrue(svg.xml.contains("&lt;&amp;&gt;"))
        XCTAssertTrue(svg.xml.contains("viewBox=\"0 0 100 50\""))
        XCTAssertNoThrow(try XMLCheck.parse(svg.xml))
    }

    func testQuantileAndSpearmanMatchHandValues() {
        XCTAssertEqual(quantile([4, 1, 3, 2], 0.5), 2.5, accuracy: 1e-12)
        XCTAssertEqual(quantile([1, 2, 3, 4, 5], 0.25), 2, accuracy: 1e-12)
        XCTAssertEqual(quantile([10, 20], 0.75), 17.5, accuracy: 1e-12)
        XCTAssertEqual(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1, accuracy: 1e-12)
        XCTAssertEqual(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1, accuracy: 1e-12)
        XCTAssertTrue(spearman([1, 2, 3], [5, 5, 5]).isNaN)
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(a) vs \(b)", file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, "\(a) vs \(b)", file: file, line: line) }
}
