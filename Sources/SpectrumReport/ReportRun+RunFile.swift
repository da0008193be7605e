import Foundation
import RunFormat
import SpectrumMetrics

extension ReportRun {
    /// The report's view of a run file: aggregates, per-sequence metrics and projection medians.
    /// The creation time is left out of the facts: the same run must give the same report.
    /// - Parameter label: the legend label; default "model · corpus · n = …" from the file's attributes.
    /// - Throws: when the file is not a complete run with spectra (an `extract`-only file needs `svd` first).
    public init(runFile: RunFile, label: String? = nil) throws(AnalysisError) {
        let m = runFile.metadata
        let path = runFile.url.path
        guard m.spectra else {
            throw .runFile(path: path, reason: "holds no spectra (written by `extract`); run `spectrum-analyze svd` on it first")
        }
        guard runFile.sequenceCount > 0 else { throw .runFile(path: path, reason: "holds no sequences") }
        let aggregate = try runFile.aggregate()
        let model = m.modelName
        let corpus = URL(fileURLWithPath: m.corpusPath).lastPathComponent
        var facts: [ReportFact] = [
            ReportFact(key: "model", value: "\(model) (\(m.modelType), \(m.layers) layers × \(m.heads) heads, d = \(m.headDimension))"),
            ReportFact(key: "corpus", value: corpus),
            ReportFact(key: "n (tokens per sequence)", value: String(m.sequenceLength)),
            ReportFact(key: "sequences", value: String(runFile.sequenceCount)),
            ReportFact(key: "packing", value: m.packing),
            ReportFact(key: "seed", value: String(m.seed)),
            ReportFact(key: "singular values", value: "LAPACK, \(m.svdMethod) route, double precision"),
            ReportFact(key: "tool version", value: m.toolVersion),
            ReportFact(key: "model sha256", value: m.modelSHA256),
            ReportFact(key: "corpus sha256", value: m.corpusSHA256),
        ]
        let untrained = m.randomInitSeed >= 0 ? " · random init \(m.randomInitSeed)" : ""
        facts.append(ReportFact(key: "weights", value: untrained.isEmpty ? "trained (checkpoint)" : "freshly initialised, seed \(m.randomInitSeed)"))
        if !runFile.isComplete { facts.append(ReportFact(key: "status", value: "partial run (not complete)")) }
        if m.causal {
            facts.append(ReportFact(key: "attention", value: "causal: every P is lower-triangular, so in exact arithmetic it is full-rank whenever its diagonal is positive (numerically its smallest singular values may still vanish where diagonal entries underflow); the energy curve c_k and the effective ranks are the informative numbers" + (m.effectiveKeyValueHeads < m.heads ? "; grouped-query attention with \(m.effectiveKeyValueHeads) key-value heads" : "")))
            facts.append(ReportFact(key: "Theorem 2 and pooling", value: "not applicable (\(RunMetadata.notApplicableReason))"))
        }
        if let windows = ReportFact.attentionWindows(of: m) { facts.append(windows) }
        if m.shard.count > 1 { facts.append(ReportFact(key: "shard", value: m.shard.description)) }
        let partialMerge = m.isPartialMerge
            ? "partial merge: shard\(m.missingShards.count == 1 ? "" : "s") \(m.missingShards.map { "\($0)/\(m.mergedShardCount)" }.joined(separator: ", ")) missing"
            : nil
        if let partialMerge { facts.append(ReportFact(key: "status", value: partialMerge)) }
        var projection: ProjectionResults?
        if let setup = m.projection, !setup.projectionDimensions.isEmpty {
            let n = m.sequenceLength
            projection = ProjectionResults(
                projectionDimensions: setup.projectionDimensions, epsilons: setup.epsilons,
                kJL: setup.epsilons.map { ProjectionTheory.kJL(epsilon: $0, n: n) },
                failureBound: setup.epsilons.flatMap { eps in setup.projectionDimensions.map { ProjectionTheory.failureBound(epsilon: eps, k: $0, n: n) } },
                theorem1Median: try runFile.read("projection/theorem1/median"),
                svdOptimalMedian: try runFile.read("projection/svd_optimal/median"),
                // Causal runs record Theorem 2 and pooling as not applicable: no datasets, empty here.
                theorem2Relative: m.causal ? [] : try runFile.read("projection/theorem2/relative"),
                poolingRelative: m.causal ? [] : try runFile.read("projection/pooling/relative"))
            if try runFile.contains("projection/max_pooling/relative") {
                projection?.maxPoolingRelative = try runFile.read("projection/max_pooling/relative")
            }
            if try runFile.contains("projection/fitted/median") {
                projection?.fittedMedian = try runFile.read("projection/fitted/median")
                if try runFile.contains("projection/fitted_linformer/relative") {
                    projection?.fittedLinformerRelative = try runFile.read("projection/fitted_linformer/relative")
                }
                facts.append(ReportFact(key: "fitted projection", value: "held out: windows w with w mod \(m.holdout) = \(m.holdout - 1)"))
            }
            facts.append(ReportFact(key: "projection", value: "k ∈ {\(setup.projectionDimensions.map(String.init).joined(separator: ", "))}, δ = \(setup.delta), \(setup.trials) trial(s)"))
        }
        self.init(
            label: (label ?? "\(model) · \(corpus) · n = \(m.sequenceLength)\(untrained)") + (m.isPartialMerge ? " (partial merge)" : ""),
            facts: facts, layers: m.layers, heads: m.heads, sequenceLength: m.sequenceLength,
            sequenceCount: runFile.sequenceCount,
            cumulativeSum: aggregate.cumulativeSum, cumulativeSumSquares: aggregate.cumulativeSumSquares,
            count: Int(aggregate.count.min() ?? 0),
            k90: try runFile.read("spectrum/k90"), k95: try runFile.read("spectrum/k95"), k99: try runFile.read("spectrum/k99"),
            entropyRank: try runFile.read("spectrum/entropy_rank"), stableRank: try runFile.read("spectrum/stable_rank"),
            projection: projection)
        series = "\(model) · \(corpus)\(untrained)"
        randomInitSeed = m.randomInitSeed
    }
}
