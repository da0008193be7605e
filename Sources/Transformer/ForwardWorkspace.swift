import Dispatch
import LinearAlgebra

/// Scratch memory and the layer computation of one ``Encoder`` forward call. Created per call and
/// never shared between calls, which is what makes concurrent calls on one encoder safe.
///
/// Each layer runs as three parallel regions: row blocks of the QKV projection, heads of the
/// attention, row blocks of the output projection and feed-forward block (all row-local). Row
/// blocks have a fixed size (``rowBlock``) whatever the thread count, and every block and head is
/// computed by the same calls in the same order, so the output is bit-identical for any `threads`:
/// a GEMM over a different number of rows may round its edge rows differently in OpenBLAS, so the
/// partition must depend on n only. Tasks write disjoint rows or heads of the buffers below,
/// hence `@unchecked Sendable`.
final class ForwardWorkspace: @unchecked Sendable {
    private let configuration: ModelConfiguration
    private let capture: AttentionCapture
    private let n: Int
    private let threads: Int
    /// `[n, h]` the layer input, replaced by the layer output.
    let hidden: UnsafeMutablePointer<Float>
    /// `[n, 3h]` queries | keys | values.
    private let qkv: UnsafeMutablePointer<Float>
    /// `[n, h]` concatenated head contexts `P_h V_h`.
    private let context: UnsafeMutablePointer<Float>
    /// `[n, h]` attention block output `A`.
    private let attended: UnsafeMutablePointer<Float>
    /// `[n, intermediate]` feed-forward activations.
    private let intermediate: UnsafeMutablePointer<Float>
    /// `[threads, n, n]` one head's P per task when P is not captured.
    private let scores: UnsafeMutablePointer<Float>
    /// `[heads, n, n]` handed to the observer; reused across layers unless the observer kept it.
    private var probabilities: [Float]

