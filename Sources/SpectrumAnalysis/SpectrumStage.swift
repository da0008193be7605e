import Foundation
import HDF5Store
import LinearAlgebra
import RunFormat
import SpectrumMetrics
import Transformer

/// The SVD stage alone: reads the attention dumped by `extract` and writes a run file with the
/// spectra and, when Q, K, V were dumped too, the projection checks.
///
/// It runs the same head jobs as `run` on the same float32 tensors, so σ, metrics and projection
/// statistics equal those of `run` bit for bit. The new file is written through ``RunFileWriter``
/// (the one write path: `output.partial`, fsync, rename), every dataset as ``RunSchema`` declares it;
/// it keeps the input's tokens and attention, and the input stays untouched until the new file is
/// complete (`output` may equal `input`).
public struct SpectrumStage {
    /// The extract file.
    public let source: RunFile
    /// Concurrent head jobs; results do not depend on it.
    public let threads: Int
    /// Projection options, or nil for none.
    public let projection: ProjectionOptions?
    /// Seed of the random projections.
    public let seed: UInt64

    /// Opens and checks the extract file `input`; nothing is written until ``run(output:force:progress:)``.
    /// - Parameters:
    ///   - threads: concurrent head jobs; results do not depend on it.
    ///   - projection: projection options, or nil for none; they need Q, K, V in the input (else
    ///     ``AnalysisError/invalidOption(_:)``).
    ///   - seed: seed of the random projections.
    /// - Throws: for an incomplete file, one that already has spectra or lacks P for some sequence.
    public init(input: URL, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                projection: ProjectionOptions? = nil, seed: UInt64 = 0) throws(AnalysisError) {
        let source = try RunFile(contentsOf: input)
        let m = source.metadata, rows = source.sequenceCount
        guard source.isComplete else {
            throw .runFile(path: input.path, reason: "is not complete; finish it first (the `spectrum-analyze extract` command that wrote it, plus \(Remedy.resume.marker))")
        }
        guard !m.spectra else { throw .runFile(path: input.path, reason: "already has spectra") }
        guard m.dumpedRows(of: rows) == rows, try source.contains("attention/P") else {
            throw .runFile(path: input.path, reason: "does not hold P for every sequence (write it with `spectrum-analyze extract`)")
        }
        if projection != nil, !m.dumpQKV {
            throw .invalidOption("\(input.path) holds no Q, K, V, which the projection checks need: extract it with \(Remedy.dumpQKV.marker), or turn the projections off (\(Remedy.noProjection.marker))")
        }
        self.source = source
        self.threads = max(1, threads)
        self.projection = projection
        self.seed = seed
    }

    /// Adds spectra (and projections) to the extract file, written to `output` (which may be the
    /// input itself). OpenBLAS runs on one thread meanwhile (``BLAS/singleThreaded(_:)``), as in
    /// ``Analysis/run(output:force:resume:progress:shouldStop:)``.
    @discardableResult
    public func run(output: URL, force: Bool = false,
                    progress: (AnalysisProgress) -> Void = { _ in }) throws(AnalysisError) -> RunFile {
        // As in `Analysis`: heads run in parallel on single-threaded BLAS, so σ equals `run`'s bit for bit.
        try BLAS.singleThreaded { () throws(AnalysisError) -> RunFile in try runSingleThreaded(output: output, force: force, progress: progress) }
    }

