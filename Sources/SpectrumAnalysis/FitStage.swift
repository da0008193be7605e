import Foundation
import LinearAlgebra
import RunFormat
import SpectrumMetrics
import Transformer

/// The second pass of the fitted fixed projection on a file whose fit is pending
/// (``RunMetadata/fitPending``): a merged file, whose Gram sums are the exact sum of its shards'.
///
/// It fits `U_k` per head from the file's sums, re-encodes the held-out windows from the token ids
/// the file holds (`/tokens/input_ids`) with the model the file names (its SHA-256 must match), and
/// writes a new file through ``RunFileWriter`` (the one write path: `output.partial`, fsync, rename)
/// with every dataset of the input plus `/projection/fitted*`. The fit's inputs — the same integer
/// sums, the same windows, the same deterministic encoder — are those of an unsharded run, so its
/// fitted datasets equal that run's bit for bit. `output` may equal `input` (replaced once done).
public struct FitStage {
    /// What ``run(output:force:progress:)`` did.
    public enum Outcome: Sendable, Equatable {
        /// Fitted; the new file holds `heldOut` evaluated windows.
        case fitted(heldOut: Int)
        /// Nothing to do: the file has no fitted projection (`holdout` 0 or projections off).
        case noFittedProjection
        /// Nothing to do: the file already holds its fit.
        case alreadyFitted
    }

    /// The file whose fit is pending.
    public let source: RunFile
    /// The checkpoint the file was computed with.
    public let modelDirectory: URL
    /// Heads evaluated at a time; results do not depend on it.
    public let threads: Int
    /// Set when there is nothing to fit.
    private let nothingToDo: Outcome?
    private let gram: GramSums?
    private let records: [SequenceRecord]

