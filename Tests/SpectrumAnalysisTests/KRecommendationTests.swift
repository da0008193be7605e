import Foundation
import XCTest
@testable import SpectrumAnalysis
@testable import SpectrumMetrics

/// Per-head and per-layer k from mean curves and fitted errors, on hand-made inputs.
final class KRecommendationTests: XCTestCase {
    func testEnergyAndErrorTargetsPerHeadAndLayer() throws {
        // L = 2, H = 2, n = 4; curves chosen so that τ = 0.9 is first reached at j = 1, 3, 2, 4.
        let curves: [Double] = [0.95, 0.97, 0.99, 1,   0.5, 0.8, 0.9, 1,   0.6, 0.91, 0.95, 1,   0.3, 0.5, 0.7, 0.999]
        let energy = try KRecommendation(layers: 2, heads: 2, n: 4, meanCumulative: curves, energy: 0.9)
        XCTAssertEqual(energy.layers.map(\.heads), [[1, 3], [2, 4]], "a curve that never reaches τ needs n")
        XCTAssertEqual(energy.layers.map(\.k), [3, 4])
        XCTAssertEqual(energy.uniformK, 4)
        XCTAssertEqual(energy.compression, 7.0 / 8)
        XCTAssertNil(energy.layers[0].headsMissingErrorTarget)

        // Grid k ∈ {1, 2}; errors per (layer, head, k). Head (0,0) needs k = 2 for ε = 0.1; head (1,1) meets none.
        let errors: [Double] = [0.3, 0.05,   0.2, 0.1,   0.01, 0.01,   0.5, .nan]
        let both = try KRecommendation(layers: 2, heads: 2, n: 4, meanCumulative: curves, energy: 0.9,
                                       fitted: ([1, 2], errors), error: 0.1, errorStatistic: "test")
        XCTAssertEqual(both.layers.map(\.heads), [[2, 3], [2, 4]])
        XCTAssertEqual(both.layers.map(\.headsMissingErrorTarget), [0, 1])
        XCTAssertEqual(both.criterion.error, 0.1)

        let json = try JSONSerialization.jsonObject(with: both.json()) as? [String: Any]
        XCTAssertEqual((json?["layers"] as? [[String: Any]])?.first?["layer"] as? Int, 1)
        XCTAssertNotNil(json?["uniform_k"])
    }

    func testInvalidInputsAreTypedErrors() {
        XCTAssertThrowsError(try KRecommendation(layers: 1, heads: 1, n: 2, meanCumulative: [0.5, 1], energy: 0))
        XCTAssertThrowsError(try KRecommendation(layers: 1, heads: 1, n: 2, meanCumulative: [0.5], energy: 0.9))
        XCTAssertThrowsError(try KRecommendation(layers: 1, heads: 1, n: 2, meanCumulative: [0.5, 1], energy: 0.9, error: 0.1))
    }
}
