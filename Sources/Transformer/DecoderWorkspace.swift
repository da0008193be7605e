import Dispatch
import LinearAlgebra

/// Scratch memory and the layer computation of one ``CausalDecoder`` forward call; created per call
/// and never shared, which makes concurrent calls on one decoder safe.
///
/// Each layer: convert its weights into ``layer`` (one layer in float32 at a time), then three
/// parallel regions as in the encoder: row blocks of norm + q/k/v projection + q/k norm + RoPE,
/// query heads of the attention (only the causal band of each head, see ``GroupedQueryAttention``),
/// row blocks of the output projection and feed-forward block. In the row regions each task runs
/// every step over all of its blocks, one weight slice at a time, so a slice is read from memory
/// once per task rather than once per block. Row blocks are ``rowBlock`` rows whatever the thread
/// count and every block and head runs the same calls, so results are bit-identical for any
/// `threads`. Tasks write disjoint rows or heads of the buffers, hence `@unchecked Sendable`.
final class DecoderWorkspace: @unchecked Sendable {
    private let c: DecoderConfiguration
    private let weights: DecoderWeights
    private let capture: AttentionCapture
    private let n: Int
    private let threads: Int
    /// `[n, h]` the residual stream X.
    let hidden: UnsafeMutablePointer<Float>
    /// `[n, h]` the normalized input of the current block.
    private let normed: UnsafeMutablePointer<Float>
    /// `[n, (H + 2G)·d]` q | k | v.
    private let qkv: UnsafeMutablePointer<Float>
    /// `[n, H·d]` concatenated head contexts.
    private let context: UnsafeMutablePointer<Float>
    /// `[n, U]` feed-forward activations (gate | up for SwiGLU).
    private let feedForward: UnsafeMutablePointer<Float>
    /// The buffer a streamed layer is converted into (one float when the layers are resident).
    private let layer: UnsafeMutablePointer<Float>
    /// The current layer's weights, laid out by ``LayerLayout``: ``layer`` or a resident layer.
    /// Set before each layer's parallel regions, only read inside them.
    private var current: UnsafePointer<Float>
    /// Conversion scratch for transposed (Conv1D) tensors.
    private let scratch: UnsafeMutablePointer<Float>
    /// `[threads, n, n]` one head's P per task when P is not captured.
    private let scores: UnsafeMutablePointer<Float>
    /// `[n, d/2]` RoPE cos and sin (empty without RoPE).
    private let cosines: [Float], sines: [Float]
    /// `[H, n, n]` handed to the observer; reused across layers unless the observer kept it.
    private var probabilities: [Float]

    /// Rows per block of the row-local work (the encoder's value, for the same reasons).
    static let rowBlock = WorkPartition.rowBlock