    /// Opens and checks `input`; nothing is loaded or written until ``run(output:force:progress:)``.
    /// - Parameters:
    ///   - modelDirectory: the checkpoint the file was computed with (checked against `model_sha256`
    ///     when the fit runs; for an untrained-control file, the checkpoint whose random twin it analysed).
    ///   - threads: heads evaluated at a time; results do not depend on it.
    /// - Throws: for an incomplete or shard file (merge the shards first), a merge without Gram sums,
    ///   or Gram sums that do not cover the file's training windows. A file without a fitted projection
    ///   (extract-only, `holdout` 0, projections off) is not an error: ``run(output:force:progress:)``
    ///   then does nothing.
    public init(input: URL, modelDirectory: URL, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws(AnalysisError) {
        let source = try RunFile(contentsOf: input)
        let m = source.metadata, path = input.path
        self.source = source
        self.modelDirectory = modelDirectory
        self.threads = max(1, threads)
        guard source.isComplete else { throw .runFile(path: path, reason: "is not complete; finish it first (run it again with \(Remedy.resume.marker))") }
        guard m.spectra, m.projection != nil, m.holdout > 0 else { (nothingToDo, gram, records) = (.noFittedProjection, nil, []); return }
        guard m.fitPending else {
            // A merge written before shards kept their Gram sums has neither the fit nor what it needs.
            guard try source.contains("projection/fitted/median") else {
                throw .runFile(path: path, reason: "has no fitted projection and no Gram sums to fit one (merged before shards kept their sums): merge the shards again")
            }
            (nothingToDo, gram, records) = (.alreadyFitted, nil, [])
            return
        }
        guard m.shard.count == 1 else {
            throw .runFile(path: path, reason: "is shard \(m.shard): a shard's Gram sums cover only its own windows; merge all shards first, then fit the merged file (\(Remedy.fit.marker))")
        }
        guard let gram = try source.gramSums() else { throw .runFile(path: path, reason: "has no Gram sums to fit") }
        let records = try source.records()
        let training = Int64(records.filter { !m.isHeldOut(window: $0.windowIndex) }.count)
        if let bad = gram.count.firstIndex(where: { $0 != training }) {
            throw .runFile(path: path, reason: "/projection/fitted/gram_count of layer \(bad / m.heads), head \(bad % m.heads) is \(gram.count[bad]), but the file holds \(training) training windows")
        }
        (nothingToDo, self.gram, self.records) = (nil, gram, records)
    }

    /// Fits and evaluates the pending fixed projection into `output` (which may be the input itself).
    /// OpenBLAS runs on one thread meanwhile (``BLAS/singleThreaded(_:)``), as in ``Analysis``.
    /// - Parameter progress: after each held-out window.
    /// - Throws: for another model than the file's, or an output that may not be written.
    @discardableResult
    public func run(output: URL, force: Bool = false,
                    progress: (AnalysisProgress) -> Void = { _ in }) throws(AnalysisError) -> Outcome {
        if let nothingToDo { return nothingToDo }
        return try BLAS.singleThreaded { () throws(AnalysisError) -> Outcome in try fit(output: output, force: force, progress: progress) }
    }

    private func fit(output: URL, force: Bool, progress: (AnalysisProgress) -> Void) throws(AnalysisError) -> Outcome {
        let m = source.metadata, input = source.url, path = input.path
        guard let gram, let projection = m.projection else { return .noFittedProjection }
        // The output is checked before the model is hashed and loaded.
        try RunOutput(output).check(force: force, replacingInput: input.standardizedFileURL == output.standardizedFileURL)
        let encoder = try Self.model(for: m, directory: modelDirectory, file: path)

        let heldOut = records.filter { m.isHeldOut(window: $0.windowIndex) }
            .map { PackedSequence(index: $0.windowIndex, inputIds: $0.inputIds, byteRange: $0.byteRange) }
        let pass = FittedProjectionPass(projectionDimensions: projection.projectionDimensions, holdout: m.holdout, layers: m.layers, heads: m.heads,
                                        n: m.sequenceLength, causal: m.causal, gram: gram)
        let start = Date()
        let rows = try pass.evaluate(heldOut: heldOut, encoder: encoder, threads: threads) { done in
            progress(AnalysisProgress(completed: done, total: heldOut.count, resumedFrom: 0, elapsed: Date().timeIntervalSince(start)))
        }
        var metadata = m
        metadata.fitPending = false
        let aggregate = try source.aggregate(), projectionAggregate = try source.projectionAggregate()
        let writer = try RunFileWriter(creating: output, metadata: metadata, force: true)
        do throws(AnalysisError) {
            for record in records { try writer.append(record) }
            try writer.finish(aggregate: aggregate, projection: projectionAggregate, gram: gram, fitted: rows)
        } catch {
            writer.suspend()
            try? FileManager.default.removeItem(at: writer.partialURL)
            throw error
        }
        return .fitted(heldOut: heldOut.count)
    }

    /// The model the file was computed with: the checkpoint at `directory` (its SHA-256 must be the
    /// file's `model_sha256`), or its random twin for an untrained-control file.
    static func model(for m: RunMetadata, directory: URL, file: String) throws(AnalysisError) -> TransformerModel {
        let checksum = try BackgroundChecksum(files: Checkpoint.weightFiles(in: directory)).value()
        guard checksum == m.modelSHA256 else {
            throw .runFile(path: file, reason: "was computed with the model whose SHA-256 is \(m.modelSHA256) (\(m.modelPath)); \(directory.path) has \(checksum): give the same \(Remedy.model.marker)")
        }
        let encoder: TransformerModel
        if m.randomInitSeed != -1 {   // the seed's bit pattern; −1 marks trained weights
            encoder = try Analysis.randomModel(like: directory, seed: UInt64(bitPattern: m.randomInitSeed))
        } else {
            encoder = try withStage("model \(directory.path)") { try TransformerModel(directory: directory) }
        }
        let c = encoder.configuration
        guard c.layerCount == m.layers, c.headCount == m.heads, c.headDimension == m.headDimension,
              c.isCausal == m.causal, m.sequenceLength <= c.maxSequenceLength else {
            throw .runFile(path: file, reason: "its shape (layers \(m.layers), heads \(m.heads), head_dim \(m.headDimension), seq_len \(m.sequenceLength)) does not fit the model at \(directory.path)")
        }
        return encoder
    }
}
