import Foundation
import XCTest
@testable import SpectrumAnalysis

/// The SVD floor of real all-MiniLM-L6-v2 heads, as the pipeline computes it from its one
/// tridiagonal reduction per head, against an independent reference: a double-precision thin SVD
/// (`dgesdd` with vectors) of the dumped P, with the tails `Σ_{i>k} σ_i² (v_iᵀ w)²` summed term by
/// term for every column w of the dumped V. Contract: relative error ≤ 1e-6 on every statistic.
final class FloorParityTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try AnalysisFixtures.temporaryDirectory("floor") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testRealModelFloorMatchesAThinSVDOfTheDumpedHeads() throws {
        try AnalysisFixtures.requireRealModel()
        var options = AnalysisOptions()
        options.sequenceLength = 128
        options.sequences = 1
        options.dumpAttention = 1
        options.dumpQKV = true
        options.projection = ProjectionOptions(projectionDimensions: [8, 32, 96], trials: 1)
        let analysis = try Analysis(modelDirectory: AnalysisFixtures.modelDirectory, corpus: AnalysisFixtures.corpus, options: options)
        let run = try analysis.run(output: directory.appendingPathComponent("floor.h5"))
        let (L, H, n, d) = (run.metadata.layers, run.metadata.heads, run.metadata.sequenceLength, run.metadata.headDimension)
        let projectionDimensions = [8, 32, 96]
        let p: [Float] = try run.read("attention/P"), v: [Float] = try run.read("attention/V")
        XCTAssertEqual(p.count, L * H * n * n)
        XCTAssertEqual(v.count, L * H * n * d)
        let stored = try ["mean", "median", "p95", "max"].map { name -> [Double] in try run.read("projection/svd_optimal/\(name)") }
        var worst = 0.0
        for slot in 0..<(L * H) {
            let head = try Matrix(rows: n, columns: n, storage: p[slot * n * n ..< (slot + 1) * n * n].map(Double.init)).svd()
            // c[i][j] = σ_i v_iᵀ w_j for the d columns w_j of V (one dgemm of the reference's Vᵀ and V).
            let values = try Matrix(rows: n, columns: d, storage: v[slot * n * d ..< (slot + 1) * n * d].map(Double.init))
            let projections = try Matrix.multiply(head.vt, values)
            let coefficients = (0..<n).map { i in (0..<d).map { j in head.sigma[i] * projections[i, j] } }
            for (index, k) in projectionDimensions.enumerated() {
                let floors = (0..<d).compactMap { j -> Double? in
                    let total = (0..<n).reduce(0.0) { $0 + coefficients[$1][j] * coefficients[$1][j] }
                    let tail = (k..<n).reduce(0.0) { $0 + coefficients[$1][j] * coefficients[$1][j] }
                    return total > 0 ? (tail / total).squareRoot() : nil
                }
                let expected = ErrorStatistics(floors)
                for (statistic, value) in zip(stored, [expected.mean, expected.median, expected.p95, expected.max]) {
                    let got = statistic[slot * projectionDimensions.count + index]
                    XCTAssertEqual(got, value, accuracy: 1e-6 * value, "layer \(slot / H), head \(slot % H), k = \(k)")
                    worst = max(worst, abs(got - value) / value)
                }
            }
        }
        print("SVD floor of \(L * H) real heads at n = \(n) vs a double thin SVD of the dumped P: max relative error \(worst)")
    }
}
