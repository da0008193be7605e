import Foundation
import LinearAlgebra
import RunFormat
import Transformer

/// The pipeline's side of the fitted fixed projection (two passes):
///
/// 1. while the run streams, the head jobs add every training window's `PᵀP` to ``gram``
///    (``GramSums``: exact, so the order of the jobs does not matter);
/// 2. at the end ``evaluate(heldOut:encoder:threads:progress:)`` fits `U_k` per head from the sums
///    and re-runs the encoder on the held-out windows (`index % holdout == holdout − 1`) to measure it.
///
/// Where the fit happens: an unsharded run does both passes in its own process. A shard does only
/// the first and stores its sums (`fit_pending`); `merge` adds the shards' sums exactly and
/// ``FitStage`` (`merge --model` or `spectrum-analyze fit`) does the second pass on the merged file,
/// from the held-out windows' token ids the file holds, so the result equals the unsharded run's bit
/// for bit. A resumed run recomputes the sums of its replayed training windows with the
/// (deterministic) encoder.
final class FittedProjectionPass: @unchecked Sendable {
    let fitted: FittedProjection
    let gram: GramSums
    let layers: Int, heads: Int, n: Int

    /// Causal attention: the Linformer form (E = F = U_kᵀ mixes future positions in) is not stored.
    let causal: Bool

    /// A pass with empty sums, or with `gram` (a merged file's) to evaluate.
    init(projectionDimensions: [Int], holdout: Int, layers: Int, heads: Int, n: Int, causal: Bool = false, gram: GramSums? = nil) {
        self.causal = causal
        fitted = FittedProjection(projectionDimensions: projectionDimensions, holdout: holdout)
        self.gram = gram ?? GramSums(layers: layers, heads: heads, order: n)
        (self.layers, self.heads, self.n) = (layers, heads, n)
    }

    /// Whether a window's Gram goes into the fit.
    func trains(window index: Int) -> Bool { !fitted.isHeldOut(window: index) }

    /// Adds one layer's `PᵀP` of every head on the calling thread (replayed windows on `--resume`).
    func addGram(of attention: LayerAttention, context: String) throws(AnalysisError) {
        let n = attention.sequenceLength, block = n * n
        guard n == self.n, attention.probabilities.count >= attention.heads * block else {
            throw .numeric("\(context): attention of layer \(attention.layer) does not hold \(attention.heads) heads of [\(self.n), \(self.n)]")
        }
        var wide = [Double](repeating: 0, count: block), g = [Double](repeating: 0, count: block)
        for head in 0..<attention.heads {
            for index in 0..<block { wide[index] = Double(attention.probabilities[head * block + index]) }
            guard wide.allSatisfy(\.isFinite) else { throw .numeric("\(context), layer \(attention.layer), head \(head): attention probabilities are not finite") }
            wide.withUnsafeBufferPointer { p in
                g.withUnsafeMutableBufferPointer { BLAS.upperGram(ofRowMajorSquare: p.baseAddress!, order: n, into: $0.baseAddress!) }
            }
            try g.withUnsafeBufferPointer { (buffer) throws(AnalysisError) in
                try gram.add(upperGram: buffer.baseAddress!, layer: attention.layer, head: head)
            }
        }
    }

    typealias Rows = FittedProjectionRows

    /// Names of the `[S_test, L, H, K]` datasets under `/projection`, in file order.
    static let statistics = FittedProjectionRows.statistics

