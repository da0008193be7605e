import Foundation
import RunFormat
import SpectrumMetrics

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
