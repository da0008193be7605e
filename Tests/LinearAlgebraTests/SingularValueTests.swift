import XCTest
@testable import LinearAlgebra

final class SingularValueTests: XCTestCase {
    private let methods = SingularValueMethod.allCases

    private func values(_ a: Matrix<Double>, _ method: SingularValueMethod) throws -> [Double] {
        try a.singularValues(method: method)
    }

    func testDiagonalGivesSortedMagnitudes() throws {
        let d: [Double] = [3, -7, 0.5, 0, 2, -1e-3]
        var a = Matrix<Double>(rows: d.count, columns: d.count)
        for i in d.indices { a[i, i] = d[i] }
        let expected = d.map(abs).sorted(by: >)
        for method in methods {
            let got = try values(a, method)
            XCTAssertLessThanOrEqual(maxAbsDifference(got, expected), tolerance(method, n: d.count, sigma1: 7),
                                     "\(method): \(got)")
            let single = try Matrix<Float>(rows: a.rows, columns: a.columns, storage: a.storage.map(Float.init))
            let expectedSingle = d.map { abs(Double(Float($0))) }.sorted(by: >)
            XCTAssertLessThanOrEqual(maxAbsDifference(try single.singularValues(method: method), expectedSingle),
                                     tolerance(method, n: d.count, sigma1: 7), "\(method), Float input")
        }
    }

    /// A = U·diag(s)·Vᵀ with random orthogonal U, V and known s, both orientations (m > n, m < n).
    func testKnownSpectrumBothOrientations() throws {
        var rng = SeededGenerator(seed: 11)
        let s = (0..<30).map { Foundation.pow(10, -3 * Double($0) / 29) }  // 1 … 1e-3
        for (rows, columns) in [(40, 30), (30, 40), (30, 30)] {
            let a = Fixtures.withSingularValues(s, rows: rows, columns: columns, &rng).a
            for method in methods {
                let got = try values(a, method)
                XCTAssertEqual(got.count, 30)
                let bound = tolerance(method, n: 40, sigma1: 1)
                XCTAssertLessThanOrEqual(maxAbsDifference(got, s), bound, "\(method) \(rows)×\(columns)")
                if method == .gram || method == .gramTwoStage {
                    // Per-value Gram bound δλ/(2σ_i), δλ = 10·n·ε·σ₁²: much tighter away from zero.
                    for i in s.indices {
                        XCTAssertLessThanOrEqual(abs(got[i] - s[i]), 10 * 40 * Double.ulpOfOne / (2 * s[i]) + 1e-15,
                                                 "\(method) σ_\(i + 1) \(rows)×\(columns)")
                    }
                }
            }
        }
    }

    func testRankDeficientTailIsNearZero() throws {
        var rng = SeededGenerator(seed: 12)
        let s: [Double] = (0..<20).map { 2 - Double($0) * 0.05 }
        let a = Fixtures.withSingularValues(s, rows: 32, columns: 32, &rng).a
        for method in methods {
            let got = try values(a, method)
            XCTAssertEqual(got.count, 32)
            let head = Array(got.prefix(20)), tail = got.dropFirst(20)
            XCTAssertLessThanOrEqual(maxAbsDifference(head, s), tolerance(method, n: 32, sigma1: 2), "\(method)")
            let tailBound = method == .gesdd ? 1e-12 * 2 : tolerance(method, n: 32, sigma1: 2)
            XCTAssertLessThanOrEqual(tail.max() ?? .infinity, tailBound, "\(method) tail \(Array(tail))")
            XCTAssertGreaterThanOrEqual(tail.min() ?? -1, 0, "\(method): σ must be ≥ 0")
        }
    }

    func testDegenerateShapes() throws {
        let row: [Double] = [3, -4, 12]  // ‖·‖ = 13
        for method in methods {
            let one = try Matrix<Double>(rows: 1, columns: 1, storage: [-3])
            XCTAssertEqual(try values(one, method), [3], "\(method) 1×1")
            let wide = try values(try Matrix<Double>(rows: 1, columns: 3, storage: row), method)
            let tall = try values(try Matrix<Double>(rows: 3, columns: 1, storage: row), method)
            XCTAssertEqual(wide.count, 1); XCTAssertEqual(tall.count, 1)
            XCTAssertEqual(wide.first ?? 0, 13, accuracy: tolerance(method, n: 3, sigma1: 13), "\(method) 1×n")
            XCTAssertEqual(tall.first ?? 0, 13, accuracy: tolerance(method, n: 3, sigma1: 13), "\(method) n×1")
            XCTAssertEqual(try values(Matrix<Double>(rows: 0, columns: 4), method), [], "\(method) 0×4")
            XCTAssertEqual(try values(Matrix<Double>(rows: 3, columns: 3), method), [0, 0, 0], "\(method) zero")
        }
    }

