import Foundation
import SpectrumMetrics

/// Everything computed for one sequence: spectra and metrics of every head, and projection errors.
///
/// Head jobs running on worker threads store their results under `lock` (once per head, so the lock
/// costs nothing measurable); the pipeline reads the result only after the sequence's
/// `DispatchGroup` has completed. That is why the class is `@unchecked Sendable`.
final class SequenceResult: @unchecked Sendable {
    let layers: Int, heads: Int, n: Int, dimensionCount: Int, epsilons: Int
    /// `[L, H, n]` singular values.
    var sigma: [Double]
    /// `[L, H]` metrics.
    var k90: [Int32], k95: [Int32], k99: [Int32]
    var entropyRank: [Double], stableRank: [Double]
    /// `[L, H]` the spectra themselves, built once by the head job and handed to the aggregates.
    var spectra: [HeadSpectrum?]
    /// Projection statistics, `[L, H, K]` each (see docs/FORMAT.md).
    var projection: [ProjectionStatistic: [Double]]
    /// `[L, H, K, E]` fractions of Theorem 1 errors below ε.
    var fractionBelow: [Double]
    /// The first error a head job hit, reported after the sequence completes.
    private var failure: AnalysisError?
    private let lock = NSLock()

    init(layers: Int, heads: Int, n: Int, dimensionCount: Int, epsilons: Int) {
        self.layers = layers; self.heads = heads; self.n = n; self.dimensionCount = dimensionCount; self.epsilons = epsilons
        sigma = Array(repeating: 0, count: layers * heads * n)
        k90 = Array(repeating: 0, count: layers * heads)
        k95 = k90; k99 = k90
        entropyRank = Array(repeating: 0, count: layers * heads)
        stableRank = entropyRank
        spectra = Array(repeating: nil, count: layers * heads)
        projection = Dictionary(uniqueKeysWithValues: ProjectionStatistic.allCases.map {
            ($0, [Double](repeating: .nan, count: layers * heads * dimensionCount))
        })
        fractionBelow = Array(repeating: .nan, count: layers * heads * dimensionCount * epsilons)
    }

    /// Stores one head's spectrum.
    func store(_ spectrum: HeadSpectrum, layer: Int, head: Int) {
        let slot = layer * heads + head
        lock.lock()
        defer { lock.unlock() }
        sigma.withUnsafeMutableBufferPointer { buffer in
            for (i, s) in spectrum.sigma.enumerated() { buffer[slot * n + i] = s }
        }
        k90[slot] = spectrum.k90
        k95[slot] = spectrum.k95
        k99[slot] = spectrum.k99
        entropyRank[slot] = spectrum.entropyRank
        stableRank[slot] = spectrum.stableRank
        spectra[slot] = spectrum
    }

    /// Stores one head's projection errors for every k.
    func store(_ results: [HeadProjectionResult], layer: Int, head: Int) {
        lock.lock()
        defer { lock.unlock() }
        for (kIndex, result) in results.enumerated() {
            let slot = (layer * heads + head) * dimensionCount + kIndex
            for statistic in ProjectionStatistic.allCases { projection[statistic]?[slot] = statistic.value(in: result) }
            for (e, fraction) in result.theorem1FractionBelow.enumerated() { fractionBelow[slot * epsilons + e] = fraction }
        }
    }

    /// Records a head job's failure (the first one wins).
    func fail(_ error: AnalysisError) {
        lock.lock()
        if failure == nil { failure = error }
        lock.unlock()
    }

    /// Throws the first recorded failure.
    func check() throws(AnalysisError) {
        lock.lock()
        let error = failure
        lock.unlock()
        if let error { throw error }
    }
}