    init(configuration: ModelConfiguration, sequenceLength n: Int, capture: AttentionCapture, threads: Int) {
        self.configuration = configuration
        self.capture = capture
        self.n = n
        self.threads = max(1, min(threads, n, configuration.headCount))
        let h = configuration.hiddenSize
        hidden = .allocate(capacity: n * h)
        qkv = .allocate(capacity: n * 3 * h)
        context = .allocate(capacity: n * h)
        attended = .allocate(capacity: n * h)
        intermediate = .allocate(capacity: n * configuration.intermediateSize)
        let capturesP = capture.contains(.probabilities)
        scores = .allocate(capacity: capturesP ? 1 : self.threads * n * n)
        // Every element is written by the QKᵀ GEMM (β = 0) before it is read, so skip zero-filling.
        let count = capturesP ? configuration.headCount * n * n : 0
        // `[Float](unsafeUninitializedCapacity: 0)` would write the count into Swift's shared
        // empty-array storage, a data race between workspaces built concurrently; start empty then.
        probabilities = count == 0 ? [] : [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    deinit {
        for buffer in [hidden, qkv, context, attended, intermediate, scores] { buffer.deallocate() }
    }

    /// Rows per block of the row-local GEMMs (see ``WorkPartition``).
    static let rowBlock = WorkPartition.rowBlock

    private var partition: WorkPartition { WorkPartition(rows: n, threads: threads) }

    /// Replaces ``hidden`` with the output of layer `index`, calling `observer` when capturing.
    func runLayer(_ index: Int, weights w: LayerWeights, observer: (LayerAttention) throws -> Void) throws {
        let h = configuration.hiddenSize
        partition.parallel(over: partition.blocks) { block in
            let rows = partition.rows(ofBlock: block)
            Kernels.linear(rows: rows.count, inner: h, out: 3 * h, x: hidden + rows.lowerBound * h, ldx: h,
                           weight: w.qkvWeight, bias: w.qkvBias, y: qkv + rows.lowerBound * 3 * h, ldy: 3 * h)
        }
        partition.eachHead(configuration.headCount, n: n, capturing: capture.contains(.probabilities), into: &probabilities,
                           scratch: scores) { head, p in attend(head: head, p: p) }
        if !capture.isEmpty { try deliver(layer: index, observer: observer) }
        partition.parallel(over: partition.blocks) { block in feedForward(rows: partition.rows(ofBlock: block), weights: w) }
    }

    /// Rows `rows` of the attention output and feed-forward block, in place on ``hidden``:
    /// `A = LayerNorm(C W_oᵀ + b_o + X)`, then `X' = LayerNorm(act(A W_iᵀ + b_i) W_2ᵀ + b_2 + A)`.
    private func feedForward(rows: Range<Int>, weights w: LayerWeights) {
        let c = configuration
        let h = c.hiddenSize, inner = c.intermediateSize, m = rows.count
        let x = hidden + rows.lowerBound * h, a = attended + rows.lowerBound * h
        let ctx = context + rows.lowerBound * h, mid = intermediate + rows.lowerBound * inner
        Kernels.linear(rows: m, inner: h, out: h, x: ctx, ldx: h, weight: w.attentionOutputWeight,
                       bias: w.attentionOutputBias, residual: x, y: a, ldy: h)
        Kernels.layerNormRows(a, rows: m, columns: h, gamma: w.attentionNormWeight,
                              beta: w.attentionNormBias, epsilon: c.layerNormEpsilon)
        Kernels.linear(rows: m, inner: h, out: inner, x: a, ldx: h, weight: w.intermediateWeight,
                       bias: w.intermediateBias, y: mid, ldy: inner)
        Kernels.activate(mid, count: m * inner, activation: c.activation)
        Kernels.linear(rows: m, inner: inner, out: h, x: mid, ldx: inner, weight: w.outputWeight,
                       bias: w.outputBias, residual: a, y: x, ldy: h)
        Kernels.layerNormRows(x, rows: m, columns: h, gamma: w.outputNormWeight,
                              beta: w.outputNormBias, epsilon: c.layerNormEpsilon)
    }

    /// One head: `P_h = softmax(Q_h K_hᵀ / √d)` into `p` `[n, n]`, then `C_h = P_h V_h` into the
    /// head's columns of ``context``. Q_h, K_h, V_h are read in place from ``qkv`` (row stride 3h),
    /// so no head is copied.
    private func attend(head: Int, p: UnsafeMutablePointer<Float>) {
        let h = configuration.hiddenSize, d = configuration.headDimension
        let scale = 1 / Float(d).squareRoot()
        let q = qkv + head * d, k = qkv + h + head * d, v = qkv + 2 * h + head * d
        // α = 1/√d is applied by the GEMM to the finished dot products, the same single
        // rounding as Hugging Face's `matmul(q, kᵀ) * scaling`.
        BLAS.gemm(transposeA: false, transposeB: true, m: n, n: n, k: d,
                  alpha: scale, a: q, lda: 3 * h, b: k, ldb: 3 * h, beta: 0, c: p, ldc: n)
        Kernels.softmaxRows(p, rows: n, columns: n, ld: n)
        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: d, k: n,
                  alpha: 1, a: p, lda: n, b: v, ldb: 3 * h, beta: 0, c: context + head * d, ldc: h)
    }

    /// Hands the layer's capture to `observer`, then takes the P buffer back. The workspace drops
    /// its own reference first, so the array stays uniquely referenced (and is reused without a
    /// copy) unless the observer stored it.
    private func deliver(layer: Int, observer: (LayerAttention) throws -> Void) throws {
        let c = configuration
        let wantsQKV = capture.contains(.queriesKeysValues)
        var attention = LayerAttention(
            layer: layer, heads: c.headCount, sequenceLength: n, headDimension: c.headDimension,
            probabilities: probabilities,
            queries: wantsQKV ? headMajor(section: 0) : nil,
            keys: wantsQKV ? headMajor(section: 1) : nil,
            values: wantsQKV ? headMajor(section: 2) : nil)
        probabilities = []
        defer {
            probabilities = attention.probabilities
            attention.probabilities = []
        }
        try observer(attention)
    }

    /// Section `s` (0 = Q, 1 = K, 2 = V) of ``qkv`` rearranged to `[heads, n, d]`.
    private func headMajor(section: Int) -> [Float] {
        let h = configuration.hiddenSize
        return LayerAttention.headMajor(qkv, rowStride: 3 * h, firstColumn: section * h, heads: configuration.headCount,
                                        rows: n, d: configuration.headDimension)
    }
}
