import Foundation

/// Everything `spectrum-report` needs from one run file, already read into memory.
///
/// Arrays are flattened row-major; their shapes are given in brackets with
/// `L` = layers, `H` = heads, `n` = sequence length, `S` = sequences, `K` = projected dimensions,
/// `E` = epsilon levels. `ReportWriter` validates every count before drawing anything.
public struct ReportRun: Sendable {
    /// Name shown in legends and tables, e.g. from `--label` or "model · corpus · n".
    public var label: String
    /// Ordered facts about the run (model, model_type, corpus, n, sequences, seed, tool version, …).
    public var facts: [ReportFact]
    /// Number of encoder layers `L`.
    public var layers: Int
    /// Number of attention heads per layer `H`.
    public var heads: Int
    /// Sequence length `n` (P is n × n, so there are n singular values).
    public var sequenceLength: Int
    /// Number of sequences `S` that the per-sequence metrics cover.
    public var sequenceCount: Int
    /// `[L, H, n]` Σ over sequences of `c_j`, with `c_j = Σ_{i≤j} σ_i / Σ_i σ_i`, j = 1…n.
    public var cumulativeSum: [Double]
    /// `[L, H, n]` Σ over sequences of `c_j²`.
    public var cumulativeSumSquares: [Double]
    /// Number of sequences aggregated in the sums: mean = sum/count,
    /// std = sqrt(max(0, sumsq/count − mean²)) (population standard deviation).
    public var count: Int
    /// `[S, L, H]` smallest 1-based j with `c_j ≥ 0.90`.
    public var k90: [Int32]
    /// `[S, L, H]` smallest 1-based j with `c_j ≥ 0.95`.
    public var k95: [Int32]
    /// `[S, L, H]` smallest 1-based j with `c_j ≥ 0.99`.
    public var k99: [Int32]
    /// `[S, L, H]` entropy effective rank `exp(−Σ p_i ln p_i)`, `p_i = σ_i / Σσ`.
    public var entropyRank: [Double]
    /// `[S, L, H]` stable rank `Σσ_i² / σ_1²`.
    public var stableRank: [Double]
    /// Projection checks, or nil when the run was made with `--no-projection`.
    public var projection: ProjectionResults?
    /// Runs with the same series (model, corpus, weights) but different n form one line of the
    /// k-versus-n figure; empty = the label.
    public var series = ""
    /// `random_init_seed` of the run file: −1 for trained weights.
    public var randomInitSeed: Int64 = -1

    /// Creates a run; shapes are checked later by `validate()`.
    public init(
        label: String, facts: [ReportFact], layers: Int, heads: Int, sequenceLength: Int,
        sequenceCount: Int, cumulativeSum: [Double], cumulativeSumSquares: [Double], count: Int,
        k90: [Int32], k95: [Int32], k99: [Int32], entropyRank: [Double], stableRank: [Double],
        projection: ProjectionResults?
    ) {
        self.label = label
        self.facts = facts
        self.layers = layers
        self.heads = heads
        self.sequenceLength = sequenceLength
        self.sequenceCount = sequenceCount
        self.cumulativeSum = cumulativeSum
        self.cumulativeSumSquares = cumulativeSumSquares
        self.count = count
        self.k90 = k90
        self.k95 = k95
        self.k99 = k99
        self.entropyRank = entropyRank
        self.stableRank = stableRank
        self.projection = projection
    }

