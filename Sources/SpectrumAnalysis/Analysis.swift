import Corpus
import Foundation
import LinearAlgebra
import RunFormat
import SpectrumMetrics
import Tokenizers
import Transformer

/// Progress of a run, reported after every completed sequence.
public struct AnalysisProgress: Sendable {
    /// Sequences of this file done (resumed ones included).
    public var completed: Int
    /// Sequences this file will hold.
    public var total: Int
    /// Sequences that were already done when this process started (resume).
    public var resumedFrom: Int
    /// Seconds since this process started the loop.
    public var elapsed: Double
}

/// The whole pipeline: corpus → tokens → encoder → per-head spectra and projection
/// checks → run file.
///
/// ```swift
/// var options = AnalysisOptions()
/// options.sequences = 8
/// let analysis = try Analysis(modelDirectory: model, corpus: corpus, options: options)
/// let runFile = try analysis.run(output: URL(fileURLWithPath: "run.h5"))
/// print(try runFile.summary(k: 128).formattedTable())
/// ```
///
/// The encoder runs on the calling thread with single-threaded BLAS while the SVDs of the heads
/// run on `options.threads` workers, so the forward pass of sequence s + 1 overlaps the spectra of
/// sequence s.
public final class Analysis {
    /// Model folder.
    public let modelDirectory: URL
    /// Options of the run.
    public let options: AnalysisOptions
    /// The corpus, read and split into lines.
    let corpus: Corpus
    /// The model's tokenizer.
    let tokenizer: Tokenizer
    /// The model (encoder or causal decoder; the name predates decoders).
    let encoder: TransformerModel
    /// This shard's windows, in corpus order.
    public let windows: [PackedSequence]
    /// Windows packed from the corpus before sharding.
    public let totalWindows: Int
    /// SHA-256 of model.safetensors, hashed on a background thread while the rest loads.
    private let modelChecksum: BackgroundChecksum

