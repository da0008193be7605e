import Corpus
import RunFormat
import SpectrumMetrics
import Transformer

extension SequenceResult {
    /// The run-file row of this finished sequence (read only after its head jobs completed).
    /// - Parameter projections: whether the run computes projection checks.
    func record(for window: PackedSequence, projections: Bool) -> SequenceRecord {
        var record = SequenceRecord(window: window)
        record.spectra = .init(sigma: sigma, k90: k90, k95: k95, k99: k99, entropyRank: entropyRank, stableRank: stableRank)
        if projections {
            record.projection = .init(statistics: projection, fractionBelow: fractionBelow)
        }
        return record
    }
}

extension SequenceRecord {
    /// A record of a window alone (no spectra: `extract`).
    init(window: PackedSequence) {
        self.init(windowIndex: window.index, byteRange: window.byteRange, inputIds: window.inputIds)
    }

    /// Whether this record describes `window` (same index, ids and bytes).
    func describes(_ window: PackedSequence) -> Bool {
        windowIndex == window.index && inputIds == window.inputIds && byteRange == window.byteRange
    }
}

extension AttentionRows {
    /// The dump of one captured layer.
    init(_ attention: LayerAttention) {
        self.init(layer: attention.layer, probabilities: attention.probabilities,
                  queries: attention.queries, keys: attention.keys, values: attention.values)
    }
}

extension AnalysisError {
    /// The same message for a corpus error.
    init(_ error: CorpusError) {
        switch error {
        case .unreadable(let path, let reason): self = .corpus(path: path, reason: reason)
        case .tooShort(let path, let tokens, let needed): self = .corpusTooShort(path: path, tokens: tokens, needed: needed)
        case .sequenceLengthTooSmall: self = .invalidOption(error.description)
        }
    }
}
