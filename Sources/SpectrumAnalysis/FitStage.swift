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
public enum FitStage {
    /// What ``fit(input:output:modelDirectory:force:threads:progress:)`` did.
    public enum Outcome: Sendable, Equatable {
        /// Fitted; the new file holds `heldOut` evaluated windows.
        case fitted(heldOut: Int)
        /// Nothing to do: the file has no fitted projection (`holdout` 0 or projections off).
        case noFittedProjection
        /// Nothing to do: the file already holds its fit.
        case alreadyFitted
    }

    /// Fits and evaluates the pending fixed projection of `input` into `output`. Sets OpenBLAS to one
    /// thread for the process, like ``Analysis``.
    /// - Parameters:
    ///   - modelDirectory: the checkpoint the file was computed with (checked against `model_sha256`;
    ///     for an untrained-control file, the checkpoint whose random twin it analysed).
    ///   - threads: heads evaluated at a time; results do not depend on it.
    ///   - progress: after each held-out window.
    /// - Throws: for an incomplete, extract-only or shard file (merge the shards first), Gram sums that
    ///   do not cover the file's training windows, another model, or an output that may not be written.
    @discardableResult
    public static func fit(input: URL, output: URL, modelDirectory: URL, force: Bool = false,
                           threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                           progress: (AnalysisProgress) -> Void = { _ in }) throws(AnalysisError) -> Outcome {
        BLAS.setThreadCount(1)
        let source = try RunFile(contentsOf: input)
        let m = source.metadata, path = input.path
        guard source.isComplete else { throw .runFile(path: path, reason: "is not complete; finish it first (--resume)") }
        guard m.spectra, let projection = m.projection, m.holdout > 0 else { return .noFittedProjection }
        guard m.fitPending else { return .alreadyFitted }
        guard m.shard.count == 1 else {
            throw .runFile(path: path, reason: "is shard \(m.shard): a shard's Gram sums cover only its own windows; merge all shards first (`spectrum-analyze merge … --model M` fits the merged file)")
        }
        guard let gram = try source.gramSums() else { throw .runFile(path: path, reason: "has no Gram sums to fit") }
        let records = try source.records()
        let training = Int64(records.filter { !m.isHeldOut(window: $0.windowIndex) }.count)
        if let bad = gram.count.firstIndex(where: { $0 != training }) {
            throw .runFile(path: path, reason: "/projection/fitted/gram_count of layer \(bad / m.heads), head \(bad % m.heads) is \(gram.count[bad]), but the file holds \(training) training windows")
        }
        // The output is checked before the model is hashed and loaded.
        try RunOutput(output).check(force: force, replacingInput: input.standardizedFileURL == output.standardizedFileURL)
        let encoder = try model(for: m, directory: modelDirectory, file: path)

        let heldOut = records.filter { m.isHeldOut(window: $0.windowIndex) }
            .map { PackedSequence(index: $0.windowIndex, inputIds: $0.inputIds, byteRange: $0.byteRange) }
        let pass = FittedProjectionPass(projectionDimensions: projection.projectionDimensions, holdout: m.holdout, layers: m.layers, heads: m.heads,
                                        n: m.sequenceLength, causal: m.causal, gram: gram)
        let start = Date()
        let rows = try pass.evaluate(heldOut: heldOut, encoder: encoder, threads: max(1, threads)) { done in
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
            throw .runFile(path: file, reason: "was computed with the model whose SHA-256 is \(m.modelSHA256) (\(m.modelPath)); \(directory.path) has \(checksum): give the same --model")
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
