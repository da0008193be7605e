import XCTest
@testable import SpectrumAnalysis
@testable import SpectrumMetrics
@testable import RunFormat
@testable import Corpus

final class SpectrumMetricsTests: XCTestCase {
    func testCumulativeCurveAndRanksOfAKnownSpectrum() throws {
        // σ = (4, 3, 2, 1): Σσ = 10, c = (0.4, 0.7, 0.9, 1.0).
        let spectrum = try HeadSpectrum(sigma: [4, 3, 2, 1])
        XCTAssertEqual(spectrum.cumulative, [0.4, 0.7, 0.9, 1.0], accuracy: 1e-15)
        XCTAssertEqual(spectrum.k90, 3)
        XCTAssertEqual(spectrum.k95, 4)
        XCTAssertEqual(spectrum.k99, 4)
        let p = [0.4, 0.3, 0.2, 0.1]
        let entropy = -p.reduce(0) { $0 + $1 * log($1) }
        XCTAssertEqual(spectrum.entropyRank, exp(entropy), accuracy: 1e-12)
        XCTAssertEqual(spectrum.stableRank, 30.0 / 16.0, accuracy: 1e-15)
    }

    func testRankOneMatrixHasUnitRanks() throws {
        let spectrum = try HeadSpectrum(sigma: [2, 0, 0, 0, 0])
        XCTAssertEqual(spectrum.k90, 1)
        XCTAssertEqual(spectrum.k99, 1)
        XCTAssertEqual(spectrum.entropyRank, 1, accuracy: 1e-15)
        XCTAssertEqual(spectrum.stableRank, 1, accuracy: 1e-15)
    }

    func testFlatSpectrumHasFullRanks() throws {
        let n = 64
        let spectrum = try HeadSpectrum(sigma: Array(repeating: 0.5, count: n))
        XCTAssertEqual(spectrum.entropyRank, Double(n), accuracy: 1e-9)
        XCTAssertEqual(spectrum.stableRank, Double(n), accuracy: 1e-9)
        XCTAssertEqual(spectrum.k90, Int32((0.9 * Double(n)).rounded(.up)))
    }

    func testNonFiniteOrZeroSpectrumIsAnErrorNamingTheHead() {
        XCTAssertThrowsError(try HeadSpectrum(sigma: [1, .nan], context: "layer 3, head 7")) { error in
            XCTAssertTrue(String(describing: error).contains("layer 3, head 7"))
        }
        XCTAssertThrowsError(try HeadSpectrum(sigma: [0, 0], context: "x"))
    }

    func testAggregatesOfTwoHalvesMergeToTheWhole() throws {
        var whole = SpectrumAggregate(layers: 2, heads: 3, sequenceLength: 4)
        var first = whole, second = whole
        var generator = SeededGenerator(seed: 7)
        for sequence in 0..<10 {
            for layer in 0..<2 {
                for head in 0..<3 {
                    let sigma = (0..<4).map { _ in generator.nextOpenUnit() }.sorted(by: >)
                    let spectrum = try HeadSpectrum(sigma: sigma)
                    whole.add(spectrum, layer: layer, head: head)
                    if sequence < 4 { first.add(spectrum, layer: layer, head: head) } else { second.add(spectrum, layer: layer, head: head) }
                }
            }
        }
        try first.merge(second)
        XCTAssertEqual(first.count, whole.count)
        for i in whole.cumulativeSum.indices {
            XCTAssertEqual(first.cumulativeSum[i], whole.cumulativeSum[i], accuracy: 1e-12 * whole.cumulativeSum[i])
            XCTAssertEqual(first.cumulativeSumSquares[i], whole.cumulativeSumSquares[i], accuracy: 1e-12 * whole.cumulativeSumSquares[i])
        }
        XCTAssertThrowsError(try first.merge(SpectrumAggregate(layers: 1, heads: 3, sequenceLength: 4)))
    }
}

func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "lengths differ", file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
