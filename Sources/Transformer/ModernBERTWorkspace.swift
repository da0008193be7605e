import Dispatch
import LinearAlgebra

/// Scratch memory and the layer computation of one ``ModernBERT`` forward call; created per call and
/// never shared, which makes concurrent calls on one model safe.
///
/// Each layer runs as three parallel regions, as in the other encoders: row blocks of the attention
/// norm + `Wqkv` + RoPE, heads of the attention, row blocks of `Wo` + MLP norm + GeGLU MLP. Row blocks
/// have ``WorkPartition/rowBlock`` rows whatever the thread count and every block and head runs the
/// same calls, so results are bit-identical for any `threads`. Tasks write disjoint rows or heads of
/// the buffers, hence `@unchecked Sendable`.
final class ModernBERTWorkspace: @unchecked Sendable {
    private let c: ModernBERTConfiguration
    private let weights: ModernBERTWeights
    private let capture: AttentionCapture
    private let n: Int
    private let threads: Int
    /// `[n, h]` the residual stream X.
    let hidden: UnsafeMutablePointer<Float>
    /// `[n, h]` the normalized input of the current block.
    private let normed: UnsafeMutablePointer<Float>
    /// `[n, 3h]` q | k | v, each head-major `[H, d]` within a row.
    private let qkv: UnsafeMutablePointer<Float>
    /// `[n, h]` concatenated head contexts.
    private let context: UnsafeMutablePointer<Float>
    /// `[n, 2I]` `Wi` output: input | gate; the input half becomes `act(input) ⊙ gate`.
    private let mlp: UnsafeMutablePointer<Float>
    /// `[threads, n, n]` one head's P per task when P is not captured.
    private let scores: UnsafeMutablePointer<Float>
    /// `[n, d/2]` RoPE cos and sin of the global and the local layers.
    private let global: (cos: [Float], sin: [Float]), local: (cos: [Float], sin: [Float])
    /// `[H, n, n]` handed to the observer; reused across layers unless the observer kept it.
    private var probabilities: [Float]

