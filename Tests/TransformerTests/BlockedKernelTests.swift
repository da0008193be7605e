import Foundation
import XCTest
@testable import Transformer

/// The decoder's blocked kernels on sizes the tiny parity fixtures (n = 37, widths < 256) do not
/// reach: several row blocks with a short last one, several column slices, causal and banded
/// attention across block edges. References are plain double-precision loops.
final class BlockedKernelTests: XCTestCase {
    /// Fills outputs before a call, so that elements the kernel must not touch can be checked.
    private static let unwritten: Float = -7777

    /// A fixed pseudo-random float in [−1, 1) per index.
    private func value(_ index: Int, _ seed: UInt64) -> Float {
        var state = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ seed
        state ^= state >> 29
        state = state &* 0xBF58_476D_1CE4_E5B9
        state ^= state >> 32
        return Float(state % 2_000_001) / 1_000_000 - 1
    }

    /// `y = x Wᵀ + b + residual` over 3 blocks of 64 rows and one of 8 (n = 200) and 3 column slices
    /// (600 = 256 + 256 + 88), within float rounding of double precision; and each block's rows are
    /// bit-identical whether its task holds all blocks or only some (as with more threads).
    func testBlockedLinearMatchesDoublePrecisionAndIsPartitionIndependent() {
        let n = 200, inner = 37, out = 600, ldx = 40, ldy = 610
        let x = (0..<(n * ldx)).map { value($0, 1) }
        let w = (0..<(out * inner)).map { value($0, 2) }
        let b = (0..<out).map { value($0, 3) }
        let residual = (0..<(n * ldy)).map { value($0, 4) }
        let partition = WorkPartition(rows: n, threads: 1)
        let all = (0..<partition.blocks).map { partition.rows(ofBlock: $0) }
        XCTAssertEqual(all.map(\.count), [64, 64, 64, 8])
        func run(_ groups: [[Range<Int>]]) -> [Float] {
            var y = [Float](repeating: Self.unwritten, count: n * ldy)
            x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
                residual.withUnsafeBufferPointer { rp in y.withUnsafeMutableBufferPointer { yp in
                    for blocks in groups {
                        Kernels.linear(blocks: blocks, inner: inner, out: out, x: xp.baseAddress!, ldx: ldx,
                                       weight: wp.baseAddress!, bias: bp.baseAddress!, residual: rp.baseAddress!,
                                       y: yp.baseAddress!, ldy: ldy)
                    }
                } }
            } } }
            return y
        }
        let together = run([all])
        var worst = 0.0
        for i in 0..<n {
            for j in 0..<out {
                var s = Double(b[j]) + Double(residual[i * ldy + j])
                for t in 0..<inner { s += Double(x[i * ldx + t]) * Double(w[j * inner + t]) }
                worst = nanMax(worst, abs(Double(together[i * ldy + j]) - s))
            }
            // Columns past `out` are not written.
            XCTAssertTrue(together[(i * ldy + out)..<((i + 1) * ldy)].allSatisfy { $0 == Self.unwritten })
        }
        XCTAssertLessThanOrEqual(worst, 2e-5)
        XCTAssertEqual(run([[all[0], all[2]], [all[1], all[3]]]), together)
        XCTAssertEqual(run(all.map { [$0] }), together)
    }

    /// Causal and sliding-window attention over n = 150 (blocks 64, 64, 22) with strided q/k/v as
    /// in the fused qkv buffer: P and P V against a double-precision masked softmax, masked entries
    /// exactly 0, for windows inside one block (5), crossing block edges (70) and longer than n.
    func testBandedAttentionMatchesDoublePrecision() {
        let n = 150, d = 16, ld = 3 * d + 5, ldc = 2 * d
        let qkv = (0..<(n * ld)).map { 3 * value($0, 7) }
        for mask in [AttentionMask.causal, .slidingWindow(5), .slidingWindow(70), .slidingWindow(400),
                     .symmetricWindow(3), .symmetricWindow(40), .symmetricWindow(200)] {
            var p = [Float](repeating: .nan, count: n * n)
            var context = [Float](repeating: .nan, count: n * ldc)
            let scale: Float = 0.25
            qkv.withUnsafeBufferPointer { s in
                p.withUnsafeMutableBufferPointer { pp in context.withUnsafeMutableBufferPointer { cp in
                    let base = s.baseAddress!
                    GroupedQueryAttention.attend(q: base, ldq: ld, k: base + d, ldk: ld, v: base + 2 * d, ldv: ld,
                                                 n: n, d: d, scale: scale, mask: mask, p: pp.baseAddress!,
                                                 context: cp.baseAddress!, ldc: ldc)
                } }
            }
            var worstP = 0.0, worstC = 0.0
            for i in 0..<n {
                let visible = mask.visibleColumns(row: i, count: n)
                var scores = [Double](repeating: 0, count: n)
                for j in visible {
                    var dot = 0.0
                    for t in 0..<d { dot += Double(qkv[i * ld + t]) * Double(qkv[j * ld + d + t]) }
                    scores[j] = Double(scale) * dot
                }
                let top = visible.map { scores[$0] }.max()!
                let total = visible.reduce(0.0) { $0 + exp(scores[$1] - top) }
                for j in 0..<n {
                    if visible.contains(j) {
                        worstP = nanMax(worstP, abs(Double(p[i * n + j]) - exp(scores[j] - top) / total))
                    } else {
                        XCTAssertEqual(p[i * n + j], 0, "\(mask) row \(i) column \(j) is masked")
                    }
                }
                for t in 0..<d {
                    let c = visible.reduce(0.0) { $0 + exp(scores[$1] - top) / total * Double(qkv[$1 * ld + 2 * d + t]) }
                    worstC = nanMax(worstC, abs(Double(context[i * ldc + t]) - c))
                }
                XCTAssertTrue(context[(i * ldc + d)..<((i + 1) * ldc)].allSatisfy(\.isNaN), "\(mask) context row \(i) overwritten")
            }
            XCTAssertLessThanOrEqual(worstP, 1e-6, "\(mask) P")
            XCTAssertLessThanOrEqual(worstC, 1e-5, "\(mask) context")
        }
    }
}
