import Foundation
import SpectrumAnalysis

/// The toolkit halves of the micro-benchmarks, run inside this process (release build,
/// `OPENBLAS_NUM_THREADS = 1`).
struct InProcess {
    let model: URL
    let corpus: Corpus
    let tokenizer: Tokenizer
    let encoder: Encoder

    /// Tokenizer throughput over every corpus line, one `encode` per line on one thread, best of
    /// `repeats`: MB (10⁶ UTF-8 bytes of the lines) per second and the id count.
    func tokenizerThroughput(repeats: Int) -> (mbPerSecond: Double, ids: Int, samples: [Double]) {
        let bytes = corpus.lines.reduce(0) { $0 + $1.text.utf8.count }
        var samples: [Double] = [], ids = 0
        for _ in 0..<repeats {
            let (count, seconds) = timed {
                corpus.lines.reduce(0) { $0 + tokenizer.encode($1.text, addSpecialTokens: false).count }
            }
            ids = count
            samples.append(Double(bytes) / seconds / 1e6)
        }
        return (samples.max() ?? 0, ids, samples)
    }

    /// Parallel `encodeBatch` throughput over the same lines, best of `repeats` (MB/s).
    func batchThroughput(repeats: Int) -> Double {
        let bytes = corpus.lines.reduce(0) { $0 + $1.text.utf8.count }
        let texts = corpus.lines.map(\.text)
        return (0..<repeats).map { _ in Double(bytes) / timed { _ = tokenizer.encodeBatch(texts, addSpecialTokens: false) }.1 / 1e6 }.max() ?? 0
    }

    /// Seconds per forward pass with P captured (the observer touches nothing), after one warm-up.
    func forwardSeconds(ids: [Int32], threads: Int, repeats: Int) throws -> [Double] {
        _ = try encoder.forward(inputIds: ids, capture: .probabilities, threads: threads) { _ in }
        return try (0..<repeats).map { _ in
            try timed { _ = try encoder.forward(inputIds: ids, capture: .probabilities, threads: threads) { _ in } }.1
        }
    }

    /// Every head's P `[layers·heads][n·n]` for `ids`, in (layer, head) order.
    func attention(ids: [Int32]) throws -> [[Float]] {
        var heads: [[Float]] = []
        let n = ids.count, block = n * n
        _ = try encoder.forward(inputIds: ids, capture: .probabilities, threads: 1) { layer in
            for h in 0..<layer.heads { heads.append(Array(layer.probabilities[h * block ..< (h + 1) * block])) }
        }
        return heads
    }
}

/// SVD timings on real heads of P.
enum SVDBench {
    /// Median milliseconds per matrix of `method` on one thread over `matrices` (n × n each).
    static func perMatrix(_ matrices: [[Float]], n: Int, method: SingularValueMethod, repeats: Int) throws -> Double {
        let solver = SingularValueSolver(maxRows: n, maxColumns: n, method: method)
        var output = [Double](repeating: 0, count: n)
        func one(_ m: [Float]) throws {
            try m.withUnsafeBufferPointer { a in
                try output.withUnsafeMutableBufferPointer { try solver.singularValues(of: a, rows: n, columns: n, into: $0) }
            }
        }
        try one(matrices[0])
        let runs = try (0..<repeats).map { _ in try timed { for m in matrices { try one(m) } }.1 / Double(matrices.count) }
        return median(runs) * 1e3
    }

    /// Median milliseconds per matrix of the toolkit's per-head kernel (``HeadSpectralKernel``, what
    /// the pipeline runs for σ) on one thread over `matrices` (n × n each).
    static func kernelPerMatrix(_ matrices: [[Float]], n: Int, repeats: Int) throws -> Double {
        let kernel = HeadSpectralKernel(order: n)
        var output = [Double](repeating: 0, count: n)
        func one(_ m: [Float]) throws {
            try m.withUnsafeBufferPointer { a in try output.withUnsafeMutableBufferPointer { try kernel.spectrum(of: a, into: $0) } }
        }
        try one(matrices[0])
        let runs = try (0..<repeats).map { _ in try timed { for m in matrices { try one(m) } }.1 / Double(matrices.count) }
        return median(runs) * 1e3
    }

    /// The whole stage for one sequence: every head's σ on `workers` threads (one kernel each, heads
    /// taken from a shared counter, as the pipeline's pool does). Returns wall seconds, CPU
    /// seconds and their ratio (≈ workers when every core is busy).
    static func stage(_ matrices: [[Float]], n: Int, workers: Int) -> (seconds: Double, cpu: Double, busyCores: Double) {
        let next = Counter()
        let cpu0 = processCPUSeconds()
        let (_, seconds) = timed {
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                let kernel = HeadSpectralKernel(order: n)
                var output = [Double](repeating: 0, count: n)
                while let index = next.take(below: matrices.count) {
                    matrices[index].withUnsafeBufferPointer { a in
                        output.withUnsafeMutableBufferPointer { try? kernel.spectrum(of: a, into: $0) }
                    }
                }
            }
        }
        let cpu = processCPUSeconds() - cpu0
        return (seconds, cpu, cpu / seconds)
    }
}

/// A thread-safe index dispenser.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    /// The next index, or nil once `limit` is reached.
    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

/// Cost of the run file's per-sequence writes: an extendible `[S, L, H, n]` float64 dataset grown by
/// one row per sequence with a flush after each, as the run-file writer does for `/spectrum/sigma`.
enum HDF5Bench {
    /// Milliseconds per sequence (median over `sequences` appends).
    static func appendMilliseconds(path: String, layers: Int, heads: Int, n: Int, sequences: Int) throws -> Double {
        let file = try File.create(path, overwrite: true)
        let dataset = try file.createDataset("sigma", type: .float64, shape: [0, layers, heads, n],
                                             options: DatasetOptions(extendible: true))
        let row = (0..<(layers * heads * n)).map { 1.0 / Double($0 + 1) }
        var samples: [Double] = []
        for s in 0..<sequences {
            samples.append(try timed {
                try dataset.extend(firstDimension: s + 1)
                try dataset.write(row, at: s)
                try file.flush()
            }.1)
        }
        try file.close()
        unlink(path)
        return median(samples) * 1e3
    }
}
