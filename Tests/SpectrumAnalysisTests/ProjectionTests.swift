import Foundation
import LinearAlgebra
import XCTest
@testable import SpectrumAnalysis
@testable import SpectrumMetrics
@testable import RunFormat
@testable import Corpus

/// Theorem 1 / Theorem 2 / pooling / SVD floor against explicit brute-force formulas (docs/ARCHITECTURE.md).
final class ProjectionTests: XCTestCase {
    func decomposition(_ head: HeadTensors) throws -> (sigma: [Double], vt: Matrix<Double>, u: Matrix<Double>) {
        let svd = try Matrix(rows: head.n, columns: head.n, storage: head.p).svd()
        return (svd.sigma, svd.vt, svd.u)
    }

    func testAllFourErrorsEqualABruteForceReference() throws {
        let n = 16, d = 4
        let head = TestHeads.random(n: n, d: d, seed: 1)
        let checker = ProjectionChecker(sequenceLength: n, options: ProjectionOptions(projectionDimensions: [3, 8], trials: 2, delta: 0.3))
        let draws = checker.draws(seed: 42, window: 5)
        let (sigma, vt, u) = try decomposition(head)
        let results = try checker.check(head: head, draws: draws)
        XCTAssertEqual(results.count, 2)

        let P = { (i: Int, j: Int) in Double(head.p[i * n + j]) }
        let V = { (i: Int, j: Int) in Double(head.v[i * d + j]) }
        func pv(_ w: [Double]) -> [Double] { (0..<n).map { i in (0..<n).reduce(0.0) { $0 + P(i, $1) * w[$1] } } }
        func norm(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        func minus(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $0 - $1 } }

        for (index, k) in checker.projectionDimensions.enumerated() {
            // Theorem 1: for each trial's R and each column w, ‖P Rᵀ R w − P w‖ / ‖P w‖.
            var errors: [Double] = []
            for r in draws[index] {
                for column in 0..<d {
                    let w = (0..<n).map { V($0, column) }
                    let rw = (0..<k).map { s in (0..<n).reduce(0.0) { $0 + r[s, $1] * w[$1] } }
                    let rtrw = (0..<n).map { t in (0..<k).reduce(0.0) { $0 + r[$1, t] * rw[$1] } }
                    errors.append(norm(minus(pv(rtrw), pv(w))) / norm(pv(w)))
                }
            }
            let expected = ErrorStatistics(errors)
            XCTAssertEqual(results[index].theorem1.mean, expected.mean, accuracy: 1e-10)
            XCTAssertEqual(results[index].theorem1.median, expected.median, accuracy: 1e-10)
            XCTAssertEqual(results[index].theorem1.max, expected.max, accuracy: 1e-10)
            XCTAssertEqual(results[index].theorem1FractionBelow[1], Double(errors.filter { $0 < 0.2 }.count) / Double(errors.count))

            // SVD floor: P_k = U_k Σ_k V_kᵀ built explicitly.
            var floor: [Double] = []
            for column in 0..<d {
                let w = (0..<n).map { V($0, column) }
                let pkw = (0..<n).map { i in (0..<k).reduce(0.0) { sum, s in
                    sum + u[i, s] * sigma[s] * (0..<n).reduce(0.0) { $0 + vt[s, $1] * w[$1] } } }
                floor.append(norm(minus(pkw, pv(w))) / norm(pv(w)))
            }
            XCTAssertEqual(results[index].svdOptimal.median, ErrorStatistics(floor).median, accuracy: 1e-9)
            XCTAssertEqual(results[index].svdOptimal.max, ErrorStatistics(floor).max, accuracy: 1e-9)

            // Theorem 2 and pooling: softmax(Q (E K)ᵀ/√d)(F V) against P V, written out.
            func approximationError(e: (Int, Int) -> Double, f: (Int, Int) -> Double) -> ApproximationError {
                let ek = (0..<k).map { s in (0..<d).map { c in (0..<n).reduce(0.0) { $0 + e(s, $1) * Double(head.k[$1 * d + c]) } } }
                let fv = (0..<k).map { s in (0..<d).map { c in (0..<n).reduce(0.0) { $0 + f(s, $1) * V($1, c) } } }
                let spectralV = Double((try? Matrix<Float>(rows: n, columns: d, storage: head.v).singularValues().first) ?? 0)
                var total = 0.0, reference = 0.0, rows: [Double] = []
                for i in 0..<n {
                    let logits = (0..<k).map { s in (0..<d).reduce(0.0) { $0 + Double(head.q[i * d + $1]) * ek[s][$1] } / Double(d).squareRoot() }
                    let top = logits.max() ?? 0
                    let weights = logits.map { exp($0 - top) }
                    let sum = weights.reduce(0, +)
                    let approx = (0..<d).map { c in (0..<k).reduce(0.0) { $0 + weights[$1] / sum * fv[$1][c] } }
                    let exact = (0..<d).map { c in (0..<n).reduce(0.0) { $0 + P(i, $1) * V($1, c) } }
                    let difference = norm(minus(approx, exact))
                    total += difference * difference
                    reference += exact.reduce(0) { $0 + $1 * $1 }
                    rows.append(difference / (norm((0..<n).map { P(i, $0) }) * spectralV))
                }
                return ApproximationError(relative: (total / reference).squareRoot(),
                                          rowMean: rows.reduce(0, +) / Double(n), rowMax: rows.max() ?? 0)
            }
            let delta = 0.3
            let trials = draws[index].map { r in approximationError(e: { delta * r[$0, $1] }, f: { exp(-delta) * r[$0, $1] }) }
            XCTAssertEqual(results[index].theorem2.relative, trials.map(\.relative).reduce(0, +) / 2, accuracy: 1e-9)
            XCTAssertEqual(results[index].theorem2.rowMax, trials.map(\.rowMax).reduce(0, +) / 2, accuracy: 1e-9)
            let pool = { (s: Int, t: Int) -> Double in
                let lower = s * n / k, upper = (s + 1) * n / k
                return (lower..<upper).contains(t) ? 1 / Double(upper - lower) : 0
            }
            let pooled = approximationError(e: pool, f: pool)
            XCTAssertEqual(results[index].pooling.relative, pooled.relative, accuracy: 1e-9)
            XCTAssertEqual(results[index].pooling.rowMean, pooled.rowMean, accuracy: 1e-9)
        }
    }

