import Foundation

/// Byte-pair encoding (GPT-2, RoBERTa, …): split a word into single characters, then repeatedly
/// merge the adjacent pair with the lowest merge rank (leftmost first on ties) until no adjacent
/// pair has a merge.
///
/// Options, as in the Rust library: `unk_token` (characters missing from the vocabulary become it;
/// without one they are dropped), `fuse_unk` (consecutive unknowns become one unk),
/// `byte_fallback` (an unknown character becomes its `<0xXX>` byte tokens when all exist),
/// `ignore_merges` (a word that is itself in the vocabulary is taken whole),
/// `continuing_subword_prefix` / `end_of_word_suffix` (added to non-first / last characters).
/// `merges` may be serialized as `"a b"` strings or `["a", "b"]` pairs. A non-zero `dropout`
/// would make encoding random and is rejected.
public struct BPE: TokenizerModel {
    let vocabulary: Vocabulary
    /// (left id, right id) packed as `left << 32 | right` → (rank, merged id).
    let merges: [UInt64: (rank: Int32, id: Int32)]
    public let unkId: Int32?
    public let fuseUnk: Bool
    public let byteFallback: Bool
    public let ignoreMerges: Bool
    public let continuingSubwordPrefix: String?
    public let endOfWordSuffix: String?
    let cache = BPECache()

    public init(config: ComponentConfig) throws {
        let vocabulary = try Vocabulary(config: config)
        self.vocabulary = vocabulary
        if let dropout = try config.optionalNumber("dropout"), dropout != 0 {
            throw config.configurationError("dropout \(dropout) makes encoding random; only null or 0 is supported")
        }
        fuseUnk = try config.bool("fuse_unk", default: false)
        byteFallback = try config.bool("byte_fallback", default: false)
        ignoreMerges = try config.bool("ignore_merges", default: false)
        continuingSubwordPrefix = try config.optionalString("continuing_subword_prefix")
        endOfWordSuffix = try config.optionalString("end_of_word_suffix")
        unkId = try config.optionalString("unk_token").map {
            try vocabulary.requiredId($0, role: "unk_token", config: config)
        }
        merges = try Self.readMerges(config, vocabulary: vocabulary, prefix: continuingSubwordPrefix ?? "")
    }

    private static func readMerges(
        _ config: ComponentConfig, vocabulary: Vocabulary, prefix: String
    ) throws -> [UInt64: (rank: Int32, id: Int32)] {
        let list = try config.array("merges")
        var merges: [UInt64: (rank: Int32, id: Int32)] = [:]
        merges.reserveCapacity(list.count)
        for (rank, entry) in list.enumerated() {
            let left: String
            let right: String
            switch entry {
            case let .string(line):
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw config.fieldError("merges[\(rank)]", "\"a b\" with exactly one space")
                }
                (left, right) = (String(parts[0]), String(parts[1]))
            case let .array(pair):
                guard pair.count == 2, case let .string(a) = pair[0], case let .string(b) = pair[1] else {
                    throw config.fieldError("merges[\(rank)]", "a pair of two strings")
                }
                (left, right) = (a, b)
            default:
                throw config.fieldError("merges[\(rank)]", "a string or a pair of strings")
            }
            let leftId = try vocabulary.requiredId(left, role: "merge token", config: config)
            let rightId = try vocabulary.requiredId(right, role: "merge token", config: config)
            let rightBody = right.hasPrefix(prefix) ? String(right.dropFirst(prefix.count)) : right
            let mergedId = try vocabulary.requiredId(left + rightBody, role: "merged token", config: config)
            // Later duplicates win, as when the Rust library collects the merges into a map.
            merges[UInt64(UInt32(leftId)) << 32 | UInt64(UInt32(rightId))] = (Int32(rank), mergedId)
        }
        return merges
    }

    public func tokenize(_ word: [Unicode.Scalar], into ids: inout [Int32]) {
        let key = word.string
        if ignoreMerges, let id = vocabulary.ids[key] {
            ids.append(id)
            return
        }
        if let cached = cache.lookup(key) {
            ids.append(contentsOf: cached)
            return
        }
        var symbols = initialSymbols(word)
        mergeAll(&symbols)
        cache.store(key, symbols)
        ids.append(contentsOf: symbols)
    }

    /// One id per character (with prefix/suffix), byte-fallback tokens, or unk.
    private func initialSymbols(_ word: [Unicode.Scalar]) -> [Int32] {
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        var pendingUnk = false
        for (index, scalar) in word.enumerated() {
            var piece = String()
            if index > 0, let prefix = continuingSubwordPrefix { piece += prefix }
            piece.unicodeScalars.append(scalar)
            if index == word.count - 1, let suffix = endOfWordSuffix { piece += suffix }
            if let id = vocabulary.ids[piece] {
                if pendingUnk, let unkId {
                    symbols.append(unkId)
                    pendingUnk = false
                }
                symbols.append(id)
                continue
            }
            if byteFallback, let bytes = byteFallbackIds(piece) {
                symbols.append(contentsOf: bytes)
                continue
            }
            guard let unkId else { continue }
            if pendingUnk && !fuseUnk { symbols.append(unkId) }
            pendingUnk = true
        }
        if pendingUnk, let unkId { symbols.append(unkId) }
        return symbols
    }

    private func byteFallbackIds(_ piece: String) -> [Int32]? {
        var ids: [Int32] = []
        for byte in piece.utf8 {
            let hex = String(byte, radix: 16, uppercase: true)
            guard let id = vocabulary.ids["<0x\(hex.count == 1 ? "0" + hex : hex)>"] else { return nil }
            ids.append(id)
        }
        return ids
    }

    /// Repeatedly merges the lowest-ranked adjacent pair, leftmost first on equal ranks.
    private func mergeAll(_ symbols: inout [Int32]) {
        while symbols.count > 1 {
            var bestRank = Int32.max
            var bestIndex = -1
            var bestId: Int32 = 0
            for index in 0..<(symbols.count - 1) {
                let key = UInt64(UInt32(symbols[index])) << 32 | UInt64(UInt32(symbols[index + 1]))
                if let merge = merges[key], merge.rank < bestRank {
                    bestRank = merge.rank
                    bestIndex = index
                    bestId = merge.id
                }
            }
            if bestIndex < 0 { return }
            symbols[bestIndex] = bestId
            symbols.remove(at: bestIndex + 1)
        }
    }

    public func id(forToken token: String) -> Int32? { vocabulary.ids[token] }

    public func token(forId id: Int32) -> String? { vocabulary.tokens[id] }
}

/// A bounded, thread-safe word → ids cache, so that a `BPE` (and the `Tokenizer` holding it)
/// stays `Sendable` while repeated words skip the merge loop. Like the Rust library's cache it
/// stops inserting once full instead of evicting.
final class BPECache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: [Int32]] = [:]
    private let capacity = 10_000

    func lookup(_ word: String) -> [Int32]? {
        lock.lock()
        defer { lock.unlock() }
        return entries[word]
    }

    func store(_ word: String, _ ids: [Int32]) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count < capacity { entries[word] = ids }
    }
}
