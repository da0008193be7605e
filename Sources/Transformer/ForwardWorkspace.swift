import LinearAlgebra

/// Scratch memory and the layer computation of one ``Encoder`` forward call. Created per call and
/// never shared, which is what makes concurrent calls on one encoder safe.
final class ForwardWorkspace {
    private let configuration: ModelConfiguration
    private let capture: AttentionCapture
    private let n: Int
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
    /// `[n, n]` one head's P when P is not captured.
    private let scores: UnsafeMutablePointer<Float>
    /// `[heads, n, n]` handed to the observer; reused across layers unless the observer kept it.
    private var probabilities: [Float]

    init(configuration: ModelConfiguration, sequenceLength n: Int, capture: AttentionCapture) {
        self.configuration = configuration
        self.capture = capture
        self.n = n
        let h = configuration.hiddenSize
        hidden = .allocate(capacity: n * h)
        qkv = .allocate(capacity: n * 3 * h)
        context = .allocate(capacity: n * h)
        attended = .allocate(capacity: n * h)
        intermediate = .allocate(capacity: n * configuration.intermediateSize)
        let capturesP = capture.contains(.probabilities)
        scores = .allocate(capacity: capturesP ? 1 : n * n)
        probabilities = capturesP ? [Float](repeating: 0, count: configuration.headCount * n * n) : []
    }

    deinit {
        for buffer in [hidden, qkv, context, attended, intermediate, scores] { buffer.deallocate() }
    }

    /// Replaces ``hidden`` with the output of layer `index`, calling `observer` when capturing.
    func runLayer(_ index: Int, weights w: LayerWeights, observer: (LayerAttention) throws -> Void) throws {
        let c = configuration
        let h = c.hiddenSize, inner = c.intermediateSize
        Kernels.linear(rows: n, inner: h, out: 3 * h, x: hidden, ldx: h, weight: w.qkvWeight, bias: w.qkvBias,
                       y: qkv, ldy: 3 * h)
        if capture.contains(.probabilities) {
            probabilities.withUnsafeMutableBufferPointer { p in
                if let base = p.baseAddress { attend(into: base, headStride: n * n) }
            }
        } else {
            attend(into: scores, headStride: 0)
        }
        if !capture.isEmpty { try deliver(layer: index, observer: observer) }

        // A = LayerNorm(C W_oᵀ + b_o + X)
        attended.update(from: hidden, count: n * h)
        Kernels.linear(rows: n, inner: h, out: h, x: context, ldx: h, weight: w.attentionOutputWeight,
                       bias: w.attentionOutputBias, y: attended, ldy: h, accumulate: true)
        Kernels.layerNormRows(attended, rows: n, columns: h, gamma: w.attentionNormWeight,
                              beta: w.attentionNormBias, epsilon: c.layerNormEpsilon)
        // X' = LayerNorm(act(A W_iᵀ + b_i) W_2ᵀ + b_2 + A)
        Kernels.linear(rows: n, inner: h, out: inner, x: attended, ldx: h, weight: w.intermediateWeight,
                       bias: w.intermediateBias, y: intermediate, ldy: inner)
        Kernels.activate(intermediate, count: n * inner, activation: c.activation)
        hidden.update(from: attended, count: n * h)
        Kernels.linear(rows: n, inner: inner, out: h, x: intermediate, ldx: inner, weight: w.outputWeight,
                       bias: w.outputBias, y: hidden, ldy: h, accumulate: true)
        Kernels.layerNormRows(hidden, rows: n, columns: h, gamma: w.outputNormWeight,
                              beta: w.outputNormBias, epsilon: c.layerNormEpsilon)
    }

    /// Per head: `P_h = softmax(Q_h K_hᵀ / √d)` into `p + head·headStride`, then `C_h = P_h V_h`
    /// into the head's columns of ``context``. Q_h, K_h, V_h are read in place from ``qkv``
    /// (row stride 3h), so no head is copied.
    private func attend(into p: UnsafeMutablePointer<Float>, headStride: Int) {
        let h = configuration.hiddenSize, d = configuration.headDimension
        let scale = 1 / Float(d).squareRoot()
        for head in 0..<configuration.headCount {
            let ph = p + head * headStride
            let q = qkv + head * d, k = qkv + h + head * d, v = qkv + 2 * h + head * d
            // α = 1/√d is applied by the GEMM to the finished dot products, the same single
            // rounding as Hugging Face's `matmul(q, kᵀ) * scaling`.
            BLAS.gemm(transposeA: false, transposeB: true, m: n, n: n, k: d,
                      alpha: scale, a: q, lda: 3 * h, b: k, ldb: 3 * h, beta: 0, c: ph, ldc: n)
            Kernels.softmaxRows(ph, rows: n, columns: n, ld: n)
            BLAS.gemm(transposeA: false, transposeB: false, m: n, n: d, k: n,
                      alpha: 1, a: ph, lda: n, b: v, ldb: 3 * h, beta: 0, c: context + head * d, ldc: h)
        }
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
        let h = configuration.hiddenSize, d = configuration.headDimension, heads = configuration.headCount
        return [Float](unsafeUninitializedCapacity: heads * n * d) { buffer, initialized in
            guard let out = buffer.baseAddress else { return }
            for head in 0..<heads {
                for row in 0..<n {
                    (out + (head * n + row) * d).initialize(from: qkv + row * 3 * h + section * h + head * d, count: d)
                }
            }
            initialized = heads * n * d
        }
    }
}
