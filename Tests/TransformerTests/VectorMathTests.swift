import Foundation
import XCTest
@testable import Transformer

/// The vectorizable exp, GELU (exact and tanh forms), SiLU and RMSNorm against glibc's `expf` and double-precision references.
final class VectorMathTests: XCTestCase {
    private func evaluate(_ xs: [Float], _ f: (Float) -> Float) -> [Float] { xs.map(f) }

    func testExpWithinTwoUlp() {
        let xs = stride(from: Float(-87.3), through: 0, by: 0.000731).map { $0 } + [0, -0.0, -1e-30, -87.33]
        let ys = evaluate(xs, VectorMath.expNonPositive)
        var worst: Float = 0
        for (x, y) in zip(xs, ys) {
            let reference = expf(x)
            worst = nanMax(worst, abs(y - reference) / reference.ulp)
        }
        XCTAssertLessThanOrEqual(worst, 2)
    }

    func testExpBelowRangeIsZero() {
        XCTAssertEqual(evaluate([-Float.infinity, -1000, -88], VectorMath.expNonPositive), [0, 0, 0])
    }

    func testGeluErrorBelow3point5e7TimesX() {
        let xs = stride(from: Float(-12), through: 12, by: 0.0000917).map { $0 } + [0, 1e-20, -1e-20, 40, -40]
        var worst = 0.0
        for x in xs {
            let reference = 0.5 * Double(x) * (1 + Foundation.erf(Double(x) / 2.0.squareRoot()))
            let error = abs(Double(VectorMath.gelu(x)) - reference)
            worst = nanMax(worst, x == 0 ? error : error / abs(Double(x)))
        }
        XCTAssertLessThanOrEqual(worst, 3.5e-7)
    }

    /// `gelu_new` `½x(1 + tanh(√(2/π)(x + 0.044715x³)))` against double precision, relative to |x|,
    /// over the range where it is not ±x or 0, then its extremes and NaN as the float tanh form has them.
    func testGeluTanhErrorBelow3point5e7TimesX() {
        let xs = stride(from: Float(-12), through: 12, by: 0.0000917).map { $0 } + [0, 1e-20, -1e-20, 1e-40, 40, -40, 1e15, -1e15]
        var worst = 0.0
        for x in xs {
            let v = Double(x)
            let reference = 0.5 * v * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
            let error = abs(Double(VectorMath.geluTanh(x)) - reference)
            worst = nanMax(worst, x == 0 ? error : error / abs(v))
        }
        XCTAssertLessThanOrEqual(worst, 3.5e-7)
        XCTAssertEqual(VectorMath.geluTanh(1e15), 1e15)
        XCTAssertEqual(VectorMath.geluTanh(.infinity), .infinity)
        XCTAssertEqual(VectorMath.geluTanh(-1e15), 0)
        XCTAssertEqual(VectorMath.geluTanh(-1e15).sign, .minus)
        XCTAssertTrue(VectorMath.geluTanh(-.infinity).isNaN)
        XCTAssertTrue(VectorMath.geluTanh(.nan).isNaN)
    }

    func testSoftmaxRowsAreStableAndSumToOne() {
        // Rows with huge logits (naive exp would overflow) and a length that is not a multiple of 16.
        let columns = 37
        var values = (0..<(2 * columns)).map { Float($0 % 7) * 300 - 1000 }
        values.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0.baseAddress!, rows: 2, columns: columns, ld: columns) }
        for row in 0..<2 {
            let slice = values[(row * columns)..<((row + 1) * columns)]
            XCTAssertTrue(slice.allSatisfy { $0.isFinite && $0 >= 0 })
            XCTAssertEqual(slice.reduce(0, +), 1, accuracy: 1e-6)
        }
        var small: [Float] = [0, log(2), log(3)]
        small.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0.baseAddress!, rows: 1, columns: 3, ld: 3) }
        XCTAssertEqual(small[0], 1.0 / 6, accuracy: 1e-7)
        XCTAssertEqual(small[1], 2.0 / 6, accuracy: 1e-7)
        XCTAssertEqual(small[2], 3.0 / 6, accuracy: 1e-7)
    }

    /// SiLU `x/(1 + e⁻ˣ)` within 4 ulp of the double-precision value over the range where it is not
    /// negligible, and without overflow at the extremes.
    func testSiluWithinFourUlp() {
        let xs = stride(from: Float(-80), through: 80, by: 0.000917).map { $0 } + [0, 1e-20, -1e-20]
        var worst: Float = 0
        for x in xs {
            let reference = Float(Double(x) / (1 + Foundation.exp(-Double(x))))
            guard reference != 0, reference.isNormal else { continue }
            worst = nanMax(worst, abs(VectorMath.silu(x) - reference) / reference.ulp)
        }
        XCTAssertLessThanOrEqual(worst, 4)
        XCTAssertEqual(VectorMath.silu(-200), 0)
        XCTAssertEqual(VectorMath.silu(200), 200)
    }

    /// RMSNorm rows (stride larger than the width, as for Qwen3's per-head norm) against double precision.
    func testRMSNormMatchesDoublePrecision() {
        let columns = 13, ld = 16, rows = 3
        var x = (0..<(rows * ld)).map { Float(sin(Double($0) * 1.7)) * 3 }
        let original = x
        let gamma = (0..<columns).map { 1 + Float($0) * 0.1 }
        gamma.withUnsafeBufferPointer { g in
            x.withUnsafeMutableBufferPointer { Kernels.rmsNormRows($0.baseAddress!, rows: rows, columns: columns, ld: ld, gamma: g.baseAddress!, epsilon: 1e-6) }
        }
        for row in 0..<rows {
            let r = original[(row * ld)..<(row * ld + columns)].map(Double.init)
            let scale = 1 / (r.reduce(0) { $0 + $1 * $1 } / Double(columns) + 1e-6).squareRoot()
            for j in 0..<columns {
                XCTAssertEqual(Double(x[row * ld + j]), r[j] * scale * Double(gamma[j]), accuracy: 1e-6)
            }
            // Columns past the width are untouched.
            XCTAssertEqual(Array(x[(row * ld + columns)..<((row + 1) * ld)]), Array(original[(row * ld + columns)..<((row + 1) * ld)]))
        }
    }
}
