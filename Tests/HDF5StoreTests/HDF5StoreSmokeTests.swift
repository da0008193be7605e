import XCTest
@testable import HDF5Store

final class HDF5StoreSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
