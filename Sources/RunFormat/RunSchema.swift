import Foundation
import HDF5Store
import SpectrumMetrics

/// A named extent of a run-file dataset, resolved against a file's ``RunMetadata``.
public enum RunDimension: Sendable, Hashable {
    /// S, the sequences the file holds (the extendible first dimension of per-sequence datasets).
    case sequences
    /// S_dump, the sequences whose attention is dumped.
    case dumpedSequences
    /// L, H, n, d.
    case layers, heads, sequenceLength, headDimension
    /// G, the key-value heads of dumped K and V (H without grouped-query attention).
    case keyValueHeads
    /// K (projection dimensions) and E (error levels ε).
    case projectionDimensions, epsilons
    /// S_test, the held-out windows of the fitted projection among the file's sequences
    /// (`window_index % holdout == holdout − 1`); counted from `/tokens/window_index`.
    case heldOutSequences
    /// `n(n+1)/2`, the upper triangle of an n × n matrix (the Gram sums).
    case upperTriangle
    /// k_max = the largest projection dimension (the fitted eigenvalues kept per head).
    case largestProjectionDimension
    /// A fixed extent (the 2 of a byte range).
    case fixed(Int)

    func extent(_ m: RunMetadata, rows: Int, heldOut: Int) -> Int {
        switch self {
        case .sequences: return rows
        case .heldOutSequences: return heldOut
        case .upperTriangle: return m.sequenceLength * (m.sequenceLength + 1) / 2
        case .largestProjectionDimension: return min(m.projection?.projectionDimensions.max() ?? 0, m.sequenceLength)
        case .dumpedSequences: return m.dumpedRows(of: rows)
        case .layers: return m.layers
        case .heads: return m.heads
        case .sequenceLength: return m.sequenceLength
        case .headDimension: return m.headDimension
        case .keyValueHeads: return m.effectiveKeyValueHeads
        case .projectionDimensions: return m.projection?.projectionDimensions.count ?? 0
        case .epsilons: return m.projection?.epsilons.count ?? 0
        case .fixed(let value): return value
        }
    }
}

/// The per-sequence fields of a run file, each stored in one dataset with one row per sequence.
public enum RunField: Sendable, Hashable {
    case inputIds, windowIndex, byteRange
    case sigma, k90, k95, k99, entropyRank, stableRank
    case projection(ProjectionStatistic)
    case fractionBelow
}

/// One dataset of the run file: its path, element type and full shape.
public struct RunDataset: Sendable, Hashable {
    /// Path inside the file, without the leading `/`.
    public let path: String
    /// Element type on disk (attention follows `attention_dtype`).
    public let type: ElementType
    /// The shape, first dimension first.
    public let dimensions: [RunDimension]
    /// The per-sequence field it stores (nil for attention, settings, theory and aggregates).
    public let field: RunField?

    /// The shape in `metadata`'s file of `rows` sequences, `heldOut` of them held out by the fitted projection.
    public func shape(_ metadata: RunMetadata, rows: Int, heldOut: Int = 0) -> [Int] {
        dimensions.map { $0.extent(metadata, rows: rows, heldOut: heldOut) }
    }

    /// Values in one row: the shape without its first dimension, multiplied out.
    public func rowSize(_ metadata: RunMetadata) -> Int { dimensions.dropFirst().reduce(1) { $0 * $1.extent(metadata, rows: 0, heldOut: 0) } }

    /// Whether the shape depends on the held-out count (the fitted projection's rows).
    public var isPerHeldOutSequence: Bool { dimensions.first == .heldOutSequences }

    /// Whether the first dimension counts sequences (extendible, one row per sequence or dump).
    public var isPerSequence: Bool { dimensions.first == .sequences || dimensions.first == .dumpedSequences }
}

/// Every dataset of a run file, declared once: the writer creates these, the reader checks every
/// dimension of what it reads against them, the journal and merge copy the per-sequence rows in
/// this order, and the `svd` stage adds the spectrum datasets. docs/FORMAT.md is the same table in prose.
public struct RunSchema: Sendable {
    /// The file's metadata the shapes are resolved against.
    public let metadata: RunMetadata
    /// The datasets such a file holds (aggregates only once complete).
    public let datasets: [RunDataset]

    /// The datasets a file with `metadata` holds.
    public init(_ metadata: RunMetadata) {
        self.metadata = metadata
        var all = Self.tokens
        if metadata.spectra { all += Self.spectrum + Self.spectrumAggregate }
        if metadata.dumpAttention != 0 {
            let type: ElementType = metadata.attentionStorage == .float16 ? .float16 : .float32
            all.append(RunDataset(path: "attention/P", type: type,
                                  dimensions: [.dumpedSequences, .layers, .heads, .sequenceLength, .sequenceLength], field: nil))
            if metadata.dumpQKV {
                // Q per query head; K and V per key-value head (G = H without grouped-query attention).
                for (name, heads) in [("Q", RunDimension.heads), ("K", .keyValueHeads), ("V", .keyValueHeads)] {
                    all.append(RunDataset(path: "attention/\(name)", type: type,
                                          dimensions: [.dumpedSequences, .layers, heads, .sequenceLength, .headDimension], field: nil))
                }
            }
        }
        if metadata.projection != nil, metadata.spectra {
            all += Self.projection(metadata.projectionStatistics)
            if metadata.holdout > 0 { all += Self.fitted(metadata) }
        }
        datasets = all
    }

