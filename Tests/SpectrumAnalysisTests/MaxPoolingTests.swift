import Foundation
import LinearAlgebra
import XCTest
@testable import SpectrumAnalysis
@testable import SpectrumMetrics

/// Max pooling (`E = F` taking the channel-wise maximum of K and V over k contiguous segments)
/// against the formula written out element by element.
final class MaxPoolingTests: XCTestCase {
    /// `softmax(Q ẽᵀ/√d) ṽ` against `P V` with the segment maxima, computed directly.
    func bruteForce(_ head: HeadTensors, k: Int) throws -> ApproximationError {
        let (n, d) = (head.n, head.d)
        let K = { (t: Int, c: Int) in Double(head.k[t * d + c]) }
        let V = { (t: Int, c: Int) in Double(head.v[t * d + c]) }
        let P = { (i: Int, j: Int) in Double(head.p[i * n + j]) }
        let segments = (0..<k).map { s in (s * n / k) ..< ((s + 1) * n / k) }
        let ek = segments.map { range in (0..<d).map { c in range.map { K($0, c) }.max() ?? .nan } }
        let fv = segments.map { range in (0..<d).map { c in range.map { V($0, c) }.max() ?? .nan } }
        let spectralV = try Matrix<Double>(rows: n, columns: d, storage: head.v.map(Double.init)).singularValues()[0]
        var total = 0.0, reference = 0.0, rows: [Double] = []
        for i in 0..<n {
            let logits = (0..<k).map { s in (0..<d).reduce(0.0) { $0 + Double(head.q[i * d + $1]) * ek[s][$1] } / Double(d).squareRoot() }
            let top = logits.max() ?? 0
            let weights = logits.map { exp($0 - top) }
            let sum = weights.reduce(0, +)
            let approx = (0..<d).map { c in (0..<k).reduce(0.0) { $0 + weights[$1] / sum * fv[$1][c] } }
            let exact = (0..<d).map { c in (0..<n).reduce(0.0) { $0 + P(i, $1) * V($1, c) } }
            let squared = zip(approx, exact).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            total += squared
            reference += exact.reduce(0) { $0 + $1 * $1 }
            let rowNorm = (0..<n).reduce(0.0) { $0 + P(i, $1) * P(i, $1) }.squareRoot()
            rows.append(squared.squareRoot() / (rowNorm * spectralV))
        }
        return ApproximationError(relative: (total / reference).squareRoot(), rowMean: rows.reduce(0, +) / Double(n),
                                  rowMax: rows.max() ?? .nan)
    }

    func testMaxPoolingEqualsTheSegmentMaximaWrittenOut() throws {
        // n = 17 is not a multiple of any k below, so segments have unequal lengths.
        let n = 17, d = 5
        let head = TestHeads.random(n: n, d: d, seed: 21)
        let projectionDimensions = [1, 3, 4, 7, 17]
        let checker = ProjectionChecker(sequenceLength: n, projectionDimensions: projectionDimensions, epsilons: [0.1], delta: 0.2, trials: 1)
        let results = try checker.check(head: head, draws: checker.draws(seed: 3, window: 0))
        for (index, k) in projectionDimensions.enumerated() {
            let expected = try bruteForce(head, k: k)
            XCTAssertEqual(results[index].maxPooling.relative, expected.relative, accuracy: 1e-10, "k = \(k)")
            XCTAssertEqual(results[index].maxPooling.rowMean, expected.rowMean, accuracy: 1e-10, "k = \(k)")
            XCTAssertEqual(results[index].maxPooling.rowMax, expected.rowMax, accuracy: 1e-10, "k = \(k)")
        }
    }

    func testMaxPoolingDiffersFromMeanPoolingAndIsExactWhenSegmentsAreSingletons() throws {
        let n = 12, d = 3
        let head = TestHeads.random(n: n, d: d, seed: 22)
        let checker = ProjectionChecker(sequenceLength: n, projectionDimensions: [4, n], epsilons: [0.1], delta: 0.2, trials: 1)
        let results = try checker.check(head: head, draws: checker.draws(seed: 3, window: 0))
        XCTAssertNotEqual(results[0].maxPooling.relative, results[0].pooling.relative)
        // k = n: each segment is one position, so the max is that position and softmax gives P exactly.
        XCTAssertLessThan(results[1].maxPooling.relative, 1e-6)
        XCTAssertEqual(results[1].maxPooling.relative, results[1].pooling.relative, accuracy: 1e-12)
    }
}
