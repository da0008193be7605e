import Foundation
import HDF5Store
import Transformer

/// Writes a run file incrementally (docs/FORMAT.md, "Writing protocol").
///
/// Everything goes to `OUTPUT.partial`; each completed sequence is appended to every per-sequence
/// dataset, `sequence_count` is updated last and the file is flushed, so an interrupted run leaves a
/// file whose first `sequence_count` rows are whole, as long as HDF5 itself was not interrupted in
/// the middle of a metadata update; ``RunJournal`` covers that case for `--resume`. ``finish(aggregate:projection:)`` writes the
/// aggregates, marks the file complete and renames it to `OUTPUT`. Use from one thread only.
final class RunFileWriter {
    let finalURL: URL
    let partialURL: URL
    let metadata: RunMetadata
    private let file: File
    private(set) var sequenceCount: Int

    /// Per-sequence datasets keyed by their path in the file.
    private var datasets: [String: Dataset] = [:]

    /// Paths of per-sequence spectrum datasets and their element types.
    static let spectrumDatasets: [(String, ElementType)] = [
        ("spectrum/k90", .int32), ("spectrum/k95", .int32), ("spectrum/k99", .int32),
        ("spectrum/entropy_rank", .float64), ("spectrum/stable_rank", .float64),
    ]

    /// The partial file next to `url`.
    static func partialURL(for url: URL) -> URL { URL(fileURLWithPath: url.path + ".partial") }

    /// Starts a new run file.
    /// - Throws: `.outputExists` when `url` (or a partial run of it) exists and `force` is false.
    init(creating url: URL, metadata: RunMetadata, force: Bool) throws(AnalysisError) {
        finalURL = url
        partialURL = Self.partialURL(for: url)
        self.metadata = metadata
        let manager = FileManager.default
        if !force {
            if manager.fileExists(atPath: url.path) { throw .outputExists(path: url.path) }
            if manager.fileExists(atPath: partialURL.path) {
                throw .invalidOption("\(partialURL.path) holds an unfinished run: pass --resume to continue it or --force to start over")
            }
        }
        let directory = url.deletingLastPathComponent().path
        // `isWritableFile` alone accepts a regular file in place of the folder (and everything for root).
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              manager.isWritableFile(atPath: directory) else {
            throw .runFile(path: url.path, reason: "the folder \(directory) does not exist or is not writable")
        }
        sequenceCount = 0
        let partial = partialURL.path
        file = try withStage("creating \(partial)") { try File.create(partial, overwrite: true) }
        try withStage("writing \(partialURL.path)") {
            try metadata.write(to: file)
            try file.attributes.set("complete", Int64(0))
            try file.attributes.set("sequence_count", Int64(0))
            try createDatasets()
            try file.flush()
        }
    }

    private func createDatasets() throws {
        let m = metadata
        let (L, H, n, d) = (m.layers, m.heads, m.sequenceLength, m.headDimension)
        func make(_ path: String, _ type: ElementType, _ row: [Int], chunk: [Int]? = nil, compress: Bool = false) throws {
            let group = (path as NSString).deletingLastPathComponent
            _ = try file.requireGroup(group)
            let options = DatasetOptions(extendible: true, chunkShape: chunk,
                                         deflateLevel: compress && m.compression > 0 ? m.compression : nil,
                                         shuffle: compress && m.compression > 0)
            datasets[path] = try file.createDataset(path, type: type, shape: [0] + row, options: options)
        }
        try make("tokens/input_ids", .int32, [n])
        try make("tokens/window_index", .int64, [], chunk: [256])
        try make("tokens/byte_range", .int64, [2], chunk: [256, 2])
        if m.spectra {
            try make("spectrum/sigma", .float64, [L, H, n])
            for (path, type) in Self.spectrumDatasets { try make(path, type, [L, H]) }
        }
        if m.dumpAttention != 0 {
            let type: ElementType = m.attentionStorage == .float16 ? .float16 : .float32
            try make("attention/P", type, [L, H, n, n], chunk: [1, 1, 1, n, n], compress: true)
            if m.dumpQKV {
                // Q per query head; K and V per key-value head (G = H without grouped-query attention).
                let G = m.effectiveKeyValueHeads
                for (name, heads) in [("Q", H), ("K", G), ("V", G)] {
                    try make("attention/\(name)", type, [L, heads, n, d], chunk: [1, 1, 1, n, d], compress: true)
                }
            }
        }
        if let projection = m.projection {
            let K = projection.dims.count, E = projection.epsilons.count
            let dims = try file.createDataset("projection/dims", type: .int64, shape: [K])
            try dims.write(projection.dims.map { Int64($0) })
            let epsilons = try file.createDataset("projection/epsilons", type: .float64, shape: [E])
            try epsilons.write(projection.epsilons)
            _ = try file.requireGroup("projection/theory")
            let kJL = try file.createDataset("projection/theory/k_jl", type: .float64, shape: [E])
            try kJL.write(projection.epsilons.map { ProjectionTheory.kJL(epsilon: $0, n: n) })
            let bound = try file.createDataset("projection/theory/failure_bound", type: .float64, shape: [E, K])
            try bound.write(projection.epsilons.flatMap { eps in projection.dims.map { ProjectionTheory.failureBound(epsilon: eps, k: $0, n: n) } })
            for name in m.projectionStatistics { try make("projection/\(name)", .float64, [L, H, K]) }
            try make("projection/theorem1/fraction_below", .float64, [L, H, K, E])
        }
    }