    /// The per-sequence datasets (one row per sequence), in file and journal order.
    public var rows: [RunDataset] { datasets.filter { $0.field != nil } }

    /// The dataset at `path`, if the schema declares it for this file.
    public func dataset(_ path: String) -> RunDataset? { datasets.first { $0.path == path } }

    static let tokens: [RunDataset] = [
        RunDataset(path: "tokens/input_ids", type: .int32, dimensions: [.sequences, .sequenceLength], field: .inputIds),
        RunDataset(path: "tokens/window_index", type: .int64, dimensions: [.sequences], field: .windowIndex),
        RunDataset(path: "tokens/byte_range", type: .int64, dimensions: [.sequences, .fixed(2)], field: .byteRange),
    ]

    /// σ and the per-head metrics (what the `svd` stage adds to an `extract` file).
    public static let spectrum: [RunDataset] = [
        RunDataset(path: "spectrum/sigma", type: .float64, dimensions: [.sequences, .layers, .heads, .sequenceLength], field: .sigma),
        RunDataset(path: "spectrum/k90", type: .int32, dimensions: [.sequences, .layers, .heads], field: .k90),
        RunDataset(path: "spectrum/k95", type: .int32, dimensions: [.sequences, .layers, .heads], field: .k95),
        RunDataset(path: "spectrum/k99", type: .int32, dimensions: [.sequences, .layers, .heads], field: .k99),
        RunDataset(path: "spectrum/entropy_rank", type: .float64, dimensions: [.sequences, .layers, .heads], field: .entropyRank),
        RunDataset(path: "spectrum/stable_rank", type: .float64, dimensions: [.sequences, .layers, .heads], field: .stableRank),
    ]

    static let spectrumAggregate: [RunDataset] = [
        RunDataset(path: "spectrum/aggregate/cumulative_sum", type: .float64, dimensions: [.layers, .heads, .sequenceLength], field: nil),
        RunDataset(path: "spectrum/aggregate/cumulative_sum_squares", type: .float64, dimensions: [.layers, .heads, .sequenceLength], field: nil),
        RunDataset(path: "spectrum/aggregate/count", type: .int64, dimensions: [.layers, .heads], field: nil),
    ]

    /// The projection datasets of a run that stores `statistics` (causal runs leave out Theorem 2 and pooling).
    static func projection(_ statistics: [ProjectionStatistic]) -> [RunDataset] { [
        RunDataset(path: "projection/dims", type: .int64, dimensions: [.projectionDimensions], field: nil),
        RunDataset(path: "projection/epsilons", type: .float64, dimensions: [.epsilons], field: nil),
        RunDataset(path: "projection/theory/k_jl", type: .float64, dimensions: [.epsilons], field: nil),
        RunDataset(path: "projection/theory/failure_bound", type: .float64, dimensions: [.epsilons, .projectionDimensions], field: nil),
    ] + statistics.map {
        RunDataset(path: "projection/\($0.rawValue)", type: .float64,
                   dimensions: [.sequences, .layers, .heads, .projectionDimensions], field: .projection($0))
    } + [
        RunDataset(path: "projection/theorem1/fraction_below", type: .float64,
                   dimensions: [.sequences, .layers, .heads, .projectionDimensions, .epsilons], field: .fractionBelow),
    ] + statistics.map {
        RunDataset(path: aggregatePath($0), type: .float64, dimensions: [.layers, .heads, .projectionDimensions], field: nil)
    } }

    /// The Gram sums of the fitted projection (written with the aggregates, in every file with
    /// `holdout` > 0) and, unless the fit is pending (``RunMetadata/fitPending``), the fit and its
    /// held-out errors. Causal runs leave out the Linformer form.
    static func fitted(_ m: RunMetadata) -> [RunDataset] {
        var all = gramSums
        guard !m.fitPending else { return all }
        let rows: [RunDimension] = [.heldOutSequences, .layers, .heads, .projectionDimensions]
        all.append(RunDataset(path: "projection/fitted/window_index", type: .int64, dimensions: [.heldOutSequences], field: nil))
        let statistics = ["mean", "median", "p95", "max"].map { "fitted/" + $0 }
            + (m.causal ? [] : ["relative", "row_mean", "row_max"].map { "fitted_linformer/" + $0 })
        all += statistics.map { RunDataset(path: "projection/\($0)", type: .float64, dimensions: rows, field: nil) }
        all.append(RunDataset(path: "projection/fitted/eigenvalues", type: .float64, dimensions: [.layers, .heads, .largestProjectionDimension], field: nil))
        return all
    }

    /// `/projection/fitted/gram_{high,low,count}`: the exact fixed-point `Σ_train PᵀP` (``GramSums``).
    public static let gramSums: [RunDataset] = [
        RunDataset(path: "projection/fitted/gram_high", type: .int64, dimensions: [.layers, .heads, .upperTriangle], field: nil),
        RunDataset(path: "projection/fitted/gram_low", type: .int64, dimensions: [.layers, .heads, .upperTriangle], field: nil),
        RunDataset(path: "projection/fitted/gram_count", type: .int64, dimensions: [.layers, .heads], field: nil),
    ]

    /// `/projection/aggregate/<check>_<stat>_sum` of a statistic.
    public static func aggregatePath(_ statistic: ProjectionStatistic) -> String {
        "projection/aggregate/" + statistic.rawValue.replacingOccurrences(of: "/", with: "_") + "_sum"
    }
}