    /// Checks that every array has the element count its shape promises.
    /// - Throws: `ReportError.invalidInput` naming the run and the field.
    public func validate() throws(ReportError) {
        func require(_ ok: Bool, _ field: String, _ problem: String) throws(ReportError) {
            if !ok { throw .invalidInput(run: label, field: field, problem: problem) }
        }
        try require(layers > 0 && heads > 0, "layers/heads", "must be positive (got \(layers) × \(heads))")
        try require(sequenceLength > 0, "sequenceLength", "must be positive (got \(sequenceLength))")
        try require(count > 0, "count", "no sequences were aggregated (count = \(count))")
        try require(sequenceCount >= 0, "sequenceCount", "must not be negative")
        let lhn = layers * heads * sequenceLength
        for (name, array) in [("cumulativeSum", cumulativeSum), ("cumulativeSumSquares", cumulativeSumSquares)] {
            try require(array.count == lhn, name, "expected [L, H, n] = \(lhn) values, got \(array.count)")
        }
        let slh = sequenceCount * layers * heads
        for (name, n) in [("k90", k90.count), ("k95", k95.count), ("k99", k99.count),
                          ("entropyRank", entropyRank.count), ("stableRank", stableRank.count)] {
            try require(n == slh, name, "expected [S, L, H] = \(slh) values, got \(n)")
        }
        if let projection { try projection.validate(run: self) }
    }
}

/// One ordered key/value fact about a run, shown in the report's facts table.
public struct ReportFact: Sendable, Equatable {
    /// Fact name, e.g. "model" or "seed".
    public var key: String
    /// Fact value as text.
    public var value: String
    /// Creates a fact.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// Results of the Theorem 1 / Theorem 2 projection checks of one run (definitions in docs/ARCHITECTURE.md).
public struct ProjectionResults: Sendable {
    /// `[K]` projected dimensions k, ascending, e.g. [16, 32, 64, 128, 256].
    public var projectionDimensions: [Int]
    /// `[E]` error levels ε, e.g. [0.1, 0.2, 0.3, 0.5].
    public var epsilons: [Double]
    /// `[E]` the paper's `k_JL(ε) = 5 ln n / (ε² − ε³)`.
    public var kJL: [Double]
    /// `[E, K]` the paper's failure bound `2n·exp(−(ε² − ε³)k/4)`; ≥ 1 means vacuous.
    public var failureBound: [Double]
    /// `[S, L, H, K]` median over the columns w of V of `‖P Rᵀ R w − P w‖ / ‖P w‖`.
    public var theorem1Median: [Double]
    /// `[S, L, H, K]` median over w of the truncated-SVD error `‖P_k w − P w‖ / ‖P w‖`.
    public var svdOptimalMedian: [Double]
    /// `[S, L, H, K]` `‖softmax(Q (E K)ᵀ/√d)(F V) − P V‖_F / ‖P V‖_F` with E = δR, F = e^{−δ}R;
    /// empty when not applicable (causal attention), like ``poolingRelative``.
    public var theorem2Relative: [Double]
    /// `[S, L, H, K]` the same relative error with mean pooling over k segments (E = F).
    public var poolingRelative: [Double]
    /// `[S, L, H, K]` the same with max pooling; nil in files without it.
    public var maxPoolingRelative: [Double]?
    /// `[S_test, L, H, K]` median over w of the fitted projection's held-out error; nil without it.
    public var fittedMedian: [Double]?
    /// `[S_test, L, H, K]` relative error of the fitted Linformer form `E = F = U_kᵀ`; nil without it.
    public var fittedLinformerRelative: [Double]?

    /// Creates projection results; shapes are checked by `validate(run:)`.
    public init(
        projectionDimensions: [Int], epsilons: [Double], kJL: [Double], failureBound: [Double],
        theorem1Median: [Double], svdOptimalMedian: [Double], theorem2Relative: [Double],
        poolingRelative: [Double]
    ) {
        self.projectionDimensions = projectionDimensions
        self.epsilons = epsilons
        self.kJL = kJL
        self.failureBound = failureBound
        self.theorem1Median = theorem1Median
        self.svdOptimalMedian = svdOptimalMedian
        self.theorem2Relative = theorem2Relative
        self.poolingRelative = poolingRelative
    }

