import Foundation
import HDF5Store
import SpectrumMetrics

/// One layer's dumped attention of one sequence: P `[H, n, n]` and, with `dump_qkv`, Q, K, V `[H, n, d]`.
package struct AttentionRows {
    package var layer: Int
    package var probabilities: [Float]
    package var queries: [Float]?, keys: [Float]?, values: [Float]?

    package init(layer: Int, probabilities: [Float], queries: [Float]? = nil, keys: [Float]? = nil, values: [Float]? = nil) {
        self.layer = layer
        self.probabilities = probabilities
        (self.queries, self.keys, self.values) = (queries, keys, values)
    }
}

/// Writes a run file incrementally (docs/FORMAT.md, "Writing protocol"), its datasets as
/// ``RunSchema`` declares them.
///
/// Everything goes to `OUTPUT.partial`; each completed sequence is appended to every per-sequence
/// dataset, `sequence_count` is updated last and the file is flushed, so an interrupted run leaves a
/// file whose first `sequence_count` rows are whole, as long as HDF5 itself was not interrupted in
/// the middle of a metadata update; ``RunJournal`` covers that case for `--resume`.
/// ``finish(aggregate:projection:gram:fitted:)`` writes the aggregates, marks the file complete and commits it
/// through ``RunOutput/commit()``. Use from one thread only.
package final class RunFileWriter {
    package let output: RunOutput
    package var partialURL: URL { output.partialURL }
    package let metadata: RunMetadata
    private let schema: RunSchema
    private let file: File
    package private(set) var sequenceCount: Int

    /// Per-sequence datasets keyed by their path in the file.
    private var datasets: [String: Dataset] = [:]

    /// Starts a new run file.
    /// - Throws: what ``RunOutput/check(force:resumable:replacingInput:)`` refuses (an existing
    ///   output or partial run without `force`, a folder always).
    package init(creating url: URL, metadata: RunMetadata, force: Bool) throws(AnalysisError) {
        output = RunOutput(url)
        self.metadata = metadata
        schema = RunSchema(metadata)
        try output.check(force: force, resumable: true)
        sequenceCount = 0
        let partial = output.partialURL.path
        // Built under a temporary name and renamed once flushed, so a process killed at any moment
        // leaves either no partial file or a readable one (libhdf5 writes the superblock only on flush).
        let creating = partial + ".creating"
        file = try withStage("creating \(partial)") { try File.create(creating, overwrite: true) }
        try withStage("writing \(partial)") {
            try metadata.write(to: file)
            try file.attributes.set("complete", Int64(0))
            try file.attributes.set("sequence_count", Int64(0))
            try createDatasets()
            try file.flush()
        }
        guard rename(creating, partial) == 0 else {
            throw .runFile(path: partial, reason: "cannot rename \((creating as NSString).lastPathComponent) to it: \(String(cString: strerror(errno)))")
        }
    }

    private func createDatasets() throws {
        let m = metadata
        for dataset in schema.datasets {
            let group = (dataset.path as NSString).deletingLastPathComponent
            _ = try file.requireGroup(group)
            guard dataset.isPerSequence else { continue }
            let row = Array(dataset.shape(m, rows: 0).dropFirst())
            let isAttention = dataset.path.hasPrefix("attention/")
            // Attention: one chunk per head's matrix; window index and byte range: 256 rows per
            // chunk (their rows are one or two numbers); others: the library's default, one row.
            let small = dataset.field == .windowIndex || dataset.field == .byteRange
            let chunk: [Int]? = isAttention ? [1, 1, 1] + row.suffix(2) : small ? [256] + row : nil
            let compress = isAttention && m.compression > 0
            let options = DatasetOptions(extendible: true, chunkShape: chunk, deflateLevel: compress ? m.compression : nil, shuffle: compress)
            datasets[dataset.path] = try file.createDataset(dataset.path, type: dataset.type, shape: [0] + row, options: options)
        }
        if let projection = m.projection, m.spectra {
            let n = m.sequenceLength
            try fixed("projection/dims", projection.projectionDimensions.map { Int64($0) })
            try fixed("projection/epsilons", projection.epsilons)
            try fixed("projection/theory/k_jl", projection.epsilons.map { ProjectionTheory.kJL(epsilon: $0, n: n) })
            try fixed("projection/theory/failure_bound", projection.epsilons.flatMap { eps in
                projection.projectionDimensions.map { ProjectionTheory.failureBound(epsilon: eps, k: $0, n: n) }
            })
        }
    }

    /// Creates and writes a fixed-shape dataset of the schema.
    private func fixed<T: HDF5Scalar>(_ path: String, _ values: [T]) throws {
        guard let declared = schema.dataset(path) else { return }
        let dataset = try file.createDataset(path, type: declared.type, shape: declared.shape(metadata, rows: 0))
        try dataset.write(values)
    }

    /// Writes one layer's P (and Q, K, V) of the sequence that will be appended as `row`.
    package func writeAttention(_ attention: AttentionRows, row: Int) throws(AnalysisError) {
        try withStage("dumping attention to \(partialURL.path)") {
            let (H, G, n, d) = (metadata.heads, metadata.effectiveKeyValueHeads, metadata.sequenceLength, metadata.headDimension)
            var tensors: [(String, [Float], Int, Int)] = [("attention/P", attention.probabilities, H, n)]
            if metadata.dumpQKV, let q = attention.queries, let k = attention.keys, let v = attention.values {
                // Q per query head; K and V per key-value head (G = H without grouped-query attention).
                tensors += [("attention/Q", q, H, d), ("attention/K", k, G, d), ("attention/V", v, G, d)]
            }
            for (path, values, heads, width) in tensors {
                guard let dataset = datasets[path] else { continue }
                if try dataset.shape[0] <= row { try dataset.extend(firstDimension: row + 1) }
                try dataset.write(values, start: [row, attention.layer, 0, 0, 0], count: [1, 1, heads, n, width])
            }
        }
    }

    /// Appends one finished sequence and commits it (`sequence_count` + flush).
    /// - Throws: when a row the schema declares is missing or has the wrong size.
    package func append(_ record: SequenceRecord) throws(AnalysisError) {
        let row = sequenceCount
        for declared in schema.rows {
            guard let field = declared.field, let dataset = datasets[declared.path] else { continue }
            guard let values = record.values(field), values.count == declared.rowSize(metadata) else {
                throw .runFile(path: partialURL.path, reason: "window \(record.windowIndex): /\(declared.path) needs \(declared.rowSize(metadata)) values per row, got \(record.values(field)?.count ?? 0)")
            }
            try withStage("writing \(partialURL.path)") {
                if try dataset.shape[0] <= row { try dataset.extend(firstDimension: row + 1) }
                switch values {
                case .int32(let v): try dataset.write(v, at: row)
                case .int64(let v): try dataset.write(v, at: row)
                case .float64(let v): try dataset.write(v, at: row)
                }
            }
        }
        try withStage("writing \(partialURL.path)") {
            sequenceCount = row + 1
            try file.attributes.set("sequence_count", Int64(sequenceCount))
            try file.flush()
        }
    }

    /// Writes aggregates, marks the file complete, closes it and commits it to the final name.
    /// - Parameters:
    ///   - gram: the fitted projection's Gram sums (files with `holdout` > 0).
    ///   - fitted: its fit and held-out errors (nil while the fit is pending, ``RunMetadata/fitPending``).
    package func finish(aggregate: SpectrumAggregate?, projection: ProjectionAggregate?,
                        gram: GramSums? = nil, fitted: FittedProjectionRows? = nil) throws(AnalysisError) {
        try withStage("finishing \(partialURL.path)") {
            if let aggregate { try RunFileWriter.writeAggregate(aggregate, to: file) }
            if let projection { try RunFileWriter.writeAggregate(projection, to: file) }
            if let gram { try writeGram(gram) }
            if let fitted { try writeFitted(fitted) }
            try file.attributes.set("complete", Int64(1))
            try file.close()
        }
        try output.commit()
    }

    /// Writes one fixed-shape dataset the schema declares, after checking the value count against
    /// its declared shape (`heldOut` = S_test).
    private func writeDeclared<T: HDF5Scalar>(_ path: String, _ values: [T], heldOut: Int = 0,
                                              options: (([Int]) -> DatasetOptions)? = nil) throws {
        guard let declared = schema.dataset(path) else {
            throw AnalysisError.runFile(path: partialURL.path, reason: "/\(path) is not part of this file's schema")
        }
        let shape = declared.shape(metadata, rows: sequenceCount, heldOut: heldOut)
        guard values.count == shape.reduce(1, *) else {
            throw AnalysisError.runFile(path: partialURL.path, reason: "/\(path) needs \(shape.reduce(1, *)) values for shape \(shape), got \(values.count)")
        }
        _ = try file.requireGroup((path as NSString).deletingLastPathComponent)
        let dataset = try file.exists(path) ? try file.openDataset(path)
            : try file.createDataset(path, type: declared.type, shape: shape, options: options?(shape) ?? DatasetOptions())
        try dataset.write(values)
    }

    /// `/projection/fitted/gram_{high,low,count}`: one chunk per head, shuffled and deflated (the
    /// high limbs are small integers and compress several-fold; the low limbs are nearly random).
    private func writeGram(_ gram: GramSums) throws {
        guard gram.layers == metadata.layers, gram.heads == metadata.heads, gram.order == metadata.sequenceLength else {
            throw AnalysisError.runFile(path: partialURL.path, reason: "Gram sums of shape [\(gram.layers), \(gram.heads), \(gram.order)] do not fit this run's [\(metadata.layers), \(metadata.heads), \(metadata.sequenceLength)]")
        }
        let perHead: ([Int]) -> DatasetOptions = { shape in
            DatasetOptions(chunkShape: [1, 1, max(1, shape[2])], deflateLevel: 1, shuffle: true)
        }
        try writeDeclared("projection/fitted/gram_high", gram.high, options: perHead)
        try writeDeclared("projection/fitted/gram_low", gram.low, options: perHead)
        try writeDeclared("projection/fitted/gram_count", gram.count)
    }

    /// `/projection/fitted/*` and `/projection/fitted_linformer/*` (held-out rows and eigenvalues).
    private func writeFitted(_ rows: FittedProjectionRows) throws {
        let heldOut = rows.windowIndex.count
        try writeDeclared("projection/fitted/window_index", rows.windowIndex, heldOut: heldOut)
        for name in FittedProjectionRows.statistics where schema.dataset("projection/\(name)") != nil {
            try writeDeclared("projection/\(name)", rows.values[name] ?? [], heldOut: heldOut)
        }
        try writeDeclared("projection/fitted/eigenvalues", rows.eigenvalues)
    }

    /// Closes the file without completing it (after Ctrl-C): the partial file stays resumable.
    package func suspend() {
        try? file.flush()
        try? file.close()
    }

    /// Writes `/spectrum/aggregate/…` (creating the datasets if needed).
    package static func writeAggregate(_ aggregate: SpectrumAggregate, to file: File) throws {
        _ = try file.requireGroup("spectrum/aggregate")
        let (L, H, n) = (aggregate.layers, aggregate.heads, aggregate.sequenceLength)
        for (name, values) in [("cumulative_sum", aggregate.cumulativeSum), ("cumulative_sum_squares", aggregate.cumulativeSumSquares)] {
            try require(file, "spectrum/aggregate/\(name)", .float64, [L, H, n]).write(values)
        }
        try require(file, "spectrum/aggregate/count", .int64, [L, H]).write(aggregate.count)
    }

    /// Writes `/projection/aggregate/<check>_<stat>_sum`.
    package static func writeAggregate(_ aggregate: ProjectionAggregate, to file: File) throws {
        _ = try file.requireGroup("projection/aggregate")
        for (statistic, sums) in aggregate.statistics.compactMap({ s in aggregate.sums[s].map { (s, $0) } }) {
            try require(file, RunSchema.aggregatePath(statistic), .float64, aggregate.shape).write(sums)
        }
    }

    private static func require(_ file: File, _ path: String, _ type: ElementType, _ shape: [Int]) throws -> Dataset {
        try file.exists(path) ? try file.openDataset(path) : try file.createDataset(path, type: type, shape: shape)
    }
}
