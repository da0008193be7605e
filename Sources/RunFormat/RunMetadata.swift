import Foundation
import SpectrumMetrics
import HDF5Store

/// The root attributes of a run file (docs/FORMAT.md): everything needed to reproduce the run.
public struct RunMetadata: Sendable, Equatable {
    /// The run-file format version this build writes and reads.
    public static let formatVersion: Int64 = 1

    public var toolVersion = ToolInfo.version
    public var created = ""
    public var modelPath = ""
    public var modelSHA256 = ""
    public var modelType = ""
    public var layers = 0
    public var heads = 0
    public var headDimension = 0
    public var hiddenSize = 0
    public var sequenceLength = 0
    public var corpusPath = ""
    public var corpusSHA256 = ""
    /// The files of a folder corpus, one `name<TAB>bytes<TAB>sha256<TAB>byte offset` entry each
    /// (decompressed sizes and offsets into the concatenated stream); empty for a single file.
    public var corpusFiles: [String] = []
    public var packing = "contiguous"
    public var textField = "text"
    /// Windows requested before sharding; nil for all (stored as −1).
    public var sequencesRequested: Int?
    /// Rows this file holds when complete.
    public var sequencesPlanned = 0
    /// Sequences whose P is dumped (the first ones of the file); nil for all (stored as −1).
    public var dumpAttention: Int? = 0
    public var dumpQKV = false
    public var attentionStorage = AttentionStorage.float32
    /// Deflate level of dumped tensors (0 = off).
    public var compression = 0
    public var seed: UInt64 = 0
    public var shard = Shard.single
    public var svdMethod = ""
    /// Whether spectra are computed (false for `extract`).
    public var spectra = true
    /// Projection settings; nil when projections are off.
    public var projection: ProjectionSetup?
    /// Shard files a merged file was made from.
    public var mergedFrom: [String] = []
    /// Indices of the shards a partial merge (`merge --allow-partial`) lacks; empty otherwise.
    public var missingShards: [Int] = []
    /// Shard count N of the shards a merged file was made from (0 for an unmerged file).
    public var mergedShardCount = 0
    // Causal decoders (attribute `causal`, `kv_heads`, `not_applicable`): P is lower-triangular,
    // so Theorem 2 and pooling, whose E and F mix future positions into the past, are not computed.
    /// The model attends causally (decoders).
    public var causal = false
    /// Key-value heads G of the dumped K and V (grouped-query attention); 0 means `heads`.
    public var keyValueHeads = 0
    /// Seed of the freshly initialised weights analysed instead of the trained ones; −1 = trained.
    public var randomInitSeed: Int64 = -1
    /// Hold-out period of the fitted projection (`/projection` attribute `holdout`; 0 = none).
    public var holdout = 0
    /// Per layer (attribute `attention_window`, written only when some layer has one): −1 for full
    /// attention, else the window w: causal models see keys `i − w < j ≤ i` (Mistral, Qwen2 sliding
    /// windows), bidirectional ones `|i − j| ≤ w` (ModernBERT's local layers). `nil`: every layer full
    /// (and files written before the attribute existed).
    public var attentionWindows: [Int]?
    /// The fitted projection is not done yet (`/projection` attribute `fit_pending` = 1): the file
    /// holds the Gram sums of its training windows but no fit. Shard files are written so (the fit
    /// needs every shard's sums); `merge` adds their sums, and `merge --model` or `fit` completes it.
    public var fitPending = false

    /// Whether a window is held out from the fit (`index % holdout == holdout − 1`; never when holdout is 0).
    public func isHeldOut(window index: Int) -> Bool { holdout > 0 && index % holdout == holdout - 1 }

    /// G, heads of dumped K and V.
    public var effectiveKeyValueHeads: Int { keyValueHeads > 0 ? keyValueHeads : heads }
    /// The checks recorded as not applicable, by dataset group (empty for encoders).
    public var notApplicable: [String] {
        causal ? ["projection/theorem2", "projection/pooling", "projection/max_pooling", "projection/fitted_linformer"] : []
    }
    /// Why ``notApplicable`` checks are absent.
    public static let notApplicableReason = "causal attention: P is lower-triangular, and Linformer's E, F (Theorem 2) and mean pooling mix future positions into the past, so they are not applicable; Theorem 1 and the SVD floor apply"
    /// The `[L, H, K]` projection statistics this run stores: all of them, less ``notApplicable``.
    public var projectionStatistics: [ProjectionStatistic] {
        ProjectionStatistic.allCases.filter { statistic in !notApplicable.contains { ("projection/" + statistic.rawValue).hasPrefix($0 + "/") } }
    }

