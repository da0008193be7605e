import Foundation
import SpectrumMetrics

/// Combines the shard files of one run into a single run file.
///
/// Per-sequence rows (every per-sequence dataset of ``RunSchema``) are copied unchanged and ordered
/// by window index; aggregates are the sums of the shards' aggregates, so they equal a single run's
/// up to floating-point summation order; the fitted projection's Gram sums are integers and add up
/// exactly, and the merged file is marked `fit_pending` (the fit needs the model: `merge --model`
/// or `spectrum-analyze fit` does it). Attention dumps stay in the shard files (`dump_attention`
/// is 0 in the merged file). The shards must be the complete set `0/N … N−1/N`; a merge of only
/// some of them is refused unless `allowPartial` is given, and is then marked in the file
/// (`missing_shards`) so that readers and the report say so.
public struct RunMerge {
    /// The shard files, in the order given.
    public let shards: [RunFile]
    /// Shard indices `0 ..< N` that were not given (empty unless `allowPartial`).
    public let missingShards: [Int]

    /// Opens and checks the shards of one run; nothing is written until ``run(output:force:)``.
    /// - Parameter allowPartial: accept a set that lacks shards (the merge is then marked partial)
    ///   instead of refusing it.
    /// - Throws: when a shard is incomplete, of another format, of another run (naming the attributes
    ///   that differ), listed twice (naming both files), of another split, or when shards are missing
    ///   (naming their indices) and `allowPartial` is false.
    public init(shards urls: [URL], allowPartial: Bool = false) throws(AnalysisError) {
        guard !urls.isEmpty else { throw .invalidOption("merge needs at least one shard file") }
        let files = try urls.map { (url) throws(AnalysisError) -> RunFile in try RunFile(contentsOf: url) }
        let first = files[0]
        for file in files {
            guard file.isComplete else {
                throw .incompatibleShards("\(file.url.path) is not complete (\(file.sequenceCount) of \(file.metadata.sequencesPlanned) sequences); finish it first (run it again with \(Remedy.resume.marker))")
            }
            let differences = file.metadata.differences(from: first.metadata)
            guard differences.isEmpty else {
                throw .incompatibleShards("\(file.url.path) belongs to another run than \(first.url.path): \(differences.joined(separator: "; "))")
            }
            guard file.metadata.spectra else { throw .incompatibleShards("\(file.url.path) has no spectra (an extract-only file); run `svd` on it first") }
            guard !file.metadata.isPartialMerge else {
                throw .incompatibleShards("\(file.url.path) is itself a partial merge (shards \(file.metadata.missingShards) missing)")
            }
        }
        missingShards = try Self.checkShardSet(files, allowPartial: allowPartial)
        shards = files
    }

    /// Writes the merged file to `output` (through `output.partial`, see ``RunOutput``).
    /// - Parameter force: replace an existing output run file.
    /// - Throws: when the output may not be written, two shards hold the same window, or the
    ///   shards' aggregates or Gram sums do not add up.
    @discardableResult
    public func run(output: URL, force: Bool = false) throws(AnalysisError) -> RunFile {
        try RunOutput(output).check(force: force)
        let files = shards, first = shards[0]
        var metadata = first.metadata
        metadata.created = ISO8601DateFormatter().string(from: Date())
        metadata.shard = .single
        metadata.mergedFrom = files.map(\.url.path)
        metadata.mergedShardCount = first.metadata.shard.count
        metadata.missingShards = missingShards
        metadata.dumpAttention = 0
        metadata.dumpQKV = false
        metadata.sequencesPlanned = files.reduce(0) { $0 + $1.sequenceCount }

        var aggregate = try first.aggregate()
        var projection = try first.projectionAggregate()
        for file in files.dropFirst() {
            try aggregate.merge(try file.aggregate())
            if let other = try file.projectionAggregate() { try projection?.merge(other) }
        }
        let gram = try Self.mergedGramSums(files)
        // The fit needs every shard's sums, so it is done on the merged file (`merge --model`, `fit`).
        metadata.fitPending = gram != nil

        var records: [SequenceRecord] = []
        for file in files { records += try file.records() }
        records.sort { $0.windowIndex < $1.windowIndex }
        for (a, b) in zip(records, records.dropFirst()) where a.windowIndex == b.windowIndex {
            throw .incompatibleShards("two shards hold window \(a.windowIndex)")
        }

        let writer = try RunFileWriter(creating: output, metadata: metadata, force: force)
        do {
            for record in records { try writer.append(record) }
            try writer.finish(aggregate: aggregate, projection: projection, gram: gram)
        } catch {
            writer.suspend()
            try? FileManager.default.removeItem(at: writer.partialURL)
            throw error
        }
        return try RunFile(contentsOf: output)
    }

    /// The exact sum of the shards' Gram sums (nil without a fitted projection). Each shard's sums
    /// must cover exactly its training windows; shapes are checked against each file's schema by
    /// ``RunFile/gramSums()`` (the identity check before has made n, L, H and holdout agree).
    private static func mergedGramSums(_ files: [RunFile]) throws(AnalysisError) -> GramSums? {
        guard let sum = try files[0].gramSums() else { return nil }
        for (index, file) in files.enumerated() {
            guard let sums = try index == 0 ? sum : file.gramSums() else {
                throw .incompatibleShards("\(file.url.path) has no Gram sums but \(files[0].url.path) has (projection/holdout)")
            }
            let windows: [Int64] = try file.read("tokens/window_index")
            let training = Int64(windows.filter { !file.metadata.isHeldOut(window: Int($0)) }.count)
            if let bad = sums.count.firstIndex(where: { $0 != training }) {
                throw .incompatibleShards("\(file.url.path): /projection/fitted/gram_count of layer \(bad / file.metadata.heads), head \(bad % file.metadata.heads) is \(sums.count[bad]), but the shard holds \(training) training windows (holdout \(file.metadata.holdout))")
            }
            guard index > 0 else { continue }
            do {
                try sum.merge(sums)
            } catch {
                throw .incompatibleShards("adding the Gram sums of \(file.url.path) to those of \(files[0].url.path): \(error)")
            }
        }
        return sum
    }

    /// Checks that the shards are distinct pieces of one split `i/N`; returns the missing indices.
    private static func checkShardSet(_ files: [RunFile], allowPartial: Bool) throws(AnalysisError) -> [Int] {
        let count = files[0].metadata.shard.count
        var seen: [Int: String] = [:]
        for file in files {
            let shard = file.metadata.shard
            guard shard.count == count else {
                throw .incompatibleShards("\(file.url.path) is shard \(shard) but \(files[0].url.path) is shard \(files[0].metadata.shard): shards of different splits")
            }
            if let other = seen[shard.index] {
                throw .incompatibleShards("the same shard \(shard) is listed twice: \(other) and \(file.url.path)")
            }
            seen[shard.index] = file.url.path
        }
        let missing = (0..<count).filter { seen[$0] == nil }
        if !missing.isEmpty && !allowPartial {
            let names = missing.map { "\($0)/\(count)" }.joined(separator: ", ")
            throw .incompatibleShards("shard\(missing.count == 1 ? "" : "s") \(names) \(missing.count == 1 ? "is" : "are") missing; give all \(count) shards, or pass \(Remedy.allowPartial.marker) to write a merge marked partial")
        }
        return missing
    }
}
