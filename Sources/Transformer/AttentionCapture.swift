/// What the encoder hands to the observer for each layer.
public struct AttentionCapture: OptionSet, Sendable {
    public let rawValue: Int
    /// Creates a set from its raw bits.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The observer is not called.
    public static let none: AttentionCapture = []
    /// P for every head, `[heads, n, n]`.
    public static let probabilities = AttentionCapture(rawValue: 1 << 0)
    /// Q for every query head `[heads, n, d]`; K and V for every key-value head
    /// `[keyValueHeads, n, d]` (the same as `heads` without grouped-query attention).
    public static let queriesKeysValues = AttentionCapture(rawValue: 1 << 1)
    /// P and Q, K, V.
    public static let probabilitiesAndQKV: AttentionCapture = [.probabilities, .queriesKeysValues]
}

/// One layer's attention, handed to the observer of ``Encoder/forward(inputIds:tokenTypeIds:capture:observer:)``.
///
/// For head `h`, with `Q_h, K_h, V_h` `[n, d]` the head's slices of the projections (after bias):
/// `P_h = softmax(Q_h K_hᵀ / √d)` row-wise, and the head's context is `P_h V_h`. With grouped-query
/// attention (decoders with G < H key-value heads) query head `h` uses key-value head
/// `g = h / (H/G)` (``keyValueHead(forQueryHead:)``): `P_h = softmax(Q_h K_gᵀ/√d + mask)`, context
/// `P_h V_g`. Decoders are causal: `P_h[i][j] = 0` for `j > i` (and outside a sliding window).
/// The arrays are the caller's to keep; the encoder reuses its buffer only when the caller did not.
public struct LayerAttention: Sendable {
    /// Zero-based layer index.
    public let layer: Int
    /// Number of heads H.
    public let heads: Int
    /// Sequence length n.
    public let sequenceLength: Int
    /// d (hidden / H unless the model sets `head_dim`).
    public let headDimension: Int
    /// G, heads of ``keys`` and ``values``; equals ``heads`` without grouped-query attention.
    public let keyValueHeads: Int
    /// `[heads, n, n]` row-major: `P[h][i][j]` at `(h·n + i)·n + j`; each row sums to 1.
    /// Empty when ``AttentionCapture/probabilities`` was not requested.
    public internal(set) var probabilities: [Float]
    /// `[heads, n, d]` queries after bias (and, for decoders, after q norm and RoPE), before the
    /// `1/√d` scaling; `nil` unless requested.
    public let queries: [Float]?
    /// `[keyValueHeads, n, d]` keys after bias (decoders: after k norm and RoPE); `nil` unless requested.
    public let keys: [Float]?
    /// `[keyValueHeads, n, d]` values after bias; `nil` unless requested.
    public let values: [Float]?

    /// A capture from its parts (e.g. for tests of code that consumes captures). Shapes as documented
    /// on the properties; not checked. `keyValueHeads` defaults to `heads`.
    public init(
        layer: Int, heads: Int, sequenceLength: Int, headDimension: Int, probabilities: [Float],
        queries: [Float]? = nil, keys: [Float]? = nil, values: [Float]? = nil, keyValueHeads: Int? = nil
    ) {
        self.layer = layer
        self.heads = heads
        self.keyValueHeads = keyValueHeads ?? heads
        self.sequenceLength = sequenceLength
        self.headDimension = headDimension
        self.probabilities = probabilities
        self.queries = queries
        self.keys = keys
        self.values = values
    }

    /// `P[head][row][column]`.
    public func probability(head: Int, row: Int, column: Int) -> Float {
        probabilities[(head * sequenceLength + row) * sequenceLength + column]
    }

    /// The key-value head `h / (H/G)` that query head `h` attends with (`h` itself when G = H).
    public func keyValueHead(forQueryHead head: Int) -> Int {
        keyValueHeads > 0 && heads % keyValueHeads == 0 ? head / (heads / keyValueHeads) : head
    }
}

extension LayerAttention {
    /// `heads` consecutive heads of a row-major projection buffer rearranged to `[heads, n, d]`:
    /// head `j` of row `i` is the `d` floats at `buffer + i·rowStride + firstColumn + j·d` (how every
    /// forward pass lays out its fused q | k | v rows).
    static func headMajor(_ buffer: UnsafePointer<Float>, rowStride: Int, firstColumn: Int, heads: Int, rows n: Int, d: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: heads * n * d) { out, initialized in
            guard let base = out.baseAddress else { return }
            for head in 0..<heads {
                for row in 0..<n {
                    (base + (head * n + row) * d).initialize(from: buffer + row * rowStride + firstColumn + head * d, count: d)
                }
            }
            initialized = heads * n * d
        }
    }
}
