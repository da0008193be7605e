import Foundation
import HDF5Store
import LinearAlgebra
import RunFormat
import SpectrumMetrics

/// The SVD stage alone: reads `/attention/P` of a file written by `extract` and adds the spectra.
///
/// Gives the same σ as `run` on the same P (same solver, same float32 input). The input is copied to
/// `output.partial`, the spectra are added there and the copy is renamed to `output`, so the input
/// stays untouched until the new file is complete.
public enum SpectrumStage {
    /// Adds `/spectrum/…` to a copy of `input` written to `output` (which may equal `input`). The heads
    /// of a layer are processed concurrently on `threads` workers (default: all cores); each head's σ
    /// is the same for any thread count.
    @discardableResult
    public static func addSpectra(input: URL, output: URL, force: Bool = false,
                                  threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                                  progress: (AnalysisProgress) -> Void = { _ in }) throws(AnalysisError) -> RunFile {
        let source = try RunFile(contentsOf: input)
        let m = source.metadata
        guard source.isComplete else {
            throw .runFile(path: input.path, reason: "is not complete; finish it first (the `spectrum-analyze extract` command that wrote it, plus --resume)")
        }
        guard !m.spectra else { throw .runFile(path: input.path, reason: "already has spectra") }
        guard m.dumpedRows(of: source.sequenceCount) == source.sequenceCount, try source.contains("attention/P") else {
            throw .runFile(path: input.path, reason: "does not hold P for every sequence (write it with `spectrum-analyze extract`)")
        }
        let target = RunOutput(output)
        try target.check(force: force, replacingInput: input.standardizedFileURL == output.standardizedFileURL)
        let partial = target.partialURL
        let (L, H, n) = (m.layers, m.heads, m.sequenceLength)
        BLAS.setThreadCount(1)
        do {
            try target.removeLeftovers()
            try FileManager.default.copyItem(at: input, to: partial)
            let file = try File.open(partial.path, mode: .readWrite)
            let pDataset = try file.openDataset("attention/P")
            // The reads below index P by the metadata's shape: check all of its dimensions first.
            let pShape = try pDataset.shape
            guard pShape.count == 5, pShape[0] >= source.sequenceCount, Array(pShape.dropFirst()) == [L, H, n, n] else {
                throw AnalysisError.runFile(path: input.path, reason: "/attention/P has shape \(pShape), the metadata call for [≥ \(source.sequenceCount), \(L), \(H), \(n), \(n)]")
            }
            let parallel = max(1, min(threads, H))
            var aggregate = SpectrumAggregate(layers: L, heads: H, length: n)
            var datasets: [String: Dataset] = [:]
            _ = try file.requireGroup("spectrum")
            var spectra = m
            spectra.spectra = true
            for dataset in RunSchema.spectrum {
                datasets[dataset.path] = try file.createDataset(dataset.path, type: dataset.type, shape: dataset.shape(spectra, rows: source.sequenceCount))
            }
            let start = Date()
            let workers = HeadWorkerPool(n: n)
            for row in 0..<source.sequenceCount {
                let result = SequenceResult(layers: L, heads: H, n: n, dims: 0, epsilons: 0)
                for layer in 0..<L {
                    let p: [Float] = try pDataset.read(start: [row, layer, 0, 0, 0], count: [1, 1, H, n, n])
                    // Task t takes heads t, t + parallel, …: which task computes a head never changes σ.
                    DispatchQueue.concurrentPerform(iterations: parallel) { task in
                      for head in stride(from: task, to: H, by: parallel) {
                        do {
                            let sigma = try p.withUnsafeBufferPointer { all in
                                try workers.withWorker { worker in
                                    try worker.sigma.withUnsafeMutableBufferPointer {
                                        try worker.kernel.spectrum(of: UnsafeBufferPointer(rebasing: all[head * n * n ..< (head + 1) * n * n]), into: $0)
                                    }
                                    return worker.sigma
                                }
                            }
                            result.store(try HeadSpectrum(sigma: sigma, context: "row \(row), layer \(layer), head \(head)"), layer: layer, head: head)
                        } catch let error as AnalysisError {
                            result.fail(error)
                        } catch {
                            result.fail(.stage("\(input.path) row \(row), layer \(layer), head \(head)", underlying: String(describing: error)))
                        }
                      }
                    }
                }
                try result.check()
                try datasets["spectrum/sigma"]?.write(result.sigma, at: row)
                try datasets["spectrum/k90"]?.write(result.k90, at: row)
                try datasets["spectrum/k95"]?.write(result.k95, at: row)
                try datasets["spectrum/k99"]?.write(result.k99, at: row)
                try datasets["spectrum/entropy_rank"]?.write(result.entropyRank, at: row)
                try datasets["spectrum/stable_rank"]?.write(result.stableRank, at: row)
                for slot in 0..<(L * H) {
                    aggregate.add(try HeadSpectrum(sigma: Array(result.sigma[slot * n ..< (slot + 1) * n])), layer: slot / H, head: slot % H)
                }
                progress(AnalysisProgress(completed: row + 1, total: source.sequenceCount, resumedFrom: 0,
                                          elapsed: Date().timeIntervalSince(start)))
            }
            try RunFileWriter.writeAggregate(aggregate, to: file)
            try file.attributes.set("spectra", Int64(1))
            try file.attributes.set("svd_method", SingularValueMethod.recommended.rawValue)
            try file.close()
            try target.commit()
        } catch {
            try? FileManager.default.removeItem(at: partial)
            if let error = error as? AnalysisError { throw error }
            throw .stage("adding spectra to \(output.path)", underlying: String(describing: error))
        }
        return try RunFile(contentsOf: output)
    }
}
