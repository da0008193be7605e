import XCTest
@testable import SpectrumReport

final class SpectrumReportSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
