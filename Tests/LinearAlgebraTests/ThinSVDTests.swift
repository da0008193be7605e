import XCTest
@testable import LinearAlgebra

final class ThinSVDTests: XCTestCase {
    /// ‖M − I‖_max for M = XᵀX (columns orthonormal) or X·Xᵀ (rows orthonormal).
    private func orthonormalityError(_ x: Matrix<Double>, rows: Bool) -> Double {
        let k = rows ? x.rows : x.columns, len = rows ? x.columns : x.rows
        var worst = 0.0
        for i in 0..<k {
            for j in 0..<k {
                var dot = 0.0
                for l in 0..<len { dot += rows ? x[i, l] * x[j, l] : x[l, i] * x[l, j] }
                worst = Swift.max(worst, abs(dot - (i == j ? 1 : 0)))
            }
        }
        return worst
    }

    private func reconstructionError(_ a: Matrix<Double>, _ svd: (u: Matrix<Double>, sigma: [Double], vt: Matrix<Double>)) -> Double {
        var worst = 0.0
        for i in 0..<a.rows {
            for j in 0..<a.columns {
                var sum = 0.0
                for l in svd.sigma.indices { sum += svd.u[i, l] * svd.sigma[l] * svd.vt[l, j] }
                worst = Swift.max(worst, abs(sum - a[i, j]))
            }
        }
        return worst
    }

    func testReconstructionAndOrthonormalityBothOrientations() throws {
        var rng = SeededGenerator(seed: 21)
        for (rows, columns) in [(25, 17), (17, 25), (20, 20), (1, 6), (6, 1), (1, 1)] {
            let k = Swift.min(rows, columns)
            let s = (0..<k).map { 3 / Double($0 + 1) }
            let a = Fixtures.withSingularValues(s, rows: rows, columns: columns, &rng).a
            let svd = try a.svd()
            XCTAssertEqual(svd.u.rows, rows); XCTAssertEqual(svd.u.columns, k)
            XCTAssertEqual(svd.vt.rows, k); XCTAssertEqual(svd.vt.columns, columns)
            let eps = 10 * Double(Swift.max(rows, columns)) * Double.ulpOfOne
            XCTAssertLessThanOrEqual(maxAbsDifference(svd.sigma, s), eps * 3, "σ \(rows)×\(columns)")
            XCTAssertLessThanOrEqual(reconstructionError(a, svd), eps * 3, "U Σ Vᵀ ≈ A, \(rows)×\(columns)")
            XCTAssertLessThanOrEqual(orthonormalityError(svd.u, rows: false), eps, "UᵀU = I, \(rows)×\(columns)")
            XCTAssertLessThanOrEqual(orthonormalityError(svd.vt, rows: true), eps, "VᵀV = I, \(rows)×\(columns)")
        }
    }

    /// Float input through the solver: the SVD is of the float values widened exactly to double.
    func testFloatInputThroughSolver() throws {
        var rng = SeededGenerator(seed: 22)
        let p = Fixtures.rowStochastic(rows: 24, columns: 40, scale: 3, &rng)
        let solver = SingularValueSolver(maxRows: 40, maxColumns: 40, method: .gram)
        let svd = try p.storage.withUnsafeBufferPointer { try solver.svd(of: $0, rows: 24, columns: 40) }
        let exact = try Matrix<Double>(rows: 24, columns: 40, storage: p.storage.map(Double.init))
        let reference = try exact.singularValues(method: .gesdd)
        let eps = 10 * 40 * Double.ulpOfOne * (reference.first ?? 1)
        XCTAssertLessThanOrEqual(maxAbsDifference(svd.sigma, reference), eps)
        XCTAssertLessThanOrEqual(reconstructionError(exact, svd), eps)
        XCTAssertLessThanOrEqual(orthonormalityError(svd.u, rows: false), 10 * 40 * Double.ulpOfOne)
        XCTAssertLessThanOrEqual(orthonormalityError(svd.vt, rows: true), 10 * 40 * Double.ulpOfOne)
        // The solver's own method (Gram) is untouched by the SVD call and still agrees.
        let values = try p.storage.withUnsafeBufferPointer { try solver.singularValues(of: $0, rows: 24, columns: 40) }
        XCTAssertLessThanOrEqual(maxAbsDifference(values, reference), tolerance(.gram, n: 40, sigma1: reference.first ?? 1))
    }

    /// Singular vectors of a diagonal matrix are signed unit vectors, in σ order.
    func testDiagonalVectorsAreSignedPermutation() throws {
        let a = try Matrix<Double>(rows: 3, columns: 3, storage: [1, 0, 0, 0, -5, 0, 0, 0, 2])
        let svd = try a.svd()
        XCTAssertEqual(svd.sigma, [5, 2, 1])
        // Column 0 of U / row 0 of Vᵀ must point along axis 1, with sign(u)·sign(v) = sign(−5).
        XCTAssertEqual(abs(svd.u[1, 0]), 1, accuracy: 1e-15)
        XCTAssertEqual(svd.u[1, 0] * svd.vt[0, 1], -1, accuracy: 1e-15)
        XCTAssertEqual(abs(svd.vt[1, 2]), 1, accuracy: 1e-15)
    }
}
