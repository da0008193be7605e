import ArgumentParser
import Foundation
import SpectrumAnalysis

/// Model, corpus and window selection, shared by `run` and `extract`.
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Model folder (config.json, tokenizer.json, model.safetensors or sharded safetensors with model.safetensors.index.json) or Hugging Face hub id ORG/NAME.",
        discussion: "Supported model_type: \(ModelType.supportedList). Decoders (gpt2, llama, mistral, qwen2, qwen3) attend causally: Theorem 2 and pooling are recorded as not applicable. Sliding windows (mistral, qwen2) and ModernBERT's local layers give banded P, analysed as it is; the run file's attention_window records each layer's window. An id is resolved offline in the hub cache ($HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub)."))
    var model: String

    @Option(help: "Branch, tag or commit of a hub-cache model (default: main).")
    var revision: String?

    @Option(help: "Corpus: .txt, .txt.gz, .jsonl, .jsonl.gz, or a folder of .txt and .txt.gz files (read in name order).")
    var corpus: String

    @Option(help: "JSON field holding the text in .jsonl corpora.")
    var textField: String = "text"

    @Option(name: .customLong("seq-len"), help: "Sequence length n, special tokens included.")
    var sequenceLength: Int = 512

    @Option(help: "Windows to analyse from the start of the corpus, or 'all'.")
    var sequences: Count = .some(64)

    @Option(help: "Process shard i of N (0-based), e.g. 2/8: windows w with w mod N = i.")
    var shard: Shard = .single

    @Option(help: ArgumentHelp("Worker threads for the per-head spectra and projections (the encoder always runs on one, so results do not depend on it).", valueName: "n"))
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Untrained control: analyse freshly initialised weights drawn with this seed (the checkpoint's config and tokenizer).")
    var randomInit: UInt64?

    func validate() throws {
        guard sequenceLength >= 4 else { throw ValidationError("--seq-len must be at least 4, got \(sequenceLength)") }
        guard sequenceLength <= 1 << 16 else { throw ValidationError("--seq-len \(sequenceLength) is absurdly large (limit 65536)") }
        guard threads >= 1 && threads <= 1024 else { throw ValidationError("--threads must be between 1 and 1024") }
        if case .some(let count) = sequences, count < 1 { throw ValidationError("--sequences must be at least 1 or 'all'") }
        if revision != nil, FileManager.default.fileExists(atPath: model) {
            throw ValidationError("--revision applies to hub-cache ids, not to the model folder \(model)")
        }
    }
}

/// The seed of the random projections (`run` only: `extract` draws nothing).
struct ComputeOptions: ParsableArguments {
    @Option(help: "Seed of every random draw (projection matrices).")
    var seed: UInt64 = 0
}

/// Where the run file goes and how existing files are treated.
struct OutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Run file to write (HDF5).")
    var output: String

    @Flag(help: "Replace an existing output run file and any partial run of it (never a folder or another kind of file).")
    var force = false

    @Flag(help: "Continue OUTPUT.partial left by an interrupted run.")
    var resume = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        if force && resume { throw ValidationError("--force and --resume exclude each other") }
    }
}

/// Which sequences `run` dumps P (and Q, K, V) for; `extract` always dumps every sequence.
struct AttentionDumpOptions: ParsableArguments {
    @Option(help: "Dump P for the first N sequences, or 'all'.")
    var dumpAttention: Count = .some(0)

    @Flag(help: "Dump per-head Q, K, V with P (needs --dump-attention).")
    var dumpQkv = false

    func validate() throws {
        if dumpQkv && dumpAttention == .some(0) {
            throw ValidationError("--dump-qkv dumps Q, K, V beside P: give --dump-attention N or all as well")
        }
    }
}

/// How dumped tensors are stored.
struct DumpOptions: ParsableArguments {

    @Option(help: "Storage type of dumped tensors: float32 or float16.")
    var attentionDtype: AttentionStorage = .float32

    @Option(help: "Deflate level 0-9 for dumped tensors (0 = none).")
    var compression: Int = 0

    func validate() throws {
        guard (0...9).contains(compression) else { throw ValidationError("--compression must be 0-9, got \(compression)") }
    }
}

/// The projection checks (Theorems 1 and 2).
struct ProjectionArguments: ParsableArguments {
    @Option(help: "Comma-separated projection dimensions k (values ≥ n are skipped).")
    var projectionDims: String = "16,32,64,128,256"

    @Option(help: "Independent draws of R per sequence and k.")
    var projectionTrials: Int = 1

    // Unconditional parsing: "-1" is a value (refused by validate()), not an unknown flag.
    @Option(parsing: .unconditional, help: "δ of Theorem 2 (E = δR, F = e^-δ R); default 1/n.")
    var delta: Double?

    @Flag(help: "Skip the projection checks.")
    var noProjection = false

    @Option(help: "Fitted fixed projection: hold out windows w with w mod N = N-1, fit on the others (0 = off).")
    var holdout: Int = 5

    func validate() throws {
        guard projectionTrials >= 1 && projectionTrials <= 1000 else { throw ValidationError("--projection-trials must be 1-1000") }
        guard !parsedDims.isEmpty, parsedDims.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--projection-dims must be positive integers separated by commas, got '\(projectionDims)'")
        }
        if let delta, !(delta.isFinite && delta >= 0) { throw ValidationError("--delta must be a finite number ≥ 0") }
        guard holdout == 0 || (2...1_000_000).contains(holdout) else { throw ValidationError("--holdout must be 0 (off) or at least 2, got \(holdout)") }
    }

    var parsedDims: [Int] {
        let parts = projectionDims.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return parts.contains(nil) ? [] : parts.compactMap { $0 }
    }

    /// nil when projections are off.
    var options: ProjectionOptions? {
        noProjection ? nil : ProjectionOptions(projectionDimensions: parsedDims, trials: projectionTrials, delta: delta)
    }
}

/// A count or `all`.
enum Count: ExpressibleByArgument, Equatable {
    case some(Int)
    case all

    init?(argument: String) {
        if argument == "all" { self = .all } else if let value = Int(argument), value >= 0 { self = .some(value) } else { return nil }
    }

    /// nil for `all`.
    var limit: Int? { if case .some(let value) = self { return value } else { return nil } }

    var defaultValueDescription: String { limit.map(String.init) ?? "all" }
}

extension Shard: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(parsing: argument) }
    public var defaultValueDescription: String { description }
}

extension AttentionStorage: ExpressibleByArgument {}
