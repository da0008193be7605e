import Foundation

/// Which projected dimension k each layer needs (the paper's "non-uniform projected dimension").
///
/// Per head: the smallest j whose mean-over-sequences `c_j` reaches the energy target τ and, when an
/// error target ε is given, at least the smallest grid k whose fitted-projection error (median over
/// held-out windows of the per-window median over the columns of V) is ≤ ε; a head that meets no
/// grid k is given n. Per layer: the maximum over its heads (one projection serves all heads of a
/// layer in Linformer). Compression: `Σ_l k_l` against `L · max_l k_l`, the uniform k that would
/// serve every layer.
public struct KRecommendation: Codable, Sendable, Equatable {
    /// The targets the recommendation meets.
    public struct Criterion: Codable, Sendable, Equatable {
        /// Energy target τ on the mean cumulative singular-value curve.
        public var energy: Double
        /// Fitted-projection error target ε, if any.
        public var error: Double?
        /// What the error is measured on.
        public var errorStatistic: String?
    }

    /// One layer's k and its heads' ks.
    public struct Layer: Codable, Sendable, Equatable {
        /// 1-based layer number.
        public var layer: Int
        /// Maximum of ``heads``.
        public var k: Int
        /// k per head, `[H]`.
        public var heads: [Int]
        /// Heads for which no grid k met the error target (given n), when an error target is set.
        public var headsMissingErrorTarget: Int?
    }

    public var criterion: Criterion
    public var layers: [Layer]
    /// Sequence length n of the run.
    public var n: Int
    /// The uniform k that serves every layer, `max_l k_l`.
    public var uniformK: Int
    /// `Σ_l k_l / (L · uniformK)`: the fraction of a uniform projection's size the per-layer ks need.
    public var compression: Double

    /// The recommendation from the mean curves and, optionally, fitted-projection errors.
    /// - Parameters:
    ///   - meanCumulative: `[L, H, n]` mean `c_j` over sequences (j = 1…n).
    ///   - energy: τ in (0, 1].
    ///   - fitted: `(projectionDimensions, errors)` with `errors` `[L, H, K]`, the statistic named in `errorStatistic`.
    ///   - error: ε > 0 (requires `fitted`).
    public init(layers L: Int, heads H: Int, n: Int, meanCumulative: [Double], energy: Double,
                fitted: (projectionDimensions: [Int], errors: [Double])? = nil, error: Double? = nil,
                errorStatistic: String? = nil) throws(AnalysisError) {
        guard energy > 0, energy <= 1 else { throw .invalidOption("\(Remedy.energy.marker) must be in (0, 1], got \(energy)") }
        guard meanCumulative.count == L * H * n, L > 0, H > 0, n > 0 else {
            throw .invalidOption("mean curves hold \(meanCumulative.count) values, [\(L), \(H), \(n)] needs \(L * H * n)")
        }
        if let error {
            guard error > 0 else { throw .invalidOption("\(Remedy.error.marker) must be positive, got \(error)") }
            guard let fitted, fitted.errors.count == L * H * fitted.projectionDimensions.count else {
                throw .invalidOption("\(Remedy.error.marker) needs fitted-projection errors of shape [\(L), \(H), K]")
            }
        }
        criterion = Criterion(energy: energy, error: error, errorStatistic: error == nil ? nil : errorStatistic)
        self.n = n
        var result: [Layer] = []
        for layer in 0..<L {
            var ks: [Int] = [], missing = 0
            for head in 0..<H {
                let base = (layer * H + head) * n
                // A curve that never reaches τ (rounding at τ = 1) needs all n.
                var k = (0..<n).first { meanCumulative[base + $0] >= energy }.map { $0 + 1 } ?? n
                if let error, let fitted {
                    let K = fitted.projectionDimensions.count
                    let errors = fitted.errors[(layer * H + head) * K ..< (layer * H + head + 1) * K]
                    let met = zip(fitted.projectionDimensions, errors).filter { $0.1 <= error }.map(\.0).min()
                    if met == nil { missing += 1 }
                    k = max(k, met ?? n)
                }
                ks.append(k)
            }
            result.append(Layer(layer: layer + 1, k: ks.max() ?? n, heads: ks, headsMissingErrorTarget: error == nil ? nil : missing))
        }
        layers = result
        uniformK = result.map(\.k).max() ?? n
        compression = Double(result.map(\.k).reduce(0, +)) / Double(L * max(1, uniformK))
    }

    /// Pretty-printed JSON with snake_case keys.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// A plain-text table: layer, k, and the heads' ks.
    public func formattedTable() -> String {
        var lines = ["criterion: mean c_j ≥ \(criterion.energy)" + (criterion.error.map { ", fitted error ≤ \($0)" } ?? "")]
        lines.append("layer     k  heads")
        for layer in layers {
            lines.append(String(format: "%5d %5d  ", layer.layer, layer.k) + layer.heads.map(String.init).joined(separator: " "))
        }
        lines.append(String(format: "uniform k %d; per-layer ks need %.1f%% of a uniform projection (n = %d)",
                            uniformK, 100 * compression, n))
        return lines.joined(separator: "\n")
    }
}
