import XCTest
@testable import SpectrumAnalysis

final class SpectrumAnalysisSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
