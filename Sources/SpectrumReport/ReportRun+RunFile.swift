import Foundation
import SpectrumAnalysis

extension ReportRun {
    /// The report's view of a run file: aggregates, per-sequence metrics and projection medians.
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
        let model = ModelLocator.hubID(ofSnapshot: m.modelPath) ?? URL(fileURLWithPath: m.modelPath).lastPathComponent
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
            ReportFact(key: "created", value: m.created),
            ReportFact(key: "model sha256", value: m.modelSHA256),
            ReportFact(key: "corpus sha256", value: m.corpusSHA256),
        ]
        if !runFile.isComplete { facts.append(ReportFact(key: "status", value: "partial run (not complete)")) }
        if m.shard.count > 1 { facts.append(ReportFact(key: "shard", value: m.shard.description)) }
        var projection: ProjectionResults?
        if let setup = m.projection, !setup.dims.isEmpty {
            let n = m.sequenceLength
            projection = ProjectionResults(
                dims: setup.dims, epsilons: setup.epsilons,
                kJL: setup.epsilons.map { ProjectionTheory.kJL(epsilon: $0, n: n) },
                failureBound: setup.epsilons.flatMap { eps in setup.dims.map { ProjectionTheory.failureBound(epsilon: eps, k: $0, n: n) } },
                theorem1Median: try runFile.read("projection/theorem1/median"),
                svdOptimalMedian: try runFile.read("projection/svd_optimal/median"),
                theorem2Relative: try runFile.read("projection/theorem2/relative"),
                poolingRelative: try runFile.read("projection/pooling/relative"))
            facts.append(ReportFact(key: "projection", value: "k ∈ {\(setup.dims.map(String.init).joined(separator: ", "))}, δ = \(setup.delta), \(setup.trials) trial(s)"))
        }
        self.init(
            label: label ?? "\(model) · \(corpus) · n = \(m.sequenceLength)",
            facts: facts, layers: m.layers, heads: m.heads, sequenceLength: m.sequenceLength,
            sequenceCount: runFile.sequenceCount,
            cumulativeSum: aggregate.cumulativeSum, cumulativeSumSquares: aggregate.cumulativeSumSquares,
            count: Int(aggregate.count.min() ?? 0),
            k90: try runFile.read("spectrum/k90"), k95: try runFile.read("spectrum/k95"), k99: try runFile.read("spectrum/k99"),
            entropyRank: try runFile.read("spectrum/entropy_rank"), stableRank: try runFile.read("spectrum/stable_rank"),
            projection: projection)
    }
}