    /// Every method against `gesdd` on attention-like row-stochastic matrices, square and not.
    func testMethodsAgreeOnRowStochasticMatrices() throws {
        var rng = SeededGenerator(seed: 13)
        for (rows, columns, scale) in [(64, 64, 1.0), (64, 64, 10.0), (48, 80, 3.0), (80, 48, 3.0)] {
            let p = Fixtures.rowStochastic(rows: rows, columns: columns, scale: scale, &rng)
            let reference = try p.singularValues(method: .gesdd)
            let sigma1 = reference.first ?? 0
            XCTAssertGreaterThan(sigma1, 0.99, "a row-stochastic matrix has σ₁ ≥ 1 (up to float rounding)")
            for method in methods where method != .gesdd {
                let got = try p.singularValues(method: method)
                let bound = tolerance(method, n: Swift.max(rows, columns), sigma1: sigma1)
                XCTAssertLessThanOrEqual(maxAbsDifference(got, reference), bound, "\(method) \(rows)×\(columns) s=\(scale)")
            }
            // The pipeline's contract, checked for the recommended method explicitly.
            let recommended = try p.singularValues()
            XCTAssertLessThanOrEqual(maxAbsDifference(recommended, reference), 1e-6 * sigma1)
        }
    }

    /// Extreme `Double` magnitudes: the Gram route must rescale instead of overflowing/underflowing.
    func testExtremeMagnitudes() throws {
        for scale in [1e200, 1e-200] {
            let a = try Matrix<Double>(rows: 2, columns: 2, storage: [3 * scale, 0, 0, -scale])
            for method in methods where method != .sgesdd {
                let got = try values(a, method)
                XCTAssertEqual(got.count, 2)
                XCTAssertEqual((got.first ?? 0) / scale, 3, accuracy: 1e-12, "\(method) scale \(scale)")
                XCTAssertEqual((got.last ?? 0) / scale, 1, accuracy: 1e-12, "\(method) scale \(scale)")
            }
        }
    }

    /// One solver, many shapes: buffers grow past `maxRows × maxColumns` and results stay right.
    func testSolverReuseAcrossShapes() throws {
        var rng = SeededGenerator(seed: 14)
        for method in methods {
            let solver = SingularValueSolver(maxRows: 4, maxColumns: 4, method: method)
            for (rows, columns) in [(3, 4), (20, 12), (4, 2), (12, 20)] {
                let s = (0..<Swift.min(rows, columns)).map { 1 / Double($0 + 1) }
                let a = Fixtures.withSingularValues(s, rows: rows, columns: columns, &rng).a
                let got = try a.storage.withUnsafeBufferPointer { try solver.singularValues(of: $0, rows: rows, columns: columns) }
                XCTAssertLessThanOrEqual(maxAbsDifference(got, s), tolerance(method, n: 20, sigma1: 1), "\(method) \(rows)×\(columns)")
            }
        }
    }

    func testAllocationFreeFormAndShapeErrors() throws {
        let solver = SingularValueSolver(maxRows: 2, maxColumns: 3)
        let a: [Float] = [1, 0, 0, 0, 2, 0]
        var out = [Double](repeating: -1, count: 3)
        try a.withUnsafeBufferPointer { input in
            try out.withUnsafeMutableBufferPointer { try solver.singularValues(of: input, rows: 2, columns: 3, into: $0) }
        }
        XCTAssertEqual(out[0], 2, accuracy: 1e-12); XCTAssertEqual(out[1], 1, accuracy: 1e-12)
        XCTAssertEqual(out[2], -1, "only min(rows, columns) values are written")

        XCTAssertThrowsError(try a.withUnsafeBufferPointer { try solver.singularValues(of: $0, rows: 2, columns: 2) }) {
            guard case .shapeMismatch = $0 as? LinearAlgebraError else { return XCTFail("\($0)") }
        }
        var short = [Double](repeating: 0, count: 1)
        XCTAssertThrowsError(try a.withUnsafeBufferPointer { input in
            try short.withUnsafeMutableBufferPointer { try solver.singularValues(of: input, rows: 2, columns: 3, into: $0) }
        }) { guard case .shapeMismatch = $0 as? LinearAlgebraError else { return XCTFail("\($0)") } }
    }
}
