import XCTest
@testable import LinearAlgebra

final class GEMMTests: XCTestCase {
    private let transposes = [(false, false), (true, false), (false, true), (true, true)]

    /// Each element within the BLAS bound `k·ε·Σ|a||b|` of a naive double-accumulated triple loop.
    func testSingleAgainstNaiveTripleLoop() throws {
        var rng = SeededGenerator(seed: 31)
        let (m, k, n) = (7, 13, 5)
        for (ta, tb) in transposes {
            let a = try Matrix<Float>(rows: ta ? k : m, columns: ta ? m : k,
                                      storage: (0..<(m * k)).map { _ in Float(rng.gaussian()) })
            let b = try Matrix<Float>(rows: tb ? n : k, columns: tb ? k : n,
                                      storage: (0..<(k * n)).map { _ in Float(rng.gaussian()) })
            let c = try Matrix<Float>.multiply(a, b, transposeA: ta, transposeB: tb)
            XCTAssertEqual(c.rows, m); XCTAssertEqual(c.columns, n)
            let reference = Fixtures.naiveProduct(a, b, transposeA: ta, transposeB: tb)
            for index in 0..<(m * n) {
                let bound = Double(k + 1) * Double(Float.ulpOfOne) * reference.magnitude[index]
                XCTAssertEqual(Double(c.storage[index]), reference.product[index], accuracy: bound, "tA=\(ta) tB=\(tb) #\(index)")
            }
        }
    }

    func testDoubleAgainstNaiveTripleLoop() throws {
        var rng = SeededGenerator(seed: 32)
        let (m, k, n) = (9, 4, 11)
        for (ta, tb) in transposes {
            let a = try Matrix<Double>(rows: ta ? k : m, columns: ta ? m : k, storage: (0..<(m * k)).map { _ in rng.gaussian() })
            let b = try Matrix<Double>(rows: tb ? n : k, columns: tb ? k : n, storage: (0..<(k * n)).map { _ in rng.gaussian() })
            let c = try Matrix<Double>.multiply(a, b, transposeA: ta, transposeB: tb)
            let reference = Fixtures.naiveProduct(a, b, transposeA: ta, transposeB: tb)
            for index in 0..<(m * n) {
                let bound = Double(k + 1) * Double.ulpOfOne * reference.magnitude[index]
                XCTAssertEqual(c.storage[index], reference.product[index], accuracy: bound, "tA=\(ta) tB=\(tb) #\(index)")
            }
        }
    }

    func testShapeMismatchAndEmptyProducts() throws {
        let a = Matrix<Float>(rows: 2, columns: 3), b = Matrix<Float>(rows: 2, columns: 3)
        XCTAssertThrowsError(try Matrix<Float>.multiply(a, b)) {
            guard case .shapeMismatch = $0 as? LinearAlgebraError else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try Matrix<Float>.multiply(a, b, transposeB: true).rows, 2)
        let empty = try Matrix<Double>.multiply(Matrix(rows: 3, columns: 0), Matrix(rows: 0, columns: 2))
        XCTAssertEqual(empty, Matrix<Double>(rows: 3, columns: 2))
    }
}
