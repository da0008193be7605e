import Foundation
import HDF5Store
import SpectrumMetrics

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
    ///
    /// A file shorter than its HDF5 superblock says (cut short by a copy or a full disk) is refused
    /// before libhdf5 reads it. A file from elsewhere may still be damaged in ways libhdf5 does not
    /// survive; the tools check such files in a child process first (``RunFileCheck``).
    public init(contentsOf url: URL) throws(AnalysisError) {
        self.url = url
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .runFile(path: url.path, reason: "no such file")
        }
        try RunFileProbe.checkLength(url.path)
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

    /// The datasets this file should hold.
    public var schema: RunSchema { RunSchema(metadata) }

    /// Reads a whole dataset, checking every dimension against ``RunSchema`` first (the indexing of
    /// every caller trusts these shapes, and a corrupt file can claim any shape): per-sequence
    /// datasets must have `sequenceCount` rows (attention at least the dumped rows), the others the
    /// shape the metadata gives. A path the schema does not declare is read as it is.
    public func read<T: HDF5Scalar>(_ path: String, as type: T.Type = T.self) throws(AnalysisError) -> [T] {
        let file = self.file, name = url.path, declared = schema.dataset(path)
        let heldOut = declared?.isPerHeldOutSequence == true ? try heldOutCount() : 0
        let expected = declared?.shape(metadata, rows: sequenceCount, heldOut: heldOut)
        return try withStage("run file \(name)") {
            guard try file.exists(path) else { throw AnalysisError.runFile(path: name, reason: "has no dataset /\(path)") }
            let dataset = try file.openDataset(path)
            let shape = try dataset.shape
            if let expected, let declared {
                let attention = declared.dimensions.first == .dumpedSequences
                let fits = attention ? shape.count == expected.count && shape.dropFirst() == expected.dropFirst() && (shape.first ?? 0) >= expected[0]
                                     : shape == expected
                guard fits else {
                    throw AnalysisError.runFile(path: name, reason: "/\(path) has shape \(shape), the metadata call for \(expected)\(attention ? " (at least that many rows)" : "")")
                }
            }
            return try dataset.read(as: T.self)
        }
    }

    /// S_test: the file's windows that the fitted projection holds out (from `/tokens/window_index`).
    public func heldOutCount() throws(AnalysisError) -> Int {
        let m = metadata
        let windows: [Int64] = try read("tokens/window_index")
        return windows.filter { m.isHeldOut(window: Int($0)) }.count
    }

    /// The fitted projection's Gram sums (``GramSums``), each dataset's shape checked against the
    /// schema and every limb's range checked; nil when the file has no fitted projection (`holdout` 0).
    /// - Throws: when the datasets are missing or malformed, naming the file and the dataset.
    public func gramSums() throws(AnalysisError) -> GramSums? {
        let m = metadata
        guard m.projection != nil, m.spectra, m.holdout > 0 else { return nil }
        for dataset in RunSchema.gramSums where !(try contains(dataset.path)) {
            throw .runFile(path: url.path, reason: "has no /\(dataset.path): the Gram sums of the fitted projection (holdout \(m.holdout)) are missing; files written before shards stored them cannot be merged with the fit, re-run the shard")
        }
        let high: [Int64] = try read("projection/fitted/gram_high"), low: [Int64] = try read("projection/fitted/gram_low")
        let count: [Int64] = try read("projection/fitted/gram_count")
        do {
            return try GramSums(layers: m.layers, heads: m.heads, order: m.sequenceLength, high: high, low: low, count: count)
        } catch {
            throw .runFile(path: url.path, reason: "/projection/fitted/gram_*: \(error)")
        }
    }

    /// Reads a whole dataset with its shape (checked as ``read(_:as:)`` checks it).
    public func shaped<T: HDF5Scalar>(_ path: String, as type: T.Type = T.self) throws(AnalysisError) -> ShapedArray<T> {
        let values: [T] = try read(path, as: type)
        let file = self.file, name = url.path
        let shape = try withStage("run file \(name)") { try file.openDataset(path).shape }
        return ShapedArray(shape: shape, values: values)
    }

    /// Reads a whole dataset that must hold exactly `count` values (besides the schema's shape check).
    func read<T: HDF5Scalar>(_ path: String, count: Int, as type: T.Type = T.self) throws(AnalysisError) -> [T] {
        let values: [T] = try read(path, as: type)
        guard values.count == count else {
            throw .runFile(path: url.path, reason: "/\(path) holds \(values.count) values, the metadata call for \(count)")
        }
        return values
    }

    /// Whether a dataset or group exists.
    /// - Throws: when libhdf5 cannot answer (a damaged file), instead of answering "no".
    public func contains(_ path: String) throws(AnalysisError) -> Bool {
        let file = self.file
        return try withStage("run file \(url.path)") { try file.exists(path) }
    }

    /// Every row of every per-sequence dataset, as records in file order (merge reads shards so).
    public func records() throws(AnalysisError) -> [SequenceRecord] {
        var columns: [(RunDataset, RowValues)] = []
        for dataset in schema.rows {
            switch dataset.type {
            case .int32: columns.append((dataset, .int32(try read(dataset.path))))
            case .int64: columns.append((dataset, .int64(try read(dataset.path))))
            case .float64: columns.append((dataset, .float64(try read(dataset.path))))
            case .float32, .float16: continue
            }
        }
        return try (0..<sequenceCount).map { (row) throws(AnalysisError) -> SequenceRecord in
            var rows: [RunField: RowValues] = [:]
            for (dataset, column) in columns {
                guard let field = dataset.field else { continue }
                let size = dataset.rowSize(metadata), range = row * size ..< (row + 1) * size
                switch column {
                case .int32(let v): rows[field] = .int32(Array(v[range]))
                case .int64(let v): rows[field] = .int64(Array(v[range]))
                case .float64(let v): rows[field] = .float64(Array(v[range]))
                }
            }
            guard let record = SequenceRecord(rows: rows) else {
                throw .runFile(path: url.path, reason: "row \(row) is inconsistent (a byte range whose end precedes its start, or a missing dataset)")
            }
            return record
        }
    }

    /// The spectrum aggregate stored in the file, or rebuilt from `/spectrum/sigma` for partial files.
    public func aggregate() throws(AnalysisError) -> SpectrumAggregate {
        let m = metadata
        var aggregate = SpectrumAggregate(layers: m.layers, heads: m.heads, sequenceLength: m.sequenceLength)
        if try contains("spectrum/aggregate/cumulative_sum") {
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
        var aggregate = ProjectionAggregate(layers: metadata.layers, heads: metadata.heads, dimensionCount: projection.projectionDimensions.count,
                                            statistics: metadata.projectionStatistics)
        for statistic in metadata.projectionStatistics {
            let stored = RunSchema.aggregatePath(statistic)
            if try contains(stored) {
                try aggregate.setSums(try read(stored, count: aggregate.size), of: statistic)
            } else {
                let values: [Double] = try read("projection/\(statistic.rawValue)", count: sequenceCount * aggregate.size)
                var sums = [Double](repeating: 0, count: aggregate.size)
                for (i, value) in values.enumerated() { sums[i % aggregate.size] += value }
                try aggregate.setSums(sums, of: statistic)
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
        if let projection = m.projection, !projection.projectionDimensions.isEmpty {
            kIndex = projection.projectionDimensions.indices.min { abs(projection.projectionDimensions[$0] - k) < abs(projection.projectionDimensions[$1] - k) } ?? 0
            projectionK = projection.projectionDimensions[kIndex]
            theorem1 = try read("projection/theorem1/median", count: heads * projection.projectionDimensions.count)
            floor = try read("projection/svd_optimal/median", count: heads * projection.projectionDimensions.count)
        }
        let K = m.projection?.projectionDimensions.count ?? 0
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

/// Values of a dataset in C order with their shape: element `[i₀, i₁, …]` is
/// `values[((i₀·shape[1] + i₁)·shape[2] + …)]`.
public struct ShapedArray<Element: Sendable>: Sendable {
    /// Extent of each dimension, first dimension first.
    public let shape: [Int]
    /// The values, flat in C (row-major) order; `values.count` is the product of `shape`.
    public let values: [Element]

    /// The element at `index` (one subscript per dimension); nil when out of range.
    public func element(at index: [Int]) -> Element? {
        guard index.count == shape.count else { return nil }
        var offset = 0
        for (i, extent) in zip(index, shape) {
            guard (0..<extent).contains(i) else { return nil }
            offset = offset * extent + i
        }
        return offset < values.count ? values[offset] : nil
    }
}
