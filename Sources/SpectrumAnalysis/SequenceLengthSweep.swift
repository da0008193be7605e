import Foundation

/// The same analysis at several sequence lengths n, one ordinary run file per n in one folder.
///
/// Text: with a window count S (`options.sequences`) the run at the largest n takes S windows and the
/// run at n takes `⌊S·(n_max − 2)/(n − 2)⌋`, so every run covers (about) the same leading tokens of
/// the corpus: the windows differ, the text does not (up to the last partial window). With all
/// windows (`sequences == nil`) every run reads the whole corpus.
///
/// Resumable: a complete file for n with the same model, corpus, weights and n is kept (skipped), a
/// partial one is resumed, anything else is started; ``status(for:)`` says which.
public struct SequenceLengthSweep: Sendable {
    /// Model folder and corpus of every run.
    public let modelDirectory: URL, corpus: URL
    /// Options of every run; `sequenceLength` is replaced per n, `sequences` scaled as above.
    public let options: AnalysisOptions
    /// The sequence lengths, ascending and unique.
    public let sequenceLengths: [Int]
    /// Folder of the run files `n<n>.h5`.
    public let outputDirectory: URL

    /// A sweep; throws for fewer than one n, an n below 4 or a missing output folder.
    public init(modelDirectory: URL, corpus: URL, options: AnalysisOptions, sequenceLengths: [Int],
                outputDirectory: URL) throws(AnalysisError) {
        let lengths = Array(Set(sequenceLengths)).sorted()
        guard !lengths.isEmpty, lengths.allSatisfy({ $0 >= 4 }) else {
            throw .invalidOption("\(Remedy.sequenceLengths.marker) needs at least one sequence length, each at least 4 (got \(sequenceLengths))")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: outputDirectory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .invalidOption("\(Remedy.outputDirectory.marker) \(outputDirectory.path) is not an existing folder")
        }
        self.modelDirectory = modelDirectory
        self.corpus = corpus
        self.options = options
        self.sequenceLengths = lengths
        self.outputDirectory = outputDirectory
    }

    /// The run file for n.
    public func outputURL(for n: Int) -> URL { outputDirectory.appendingPathComponent("n\(n).h5") }

    /// The options of the run at n.
    public func options(for n: Int) -> AnalysisOptions {
        var o = options
        o.sequenceLength = n
        if let count = options.sequences, let largest = sequenceLengths.last {
            o.sequences = max(1, count * (largest - 2) / (n - 2))
        }
        return o
    }

    /// What the next invocation does with n.
    public enum Status: Equatable, Sendable {
        /// A complete file of this sweep exists: skipped.
        case complete
        /// `n<n>.h5.partial` exists: resumed.
        case partial
        /// Nothing there yet: a new run.
        case missing
    }

    /// The state of n's run file.
    /// - Throws: when a complete file for n belongs to another model, corpus, weights or n (pass
    ///   `force: true` to redo it).
    public func status(for n: Int) throws(AnalysisError) -> Status {
        let url = outputURL(for: n), manager = FileManager.default
        if manager.fileExists(atPath: url.path) {
            let file = try RunFile(contentsOf: url)
            let m = file.metadata, expected = options(for: n)
            let sameWeights = m.randomInitSeed == (expected.randomInitSeed.map { Int64(bitPattern: $0) } ?? -1)
            guard file.isComplete, m.sequenceLength == n, m.modelPath == modelDirectory.path, sameWeights,
                  URL(fileURLWithPath: m.corpusPath).standardizedFileURL == corpus.standardizedFileURL else {
                throw .runFile(path: url.path, reason: "exists but is not a complete run of this sweep at n = \(n) (model, corpus, weights or n differ); pass \(Remedy.force.marker) to redo it")
            }
            return .complete
        }
        return manager.fileExists(atPath: RunOutput(url).partialURL.path) ? .partial : .missing
    }
}