    /// Loads model, tokenizer and corpus and packs the windows.
    ///
    /// - Throws: a message naming the file for a missing or malformed model or corpus, a corpus shorter
    ///   than one window, or `options.sequenceLength` above the model's positions.
    public init(modelDirectory: URL, corpus corpusURL: URL, options: AnalysisOptions) throws(AnalysisError) {
        self.modelDirectory = modelDirectory
        self.options = options
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: modelDirectory.path, isDirectory: &isFolder) else {
            throw .stage("model \(modelDirectory.path)", underlying: "the model folder does not exist (run `make setup` to fetch the default model)")
        }
        guard isFolder.boolValue else {
            throw .stage("model \(modelDirectory.path)", underlying: "is a file; give the folder that holds config.json, model.safetensors and tokenizer.json")
        }
        // Hashing 90 MB takes longer than loading tokenizer, weights and corpus together, and it
        // ran alone on one core before the first forward pass; now it overlaps the loading.
        modelChecksum = BackgroundChecksum(files: Checkpoint.weightFiles(in: modelDirectory))
        let tokenizerURL = modelDirectory.appendingPathComponent("tokenizer.json")
        tokenizer = try withStage("tokenizer \(tokenizerURL.path)") { try Tokenizer(contentsOf: tokenizerURL) }
        if let seed = options.randomInitSeed {
            encoder = try Self.randomModel(like: modelDirectory, seed: seed)
        } else {
            encoder = try withStage("model \(modelDirectory.path)") { try TransformerModel(directory: modelDirectory) }
        }
        let maximum = encoder.configuration.maxSequenceLength
        guard options.sequenceLength <= maximum else {
            throw .invalidOption("sequence length \(options.sequenceLength) exceeds what the model at \(modelDirectory.path) accepts (\(maximum) positions)")
        }
        try Self.checkFittedProjectionMemory(configuration: encoder.configuration, options: options)
        let all: [PackedSequence]
        do {
            corpus = try Corpus(contentsOf: corpusURL, textField: options.textField)
            let packer = try SequencePacker(tokenizer: tokenizer, sequenceLength: options.sequenceLength)
            all = try packer.windows(of: corpus, limit: options.sequences)
        } catch {
            throw AnalysisError(error)
        }
        totalWindows = all.count
        windows = all.filter { options.shard.contains(window: $0.index) }
        guard !windows.isEmpty else {
            throw .invalidOption("shard \(options.shard) of \(all.count) windows is empty; use fewer shards")
        }
    }

    /// The run file's root attributes for this analysis.
    public func metadata() throws(AnalysisError) -> RunMetadata {
        let c = encoder.configuration
        var m = RunMetadata()
        m.created = ISO8601DateFormatter().string(from: Date())
        m.modelPath = modelDirectory.path
        m.modelSHA256 = try modelChecksum.value()
        m.modelType = c.modelType.rawValue
        (m.layers, m.heads, m.headDimension, m.hiddenSize) = (c.layerCount, c.headCount, c.headDimension, c.hiddenSize)
        (m.causal, m.keyValueHeads) = (c.isCausal, c.keyValueHeadCount)
        if c.attentionWindows.contains(where: { $0 != nil }) {
            // A window of 2³⁰ or more covers any n this toolkit runs; the run file's bound keeps w·2 + 1 finite.
            m.attentionWindows = c.attentionWindows.map { $0.map { min($0, 1 << 30) } ?? -1 }
        }
        m.sequenceLength = options.sequenceLength
        m.corpusPath = corpus.path
        m.corpusSHA256 = corpus.sha256
        m.corpusFiles = corpus.files.map { "\($0.name)\t\($0.byteCount)\t\($0.sha256)\t\($0.byteOffset)" }
        m.textField = options.textField
        m.sequencesRequested = options.sequences
        m.sequencesPlanned = windows.count
        m.dumpAttention = options.dumpAttention
        m.dumpQKV = options.dumpQKV
        m.attentionStorage = options.attentionStorage
        m.compression = options.compression
        m.seed = options.seed
        m.shard = options.shard
        m.svdMethod = options.computeSpectra ? SingularValueMethod.recommended.rawValue : ""
        m.spectra = options.computeSpectra
        m.randomInitSeed = options.randomInitSeed.map { Int64(bitPattern: $0) } ?? -1
        if options.computeSpectra, let projection = options.projection {
            let n = options.sequenceLength
            m.projection = .init(projectionDimensions: projection.effectiveProjectionDimensions(sequenceLength: n), epsilons: projection.epsilons,
                                 delta: projection.effectiveDelta(sequenceLength: n), trials: max(1, projection.trials))
            m.holdout = options.holdout
            // A shard's sums are only part of the fit's: the fit waits for the merge.
            m.fitPending = options.holdout > 0 && options.shard.count > 1
        }
        return m
    }

    /// Runs the analysis into `output` (through `output.partial`).
    /// - Parameters:
    ///   - force: overwrite an existing output or partial file.
    ///   - resume: continue `output.partial` instead of starting over.
    ///   - progress: called on the calling thread after each sequence.
    ///   - shouldStop: polled between sequences; when it returns true the run stops cleanly, leaves a
    ///     resumable partial file and throws ``AnalysisError/interrupted(partialPath:completed:)``.
    /// - Returns: the finished run file, open for reading.
    ///
    /// OpenBLAS runs on one thread while this runs (``BLAS/singleThreaded(_:)``; the caller's thread
    /// count is restored afterwards): heads run in parallel instead, and results do not depend on the
    /// machine's core count.
    @discardableResult
    public func run(output: URL, force: Bool = false, resume: Bool = false,
                    progress: (AnalysisProgress) -> Void = { _ in },
                    shouldStop: () -> Bool = { false }) throws(AnalysisError) -> RunFile {
        try BLAS.singleThreaded { () throws(AnalysisError) -> RunFile in
            try runSingleThreaded(output: output, force: force, resume: resume, progress: progress, shouldStop: shouldStop)
        }
    }

    private func runSingleThreaded(output: URL, force: Bool, resume: Bool,
                                   progress: (AnalysisProgress) -> Void, shouldStop: () -> Bool) throws(AnalysisError) -> RunFile {
        var metadata = try metadata()
        let target = RunOutput(output)
        let partialURL = target.partialURL, journalURL = target.journalURL
        let writer: RunFileWriter, journal: RunJournal
        var replay: [SequenceRecord] = []
        if resume {
            guard FileManager.default.fileExists(atPath: partialURL.path) else {
                throw .runFile(path: partialURL.path, reason: "no partial run to resume")
            }
            // The journal, not the partial HDF5 file (which a kill may have left damaged), says what
            // was committed; the partial file is rebuilt from it.
            journal = try RunJournal(resuming: journalURL, metadata: metadata, partialPath: partialURL.path)
            metadata = journal.metadata
            replay = journal.records
            guard replay.count <= windows.count,
                  zip(replay, windows).allSatisfy({ $0.describes($1) }) else {
                throw .runFile(path: partialURL.path, reason: "its journal does not match this corpus's windows; start over with \(Remedy.force.marker)")
            }
            writer = try RunFileWriter(creating: output, metadata: metadata, force: true)
        } else {
            writer = try RunFileWriter(creating: output, metadata: metadata, force: force)
            journal = try RunJournal(creating: journalURL, metadata: metadata)
        }
        let (L, H, n) = (metadata.layers, metadata.heads, metadata.sequenceLength)
        let checker = metadata.projection.map { setup in
            var checker = ProjectionChecker(sequenceLength: n, projectionDimensions: setup.projectionDimensions, epsilons: setup.epsilons, delta: setup.delta, trials: setup.trials)
            checker.linformerApplicable = !metadata.causal
            return checker
        }
        var aggregate = SpectrumAggregate(layers: L, heads: H, sequenceLength: n)
        var projectionAggregate = checker.map {
            ProjectionAggregate(layers: L, heads: H, dimensionCount: $0.projectionDimensions.count, statistics: metadata.projectionStatistics)
        }
        let capture: AttentionCapture = checker != nil || metadata.dumpQKV ? .probabilitiesAndQKV : .probabilities
        let fitting = checker.flatMap { c in metadata.holdout > 0 ? FittedProjectionPass(projectionDimensions: c.projectionDimensions, holdout: metadata.holdout, layers: L, heads: H, n: n, causal: metadata.causal) : nil }
        for (row, item) in replay.enumerated() {
            let dumped = metadata.isDumped(row: row)
            let trains = item.spectra != nil && fitting?.trains(window: item.windowIndex) == true
            if dumped || trains {
                // Dumped tensors and Gram sums are not journaled; the encoder recomputes them bit for bit.
                try withStage("encoder on window \(item.windowIndex)") {
                    _ = try encoder.forward(inputIds: item.inputIds, capture: capture, threads: options.threads) { attention in
                        if dumped { try writer.writeAttention(AttentionRows(attention), row: row) }
                        if trains { try fitting?.addGram(of: attention, context: "window \(item.windowIndex)") }
                    }
                }
            }
            try writer.append(item)
            if let spectra = item.spectra {
                try add(sigma: spectra.sigma, to: &aggregate, context: partialURL.path)
                if let projection = item.projection { try projectionAggregate?.add(projection.statistics) }
            }
        }
        let jobs = HeadJobs(threads: options.threads, queueLimit: 2 * L * H, n: n, checker: checker, gram: fitting?.gram)
        let start = Date(), resumedFrom = writer.sequenceCount
        var pending: (window: PackedSequence, result: SequenceResult, group: DispatchGroup)?

        func commit(_ item: (window: PackedSequence, result: SequenceResult, group: DispatchGroup)) throws(AnalysisError) {
            item.group.wait()
            try item.result.check()
            let record = metadata.spectra ? item.result.record(for: item.window, projections: metadata.projection != nil)
                                          : SequenceRecord(window: item.window)
            try journal.append(record)
            try writer.append(record)
            if metadata.spectra {
                for (slot, spectrum) in item.result.spectra.enumerated() {
                    guard let spectrum else { throw .numeric("window \(item.window.index): no spectrum for layer \(slot / H), head \(slot % H)") }
                    aggregate.add(spectrum, layer: slot / H, head: slot % H)
                }
                try projectionAggregate?.add(item.result.projection)
            }
            progress(AnalysisProgress(completed: writer.sequenceCount, total: windows.count,
                                      resumedFrom: resumedFrom, elapsed: Date().timeIntervalSince(start)))
        }

        do {
            for window in windows.dropFirst(resumedFrom) {
                if shouldStop() { break }
                let row = writer.sequenceCount + (pending == nil ? 0 : 1)
                let dump = metadata.isDumped(row: row)
                let result = SequenceResult(layers: L, heads: H, n: n, dimensionCount: checker?.projectionDimensions.count ?? 0,
                                            epsilons: checker?.epsilons.count ?? 0)
                let group = DispatchGroup()
                let draws = checker?.draws(seed: options.seed, window: window.index) ?? []
                let context = "window \(window.index)"
                try withStage("encoder on \(context)") {
                    // The encoder's output does not depend on its thread count, so it may use the
                    // cores the head jobs leave idle (the first window, the tail of the run).
                    _ = try encoder.forward(inputIds: window.inputIds, capture: capture, threads: options.threads) { attention in
                        // With spectra on, the head kernels check P while widening it (one pass, not two).
                        if !metadata.spectra { try Self.checkFinite(attention, context: context) }
                        if dump { try writer.writeAttention(AttentionRows(attention), row: row) }
                        if metadata.spectra {
                            jobs.submit(attention, into: result, group: group, draws: draws,
                                        train: fitting?.trains(window: window.index) == true, context: context)
                        }
                    }
                }
                if let previous = pending { try commit(previous) }
                pending = (window, result, group)
            }
            if let last = pending {
                pending = nil
                try commit(last)
            }
        } catch {
            jobs.waitUntilFinished()
            writer.suspend()
            throw error
        }
        guard writer.sequenceCount == windows.count else {
            writer.suspend()
            throw .interrupted(partialPath: writer.partialURL.path, completed: writer.sequenceCount)
        }
        // Second pass of the fitted projection: fit on the training windows, measure the held-out
        // ones. A shard leaves it to the merged file (`fit_pending`), whose sums cover every shard.
        let fittedRows = try fitting.flatMap { (pass) throws(AnalysisError) -> FittedProjectionPass.Rows? in
            guard !metadata.fitPending else { return nil }
            return try pass.evaluate(heldOut: windows.filter { !pass.trains(window: $0.index) }, encoder: encoder, threads: options.threads)
        }
        try writer.finish(aggregate: metadata.spectra ? aggregate : nil, projection: projectionAggregate,
                          gram: fitting?.gram, fitted: fittedRows)
        journal.remove()
        return try RunFile(contentsOf: output)
    }

    /// Adds the curves of `[rows, n]` singular values (rows in (sequence, layer, head) order) to `aggregate`.
    private func add(sigma: [Double], to aggregate: inout SpectrumAggregate, context: String) throws(AnalysisError) {
        let (H, n) = (aggregate.heads, aggregate.sequenceLength)
        let perSequence = aggregate.layers * H
        for block in 0..<(sigma.count / n) {
            let slot = block % perSequence
            let spectrum = try HeadSpectrum(sigma: Array(sigma[block * n ..< (block + 1) * n]), context: context)
            aggregate.add(spectrum, layer: slot / H, head: slot % H)
        }
    }

    /// NaN or ±Inf in P is reported with the layer and head where it appears.
    static func checkFinite(_ attention: LayerAttention, context: String) throws(AnalysisError) {
        let block = attention.sequenceLength * attention.sequenceLength
        guard let bad = attention.probabilities.firstIndex(where: { !$0.isFinite }) else { return }
        throw .numeric("\(context), layer \(attention.layer), head \(bad / block): attention probabilities contain \(attention.probabilities[bad])")
    }
}

