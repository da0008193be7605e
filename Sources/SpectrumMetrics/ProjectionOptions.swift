import Foundation

/// Options of the projection checks (Theorems 1 and 2 of the Linformer paper; docs/ARCHITECTURE.md).
public struct ProjectionOptions: Sendable, Equatable {
    /// Projection dimensions k; values ≥ n are skipped for a given n.
    public var projectionDimensions: [Int]
    /// Independent draws of R per (sequence, k).
    public var trials: Int
    /// δ of Theorem 2 (`E = δR`, `F = e^{−δ}R`); nil means `1/n`.
    public var delta: Double?
    /// Error levels ε for the fractions and the theory.
    public var epsilons: [Double]

    /// The defaults of `spectrum-analyze run`: k ∈ {16, 32, 64, 128, 256}, one trial, δ = 1/n, ε ∈ {0.1, 0.2, 0.3, 0.5}.
    public init(projectionDimensions: [Int] = [16, 32, 64, 128, 256], trials: Int = 1, delta: Double? = nil,
                epsilons: [Double] = [0.1, 0.2, 0.3, 0.5]) {
        self.projectionDimensions = projectionDimensions
        self.trials = trials
        self.delta = delta
        self.epsilons = epsilons
    }

    /// The dimensions that apply at sequence length n (k < n), sorted and unique.
    public func effectiveProjectionDimensions(sequenceLength n: Int) -> [Int] { Array(Set(projectionDimensions.filter { $0 > 0 && $0 < n })).sorted() }

    /// δ at sequence length n.
    public func effectiveDelta(sequenceLength n: Int) -> Double { delta ?? 1 / Double(n) }
}
