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
/// `merges` may be serialized as `"a b"` strings or `["a", "b"]` pairs. `dropout`, which the Rust
/// library applies at inference too, is accepted when it is deterministic: null or 0 (normal
/// merging) and 1 (every merge dropped, so words stay in single characters, and `ignore_merges`
/// is not consulted, as there); any other value would make ids random and is refused.
public struct BPE: TokenizerModel {
    let vocabulary: Vocabulary
    /// (left id, right id) packed as `left << 32 | right` → (rank, merged id).
    let merges: [UInt64: (rank: Int32, id: Int32)]
    /// The id of `unk_token`, when the model names one.
    public let unkId: Int32?
    /// `fuse_unk`: consecutive unknown characters give one unk.
    public let fuseUnk: Bool
    /// `byte_fallback`: unknown characters become `<0xXX>` byte tokens when possible.
    public let byteFallback: Bool
    /// `ignore_merges`: a word found in the vocabulary is not split.
    public let ignoreMerges: Bool
    /// `continuing_subword_prefix`, added to every character but the first.
    public let continuingSubwordPrefix: String?
    /// `end_of_word_suffix`, added to the last character.
    public let endOfWordSuffix: String?
    /// `dropout` 1: no merge is ever applied.
    public let mergesDropped: Bool
    let cache = BPECache()

    public init(config: ComponentConfig) throws {
        let vocabulary = try Vocabulary(config: config)
        self.vocabulary = vocabulary
        let dropout = try config.optionalNumber("dropout").map { Float($0) } ?? 0
        guard dropout >= 0 && dropout <= 1 else {
            throw config.configurationError("dropout \(dropout) is outside [0, 1]")
        }
        guard dropout == 0 || dropout == 1 else {
            throw config.configurationError("dropout \(dropout) makes encoding random; only null, 0 or 1 is supported")
        }
        mergesDropped = dropout == 1
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
            merges[pairKey(leftId, rightId)] = (Int32(rank), mergedId)
        }
        return merges
    }

    public func tokenize(_ word: [Unicode.Scalar], into ids: inout [Int32]) {
        if mergesDropped {
            ids.append(contentsOf: initialSymbols(word))
            return
        }
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
    ///
    /// `ranks[i]` caches the merge of `symbols[i], symbols[i + 1]` so that a merge only looks up
    /// the two pairs it changes (hashing every pair at every step dominated the run time).
    private func mergeAll(_ symbols: inout [Int32]) {
        guard symbols.count > 1 else { return }
        var ranks: [Int32] = []
        var mergedIds: [Int32] = []
        ranks.reserveCapacity(symbols.count - 1)
        mergedIds.reserveCapacity(symbols.count - 1)
        for index in 0..<(symbols.count - 1) {
            let merge = merges[Self.pairKey(symbols[index], symbols[index + 1])]
            ranks.append(merge?.rank ?? .max)
            mergedIds.append(merge?.id ?? 0)
        }
        while true {
            var bestIndex = -1
            var bestRank = Int32.max
            for (index, rank) in ranks.enumerated() where rank < bestRank {
                bestRank = rank
                bestIndex = index
            }
            if bestIndex < 0 { return }
            symbols[bestIndex] = mergedIds[bestIndex]
            symbols.remove(at: bestIndex + 1)
            ranks.remove(at: bestIndex)
            mergedIds.remove(at: bestIndex)
            for index in [bestIndex - 1, bestIndex] where index >= 0 && index < ranks.count {
                let merge = merges[Self.pairKey(symbols[index], symbols[index + 1])]
                ranks[index] = merge?.rank ?? .max
                mergedIds[index] = merge?.id ?? 0
            }
        }
    }

    @inline(__always)
    private static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    public func id(forToken token: String) -> Int32? { vocabulary.ids[token] }

    public func token(forId id: Int32) -> String? { vocabulary.tokens[id] }

    public var vocabularySize: Int { vocabulary.size }
}

/// A bounded, thread-safe word → ids cache, so that a `BPE` (and the `Tokenizer` holding it)
/// stays `Sendable` while repeated words skip the merge loop. Like the Rust library's cache it
/// stops inserting once full instead of evicting (50 000 words, a few MB at most).
final class BPECache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: [Int32]] = [:]
    private let capacity = 50_000

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
