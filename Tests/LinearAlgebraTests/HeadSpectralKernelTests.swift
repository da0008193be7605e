import XCTest
@testable import LinearAlgebra

/// The per-head kernel against double-precision `dgesdd` (σ and singular vectors) and against
/// tails summed term by term from that SVD.
final class HeadSpectralKernelTests: XCTestCase {
    /// A row-stochastic float matrix like an attention head: row-softmax of `scale`·Gaussian logits.
    private func softmaxMatrix(_ n: Int, scale: Double, _ rng: inout SeededGenerator) -> [Float] {
        var p = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            let logits = (0..<n).map { _ in scale * rng.gaussian() }
            let top = logits.max() ?? 0
            let weights = logits.map { Foundation.exp($0 - top) }
            let total = weights.reduce(0, +)
            for j in 0..<n { p[i * n + j] = Float(weights[j] / total) }
        }
        return p
    }

    /// `Σ_{i ≥ k} σ_i² (v_iᵀ w)²` (0-based i) from a double thin SVD, one term at a time.
    private func referenceTail(_ svd: (u: Matrix<Double>, sigma: [Double], vt: Matrix<Double>), w: [Double], rank k: Int) -> Double {
        var tail = 0.0
        for i in Swift.min(k, svd.sigma.count)..<svd.sigma.count {
            var dot = 0.0
            for t in w.indices { dot += svd.vt[i, t] * w[t] }
            tail += svd.sigma[i] * svd.sigma[i] * dot * dot
        }
        return tail
    }

    func testSpectrumAndTailsMatchDoubleGESDD() throws {
        var rng = SeededGenerator(seed: 7)
        let kernel = HeadSpectralKernel()
        // Sizes shrink and grow again: the grow-only workspaces must not leak state between shapes.
        for (n, scale) in [(48, 1.0), (96, 3.0), (17, 6.0), (64, 0.5)] {
            let p = softmaxMatrix(n, scale: scale, &rng)
            let d = 5
            let w = (0..<(n * d)).map { _ in rng.gaussian() }
            var sigma = [Double](repeating: -1, count: n)
            try p.withUnsafeBufferPointer { buffer in
                try sigma.withUnsafeMutableBufferPointer { try kernel.spectrum(of: buffer, into: $0) }
            }
            let exact = try Matrix(rows: n, columns: n, storage: p.map(Double.init)).svd()
            let sigmaError = zip(sigma, exact.sigma).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(sigmaError, 1e-6 * exact.sigma[0], "n = \(n)")
            XCTAssertLessThanOrEqual(sigmaError, 1e-8 * exact.sigma[0], "n = \(n): the Gram route's expected accuracy")

            let ranks = [0, 1, 3, n / 2, n - 1, n, n + 4]
            var tails = [Double](repeating: -1, count: ranks.count * d)
            try kernel.truncationTails(columns: w, count: d, ranks: ranks, into: &tails)
            for j in 0..<d {
                let column = (0..<n).map { w[$0 * d + j] }
                let scaleSquared = exact.sigma[0] * exact.sigma[0] * column.reduce(0) { $0 + $1 * $1 }
                for (r, k) in ranks.enumerated() {
                    let expected = referenceTail(exact, w: column, rank: k)
                    XCTAssertEqual(tails[r * d + j], expected, accuracy: 1e-13 * scaleSquared, "n = \(n), k = \(k), column \(j)")
                }
                XCTAssertEqual(tails[5 * d + j], 0, "rank n leaves nothing")
                XCTAssertEqual(tails[6 * d + j], 0, "ranks above n leave nothing")
            }
            // The matrix in double is P exactly (floats widen without rounding).
            for index in [0, n * n / 2, n * n - 1] { XCTAssertEqual(kernel.matrix[index], Double(p[index])) }
        }
    }

    /// Rank 0 is the whole ‖P w‖², computed here directly as a matrix–vector product.
    func testRankZeroTailIsTheNormOfPW() throws {
        var rng = SeededGenerator(seed: 8)
        let n = 40
        let p = softmaxMatrix(n, scale: 2, &rng)
        let w = (0..<n).map { _ in rng.gaussian() }
        let kernel = HeadSpectralKernel(order: n)
        var sigma = [Double](repeating: 0, count: n)
        try p.withUnsafeBufferPointer { buffer in try sigma.withUnsafeMutableBufferPointer { try kernel.spectrum(of: buffer, into: $0) } }
        var tail = [0.0]
        try kernel.truncationTails(columns: w, count: 1, ranks: [0], into: &tail)
        let pw = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + Double(p[i * n + $1]) * w[$1] } }
        let expected = pw.reduce(0) { $0 + $1 * $1 }
        XCTAssertEqual(tail[0], expected, accuracy: 1e-13 * expected)
    }

    func testSpectralNormMatchesLargestSingularValue() throws {
        var rng = SeededGenerator(seed: 9)
        let kernel = HeadSpectralKernel()
        for (rows, columns) in [(64, 8), (33, 33), (5, 1)] {
            let a = (0..<(rows * columns)).map { _ in rng.gaussian() }
            let expected = try Matrix(rows: rows, columns: columns, storage: a).svd().sigma[0]
            let norm = try a.withUnsafeBufferPointer { try kernel.spectralNorm(of: $0.baseAddress!, rows: rows, columns: columns) }
            XCTAssertEqual(norm, expected, accuracy: 1e-13 * expected)
        }
    }

    func testBadInputIsRefusedBeforeLAPACK() throws {
        let kernel = HeadSpectralKernel()
        var sigma = [Double](repeating: 0, count: 4)
        XCTAssertThrowsError(try kernel.truncationTails(columns: [1, 2], count: 1, ranks: [0], into: &sigma)) {
            XCTAssertEqual($0 as? LinearAlgebraError, .shapeMismatch("no spectrum computed yet"))
        }
        let nan: [Float] = [1, 0, .nan, 1]
        XCTAssertThrowsError(try nan.withUnsafeBufferPointer { p in try sigma.withUnsafeMutableBufferPointer { try kernel.spectrum(of: p, into: $0) } }) {
            XCTAssertEqual($0 as? LinearAlgebraError, .nonFiniteInput("element (1, 0) of a 2×2 matrix is nan"))
        }
        // A failed call leaves no reduction behind for the tails, not even a previous head's.
        let good: [Float] = [0.5, 0.5, 0.25, 0.75]
        try good.withUnsafeBufferPointer { p in try sigma.withUnsafeMutableBufferPointer { try kernel.spectrum(of: p, into: $0) } }
        XCTAssertNoThrow(try kernel.truncationTails(columns: [1, 2], count: 1, ranks: [0], into: &sigma))
        XCTAssertThrowsError(try nan.withUnsafeBufferPointer { p in try sigma.withUnsafeMutableBufferPointer { try kernel.spectrum(of: p, into: $0) } })
        XCTAssertThrowsError(try kernel.truncationTails(columns: [1, 2], count: 1, ranks: [0], into: &sigma))
        let oblong: [Float] = [1, 2, 3]
        XCTAssertThrowsError(try oblong.withUnsafeBufferPointer { p in try sigma.withUnsafeMutableBufferPointer { try kernel.spectrum(of: p, into: $0) } })
        let square: [Float] = Array(repeating: 0.25, count: 16)
        var short = [Double](repeating: 0, count: 3)
        XCTAssertThrowsError(try square.withUnsafeBufferPointer { p in try short.withUnsafeMutableBufferPointer { try kernel.spectrum(of: p, into: $0) } })
    }
}
