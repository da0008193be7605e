import XCTest
@testable import LinearAlgebra

/// `BLAS.singleThreaded` sets one thread for its scope and gives the caller's count back.
final class BLASThreadsTests: XCTestCase {
    func testScopesSetOneThreadNestAndRestoreTheCallersCount() throws {
        let original = BLAS.threadCount
        defer { BLAS.setThreadCount(original) }
        BLAS.setThreadCount(2)
        try XCTSkipIf(BLAS.threadCount != 2, "this OpenBLAS cannot run 2 threads")
        BLAS.singleThreaded {
            XCTAssertEqual(BLAS.threadCount, 1)
            BLAS.singleThreaded { XCTAssertEqual(BLAS.threadCount, 1) }
            XCTAssertEqual(BLAS.threadCount, 1, "an inner scope must not restore while the outer one runs")
        }
        XCTAssertEqual(BLAS.threadCount, 2)
        struct Failure: Error {}
        XCTAssertThrowsError(try BLAS.singleThreaded { () throws(Failure) in throw Failure() })
        XCTAssertEqual(BLAS.threadCount, 2, "restored after a throwing scope too")
    }
}