    func testOrthogonalProjectionAtFullDimensionIsExact() throws {
        let n = 12, d = 3
        let head = TestHeads.random(n: n, d: d, seed: 2)
        let (_, _, u) = try decomposition(head)
        // R = Uᵀ of P's SVD is orthogonal, so Rᵀ R = I and P Rᵀ R w = P w exactly.
        let checker = ProjectionChecker(sequenceLength: n, projectionDimensions: [n], epsilons: [0.1], delta: 0, trials: 1)
        let results = try checker.check(head: head, draws: [[u.transposed]])
        XCTAssertLessThan(results[0].theorem1.max, 1e-12)
        XCTAssertEqual(results[0].theorem1FractionBelow, [1])
        XCTAssertLessThan(results[0].svdOptimal.max, 1e-12, "rank n truncation is P itself")
    }

    func testTheorem2WithZeroDeltaAveragesTheProjectedValues() throws {
        // δ = 0: E = 0 makes every logit 0, so softmax weights are 1/k, and F = R: every output row is
        // (1/k) Σ_s (R V)_s. The error against P V is then computable in closed form.
        let n = 10, d = 3
        let head = TestHeads.random(n: n, d: d, seed: 3)
        let checker = ProjectionChecker(sequenceLength: n, projectionDimensions: [n], epsilons: [0.1], delta: 0, trials: 1)
        let r = checker.draws(seed: 9, window: 0)[0][0]
        let results = try checker.check(head: head, draws: [[r]])
        let mean = (0..<d).map { c in (0..<n).reduce(0.0) { s, row in s + (0..<n).reduce(0.0) { $0 + r[row, $1] * Double(head.v[$1 * d + c]) } } / Double(n) }
        var difference = 0.0, reference = 0.0
        for i in 0..<n {
            for c in 0..<d {
                let exact = (0..<n).reduce(0.0) { $0 + Double(head.p[i * n + $1]) * Double(head.v[$1 * d + c]) }
                difference += (mean[c] - exact) * (mean[c] - exact)
                reference += exact * exact
            }
        }
        XCTAssertEqual(results[0].theorem2.relative, (difference / reference).squareRoot(), accuracy: 1e-9)
    }

