import Foundation
import XCTest
@testable import SpectrumMetrics

/// The four-lane exponential against libm, and the softmax built on it against a scalar reference.
final class VectorExpTests: XCTestCase {
    /// Distance in units of the last place of `reference` (for normal results).
    private func ulps(_ value: Double, _ reference: Double) -> Double { abs(value - reference) / reference.ulp }

    func testWithinTwoUlpOfLibmOverTheWholeRange() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) * 0x1p-53
        }
        var worst = 0.0
        var inputs: [Double] = (0..<200_000).map { _ in -745 + uniform() * (709.7 + 745) }
        inputs += (0..<20_000).map { _ in (uniform() - 0.5) * 1e-6 }      // near 0
        inputs += [0, -0.0, 1, -1, 0.5 * log(2.0), -0.5 * log(2.0), 709.7, -708.3, -700, 1e-300, -1e-300]
        for start in stride(from: 0, to: inputs.count - 3, by: 4) {
            let x = SIMD4(inputs[start], inputs[start + 1], inputs[start + 2], inputs[start + 3])
            let e = VectorExp.exp(x)
            for lane in 0..<4 where Foundation.exp(x[lane]).isNormal {
                worst = max(worst, ulps(e[lane], Foundation.exp(x[lane])))
            }
        }
        XCTAssertLessThanOrEqual(worst, 2, "worst error \(worst) ulp")
    }

    func testSpecialValuesAndTheSubnormalRange() {
        let e = VectorExp.exp(SIMD4(.nan, .infinity, -.infinity, 710))
        XCTAssertTrue(e[0].isNaN)
        XCTAssertEqual(e[1], .infinity)
        XCTAssertEqual(e[2], 0)
        XCTAssertEqual(e[3], .infinity)
        let tiny = VectorExp.exp(SIMD4(-744, -730, -746, -800))
        XCTAssertEqual(tiny[0], Foundation.exp(-744), accuracy: 2 * Double.leastNonzeroMagnitude)
        XCTAssertEqual(tiny[1], Foundation.exp(-730), accuracy: 1e-3 * Foundation.exp(-730))
        XCTAssertEqual(tiny[2], 0)
        XCTAssertEqual(tiny[3], 0)
    }

    func testSoftmaxMatchesTheScalarDefinition() {
        for count in [1, 3, 4, 7, 16, 129] {
            var row: [Double] = (0..<count).map { (j: Int) -> Double in
                let a = Double(j % 11) * 1.7, b = Double(j % 5) * 3.1
                return a - b - 40
            }
            let largest = row.max()!
            let weights: [Double] = row.map { Foundation.exp($0 - largest) }
            let total = weights.reduce(0, +)
            row.withUnsafeMutableBufferPointer { VectorExp.softmax($0.baseAddress!, count: count) }
            for (value, weight) in zip(row, weights) { XCTAssertEqual(value, weight / total, accuracy: 4e-16 as Double, "count \(count)") }
            XCTAssertEqual(row.reduce(0, +), 1.0, accuracy: 1e-15 as Double)
        }
    }
}