    /// An empty description, filled in by the pipeline or read from a file.
    public init() {}

    /// The projection settings as resolved for this n.
    public struct ProjectionSetup: Sendable, Equatable {
        public var projectionDimensions: [Int]
        public var epsilons: [Double]
        public var delta: Double
        public var trials: Int

        public init(projectionDimensions: [Int], epsilons: [Double], delta: Double, trials: Int) {
            self.projectionDimensions = projectionDimensions
            self.epsilons = epsilons
            self.delta = delta
            self.trials = trials
        }
    }

    /// Rows of the P dump for a file of `rows` sequences.
    public func dumpedRows(of rows: Int) -> Int { dumpAttention.map { min(rows, $0) } ?? rows }

    /// Whether the attention of the sequence in `row` is dumped.
    public func isDumped(row: Int) -> Bool { dumpAttention.map { row < $0 } ?? true }

    /// Writes the attributes onto the root group (projection settings onto `/projection`).
    package func write(to file: File) throws {
        let a = file.attributes
        try a.set("format", "spectrum-run")
        try a.set("format_version", Self.formatVersion)
        try a.set("tool_version", toolVersion)
        try a.set("created", created)
        try a.set("model_path", modelPath)
        try a.set("model_sha256", modelSHA256)
        try a.set("model_type", modelType)
        for (name, value) in [("layers", layers), ("heads", heads), ("head_dim", headDimension),
                              ("hidden_size", hiddenSize), ("seq_len", sequenceLength),
                              ("sequences_planned", sequencesPlanned), ("shard_index", shard.index), ("compression", compression),
                              ("shard_count", shard.count)] {
            try a.set(name, Int64(value))
        }
        try a.set("corpus_path", corpusPath)
        try a.set("corpus_sha256", corpusSHA256)
        if !corpusFiles.isEmpty { try a.set("corpus_files", corpusFiles) }
        try a.set("packing", packing)
        try a.set("text_field", textField)
        // The file format keeps its −1 for "all".
        try a.set("sequences_requested", Int64(sequencesRequested ?? -1))
        try a.set("dump_attention", Int64(dumpAttention ?? -1))
        try a.set("dump_qkv", Int64(dumpQKV ? 1 : 0))
        try a.set("attention_dtype", attentionStorage.rawValue)
        try a.set("seed", Int64(bitPattern: seed))
        try a.set("svd_method", svdMethod)
        try a.set("spectra", Int64(spectra ? 1 : 0))
        if !mergedFrom.isEmpty {
            try a.set("merged_from", mergedFrom)
            try a.set("merged_shard_count", Int64(mergedShardCount))
        }
        if !missingShards.isEmpty { try a.set("missing_shards", missingShards.map { Int64($0) }) }
        try a.set("causal", Int64(causal ? 1 : 0))
        try a.set("kv_heads", Int64(effectiveKeyValueHeads))
        if causal {
            try a.set("not_applicable", notApplicable)
            try a.set("not_applicable_reason", Self.notApplicableReason)
        }
        try a.set("random_init_seed", randomInitSeed)
        if let attentionWindows { try a.set("attention_window", attentionWindows.map { Int64($0) }) }
        if let projection {
            let group = try file.requireGroup("projection")
            try group.attributes.set("delta", projection.delta)
            try group.attributes.set("trials", Int64(projection.trials))
            try group.attributes.set("holdout", Int64(holdout))
            if holdout > 0 { try group.attributes.set("fit_pending", Int64(fitPending ? 1 : 0)) }
        }
    }

