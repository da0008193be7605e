import Foundation

extension Tokenizer {
    /// The ids of `text`; with `addSpecialTokens` the post-processor's tokens are added
    /// (`[CLS] … [SEP]`). The empty string gives no ids (or only the special tokens).
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int32] {
        var ids: [Int32] = []
        appendIds(of: Array(text.unicodeScalars), to: &ids)
        return addSpecialTokens ? addingSpecialTokens(to: ids) : ids
    }

    /// The ids of UTF-8 bytes that may be invalid: invalid sequences are decoded as U+FFFD
    /// (one per maximal invalid subpart, like Python's `errors="replace"`), then encoded as text.
    /// Note that BERT's normalizer removes U+FFFD, while byte-level BPE encodes its 3 bytes.
    public func encode<Bytes: Collection>(utf8 bytes: Bytes, addSpecialTokens: Bool = true) -> [Int32]
    where Bytes.Element == UInt8 {
        encode(String(decoding: bytes, as: UTF8.self), addSpecialTokens: addSpecialTokens)
    }

    /// The token strings of `encode(text, addSpecialTokens:)`, as the Python library reports
    /// them: each id's vocabulary entry, except that an added token found in the text is the text
    /// it matched (e.g. `" <mask>"` when `<mask>` strips the space on its left).
    public func encodeTokens(_ text: String, addSpecialTokens: Bool = true) -> [String] {
        var ids: [Int32] = []
        var matched: [Int: String]? = [:]
        appendIds(of: Array(text.unicodeScalars), to: &ids, matchedAddedTokens: &matched)
        var tokens = ids.indices.map { matched?[$0] ?? token(forId: ids[$0]) ?? "" }
        if addSpecialTokens, let postProcessor {
            tokens = postProcessor.prefix.map { token(forId: $0) ?? "" } + tokens
                + postProcessor.suffix.map { token(forId: $0) ?? "" }
        }
        return tokens
    }

    /// Encodes many texts, in parallel over the available cores; `result[i]` is
    /// `encode(texts[i], addSpecialTokens:)`.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true) -> [[Int32]] {
        let chunks = min(texts.count, max(1, ProcessInfo.processInfo.activeProcessorCount) * 4)
        guard chunks > 1 else { return texts.map { encode($0, addSpecialTokens: addSpecialTokens) } }
        let results = BatchResults(count: texts.count)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = (texts.count * chunk / chunks)..<(texts.count * (chunk + 1) / chunks)
            results.store(range.lowerBound, range.map { encode(texts[$0], addSpecialTokens: addSpecialTokens) })
        }
        return results.values
    }

    /// Appends the ids of `text` (no special tokens) to `ids`.
    func appendIds(of text: [Unicode.Scalar], to ids: inout [Int32]) {
        var unused: [Int: String]?
        appendIds(of: text, to: &ids, matchedAddedTokens: &unused)
    }

    /// Appends the ids of `text` (no special tokens) to `ids`; when `matchedAddedTokens` is not
    /// nil, records the matched text of every added token by its index in `ids`.
    func appendIds(of text: [Unicode.Scalar], to ids: inout [Int32], matchedAddedTokens: inout [Int: String]?) {
        var rawSegments: [Segment] = []
        addedVocabulary.rawMatcher.split(text, into: &rawSegments)
        var words: [[Unicode.Scalar]] = []
        for (rawIndex, rawSegment) in rawSegments.enumerated() {
            switch rawSegment {
            case let .token(id, matched):
                matchedAddedTokens?[ids.count] = matched.string
                ids.append(id)
            case let .text(piece):
                let normalized = normalizer?.normalize(piece) ?? piece
                var segments: [Segment] = []
                addedVocabulary.normalizedMatcher.split(normalized, into: &segments)
                for (index, segment) in segments.enumerated() {
                    switch segment {
                    case let .token(id, matched):
                        matchedAddedTokens?[ids.count] = matched.string
                        ids.append(id)
                    case let .text(part):
                        words.removeAll(keepingCapacity: true)
                        if let preTokenizer {
                            preTokenizer.preTokenize(part, atTextStart: rawIndex == 0 && index == 0, into: &words)
                        } else {
                            words.append(part)
                        }
                        for word in words where !word.isEmpty {
                            if matchedAddedTokens != nil, let unigram = model as? Unigram {
                                // Unknown Unigram pieces are reported as the text they cover.
                                for token in unigram.tokens(of: word.string) {
                                    matchedAddedTokens?[ids.count] = token.text
                                    ids.append(token.id)
                                }
                            } else {
                                model.tokenize(word, into: &ids)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The text of `ids`: each id's token (added tokens first, unknown ids skipped, special
    /// tokens skipped when `skipSpecialTokens`), joined by the decoder, or by single spaces when
    /// the file has none.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            if let added = addedVocabulary.tokensById[id] {
                if !(skipSpecialTokens && added.special) { tokens.append(added.content) }
            } else if let token = model.token(forId: id) {
                if skipSpecialTokens, let addedId = addedVocabulary.idsByContent[token],
                   addedVocabulary.tokensById[addedId]?.special == true {
                    continue
                }
                tokens.append(token)
            }
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decodeChain(tokens).joined()
    }
}

/// Per-chunk results of `encodeBatch`, written from several threads into disjoint ranges.
private final class BatchResults: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [[Int32]]

    init(count: Int) { storage = Array(repeating: [], count: count) }

    func store(_ start: Int, _ values: [[Int32]]) {
        lock.lock()
        defer { lock.unlock() }
        for (offset, value) in values.enumerated() { storage[start + offset] = value }
    }

    var values: [[Int32]] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