/// A file's SHA-256, computed on a background thread from creation on; ``value()`` waits for it.
final class BackgroundChecksum: @unchecked Sendable {
    private let done = DispatchGroup()
    // Written once on the background thread before `done.leave()`, read only after `done.wait()`.
    private var result: Result<String, AnalysisError> = .success("")

    /// The digest of one file; of several (a sharded checkpoint: the index, then its shards), the
    /// SHA-256 of their `sha256sum`-style listing (`<hex>  <file name>` lines).
    init(files: [URL]) {
        done.enter()
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            do throws(AnalysisError) {
                var digests: [String] = []
                for file in files {
                    digests.append(try withStage("checksum of \(file.path)") { try SHA256.hex(ofFile: file) })
                }
                if files.count == 1, let only = digests.first {
                    result = .success(only)
                } else {
                    let listing = zip(digests, files).map { "\($0)  \($1.lastPathComponent)\n" }.joined()
                    let hasher = try withStage("checksum of \(files.map(\.lastPathComponent))") { try SHA256() }
                    hasher.update(Data(listing.utf8))
                    result = .success(hasher.finalize())
                }
            } catch {
                result = .failure(error)
            }
            done.leave()
        }
    }

    /// The lowercase hex digest, or the error hashing hit (naming the file).
    func value() throws(AnalysisError) -> String {
        done.wait()
        return try result.get()
    }
}