    init(weights: DecoderWeights, sequenceLength n: Int, capture: AttentionCapture, threads: Int) {
        let c = weights.configuration
        self.c = c
        self.weights = weights
        self.capture = capture
        self.n = n
        self.threads = max(1, min(threads, max(n, c.headCount)))
        let h = c.hiddenSize
        hidden = .allocate(capacity: n * h)
        normed = .allocate(capacity: n * h)
        qkv = .allocate(capacity: n * c.queryKeyValueWidth)
        context = .allocate(capacity: n * c.headCount * c.headDimension)
        feedForward = .allocate(capacity: n * (c.gatedFeedForward ? 2 : 1) * c.intermediateSize)
        let streams = weights.resident == nil
        layer = .allocate(capacity: streams ? weights.layout.count : 1)
        current = UnsafePointer(layer)
        scratch = .allocate(capacity: streams ? max(1, weights.largestTransposed) : 1)
        let capturesP = capture.contains(.probabilities)
        scores = .allocate(capacity: capturesP ? 1 : self.threads * n * n)
        (cosines, sines) = c.rotary?.table(sequenceLength: n) ?? ([], [])
        let count = capturesP ? c.headCount * n * n : 0
        // Every element is written by the attention before it is read; an empty array avoids
        // writing into Swift's shared empty storage (see ForwardWorkspace).
        probabilities = count == 0 ? [] : [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    deinit {
        for buffer in [hidden, normed, qkv, context, feedForward, layer, scratch, scores] { buffer.deallocate() }
    }

    private var partition: WorkPartition { WorkPartition(rows: n, threads: threads) }

    private func slot(_ s: LayerSlot) -> UnsafePointer<Float> { current + weights.layout.range(s).lowerBound }

    /// Normalizes rows `rows` of `source` (stride h) into the same rows of ``normed``.
    private func normalize(rows: Range<Int>, from source: UnsafePointer<Float>, weight: LayerSlot, bias: LayerSlot,
                           into target: UnsafeMutablePointer<Float>) {
        let h = c.hiddenSize
        let x = target + rows.lowerBound * h
        x.update(from: source + rows.lowerBound * h, count: rows.count * h)
        switch c.normalization {
        case .layerNorm:
            Kernels.layerNormRows(x, rows: rows.count, columns: h, gamma: slot(weight), beta: slot(bias), epsilon: c.normEpsilon)
        case .rmsNorm:
            Kernels.rmsNormRows(x, rows: rows.count, columns: h, ld: h, gamma: slot(weight), epsilon: c.normEpsilon)
        }
    }

    /// Replaces ``hidden`` with the output of layer `index`, calling `observer` when capturing.
    func runLayer(_ index: Int, observer: (LayerAttention) throws -> Void) throws {
        if let resident = weights.resident {
            current = resident[index].pointer
        } else {
            try weights.load(layer: index, into: layer, scratch: scratch)
            current = UnsafePointer(layer)
        }
        let h = c.hiddenSize, width = c.queryKeyValueWidth, d = c.headDimension
        let H = c.headCount, G = c.keyValueHeadCount
        partition.parallelBlocks { blocks in
            for rows in blocks {
                normalize(rows: rows, from: hidden, weight: .attentionNormWeight, bias: .attentionNormBias, into: normed)
            }
            Kernels.linear(blocks: blocks, inner: h, out: width, x: normed, ldx: h,
                           weight: slot(.queryKeyValueWeight), bias: slot(.queryKeyValueBias), y: qkv, ldy: width)
            for rows in blocks { positionQueriesAndKeys(rows: rows) }
        }
        let mask = AttentionMask.decoder(window: c.slidingWindows[index])
        let baseScale: Float = c.scalesAttention ? 1 / Float(d).squareRoot() : 1
        let scale = c.scalesByInverseLayer ? baseScale / Float(index + 1) : baseScale
        let attend: @Sendable (Int, UnsafeMutablePointer<Float>) -> Void = { [self] head, p in
            let g = GroupedQueryAttention.keyValueHead(forQueryHead: head, heads: H, keyValueHeads: G)
            GroupedQueryAttention.attend(
                q: qkv + head * d, ldq: width, k: qkv + (H + g) * d, ldk: width, v: qkv + (H + G + g) * d, ldv: width,
                n: n, d: d, scale: scale, mask: mask, p: p, context: context + head * d, ldc: H * d)
        }
        partition.eachHead(H, n: n, capturing: capture.contains(.probabilities), into: &probabilities, scratch: scores, attend)
        if !capture.isEmpty { try deliver(layer: index, observer: observer) }
        partition.parallelBlocks { blocks in feedForward(blocks: blocks) }
    }

    /// Rows `rows` of ``qkv``: Qwen3's per-head RMSNorm of q and k, then RoPE on q and k (cos and
    /// sin from the table made once per forward call).
    private func positionQueriesAndKeys(rows: Range<Int>) {
        let width = c.queryKeyValueWidth, d = c.headDimension, H = c.headCount, G = c.keyValueHeadCount
        guard c.queryKeyNorm || c.rotary != nil else { return }
        cosines.withUnsafeBufferPointer { cos in
            sines.withUnsafeBufferPointer { sin in
                for row in rows {
                    let q = qkv + row * width, k = q + H * d
                    if c.queryKeyNorm {
                        Kernels.rmsNormRows(q, rows: H, columns: d, ld: d, gamma: slot(.queryNorm), epsilon: c.normEpsilon)
                        Kernels.rmsNormRows(k, rows: G, columns: d, ld: d, gamma: slot(.keyNorm), epsilon: c.normEpsilon)
                    }
                    guard c.rotary != nil, let cosBase = cos.baseAddress, let sinBase = sin.baseAddress else { continue }
                    let offset = row * (d / 2)
                    RotaryEmbedding.rotate(q, heads: H, dimension: d, cos: cosBase + offset, sin: sinBase + offset)
                    RotaryEmbedding.rotate(k, heads: G, dimension: d, cos: cosBase + offset, sin: sinBase + offset)
                }
            }
        }
    }

    /// Row blocks `blocks`: `A = X + C W_oᵀ + b_o`, then `X' = A + down(act(…))` on ``hidden`` in
    /// place. Each step runs over all of the task's blocks before the next, so every weight slice is
    /// reused from cache by all of them (see ``Kernels/linear(blocks:inner:out:x:ldx:weight:bias:residual:y:ldy:)``).
    private func feedForward(blocks: [Range<Int>]) {
        let h = c.hiddenSize, inner = c.intermediateSize
        let attentionWidth = c.headCount * c.headDimension
        Kernels.linear(blocks: blocks, inner: attentionWidth, out: h, x: context, ldx: attentionWidth,
                       weight: slot(.outputWeight), bias: slot(.outputBias), residual: hidden, y: hidden, ldy: h)
        for rows in blocks {
            normalize(rows: rows, from: hidden, weight: .feedForwardNormWeight, bias: .feedForwardNormBias, into: normed)
        }
        let up = c.gatedFeedForward ? 2 * inner : inner
        Kernels.linear(blocks: blocks, inner: h, out: up, x: normed, ldx: h,
                       weight: slot(.upWeight), bias: slot(.upBias), y: feedForward, ldy: up)
        for rows in blocks {
            let f = feedForward + rows.lowerBound * up
            if c.gatedFeedForward {
                // act(gate) ⊙ up, written over the gate half of each row.
                for row in 0..<rows.count {
                    let r = f + row * up
                    Kernels.activate(r, count: inner, activation: c.activation)
                    for j in 0..<inner { r[j] *= r[inner + j] }
                }
            } else {
                Kernels.activate(f, count: rows.count * inner, activation: c.activation)
            }
        }
        Kernels.linear(blocks: blocks, inner: inner, out: h, x: feedForward, ldx: up,
                       weight: slot(.downWeight), bias: slot(.downBias), residual: hidden, y: hidden, ldy: h)
    }

    /// The final norm over every row of ``hidden``.
    func finalNorm() {
        let h = c.hiddenSize
        let gamma = weights.finalNormWeight.pointer
        switch c.normalization {
        case .layerNorm:
            let beta = weights.finalNormBias?.pointer ?? gamma
            Kernels.layerNormRows(hidden, rows: n, columns: h, gamma: gamma, beta: beta, epsilon: c.normEpsilon)
        case .rmsNorm:
            Kernels.rmsNormRows(hidden, rows: n, columns: h, ld: h, gamma: gamma, epsilon: c.normEpsilon)
        }
    }

    /// Hands the layer's capture to `observer`, then takes the P buffer back (as the encoder does).
    private func deliver(layer: Int, observer: (LayerAttention) throws -> Void) throws {
        let wantsQKV = capture.contains(.queriesKeysValues)
        let H = c.headCount, G = c.keyValueHeadCount
        var attention = LayerAttention(
            layer: layer, heads: H, sequenceLength: n, headDimension: c.headDimension, probabilities: probabilities,
            queries: wantsQKV ? headMajor(firstHead: 0, heads: H) : nil,
            keys: wantsQKV ? headMajor(firstHead: H, heads: G) : nil,
            values: wantsQKV ? headMajor(firstHead: H + G, heads: G) : nil,
            keyValueHeads: G)
        probabilities = []
        defer {
            probabilities = attention.probabilities
            attention.probabilities = []
        }
        try observer(attention)
    }

    /// Heads `firstHead ..< firstHead + heads` of ``qkv`` (in units of d columns) as `[heads, n, d]`.
    private func headMajor(firstHead: Int, heads: Int) -> [Float] {
        let d = c.headDimension, width = c.queryKeyValueWidth
        return [Float](unsafeUninitializedCapacity: heads * n * d) { buffer, initialized in
            guard let out = buffer.baseAddress else { return }
            for head in 0..<heads {
                for row in 0..<n {
                    (out + (head * n + row) * d).initialize(from: qkv + row * width + (firstHead + head) * d, count: d)
                }
            }
            initialized = heads * n * d
        }
    }
}
