import Foundation

/// What the Johnson–Lindenstrauss argument of the paper's Theorem 1 promises at sequence length n.
public enum ProjectionTheory {
    /// `k_JL(ε) = 5 ln n / (ε² − ε³)`: the dimension at which Theorem 1 guarantees error ≤ ε.
    public static func kJL(epsilon: Double, n: Int) -> Double {
        5 * log(Double(n)) / (epsilon * epsilon - epsilon * epsilon * epsilon)
    }

    /// `2n·exp(−(ε² − ε³)k/4)`: the paper's bound on the probability that some error exceeds ε.
    /// Values ≥ 1 are vacuous (the bound promises nothing).
    public static func failureBound(epsilon: Double, k: Int, n: Int) -> Double {
        2 * Double(n) * exp(-(epsilon * epsilon - epsilon * epsilon * epsilon) * Double(k) / 4)
    }
}
