import LinearAlgebra

/// One query head of grouped-query attention over row-major buffers.
///
/// With H query heads and G key-value heads (G divides H), query head `j` attends with key-value
/// head `g = j / (H/G)`, as `transformers`' `repeat_kv` arranges it: `P_j = softmax(α Q_j K_gᵀ + mask)`
/// `[n, n]` and the context `C_j = P_j V_g` `[n, d]`. G = H is ordinary multi-head attention.
enum GroupedQueryAttention {
    /// The key-value head of query head `head`.
    @inline(__always)
    static func keyValueHead(forQueryHead head: Int, heads: Int, keyValueHeads: Int) -> Int {
        head / (heads / keyValueHeads)
    }

    /// `P = softmax(α Q Kᵀ + mask)` into `p` `[n, n]` (masked entries 0), then `C = P V` into
    /// `context` (row stride `ldc`). `q`, `k`, `v` are `[n, d]` with row strides `ldq`, `ldk`, `ldv`,
    /// read in place. `α` is applied by the GEMM to the finished dot products (one rounding, as
    /// `matmul(q, kᵀ) * scaling` does).
    ///
    /// With a causal or windowed mask the rows run in blocks of ``WorkPartition/rowBlock``: block rows
    /// `r₀ ..< r₁` see only key columns `c₀ ..< c₁` (`c₀` the first visible key of row `r₀`, `c₁` one
    /// past the last visible key of row `r₁ − 1`: `r₁` when causal), so both GEMMs cover just that
    /// band (about half of the n² work for a causal n = 512). The
    /// skipped entries are masked, i.e. exactly 0 in P, and the band's masked entries are 0 too, so
    /// `P V` sums the same nonzero terms as over full rows. The blocks depend on n only.
    static func attend(
        q: UnsafePointer<Float>, ldq: Int, k: UnsafePointer<Float>, ldk: Int, v: UnsafePointer<Float>, ldv: Int,
        n: Int, d: Int, scale: Float, mask: AttentionMask,
        p: UnsafeMutablePointer<Float>, context: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if mask == .bidirectional {
            BLAS.gemm(transposeA: false, transposeB: true, m: n, n: n, k: d,
                      alpha: scale, a: q, lda: ldq, b: k, ldb: ldk, beta: 0, c: p, ldc: n)
            Kernels.softmaxRows(p, rows: n, columns: n, ld: n)
            BLAS.gemm(transposeA: false, transposeB: false, m: n, n: d, k: n,
                      alpha: 1, a: p, lda: n, b: v, ldb: ldv, beta: 0, c: context, ldc: ldc)
            return
        }
        for start in stride(from: 0, to: n, by: WorkPartition.rowBlock) {
            let end = Swift.min(n, start + WorkPartition.rowBlock), rows = end - start
            // Visible ranges move right with the row, so row `start`'s first key and row `end − 1`'s
            // last key bound the block's (causal: the block's last row; symmetric windows reach past it).
            let first = mask.visibleColumns(row: start, count: n).lowerBound
            let band = mask.visibleColumns(row: end - 1, count: n).upperBound - first
            let block = p + start * n
            BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: band, k: d,
                      alpha: scale, a: q + start * ldq, lda: ldq, b: k + first * ldk, ldb: ldk,
                      beta: 0, c: block + first, ldc: n)
            for i in start..<end {
                let row = p + i * n
                let visible = mask.visibleColumns(row: i, count: n)
                Kernels.softmaxRows(row + visible.lowerBound, rows: 1, columns: visible.count, ld: n)
                if visible.lowerBound > 0 { row.update(repeating: 0, count: visible.lowerBound) }
                if visible.upperBound < n { (row + visible.upperBound).update(repeating: 0, count: n - visible.upperBound) }
            }
            BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: d, k: band,
                      alpha: 1, a: block + first, lda: n, b: v + first * ldv, ldb: ldv,
                      beta: 0, c: context + start * ldc, ldc: ldc)
        }
    }
}
