import Tokenizers

/// One packed input sequence: exactly `n` token ids, ready for the encoder.
public struct PackedSequence: Sendable, Equatable {
    /// Position of this window in the whole corpus (0-based), the same in every shard.
    public var index: Int
    /// `n` token ids: special tokens around `n − specials` corpus ids.
    public var inputIds: [Int32]
    /// Byte range of the corpus lines the window's ids came from: `[start, end)`.
    public var byteRange: Range<Int>

    public init(index: Int, inputIds: [Int32], byteRange: Range<Int>) {
        self.index = index
        self.inputIds = inputIds
        self.byteRange = byteRange
    }
}

/// How the corpus is cut into sequences.
public enum Packing: String, Sendable, CaseIterable {
    /// All lines' ids concatenated, cut into consecutive windows of `n − 2` ids, each
    /// wrapped with the post-processor's special tokens; the trailing partial window is dropped.
    case contiguous
}

/// Packs a corpus into fixed-length windows (``Packing/contiguous``).
///
/// Lines are tokenized lazily, in order, only as far as the requested windows need, so asking for
/// 64 windows of a multi-gigabyte corpus tokenizes only its beginning.
public struct SequencePacker: Sendable {
    /// The tokenizer whose ids and special tokens are used.
    public let tokenizer: Tokenizer
    /// Sequence length n, special tokens included.
    public let sequenceLength: Int

    /// Corpus ids per window: `n` minus the special tokens the post-processor adds.
    public var idsPerWindow: Int { sequenceLength - tokenizer.specialTokensAddedToSingle }

    /// - Throws: when n leaves no room for corpus ids.
    public init(tokenizer: Tokenizer, sequenceLength: Int) throws(CorpusError) {
        self.tokenizer = tokenizer
        self.sequenceLength = sequenceLength
        guard sequenceLength > tokenizer.specialTokensAddedToSingle else {
            throw .sequenceLengthTooSmall(length: sequenceLength, specialTokens: tokenizer.specialTokensAddedToSingle)
        }
    }

    /// The first `limit` windows of `corpus` (all complete windows when `limit` is nil), in order.
    /// - Throws: ``CorpusError/tooShort(path:tokens:needed:)`` when not even one window fits.
    public func windows(of corpus: Corpus, limit: Int?) throws(CorpusError) -> [PackedSequence] {
        let width = idsPerWindow
        let wanted = limit.map { $0 * width }
        var ids: [Int32] = []
        var lineEnds: [Int] = []          // ids.count after each tokenized line
        for line in corpus.lines {
            if let wanted, ids.count >= wanted { break }
            ids.append(contentsOf: tokenizer.encode(line.text, addSpecialTokens: false))
            lineEnds.append(ids.count)
        }
        let available = ids.count / width
        guard available > 0 else { throw .tooShort(path: corpus.path, tokens: ids.count, needed: width) }
        let count = min(available, limit ?? available)
        var result: [PackedSequence] = []
        result.reserveCapacity(count)
        var firstLine = 0
        for window in 0..<count {
            let start = window * width, end = start + width
            while lineEnds[firstLine] <= start { firstLine += 1 }
            var lastLine = firstLine
            while lineEnds[lastLine] < end { lastLine += 1 }
            let first = corpus.lines[firstLine], last = corpus.lines[lastLine]
            result.append(PackedSequence(
                index: window,
                inputIds: tokenizer.addingSpecialTokens(to: Array(ids[start..<end])),
                byteRange: first.byteOffset..<(last.byteOffset + last.byteLength)))
        }
        return result
    }
}