    /// Checks the shapes against the run's S, L, H.
    public func validate(run: ReportRun) throws(ReportError) {
        func require(_ ok: Bool, _ field: String, _ problem: String) throws(ReportError) {
            if !ok { throw .invalidInput(run: run.label, field: "projection.\(field)", problem: problem) }
        }
        try require(!projectionDimensions.isEmpty && projectionDimensions.allSatisfy { $0 > 0 }, "projectionDimensions", "needs at least one positive k")
        try require(zip(projectionDimensions, projectionDimensions.dropFirst()).allSatisfy { $0 < $1 }, "projectionDimensions", "must be strictly ascending")
        try require(kJL.count == epsilons.count, "kJL", "expected [E] = \(epsilons.count) values, got \(kJL.count)")
        let ek = epsilons.count * projectionDimensions.count
        try require(failureBound.count == ek, "failureBound", "expected [E, K] = \(ek) values, got \(failureBound.count)")
        let slhk = run.sequenceCount * run.layers * run.heads * projectionDimensions.count
        for (name, n) in [("theorem1Median", theorem1Median.count), ("svdOptimalMedian", svdOptimalMedian.count),
                          ("theorem2Relative", theorem2Relative.count), ("poolingRelative", poolingRelative.count)] {
            // Theorem 2 and pooling may be absent (not applicable to causal attention).
            let optional = name == "theorem2Relative" || name == "poolingRelative"
            try require(n == slhk || (optional && n == 0), name, "expected [S, L, H, K] = \(slhk) values, got \(n)")
        }
        try require((maxPoolingRelative?.count ?? slhk) == slhk, "maxPoolingRelative", "expected [S, L, H, K] = \(slhk) values")
        let lhk = run.layers * run.heads * projectionDimensions.count
        for (name, values) in [("fittedMedian", fittedMedian), ("fittedLinformerRelative", fittedLinformerRelative)] {
            guard let values else { continue }
            try require(values.count % max(1, lhk) == 0 && values.count <= slhk, name, "expected [S_test, L, H, K] values with S_test ≤ S")
        }
    }
}

/// Options of one report.
public struct ReportOptions: Sendable {
    /// The k of the heatmap (`c_k`) and of the vertical marker in the cumulative plot.
    public var k: Int
    /// Report title; nil means a title derived from the run labels.
    public var title: String?
    /// Output folder; replaced atomically as a whole.
    public var output: URL
    /// Logarithmic x axis of the cumulative spectrum (the head of the curve spread out).
    public var logX: Bool
    /// Also write `cumulative_spectrum_heads.csv`: the mean and std curve of every (layer, head).
    public var perHead: Bool
    /// Raster and print copies of every SVG, made with librsvg's `rsvg-convert`.
    public var imageFormats: [ImageFormat]

    /// Creates options; `k` defaults to the paper's 128.
    public init(k: Int = 128, title: String? = nil, output: URL, logX: Bool = false, perHead: Bool = false,
                imageFormats: [ImageFormat] = []) {
        self.k = k
        self.title = title
        self.output = output
        self.logX = logX
        self.perHead = perHead
        self.imageFormats = imageFormats
    }
}

/// A copy of each figure beside its SVG.
public enum ImageFormat: String, Sendable, CaseIterable {
    /// PNG at 2× the SVG's pixel size (slides).
    case png
    /// PDF, vector (papers).
    case pdf
}

/// Errors of the report writer; each message names the run, field or path involved.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// No run was given.
    case noRuns
    /// `--k` is not a positive integer.
    case invalidK(Int)
    /// An input array does not match its declared shape.
    case invalidInput(run: String, field: String, problem: String)
    /// The output folder cannot be created or replaced.
    case outputNotWritable(path: String, reason: String)
    /// A PNG or PDF copy could not be made (no `rsvg-convert`, or it failed on a figure).
    case imageConversion(file: String, reason: String)

    /// A one-line message naming what is wrong and where.
    public var description: String {
        switch self {
        case .noRuns:
            return "spectrum-report: no run files given"
        case .invalidK(let k):
            return "k (the index of the heatmap's c_k) must be a positive integer (got \(k))"
        case let .invalidInput(run, field, problem):
            return "spectrum-report: run '\(run)': \(field) \(problem)"
        case let .outputNotWritable(path, reason):
            return "spectrum-report: cannot write the report to '\(path)': \(reason); nothing was written"
        case let .imageConversion(file, reason):
            return "spectrum-report: cannot convert \(file): \(reason); nothing was written"
        }
    }
}
