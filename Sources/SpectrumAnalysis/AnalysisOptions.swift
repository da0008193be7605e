import Foundation

/// The version written into run files and printed by `--version`.
public enum ToolInfo {
    /// Semantic version of the toolkit.
    public static let version = "0.1.0"
}

/// A deterministic subset of windows: those with `window mod count == index`.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 0-based shard number.
    public let index: Int
    /// Number of shards.
    public let count: Int

    /// A shard; throws unless `0 ≤ index < count`.
    public init(index: Int, count: Int) throws(AnalysisError) {
        guard count >= 1, index >= 0, index < count else {
            throw .invalidOption("shard \(index)/\(count) is not valid: need 0 ≤ i < N")
        }
        self.init(checked: index, count: count)
    }

    private init(checked index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// The whole run in one process.
    public static let single = Shard(checked: 0, count: 1)

    /// Parses `i/N`.
    public init(parsing text: String) throws(AnalysisError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw .invalidOption("--shard expects i/N (e.g. 0/4), got '\(text)'")
        }
        try self.init(index: index, count: count)
    }

    /// Whether window `w` belongs to this shard.
    public func contains(window: Int) -> Bool { window % count == index }

    public var description: String { "\(index)/\(count)" }
}

/// Storage type of dumped attention tensors.
public enum AttentionStorage: String, Sendable, CaseIterable {
    /// IEEE single precision.
    case float32
    /// IEEE half precision (halves the file size; P loses ~3 decimal digits).
    case float16
}

/// Everything that shapes a run besides the model and corpus paths.
public struct AnalysisOptions: Sendable, Equatable {
    /// Sequence length n (special tokens included).
    public var sequenceLength = 512
    /// Windows taken from the start of the corpus before sharding; nil = all complete windows.
    public var sequences: Int? = 64
    /// Sequences (of this file, in order) whose P is dumped; nil = all.
    public var dumpAttention: Int? = 0
    /// Dump Q, K, V next to P.
    public var dumpQKV = false
    /// Storage type of dumped tensors.
    public var attentionStorage = AttentionStorage.float32
    /// Deflate level of dumped tensors (0 = off).
    public var compression = 0
    /// SVD worker threads.
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Which windows this process handles.
    public var shard = Shard.single
    /// Seed of all random draws.
    public var seed: UInt64 = 0
    /// Projection checks; nil = off.
    public var projection: ProjectionOptions? = ProjectionOptions()
    /// Compute spectra (false for `extract`, which only dumps P).
    public var computeSpectra = true
    /// JSON field of `.jsonl` corpora.
    public var textField = "text"
    /// Analyse freshly initialised weights drawn with this seed instead of the trained ones (the
    /// untrained control, see `RandomInitialization`); nil = trained weights.
    public var randomInitSeed: UInt64?
    /// Fitted fixed projection: windows with `index % holdout == holdout − 1` are held out, the
    /// others train; 0 = off. Applies only when projections are on.
    public var holdout = 5

    /// The defaults of `spectrum-analyze run`.
    public init() {}
}