    /// Reads and validates the attributes of a run file.
    package init(reading file: File) throws(AnalysisError) {
        let path = file.path
        func attribute<T>(_ body: () throws -> T) throws(AnalysisError) -> T {
            do { return try body() } catch let error as AnalysisError { throw error } catch {
                throw .runFile(path: path, reason: String(describing: error))
            }
        }
        let a = file.attributes
        let format = try attribute { try a.contains("format") ? try a.string("format") : "" }
        guard format == "spectrum-run" else { throw .runFile(path: path, reason: "not a spectrum run file (no format=spectrum-run attribute)") }
        let version = try attribute { try a.int64("format_version") }
        guard version == Self.formatVersion else {
            throw .runFile(path: path, reason: "format version \(version) is not supported (this build reads version \(Self.formatVersion))")
        }
        self.init()
        try attribute {
            toolVersion = try a.string("tool_version")
            created = try a.string("created")
            modelPath = try a.string("model_path")
            modelSHA256 = try a.string("model_sha256")
            modelType = try a.string("model_type")
            layers = Int(try a.int64("layers"))
            heads = Int(try a.int64("heads"))
            headDimension = Int(try a.int64("head_dim"))
            hiddenSize = Int(try a.int64("hidden_size"))
            sequenceLength = Int(try a.int64("seq_len"))
            sequencesPlanned = Int(try a.int64("sequences_planned"))
            corpusPath = try a.string("corpus_path")
            corpusSHA256 = try a.string("corpus_sha256")
            if try a.contains("corpus_files") { corpusFiles = try a.stringArray("corpus_files") }
            packing = try a.string("packing")
            textField = try a.string("text_field")
            let requested = try a.int64("sequences_requested"), dumped = try a.int64("dump_attention")
            guard requested >= -1, dumped >= -1, requested <= 1 << 40, dumped <= 1 << 40 else {
                throw AnalysisError.runFile(path: path, reason: "sequences_requested \(requested) or dump_attention \(dumped) is out of range")
            }
            sequencesRequested = requested < 0 ? nil : Int(requested)
            dumpAttention = dumped < 0 ? nil : Int(dumped)
            dumpQKV = try a.int64("dump_qkv") != 0
            let storage = try a.string("attention_dtype")
            guard let known = AttentionStorage(rawValue: storage) else {
                throw AnalysisError.runFile(path: path, reason: "attention_dtype '\(storage)' is neither float32 nor float16")
            }
            attentionStorage = known
            compression = Int(try a.int64("compression"))
            seed = UInt64(bitPattern: try a.int64("seed"))
            svdMethod = try a.string("svd_method")
            spectra = try a.int64("spectra") != 0
            shard = try Shard(index: Int(try a.int64("shard_index")), count: Int(try a.int64("shard_count")))
            if try a.contains("merged_from") { mergedFrom = try a.stringArray("merged_from") }
            if try a.contains("merged_shard_count") { mergedShardCount = Int(try a.int64("merged_shard_count")) }
            if try a.contains("missing_shards") { missingShards = try a.int64Array("missing_shards").map { Int($0) } }
            // Absent in files written before decoders were supported: an encoder with G = H.
            if try a.contains("causal") { causal = try a.int64("causal") != 0 }
            if try a.contains("kv_heads") { keyValueHeads = Int(try a.int64("kv_heads")) }
            // Absent in files written before the untrained control: trained weights.
            randomInitSeed = try a.contains("random_init_seed") ? try a.int64("random_init_seed") : -1
            // Absent in files written before windows were recorded, and when every layer is full.
            if try a.contains("attention_window") { attentionWindows = try a.int64Array("attention_window").map { Int($0) } }
            if try file.exists("projection") {
                let group = try file.openGroup("projection")
                projection = ProjectionSetup(
                    projectionDimensions: try file.openDataset("projection/dims").read(as: Int64.self).map { Int($0) },
                    epsilons: try file.openDataset("projection/epsilons").read(as: Double.self),
                    delta: try group.attributes.double("delta"),
                    trials: Int(try group.attributes.int64("trials")))
                holdout = try group.attributes.contains("holdout") ? Int(try group.attributes.int64("holdout")) : 0
                guard holdout == 0 || (2...1_000_000).contains(holdout) else {
                    throw AnalysisError.runFile(path: path, reason: "/projection holdout \(holdout) must be 0 or at least 2")
                }
                // Absent in files written before shards stored their Gram sums for merge: fitted in place.
                fitPending = try group.attributes.contains("fit_pending") ? try group.attributes.int64("fit_pending") != 0 : false
            }
        }
        guard keyValueHeads >= 0, keyValueHeads <= heads, keyValueHeads == 0 || heads % keyValueHeads == 0 else {
            throw .runFile(path: path, reason: "kv_heads \(keyValueHeads) does not divide heads \(heads)")
        }
        if let attentionWindows {
            guard attentionWindows.count == layers, attentionWindows.allSatisfy({ (-1...(1 << 30)).contains($0) && $0 != 0 }) else {
                throw .runFile(path: path, reason: "attention_window must hold one value per layer (\(layers)), each −1 or positive; has \(attentionWindows.prefix(8))")
            }
        }
        guard layers > 0, heads > 0, sequenceLength > 0, headDimension > 0 else {
            throw .runFile(path: path, reason: "shape attributes are not positive (layers \(layers), heads \(heads), seq_len \(sequenceLength))")
        }
        // Bounds far above any real encoder keep every product of shapes below Int.max.
        // The aggregate holds layers × heads × n doubles twice; 2²⁶ is 25 times the largest real case
        // (48 layers × 32 heads × n = 8192).
        guard layers <= 1024, heads <= 1024, sequenceLength <= 1 << 16, headDimension <= 1 << 16,
              layers * heads * sequenceLength <= 1 << 26 else {
            throw .runFile(path: path, reason: "shape attributes are absurd (layers \(layers), heads \(heads), seq_len \(sequenceLength), head_dim \(headDimension))")
        }
        if let projection, !projection.projectionDimensions.allSatisfy({ $0 > 0 }) || projection.projectionDimensions.count > 1024 || projection.epsilons.count > 1024
            || projection.projectionDimensions.count * layers * heads > 1 << 26 {
            throw .runFile(path: path, reason: "/projection/dims \(projection.projectionDimensions.prefix(8)) must be at most 1024 positive values")
        }
    }

