/// Which keys a query may attend to. Hugging Face adds −∞ (the dtype's minimum) to the masked
/// scores before the softmax, so their probabilities are exactly 0; here the softmax runs over the
/// visible columns only and the rest of the row is set to 0, the same values.
enum AttentionMask: Sendable, Equatable {
    /// Every key (encoders).
    case bidirectional
    /// Keys `j ≤ i` (decoders): P is lower-triangular.
    case causal
    /// Keys `i − w < j ≤ i`: P is banded, `w` entries per row once `i ≥ w − 1` (Mistral, Qwen windows).
    case slidingWindow(Int)
    /// Keys `|i − j| ≤ w`, both sides (ModernBERT's local layers): P is banded, `2w + 1` entries per
    /// row away from the ends.
    case symmetricWindow(Int)

    /// The visible key columns of query row `i` in a sequence of `n`.
    func visibleColumns(row i: Int, count n: Int) -> Range<Int> {
        switch self {
        case .bidirectional: return 0..<n
        case .causal: return 0..<(i + 1)
        case .slidingWindow(let w): return max(0, i - w + 1)..<(i + 1)
        case .symmetricWindow(let w): return max(0, i - w)..<min(n, i + w + 1)
        }
    }

    /// The causal mask of a decoder layer with an optional window.
    static func decoder(window: Int?) -> AttentionMask {
        window.map { .slidingWindow($0) } ?? .causal
    }
}
