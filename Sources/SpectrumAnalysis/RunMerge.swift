import Foundation

/// Combines shard files of one run into a single run file (DESIGN §6).
///
/// Per-sequence rows (tokens, σ, metrics, projection statistics) are copied unchanged and ordered by
/// window index; aggregates are the sums of the shards' aggregates, so they equal a single run's up to
/// floating-point summation order. Attention dumps stay in the shard files (`dump_attention` is 0 in
/// the merged file).
public enum RunMerge {
    /// Merges `shards` into `output` (written through `output.partial`).
    /// - Throws: when a shard is incomplete, of another format, of another run (model, corpus, options
    ///   or seed differ), listed twice, or when `output` exists and `force` is false.
    @discardableResult
    public static func merge(_ shards: [URL], into output: URL, force: Bool = false) throws(AnalysisError) -> RunFile {
        guard !shards.isEmpty else { throw .invalidOption("merge needs at least one shard file") }
        let files = try shards.map { (url) throws(AnalysisError) -> RunFile in try RunFile(contentsOf: url) }
        let first = files[0]
        for file in files {
            guard file.isComplete else {
                throw .incompatibleShards("\(file.url.path) is not complete (\(file.sequenceCount) of \(file.metadata.sequencesPlanned) sequences); finish it with --resume first")
            }
            guard file.metadata.sameRun(as: first.metadata) else {
                throw .incompatibleShards("\(file.url.path) belongs to another run than \(first.url.path) (model, corpus, options or seed differ)")
            }
            guard file.metadata.spectra else { throw .incompatibleShards("\(file.url.path) has no spectra (an extract-only file); run `svd` on it first") }
        }
        let indices = files.map(\.metadata.shard.index)
        guard Set(indices).count == indices.count else { throw .incompatibleShards("the same shard is listed twice (indices \(indices))") }

        var metadata = first.metadata
        metadata.created = ISO8601DateFormatter().string(from: Date())
        metadata.shard = .single
        metadata.mergedFrom = files.map(\.url.path)
        metadata.dumpAttention = 0
        metadata.dumpQKV = false
        metadata.sequencesPlanned = files.reduce(0) { $0 + $1.sequenceCount }

        var aggregate = try first.aggregate()
        var projection = try first.projectionAggregate()
        for file in files.dropFirst() {
            try aggregate.merge(try file.aggregate())
            if let other = try file.projectionAggregate() { try projection?.merge(other) }
        }

        var rows: [(window: Int, file: ShardRows, row: Int)] = []
        var loaded: [ShardRows] = []
        for file in files {
            let shard = try ShardRows(file)
            loaded.append(shard)
            for (row, window) in shard.windows.enumerated() { rows.append((Int(window), shard, row)) }
        }
        rows.sort { $0.window < $1.window }
        guard Set(rows.map(\.window)).count == rows.count else { throw .incompatibleShards("two shards hold the same window") }

        let writer = try RunFileWriter(creating: output, metadata: metadata, force: force)
        do {
            for item in rows { try writer.append(item.file.sequence(item.row), result: item.file.result(item.row)) }
            try writer.finish(aggregate: aggregate, projection: projection)
        } catch {
            writer.suspend()
            try? FileManager.default.removeItem(at: writer.partialURL)
            throw error
        }
        return try RunFile(contentsOf: output)
    }
}

/// One shard's per-sequence rows, held in memory while merging.
final class ShardRows {
    let metadata: RunMetadata
    let windows: [Int64]
    let inputIds: [Int32], byteRanges: [Int64]
    let sigma: [Double], k90: [Int32], k95: [Int32], k99: [Int32], entropy: [Double], stable: [Double]
    let projection: [String: [Double]], fractionBelow: [Double]

    init(_ file: RunFile) throws(AnalysisError) {
        metadata = file.metadata
        windows = try file.read("tokens/window_index")
        inputIds = try file.read("tokens/input_ids")
        byteRanges = try file.read("tokens/byte_range")
        sigma = try file.read("spectrum/sigma")
        k90 = try file.read("spectrum/k90")
        k95 = try file.read("spectrum/k95")
        k99 = try file.read("spectrum/k99")
        entropy = try file.read("spectrum/entropy_rank")
        stable = try file.read("spectrum/stable_rank")
        var projection: [String: [Double]] = [:]
        var fractions: [Double] = []
        if metadata.projection != nil {
            for name in metadata.projectionStatistics { projection[name] = try file.read("projection/\(name)") }
            fractions = try file.read("projection/theorem1/fraction_below")
        }
        self.projection = projection
        fractionBelow = fractions
    }

    func sequence(_ row: Int) -> PackedSequence {
        let n = metadata.sequenceLength
        return PackedSequence(index: Int(windows[row]), inputIds: Array(inputIds[row * n ..< (row + 1) * n]),
                              byteRange: Int(byteRanges[2 * row]) ..< Int(byteRanges[2 * row + 1]))
    }

    func result(_ row: Int) -> SequenceResult {
        let m = metadata
        let (L, H, n) = (m.layers, m.heads, m.sequenceLength)
        let K = m.projection?.dims.count ?? 0, E = m.projection?.epsilons.count ?? 0
        let result = SequenceResult(layers: L, heads: H, n: n, dims: K, epsilons: E)
        let heads = L * H
        result.sigma = Array(sigma[row * heads * n ..< (row + 1) * heads * n])
        result.k90 = Array(k90[row * heads ..< (row + 1) * heads])
        result.k95 = Array(k95[row * heads ..< (row + 1) * heads])
        result.k99 = Array(k99[row * heads ..< (row + 1) * heads])
        result.entropyRank = Array(entropy[row * heads ..< (row + 1) * heads])
        result.stableRank = Array(stable[row * heads ..< (row + 1) * heads])
        for (name, values) in projection { result.projection[name] = Array(values[row * heads * K ..< (row + 1) * heads * K]) }
        if E > 0 { result.fractionBelow = Array(fractionBelow[row * heads * K * E ..< (row + 1) * heads * K * E]) }
        return result
    }
}