    func testTheorem1IsNeverBetterThanTheSVDFloorAndShrinksLikeOneOverRootK() throws {
        let n = 256, d = 64
        var generator = SeededGenerator(seed: 11)
        var head = TestHeads.random(n: n, d: 8, seed: 4)
        head.d = d
        head.q = generator.gaussians(count: n * d).map { Float($0) }
        head.k = generator.gaussians(count: n * d).map { Float($0) }
        head.v = generator.gaussians(count: n * d).map { Float($0) }   // random Gaussian w
        let projectionDimensions = [8, 16, 32, 64, 128]
        let checker = ProjectionChecker(sequenceLength: n, projectionDimensions: projectionDimensions, epsilons: [0.5], delta: 1 / Double(n), trials: 3)
        let results = try checker.check(head: head, draws: checker.draws(seed: 5, window: 0))
        for result in results {
            // Eckart–Young: no rank-k map beats the truncated SVD, so neither does P Rᵀ R.
            XCTAssertGreaterThanOrEqual(result.theorem1.mean, result.svdOptimal.mean)
        }
        let medians = results.map(\.theorem1.median)
        for (a, b) in zip(medians, medians.dropFirst()) { XCTAssertLessThan(b, a, "median error must fall as k grows: \(medians)") }
        // JL: the error scales like √(n/k)-ish for fixed n; successive doublings of k should divide it by √2,
        // within a factor 1.6 either way.
        for (a, b) in zip(medians, medians.dropFirst()) {
            let ratio = a / b
            XCTAssertGreaterThan(ratio, 2.0.squareRoot() / 1.6, "ratios \(medians)")
            XCTAssertLessThan(ratio, 2.0.squareRoot() * 1.6, "ratios \(medians)")
        }
    }

    func testDrawsAreDeterministicPerSeedAndWindow() {
        let checker = ProjectionChecker(sequenceLength: 32, options: ProjectionOptions(projectionDimensions: [8], trials: 2))
        XCTAssertEqual(checker.draws(seed: 1, window: 3), checker.draws(seed: 1, window: 3))
        XCTAssertNotEqual(checker.draws(seed: 1, window: 3), checker.draws(seed: 2, window: 3))
        XCTAssertNotEqual(checker.draws(seed: 1, window: 3), checker.draws(seed: 1, window: 4))
        let pair = checker.draws(seed: 1, window: 3)[0]
        XCTAssertNotEqual(pair[0], pair[1], "trials must be independent draws")
        // Entries are N(0, 1/k): the sample variance of 8×32 entries is near 1/8.
        let values = pair[0].storage
        let variance = values.reduce(0) { $0 + $1 * $1 } / Double(values.count)
        XCTAssertEqual(variance, 1.0 / 8, accuracy: 0.04)
    }

    func testTheoryMatchesThePaperFormulas() {
        XCTAssertEqual(ProjectionTheory.kJL(epsilon: 0.5, n: 512), 5 * log(512.0) / 0.125, accuracy: 1e-9)
        XCTAssertGreaterThan(ProjectionTheory.kJL(epsilon: 0.1, n: 512), 512, "vacuous at small ε: k_JL > n")
        XCTAssertEqual(ProjectionTheory.failureBound(epsilon: 0.5, k: 128, n: 512), 1024 * exp(-0.125 * 32), accuracy: 1e-9)
    }
}
