import Foundation
@testable import SpectrumAnalysis
@testable import SpectrumMetrics

/// Synthetic heads for the projection tests (the paper's checks and those beyond it).
enum TestHeads {
    /// P = row-softmax(Q Kᵀ/√d) of Gaussian Q, K, and a Gaussian V, all from `seed`.
    static func random(n: Int, d: Int, seed: UInt64) -> HeadTensors {
        var generator = SeededGenerator(seed: seed)
        let q = generator.gaussians(count: n * d).map { Float($0) }
        let k = generator.gaussians(count: n * d).map { Float($0) }
        let v = generator.gaussians(count: n * d).map { Float($0) }
        var p = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            var row = (0..<n).map { j in (0..<d).reduce(0.0) { $0 + Double(q[i * d + $1]) * Double(k[j * d + $1]) } / Double(d).squareRoot() }
            let top = row.max() ?? 0
            row = row.map { exp($0 - top) }
            let total = row.reduce(0, +)
            for j in 0..<n { p[i * n + j] = Float(row[j] / total) }
        }
        return HeadTensors(p: p, q: q, k: k, v: v, n: n, d: d)
    }
}