    init(weights: ModernBERTWeights, configuration: ModernBERTConfiguration, sequenceLength n: Int,
         capture: AttentionCapture, threads: Int) {
        c = configuration
        self.weights = weights
        self.capture = capture
        self.n = n
        self.threads = max(1, min(threads, max(n, c.headCount)))
        let h = c.hiddenSize
        hidden = .allocate(capacity: n * h)
        normed = .allocate(capacity: n * h)
        qkv = .allocate(capacity: n * 3 * h)
        context = .allocate(capacity: n * h)
        mlp = .allocate(capacity: n * 2 * c.intermediateSize)
        let capturesP = capture.contains(.probabilities)
        scores = .allocate(capacity: capturesP ? 1 : self.threads * n * n)
        global = c.globalRotary.table(sequenceLength: n)
        local = c.localRotary == c.globalRotary ? global : c.localRotary.table(sequenceLength: n)
        let count = capturesP ? c.headCount * n * n : 0
        // Every element is written by the attention before it is read; an empty array avoids
        // writing into Swift's shared empty storage (see ForwardWorkspace).
        probabilities = count == 0 ? [] : [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    deinit {
        for buffer in [hidden, normed, qkv, context, mlp, scores] { buffer.deallocate() }
    }

    private var partition: WorkPartition { WorkPartition(rows: n, threads: threads) }

    /// `X⁰ = LayerNorm(E_tok[t])` into ``hidden``; ids were checked by the caller.
    func embed(_ ids: [Int32]) {
        let h = c.hiddenSize
        for (row, id) in ids.enumerated() {
            (hidden + row * h).update(from: weights.tokenEmbeddings.pointer + Int(id) * h, count: h)
        }
        Kernels.layerNormRows(hidden, rows: n, columns: h, gamma: weights.embeddingNorm.weight,
                              beta: weights.embeddingNorm.bias, epsilon: c.normEpsilon)
    }

    /// Copies rows `rows` of ``hidden`` into ``normed`` and normalizes them (no norm: a plain copy).
    private func normalize(rows: Range<Int>, norm: ModernBERTWeights.Norm?) {
        let h = c.hiddenSize
        let x = normed + rows.lowerBound * h
        x.update(from: hidden + rows.lowerBound * h, count: rows.count * h)
        if let norm {
            Kernels.layerNormRows(x, rows: rows.count, columns: h, gamma: norm.weight, beta: norm.bias, epsilon: c.normEpsilon)
        }
    }

    /// Replaces ``hidden`` with the output of layer `index`, calling `observer` when capturing:
    /// `X ← X + Wo(attn(attn_norm(X)))`, then `X ← X + Wo(act(input) ⊙ gate)` with
    /// `[input gate] = Wi(mlp_norm(X))`.
    func runLayer(_ index: Int, observer: (LayerAttention) throws -> Void) throws {
        let w = weights.layers[index]
        let h = c.hiddenSize, d = c.headDimension, H = c.headCount
        let table = c.localLayers[index] ? local : global
        partition.parallel(over: partition.blocks) { block in
            let rows = partition.rows(ofBlock: block)
            normalize(rows: rows, norm: w.attentionNorm)
            Kernels.linear(rows: rows.count, inner: h, out: 3 * h, x: normed + rows.lowerBound * h, ldx: h,
                           weight: w.qkv.weight, bias: w.qkv.bias, y: qkv + rows.lowerBound * 3 * h, ldy: 3 * h)
            table.cos.withUnsafeBufferPointer { cos in
                table.sin.withUnsafeBufferPointer { sin in
                    guard let cosBase = cos.baseAddress, let sinBase = sin.baseAddress else { return }
                    for row in rows {
                        let q = qkv + row * 3 * h, offset = row * (d / 2)
                        // Queries and keys are adjacent, so one call rotates all 2H heads.
                        RotaryEmbedding.rotate(q, heads: 2 * H, dimension: d, cos: cosBase + offset, sin: sinBase + offset)
                    }
                }
            }
        }
        let mask = c.mask(layer: index)
        let scale = 1 / Float(d).squareRoot()
        let attend: @Sendable (Int, UnsafeMutablePointer<Float>) -> Void = { [self] head, p in
            GroupedQueryAttention.attend(
                q: qkv + head * d, ldq: 3 * h, k: qkv + h + head * d, ldk: 3 * h, v: qkv + 2 * h + head * d, ldv: 3 * h,
                n: n, d: d, scale: scale, mask: mask, p: p, context: context + head * d, ldc: h)
        }
        partition.eachHead(H, n: n, capturing: capture.contains(.probabilities), into: &probabilities, scratch: scores, attend)
        if !capture.isEmpty { try deliver(layer: index, observer: observer) }
        partition.parallel(over: partition.blocks) { block in feedForward(rows: partition.rows(ofBlock: block), weights: w) }
    }

    /// Rows `rows`: the attention output and the GeGLU MLP, both added onto ``hidden``.
    private func feedForward(rows: Range<Int>, weights w: ModernBERTWeights.Layer) {
        let h = c.hiddenSize, inner = c.intermediateSize, m = rows.count
        let x = hidden + rows.lowerBound * h
        Kernels.linear(rows: m, inner: h, out: h, x: context + rows.lowerBound * h, ldx: h,
                       weight: w.attentionOutput.weight, bias: w.attentionOutput.bias, residual: x, y: x, ldy: h)
        normalize(rows: rows, norm: w.mlpNorm)
        let f = mlp + rows.lowerBound * 2 * inner
        Kernels.linear(rows: m, inner: h, out: 2 * inner, x: normed + rows.lowerBound * h, ldx: h,
                       weight: w.mlpIn.weight, bias: w.mlpIn.bias, y: f, ldy: 2 * inner)
        for row in 0..<m {
            let r = f + row * 2 * inner
            Kernels.activate(r, count: inner, activation: c.activation)
            for j in 0..<inner { r[j] *= r[inner + j] }
        }
        Kernels.linear(rows: m, inner: inner, out: h, x: f, ldx: 2 * inner, weight: w.mlpOut.weight,
                       bias: w.mlpOut.bias, residual: x, y: x, ldy: h)
    }

    /// `final_norm` over every row of ``hidden``.
    func finalNorm() {
        Kernels.layerNormRows(hidden, rows: n, columns: c.hiddenSize, gamma: weights.finalNorm.weight,
                              beta: weights.finalNorm.bias, epsilon: c.normEpsilon)
    }

    /// Hands the layer's capture to `observer`, then takes the P buffer back (as the encoder does).
    private func deliver(layer: Int, observer: (LayerAttention) throws -> Void) throws {
        let wantsQKV = capture.contains(.queriesKeysValues)
        let H = c.headCount
        var attention = LayerAttention(
            layer: layer, heads: H, sequenceLength: n, headDimension: c.headDimension, probabilities: probabilities,
            queries: wantsQKV ? headMajor(section: 0) : nil, keys: wantsQKV ? headMajor(section: 1) : nil,
            values: wantsQKV ? headMajor(section: 2) : nil)
        probabilities = []
        defer {
            probabilities = attention.probabilities
            attention.probabilities = []
        }
        try observer(attention)
    }

    /// Section `s` (0 = Q after RoPE, 1 = K after RoPE, 2 = V) of ``qkv`` as `[H, n, d]`.
    private func headMajor(section: Int) -> [Float] {
        LayerAttention.headMajor(qkv, rowStride: 3 * c.hiddenSize, firstColumn: section * c.hiddenSize, heads: c.headCount,
                                 rows: n, d: c.headDimension)
    }
}
