import XCTest
@testable import LinearAlgebra

/// NaN/Inf must surface as `.nonFiniteInput` from every entry point, and LAPACK `info` codes as
/// typed errors — never as silently wrong singular values.
final class NonFiniteAndStatusTests: XCTestCase {
    private func assertNonFinite(
        _ body: @autoclosure () throws -> Any, naming position: String, _ label: String, line: UInt = #line
    ) {
        XCTAssertThrowsError(try body(), label, line: line) { error in
            guard case .nonFiniteInput(let message) = error as? LinearAlgebraError else {
                return XCTFail("\(label): expected nonFiniteInput, got \(error)", line: line)
            }
            XCTAssertTrue(message.contains(position), "\(label): message \"\(message)\" should name \(position)", line: line)
        }
    }

    func testNaNAndInfinityAreRejectedByEveryMethod() throws {
        for bad in [Float.nan, .infinity, -.infinity] {
            for method in SingularValueMethod.allCases {
                var single = Matrix<Float>(rows: 3, columns: 4, repeating: 0.25)
                single[2, 3] = bad  // the last element: a scan that stops early would miss it
                assertNonFinite(try single.singularValues(method: method), naming: "(2, 3)", "\(method) Float \(bad)")
                var double = Matrix<Double>(rows: 4, columns: 3, repeating: 0.25)
                double[1, 0] = Double(bad)
                assertNonFinite(try double.singularValues(method: method), naming: "(1, 0)", "\(method) Double \(bad)")
            }
            var single = Matrix<Float>(rows: 2, columns: 2, repeating: 1)
            single[0, 1] = bad
            assertNonFinite(try single.svd(), naming: "(0, 1)", "svd Float \(bad)")
        }
    }

    /// A solver that saw NaN still works afterwards (nothing half-written is reused).
    func testSolverRecoversAfterRejection() throws {
        let solver = SingularValueSolver(maxRows: 2, maxColumns: 2)
        let bad: [Float] = [1, .nan, 0, 1], good: [Float] = [2, 0, 0, 1]
        XCTAssertThrowsError(try bad.withUnsafeBufferPointer { try solver.singularValues(of: $0, rows: 2, columns: 2) })
        let got = try good.withUnsafeBufferPointer { try solver.singularValues(of: $0, rows: 2, columns: 2) }
        XCTAssertEqual(got, [2, 1])
    }

    func testLAPACKInfoBecomesTypedError() {
        XCTAssertNoThrow(try checkLAPACK(0, "dgesdd"))
        XCTAssertThrowsError(try checkLAPACK(-4, "dgesdd")) {
            XCTAssertEqual($0 as? LinearAlgebraError, .illegalArgument(routine: "dgesdd", argument: 4))
        }
        XCTAssertThrowsError(try checkLAPACK(7, "dsyevd")) {
            XCTAssertEqual($0 as? LinearAlgebraError, .notConverged(routine: "dsyevd", info: 7))
        }
        XCTAssertEqual(LinearAlgebraError.illegalArgument(routine: "dgesdd", argument: 4).description,
                       "dgesdd: argument 4 had an illegal value")
        XCTAssertEqual(LinearAlgebraError.notConverged(routine: "dsyevd", info: 7).description,
                       "dsyevd: did not converge (info = 7)")
    }
}