    /// Writes one layer's P (and Q, K, V) of the sequence that will be appended as `row`.
    func writeAttention(_ attention: LayerAttention, row: Int) throws(AnalysisError) {
        try withStage("dumping attention to \(partialURL.path)") {
            let (H, G, n, d) = (metadata.heads, metadata.effectiveKeyValueHeads, metadata.sequenceLength, metadata.headDimension)
            var tensors: [(String, [Float], Int, Int)] = [("attention/P", attention.probabilities, H, n)]
            if metadata.dumpQKV, let q = attention.queries, let k = attention.keys, let v = attention.values {
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
    func append(_ sequence: PackedSequence, result: SequenceResult?) throws(AnalysisError) {
        try withStage("writing \(partialURL.path)") {
            let row = sequenceCount
            func put<T: HDF5Scalar>(_ path: String, _ values: [T]) throws {
                guard let dataset = datasets[path] else { return }
                if try dataset.shape[0] <= row { try dataset.extend(firstDimension: row + 1) }
                try dataset.write(values, at: row)
            }
            try put("tokens/input_ids", sequence.inputIds)
            try put("tokens/window_index", [Int64(sequence.index)])
            try put("tokens/byte_range", [Int64(sequence.byteRange.lowerBound), Int64(sequence.byteRange.upperBound)])
            if let result {
                try put("spectrum/sigma", result.sigma)
                try put("spectrum/k90", result.k90)
                try put("spectrum/k95", result.k95)
                try put("spectrum/k99", result.k99)
                try put("spectrum/entropy_rank", result.entropyRank)
                try put("spectrum/stable_rank", result.stableRank)
                if metadata.projection != nil {
                    for name in metadata.projectionStatistics { try put("projection/\(name)", result.projection[name] ?? []) }
                    try put("projection/theorem1/fraction_below", result.fractionBelow)
                }
            }
            sequenceCount = row + 1
            try file.attributes.set("sequence_count", Int64(sequenceCount))
            try file.flush()
        }
    }

    /// Writes aggregates, marks the file complete, closes it and renames it to the final name.
    func finish(aggregate: SpectrumAggregate?, projection: ProjectionAggregate?) throws(AnalysisError) {
        try withStage("finishing \(partialURL.path)") {
            if let aggregate { try RunFileWriter.writeAggregate(aggregate, to: file) }
            if let projection { try projection.write(to: file) }
            try file.attributes.set("complete", Int64(1))
            try file.close()
            let manager = FileManager.default
            if manager.fileExists(atPath: finalURL.path) { try manager.removeItem(at: finalURL) }
            try manager.moveItem(at: partialURL, to: finalURL)
        }
    }

    /// Closes the file without completing it (after Ctrl-C): the partial file stays resumable.
    func suspend() {
        try? file.flush()
        try? file.close()
    }

    static func writeAggregate(_ aggregate: SpectrumAggregate, to file: File) throws {
        _ = try file.requireGroup("spectrum/aggregate")
        let (L, H, n) = (aggregate.layers, aggregate.heads, aggregate.length)
        for (name, values) in [("cumulative_sum", aggregate.cumulativeSum), ("cumulative_sum_squares", aggregate.cumulativeSumSquares)] {
            let path = "spectrum/aggregate/\(name)"
            let dataset = try file.exists(path) ? try file.openDataset(path)
                                                : try file.createDataset(path, type: .float64, shape: [L, H, n])
            try dataset.write(values)
        }
        let path = "spectrum/aggregate/count"
        let count = try file.exists(path) ? try file.openDataset(path) : try file.createDataset(path, type: .int64, shape: [L, H])
        try count.write(aggregate.count)
    }
}
