import Foundation
import HDF5Store

/// A run file opened for reading (docs/FORMAT.md).
///
/// Refuses files of another format or version with a message naming the file. Arrays come back flat
/// in C order with the shapes given in the format document.
public final class RunFile {
    /// The file's location.
    public let url: URL
    /// Root attributes.
    public let metadata: RunMetadata
    /// Sequences the file holds (S).
    public let sequenceCount: Int
    /// Whether the run finished (`complete = 1`).
    public let isComplete: Bool
    let file: File

    /// Opens `url` read-only and validates its format version.
    public init(contentsOf url: URL) throws(AnalysisError) {
        self.url = url
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .runFile(path: url.path, reason: "no such file")
        }
        do {
            file = try File.open(url.path, mode: .readOnly)
        } catch {
            throw .runFile(path: url.path, reason: "is not a readable HDF5 file (\(error))")
        }
        metadata = try RunMetadata(reading: file)
        let path = url.path, file = self.file
        (sequenceCount, isComplete) = try withStage("run file \(path)") {
            (Int(try file.attributes.int64("sequence_count")), try file.attributes.int64("complete") == 1)
        }
        // With the metadata bounds this keeps sequences × layers × heads × max(n, K) below Int.max.
        guard (0...(1 << 30)).contains(sequenceCount) else {
            throw .runFile(path: url.path, reason: "sequence_count \(sequenceCount) is out of range")
        }
    }

    /// Datasets with one row per sequence (attention dumps hold fewer rows and are not listed).
    static let perSequencePaths: Set<String> = Set(
        ["tokens/input_ids", "tokens/window_index", "tokens/byte_range", "spectrum/sigma", "projection/theorem1/fraction_below"]
            + RunFileWriter.spectrumDatasets.map(\.0) + SequenceResult.projectionStatistics.map { "projection/\($0)" })

    /// Reads a whole dataset; one with a row per sequence must have `sequenceCount` rows.
    public func read<T: HDF5Scalar>(_ path: String, as type: T.Type = T.self) throws(AnalysisError) -> [T] {
        let file = self.file, rows = sequenceCount, name = url.path
        return try withStage("run file \(name)") {
            guard try file.exists(path) else { throw AnalysisError.runFile(path: name, reason: "has no dataset /\(path)") }
            let dataset = try file.openDataset(path)
            let shape = try dataset.shape
            if RunFile.perSequencePaths.contains(path), shape.first != rows {
                throw AnalysisError.runFile(path: name, reason: "/\(path) has \(shape.first ?? 0) rows, sequence_count says \(rows)")
            }
            return try dataset.read(as: T.self)
        }
    }

    /// Reads a whole dataset that must hold exactly `count` values, checked from its shape before
    /// anything is read: the indexing below trusts these counts, and a corrupt file can claim any shape.
    func read<T: HDF5Scalar>(_ path: String, count: Int, as type: T.Type = T.self) throws(AnalysisError) -> [T] {
        let file = self.file, name = url.path
        try withStage("run file \(name)") {
            guard try file.exists(path) else { throw AnalysisError.runFile(path: name, reason: "has no dataset /\(path)") }
            let shape = try file.openDataset(path).shape
            let (elements, overflow) = shape.reduce((1, false)) { partial, extent in
                let (product, overflow) = partial.0.multipliedReportingOverflow(by: extent)
                return (product, partial.1 || overflow)
            }
            guard !overflow, elements == count else {
                throw AnalysisError.runFile(path: name, reason: "/\(path) has shape \(shape), the metadata call for \(count) values")
            }
        }
        return try read(path, as: type)
    }

    /// Whether a dataset exists.
    public func contains(_ path: String) -> Bool { (try? file.exists(path)) ?? false }

    /// The spectrum aggregate stored in the file, or rebuilt from `/spectrum/sigma` for partial files.
    public func aggregate() throws(AnalysisError) -> SpectrumAggregate {
        let m = metadata
        var aggregate = SpectrumAggregate(layers: m.layers, heads: m.heads, length: m.sequenceLength)
        if contains("spectrum/aggregate/cumulative_sum") {
            let slots = m.layers * m.heads
            aggregate.cumulativeSum = try read("spectrum/aggregate/cumulative_sum", count: slots * m.sequenceLength)
            aggregate.cumulativeSumSquares = try read("spectrum/aggregate/cumulative_sum_squares", count: slots * m.sequenceLength)
            aggregate.count = try read("spectrum/aggregate/count", count: slots)
            return aggregate
        }
        let sigma: [Double] = try read("spectrum/sigma", count: sequenceCount * m.layers * m.heads * m.sequenceLength)
        let n = m.sequenceLength
        for block in 0..<(sigma.count / n) {
            let slot = block % (m.layers * m.heads)
            let spectrum = try HeadSpectrum(sigma: Array(sigma[block * n ..< (block + 1) * n]), context: "\(url.path) row \(block)")
            aggregate.add(spectrum, layer: slot / m.heads, head: slot % m.heads)
        }
        return aggregate
    }

    /// The projection aggregate stored in the file, or rebuilt from the per-sequence statistics.
    public func projectionAggregate() throws(AnalysisError) -> ProjectionAggregate? {
        guard let projection = metadata.projection else { return nil }
        var aggregate = ProjectionAggregate(layers: metadata.layers, heads: metadata.heads, dims: projection.dims.count,
                                            statistics: metadata.projectionStatistics)
        for name in metadata.projectionStatistics {
            let stored = "projection/aggregate/" + name.replacingOccurrences(of: "/", with: "_") + "_sum"
            if contains(stored) {
                aggregate.sums[name] = try read(stored, count: aggregate.size)
            } else {
                let values: [Double] = try read("projection/\(name)", count: sequenceCount * aggregate.size)
                var sums = [Double](repeating: 0, count: aggregate.size)
                for (i, value) in values.enumerated() { sums[i % aggregate.size] += value }
                aggregate.sums[name] = sums
            }
        }
        return aggregate
    }

    /// The per-layer table (see ``RunSummary``) with `c_k` at `k` (clamped to n).
    public func summary(k requested: Int) throws(AnalysisError) -> RunSummary {
        let m = metadata
        let (L, H, n) = (m.layers, m.heads, m.sequenceLength)
        let k = min(max(1, requested), n)
        let aggregate = try self.aggregate()
        let heads = sequenceCount * L * H
        let k90: [Int32] = try read("spectrum/k90", count: heads), k95: [Int32] = try read("spectrum/k95", count: heads)
        let k99: [Int32] = try read("spectrum/k99", count: heads)
        let entropy: [Double] = try read("spectrum/entropy_rank", count: heads)
        var projectionK: Int?
        var theorem1: [Double] = [], floor: [Double] = []
        var kIndex = 0
        if let projection = m.projection, !projection.dims.isEmpty {
            kIndex = projection.dims.indices.min { abs(projection.dims[$0] - k) < abs(projection.dims[$1] - k) } ?? 0
            projectionK = projection.dims[kIndex]
            theorem1 = try read("projection/theorem1/median", count: heads * projection.dims.count)
            floor = try read("projection/svd_optimal/median", count: heads * projection.dims.count)
        }
        let K = m.projection?.dims.count ?? 0
        let rows = sequenceCount
        func column<T>(_ values: [T], layer: Int) -> [T] {
            var result: [T] = []
            for s in 0..<rows { for head in 0..<H { result.append(values[(s * L + layer) * H + head]) } }
            return result
        }
        func projected(_ values: [Double], layer: Int) -> Double? {
            guard projectionK != nil else { return nil }
            var sample: [Double] = []
            for s in 0..<rows {
                for head in 0..<H {
                    let value = values[((s * L + layer) * H + head) * K + kIndex]
                    if !value.isNaN { sample.append(value) }
                }
            }
            return RunSummary.median(sample)
        }
        let layers = (0..<L).map { layer in
            RunSummary.Layer(
                layer: layer + 1,
                meanCumulativeAtK: (0..<H).map { aggregate.mean(layer: layer, head: $0, j: k) }.reduce(0, +) / Double(H),
                medianK90: RunSummary.median(column(k90, layer: layer)),
                medianK95: RunSummary.median(column(k95, layer: layer)),
                medianK99: RunSummary.median(column(k99, layer: layer)),
                medianEntropyRank: RunSummary.median(column(entropy, layer: layer)),
                theorem1MedianError: projected(theorem1, layer: layer),
                svdOptimalMedianError: projected(floor, layer: layer))
        }
        let kJL = Dictionary(uniqueKeysWithValues: (m.projection?.epsilons ?? []).map {
            (String($0), ProjectionTheory.kJL(epsilon: $0, n: n))
        })
        return RunSummary(k: k, projectionK: projectionK, sequences: sequenceCount, n: n, layers: layers, kJL: kJL)
    }
}
