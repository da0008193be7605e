/// WordPiece (BERT): greedy longest-match-first segmentation of each word.
///
/// A word longer than `max_input_chars_per_word` scalars is `[UNK]`. Otherwise, from the
/// start, take the longest vocabulary entry that is a prefix of the rest (pieces after the first
/// carry `continuing_subword_prefix`, `##` by default); if some position has no match the whole
/// word becomes the single unk token.
public struct WordPiece: TokenizerModel {
    let vocabulary: Vocabulary
    /// `unk_token` (default `[UNK]`); must be in the vocabulary.
    public let unkToken: String
    /// The id of `unkToken`.
    public let unkId: Int32
    /// `continuing_subword_prefix` (default `##`).
    public let continuingSubwordPrefix: String
    /// `max_input_chars_per_word` (default 100): longer words are unk.
    public let maxInputCharsPerWord: Int

    public init(config: ComponentConfig) throws {
        vocabulary = try Vocabulary(config: config)
        unkToken = try config.optionalString("unk_token") ?? "[UNK]"
        continuingSubwordPrefix = try config.optionalString("continuing_subword_prefix") ?? "##"
        maxInputCharsPerWord = try config.int("max_input_chars_per_word", default: 100)
        unkId = try vocabulary.requiredId(unkToken, role: "unk_token", config: config)
    }

    public func tokenize(_ word: [Unicode.Scalar], into ids: inout [Int32]) {
        if word.count > maxInputCharsPerWord {
            ids.append(unkId)
            return
        }
        // Candidates are built from UTF-8 bytes: `byteOffsets[i]` is where scalar i starts.
        var utf8: [UInt8] = []
        utf8.reserveCapacity(word.count + 8)
        var byteOffsets: [Int] = []
        byteOffsets.reserveCapacity(word.count + 1)
        for scalar in word {
            byteOffsets.append(utf8.count)
            scalar.forEachUTF8Byte { utf8.append($0) }
        }
        byteOffsets.append(utf8.count)
        let prefix = Array(continuingSubwordPrefix.utf8)
        var buffer: [UInt8] = []
        let mark = ids.count
        var start = 0
        while start < word.count {
            var end = min(word.count, start + vocabulary.maxTokenLength)
            var found: Int32?
            while end > start {
                let piece = utf8[byteOffsets[start]..<byteOffsets[end]]
                let candidate: String
                if start > 0 {
                    buffer.removeAll(keepingCapacity: true)
                    buffer.append(contentsOf: prefix)
                    buffer.append(contentsOf: piece)
                    candidate = String(decoding: buffer, as: UTF8.self)
                } else {
                    candidate = String(decoding: piece, as: UTF8.self)
                }
                if let id = vocabulary.ids[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                ids.removeSubrange(mark...)
                ids.append(unkId)
                return
            }
            ids.append(id)
            start = end
        }
    }

    public func id(forToken token: String) -> Int32? { vocabulary.ids[token] }

    public func token(forId id: Int32) -> String? { vocabulary.tokens[id] }

    public var vocabularySize: Int { vocabulary.size }
}