    /// Whether this file is a merge that lacks shards (`merge --allow-partial`).
    public var isPartialMerge: Bool { !missingShards.isEmpty }

    /// The attributes that describe what was computed, as `(attribute name, value)` pairs in file
    /// order: everything but the creation time, the shard, the planned row count and merge provenance.
    /// Files belong to the same run exactly when these agree; a resume must match them too.
    package var identityFields: [(name: String, value: String)] {
        var fields: [(String, String)] = [
            ("tool_version", toolVersion), ("model_path", modelPath), ("model_sha256", modelSHA256),
            ("model_type", modelType), ("layers", "\(layers)"), ("heads", "\(heads)"), ("head_dim", "\(headDimension)"),
            ("hidden_size", "\(hiddenSize)"), ("seq_len", "\(sequenceLength)"), ("corpus_path", corpusPath),
            ("corpus_sha256", corpusSHA256), ("packing", packing), ("text_field", textField),
            ("sequences_requested", "\(sequencesRequested ?? -1)"), ("dump_attention", "\(dumpAttention ?? -1)"),
            ("dump_qkv", dumpQKV ? "1" : "0"), ("attention_dtype", attentionStorage.rawValue),
            ("compression", "\(compression)"), ("seed", "\(seed)"), ("svd_method", svdMethod),
            ("spectra", spectra ? "1" : "0"), ("random_init_seed", "\(randomInitSeed)"),
        ]
        if let projection {
            fields += [("projection/dims", "\(projection.projectionDimensions)"), ("projection/epsilons", "\(projection.epsilons)"),
                       ("projection/delta", "\(projection.delta)"), ("projection/trials", "\(projection.trials)"),
                       ("projection/holdout", "\(holdout)")]
        } else {
            fields.append(("projection", "off"))
        }
        return fields
    }

    /// The identity attributes that differ from `other`'s, each as "name: this vs other".
    package func differences(from other: RunMetadata) -> [String] {
        let theirs = Dictionary(other.identityFields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        let mine = Dictionary(identityFields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        let names = identityFields.map(\.name) + other.identityFields.map(\.name).filter { mine[$0] == nil }
        return names.compactMap { name in
            let (a, b) = (mine[name] ?? "(absent)", theirs[name] ?? "(absent)")
            return a == b ? nil : "\(name): \(a) vs \(b)"
        }
    }

    /// The fields that must agree for files to belong to the same run (everything but shard,
    /// creation time and merge provenance).
    package func sameRun(as other: RunMetadata) -> Bool { differences(from: other).isEmpty }
}
