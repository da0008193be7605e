import Foundation
import TestSupport
@testable import SpectrumReport

/// Deterministic synthetic runs: singular values σ_i = exp(−(i−1)/τ) + floor with τ shrinking in
/// higher layers (so they are more skewed, as in the paper), per-head and per-sequence jitter
/// from a fixed LCG, and all metrics derived from those σ exactly as docs/ARCHITECTURE.md defines them.
enum SyntheticRuns {
    struct LCG {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    static func sigma(layer: Int, head: Int, sequence: Int, layers: Int, n: Int, rng: inout LCG) -> [Double] {
        let depth = Double(layer) / Double(max(1, layers - 1))
        let tau = Double(n) * (0.12 - 0.08 * depth) * (0.7 + 0.6 * rng.next())
        return (0..<n).map { exp(-Double($0) / tau) + 1e-3 * (1 + Double(head % 3)) }
    }

    static func make(label: String = "MiniLM · jargon · n=64", layers: Int = 4, heads: Int = 6, n: Int = 64,
                     sequences: Int = 5, projection: Bool = true, seed: UInt64 = 7) -> ReportRun {
        var rng = LCG(state: seed)
        let lh = layers * heads
        var sum = [Double](repeating: 0, count: lh * n), sq = sum
        var k90: [Int32] = [], k95: [Int32] = [], k99: [Int32] = [], entropy: [Double] = [], stable: [Double] = []
        for s in 0..<sequences {
            for l in 0..<layers {
                for h in 0..<heads {
                    let sigma = sigma(layer: l, head: h, sequence: s, layers: layers, n: n, rng: &rng)
                    let total = sigma.reduce(0, +)
                    var running = 0.0
                    let c = sigma.map { running += $0; return running / total }
                    for j in 0..<n { sum[(l * heads + h) * n + j] += c[j]; sq[(l * heads + h) * n + j] += c[j] * c[j] }
                    func first(_ level: Double) -> Int32 { Int32((c.firstIndex { $0 >= level } ?? (n - 1)) + 1) }
                    k90.append(first(0.9)); k95.append(first(0.95)); k99.append(first(0.99))
                    entropy.append(exp(-sigma.map { $0 / total }.reduce(0) { $0 + $1 * log($1) }))
                    stable.append(sigma.reduce(0) { $0 + $1 * $1 } / (sigma[0] * sigma[0]))
                }
            }
        }
        var results: ProjectionResults? = nil
        if projection {
            let projectionDimensions = [4, 8, 16, 32].filter { $0 <= n }
            let eps = [0.1, 0.2, 0.3, 0.5]
            let logN: Double = log(Double(n))
            let kjl: [Double] = eps.map { (e: Double) -> Double in 5 * logN / (e * e - e * e * e) }
            var bound: [Double] = []
            for e in eps {
                let g: Double = e * e - e * e * e
                for k in projectionDimensions { bound.append(2 * Double(n) * exp(-g * Double(k) / 4)) }
            }
            var t1: [Double] = [], svd: [Double] = [], t2: [Double] = [], pool: [Double] = []
            for _ in 0..<(sequences * lh) {
                for k in projectionDimensions {
                    let base = 1 / Double(k).squareRoot()
                    t1.append(base * (1.2 + 0.4 * rng.next()))
                    svd.append(base * 0.2 * (0.5 + rng.next()))
                    t2.append(base * (0.8 + 0.3 * rng.next()))
                    pool.append(base * (0.6 + 0.3 * rng.next()))
                }
            }
            results = ProjectionResults(projectionDimensions: projectionDimensions, epsilons: eps, kJL: kjl, failureBound: bound, theorem1Median: t1,
                                        svdOptimalMedian: svd, theorem2Relative: t2, poolingRelative: pool)
        }
        let facts = [ReportFact(key: "model", value: "all-MiniLM-L6-v2 (synthetic)"), ReportFact(key: "model_type", value: "bert"),
                     ReportFact(key: "corpus", value: "jargon.txt.gz"), ReportFact(key: "n", value: "\(n)"),
                     ReportFact(key: "sequences", value: "\(sequences)"), ReportFact(key: "seed", value: "\(seed)"),
                     ReportFact(key: "tool version", value: "0.1.0-test")]
        return ReportRun(label: label, facts: facts, layers: layers, heads: heads, sequenceLength: n, sequenceCount: sequences,
                         cumulativeSum: sum, cumulativeSumSquares: sq, count: sequences, k90: k90, k95: k95, k99: k99,
                         entropyRank: entropy, stableRank: stable, projection: results)
    }

    static func temporaryDirectory() throws -> URL { try SharedTestPaths.temporaryDirectory("spectrum-report-tests") }
}