    private func runSingleThreaded(output: URL, force: Bool, progress: (AnalysisProgress) -> Void) throws(AnalysisError) -> RunFile {
        let input = source.url
        let m = source.metadata, rows = source.sequenceCount
        let target = RunOutput(output)
        try target.check(force: force, replacingInput: input.standardizedFileURL == output.standardizedFileURL)
        var metadata = m
        metadata.spectra = true
        metadata.svdMethod = SingularValueMethod.recommended.rawValue
        metadata.seed = seed
        let (L, H, n, d) = (m.layers, m.heads, m.sequenceLength, m.headDimension)
        if let projection {
            metadata.projection = .init(projectionDimensions: projection.effectiveProjectionDimensions(sequenceLength: n), epsilons: projection.epsilons,
                                        delta: projection.effectiveDelta(sequenceLength: n), trials: max(1, projection.trials))
        }
        let records = try source.records()
        let tensors = try AttentionReader(source, metadata: m)
        let checker = metadata.projection.map { setup -> ProjectionChecker in
            var checker = ProjectionChecker(sequenceLength: n, projectionDimensions: setup.projectionDimensions, epsilons: setup.epsilons, delta: setup.delta, trials: setup.trials)
            checker.linformerApplicable = !m.causal   // as in `run`: no Theorem 2 or pooling for causal attention
            return checker
        }
        let jobs = HeadJobs(threads: max(1, threads), queueLimit: 2 * L * H, n: n, checker: checker)
        var aggregate = SpectrumAggregate(layers: L, heads: H, sequenceLength: n)
        var projectionAggregate = checker.map { ProjectionAggregate(layers: L, heads: H, dimensionCount: $0.projectionDimensions.count, statistics: metadata.projectionStatistics) }
        let writer = try RunFileWriter(creating: output, metadata: metadata, force: true)
        let start = Date()
        do throws(AnalysisError) {
            for (row, record) in records.enumerated() {
                let result = SequenceResult(layers: L, heads: H, n: n, dimensionCount: checker?.projectionDimensions.count ?? 0, epsilons: checker?.epsilons.count ?? 0)
                let group = DispatchGroup()
                let draws = checker?.draws(seed: seed, window: record.windowIndex) ?? []
                for layer in 0..<L {
                    let attention = try tensors.layer(layer, row: row, heads: H, n: n, d: d)
                    try writer.writeAttention(AttentionRows(attention), row: row)
                    jobs.submit(attention, into: result, group: group, draws: draws, context: "\(input.path) row \(row)")
                }
                group.wait()
                try result.check()
                let window = PackedSequence(index: record.windowIndex, inputIds: record.inputIds, byteRange: record.byteRange)
                try writer.append(result.record(for: window, projections: checker != nil))
                for (slot, spectrum) in result.spectra.enumerated() {
                    guard let spectrum else { throw .numeric("\(input.path) row \(row): no spectrum for layer \(slot / H), head \(slot % H)") }
                    aggregate.add(spectrum, layer: slot / H, head: slot % H)
                }
                try projectionAggregate?.add(result.projection)
                progress(AnalysisProgress(completed: row + 1, total: rows, resumedFrom: 0, elapsed: Date().timeIntervalSince(start)))
            }
            try writer.finish(aggregate: aggregate, projection: projectionAggregate)
        } catch {
            jobs.waitUntilFinished()
            writer.suspend()
            try? FileManager.default.removeItem(at: writer.partialURL)
            throw error
        }
        return try RunFile(contentsOf: output)
    }
}

/// Reads one layer of one sequence's dumped P (and Q, K, V) from an extract file, after checking
/// every dimension of the datasets against the metadata.
private struct AttentionReader {
    let path: String
    let datasets: [String: Dataset]
    let file: File

    init(_ source: RunFile, metadata m: RunMetadata) throws(AnalysisError) {
        path = source.url.path
        let names = m.dumpQKV ? ["P", "Q", "K", "V"] : ["P"]
        let rows = source.sequenceCount, url = source.url
        (file, datasets) = try withStage("run file \(url.path)") {
            let file = try File.open(url.path, mode: .readOnly)
            var datasets: [String: Dataset] = [:]
            for name in names {
                let dataset = try file.openDataset("attention/\(name)")
                let shape = try dataset.shape, width = name == "P" ? m.sequenceLength : m.headDimension
                guard shape.count == 5, shape[0] >= rows, Array(shape.dropFirst()) == [m.layers, m.heads, m.sequenceLength, width] else {
                    throw AnalysisError.runFile(path: url.path, reason: "/attention/\(name) has shape \(shape), the metadata call for [≥ \(rows), \(m.layers), \(m.heads), \(m.sequenceLength), \(width)]")
                }
                datasets[name] = dataset
            }
            return (file, datasets)
        }
    }

    func layer(_ layer: Int, row: Int, heads: Int, n: Int, d: Int) throws(AnalysisError) -> LayerAttention {
        try withStage("run file \(path), row \(row), layer \(layer)") {
            func read(_ name: String, _ width: Int) throws -> [Float]? {
                try datasets[name]?.read(start: [row, layer, 0, 0, 0], count: [1, 1, heads, n, width], as: Float.self)
            }
            return LayerAttention(layer: layer, heads: heads, sequenceLength: n, headDimension: d,
                                  probabilities: try read("P", n) ?? [], queries: try read("Q", d), keys: try read("K", d), values: try read("V", d))
        }
    }
}