    /// Fits every head and evaluates the held-out windows (`threads` heads at a time); `progress`
    /// gets the number of windows done after each.
    func evaluate(heldOut: [PackedSequence], encoder: TransformerModel, threads: Int,
                  progress: (Int) -> Void = { _ in }) throws(AnalysisError) -> Rows {
        let (L, H, K) = (layers, heads, fitted.projectionDimensions.count)
        let kMax = min(fitted.projectionDimensions.max() ?? 0, n)
        let fits = ParallelSlots<SymmetricEigenbasis>(count: L * H)
        let workers = max(1, min(threads, L * H))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for slot in stride(from: worker, to: L * H, by: workers) {
                do {
                    fits.store(try fitted.fit(gram.matrix(layer: slot / H, head: slot % H)), at: slot)
                } catch {
                    fits.fail(.numeric("fitting the projection of layer \(slot / H), head \(slot % H): \(error)"))
                }
            }
        }
        let bases = try fits.results()
        var rows = Rows()
        rows.eigenvalues = bases.flatMap { basis in (0..<kMax).map { basis.values[$0] } }
        for name in Self.statistics { rows.values[name] = [] }
        let workspaces = UncheckedSendable((0..<max(1, min(threads, H))).map { _ in FittedProjectionWorkspace() })
        for window in heldOut {
            var sequence = [String: [Double]](uniqueKeysWithValues: Self.statistics.map { ($0, [Double](repeating: .nan, count: L * H * K)) })
            let context = "held-out window \(window.index)"
            try withStage("encoder on \(context)") {
                _ = try encoder.forward(inputIds: window.inputIds, capture: .probabilitiesAndQKV, threads: threads) { attention in
                    let results = try self.evaluate(attention, bases: bases, workspaces: workspaces, context: context)
                    for (head, perK) in results.enumerated() {
                        for (kIndex, result) in perK.enumerated() {
                            let slot = (attention.layer * H + head) * K + kIndex
                            let values = [result.projection.mean, result.projection.median, result.projection.p95, result.projection.max,
                                          result.linformer.relative, result.linformer.rowMean, result.linformer.rowMax]
                            for (name, value) in zip(Self.statistics, values) { sequence[name]?[slot] = value }
                        }
                    }
                }
            }
            rows.windowIndex.append(Int64(window.index))
            for name in Self.statistics { rows.values[name]?.append(contentsOf: sequence[name] ?? []) }
            progress(rows.windowIndex.count)
        }
        return rows
    }

    /// One layer's heads, spread over the workspaces.
    private func evaluate(_ attention: LayerAttention, bases: [SymmetricEigenbasis], workspaces: UncheckedSendable<[FittedProjectionWorkspace]>,
                          context: String) throws(AnalysisError) -> [[FittedProjectionResult]] {
        let (n, d, H) = (attention.sequenceLength, attention.headDimension, attention.heads)
        let G = attention.keyValueHeads
        guard let q = attention.queries, let k = attention.keys, let v = attention.values,
              attention.probabilities.count >= H * n * n, q.count >= H * n * d, [k.count, v.count].allSatisfy({ $0 >= G * n * d }) else {
            throw .numeric("\(context): layer \(attention.layer) lacks P, Q, K or V of \(H) heads")
        }
        let results = ParallelSlots<[FittedProjectionResult]>(count: H)
        let workers = workspaces.value.count
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for head in stride(from: worker, to: H, by: workers) {
                do {
                    let basis = bases[attention.layer * H + head]
                    // Grouped-query attention: query head h reads key-value head g.
                    let g = attention.keyValueHead(forQueryHead: head)
                    let perK = try attention.probabilities.withUnsafeBufferPointer { p in
                        try q.withUnsafeBufferPointer { q in
                            try k.withUnsafeBufferPointer { k in
                                try v.withUnsafeBufferPointer { v in
                                    try fitted.evaluate(p: p.baseAddress! + head * n * n, q: q.baseAddress! + head * n * d,
                                                        k: k.baseAddress! + g * n * d, v: v.baseAddress! + g * n * d,
                                                        n: n, d: d, basis: basis, workspace: workspaces.value[worker])
                                }
                            }
                        }
                    }
                    results.store(perK, at: head)
                } catch {
                    results.fail(.numeric("\(context), layer \(attention.layer), head \(head): \(error)"))
                }
            }
        }
        return try results.results()
    }

}

extension Analysis {
    /// The fitted projection keeps `Σ PᵀP` of every head in exact fixed point, 16 bytes per element
    /// of the upper triangle: `L·H·n(n+1)/2 · 16` bytes (151 MB for MiniLM at n = 512). Beyond
    /// ``fittedProjectionMemoryLimit`` the run is refused up front with the way out, instead of
    /// running out of memory after hours.
    static func checkFittedProjectionMemory(configuration c: ModelConfiguration, options: AnalysisOptions) throws(AnalysisError) {
        guard options.computeSpectra, options.projection != nil, options.holdout > 0 else { return }
        let n = Double(options.sequenceLength)
        let bytes = Double(c.layerCount) * Double(c.headCount) * n * (n + 1) / 2 * 16
        guard bytes <= fittedProjectionMemoryLimit else {
            throw .invalidOption(String(format: "the fitted projection keeps Σ PᵀP of all %d × %d heads at n = %d: %.1f GiB (limit %.0f GiB); set \(Remedy.holdout.marker) to 0 to turn it off",
                                        c.layerCount, c.headCount, options.sequenceLength, bytes / 0x1p30, fittedProjectionMemoryLimit / 0x1p30))
        }
    }

    /// 8 GiB.
    static let fittedProjectionMemoryLimit = 8.0 * 0x1p30
}

/// Lets `concurrentPerform` workers write disjoint slots of one buffer.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Results of parallel workers, one slot each, and the first failure.
final class ParallelSlots<Value>: @unchecked Sendable {
    private var values: [Value?]
    private var failure: AnalysisError?
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func store(_ value: Value, at slot: Int) {
        lock.lock()
        values[slot] = value
        lock.unlock()
    }

    func fail(_ error: AnalysisError) {
        lock.lock()
        if failure == nil { failure = error }
        lock.unlock()
    }

    /// Every slot's value, or the first failure.
    func results() throws(AnalysisError) -> [Value] {
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
        return try values.map { (value) throws(AnalysisError) -> Value in
            guard let value else { throw AnalysisError.numeric("a parallel slot was left empty") }
            return value
        }
    }
}
