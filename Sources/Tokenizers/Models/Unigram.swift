import Foundation

/// Unigram language model (SentencePiece; XLM-R, CamemBERT, T5, ALBERT): each word is cut into
/// the sequence of vocabulary pieces with the highest total score (sum of log-probabilities),
/// found by Viterbi over the UTF-8 bytes, as the Rust library's `encode_optimized` does.
///
/// - `vocab`: `[[piece, score], …]`, the id of a piece is its index (a repeated piece keeps the
///   last index, as in the Rust map).
/// - A scalar that starts no piece of its own length is an unknown node scored
///   `min(score) − 10`; consecutive unknown nodes are fused into one piece, which becomes
///   `unk_id` or, with `byte_fallback`, its `<0xXX>` byte tokens when they all exist.
/// - Ties keep the first candidate found: shorter pieces are tried first at each start. Scores
///   are read as the Rust library's JSON parser reads them (`SerdeFloat`), so that sums tie
///   exactly where they tie there.
/// Without `unk_id`, an unknown piece (which the Rust library would fail on) is dropped.
public struct Unigram: TokenizerModel {
    let pieces: [String]
    let scores: [Double]
    let ids: [String: Int32]
    let trie: ByteTrie
    /// `unk_id`, when the file sets one.
    public let unkId: Int32?
    /// `byte_fallback`.
    public let byteFallback: Bool
    let unknownScore: Double
    let cache = BPECache()

    public init(config: ComponentConfig) throws {
        let list = try config.array("vocab")
        var pieces: [String] = []
        var scores: [Double] = []
        var ids: [String: Int32] = [:]
        pieces.reserveCapacity(list.count)
        scores.reserveCapacity(list.count)
        guard list.count < Int(Int32.max) else { throw config.fieldError("vocab", "fewer than 2^31 pieces") }
        var minimum = Double.infinity
        var trie = ByteTrie()
        for (index, entry) in list.enumerated() {
            guard case let .array(pair) = entry, pair.count == 2, case let .string(piece) = pair[0],
                  case let .number(score) = pair[1], score.isFinite else {
                throw config.fieldError("vocab[\(index)]", "a [\"piece\", finite score] pair")
            }
            pieces.append(piece)
            scores.append(SerdeFloat.reparse(score))
            ids[piece] = Int32(index)
            minimum = min(minimum, scores[index])
            trie.insert(Array(piece.utf8))
        }
        self.pieces = pieces
        self.scores = scores
        self.ids = ids
        self.trie = trie
        unknownScore = minimum - 10
        byteFallback = try config.bool("byte_fallback", default: false)
        switch config.fields["unk_id"] {
        case nil, .null?: unkId = nil
        case let value?:
            guard let id = value.tokenId, Int(id) < pieces.count else {
                throw config.configurationError("unk_id must be the index of a vocabulary piece (0..<\(pieces.count))")
            }
            unkId = id
        }
    }

    public func tokenize(_ word: [Unicode.Scalar], into ids: inout [Int32]) {
        let key = word.string
        if let cached = cache.lookup(key) {
            ids.append(contentsOf: cached)
            return
        }
        let result = tokens(of: key).map(\.id)
        cache.store(key, result)
        ids.append(contentsOf: result)
    }

    /// The ids of `word` with the token strings the Python library reports: the piece, the
    /// `<0xXX>` name of a byte-fallback token, or the covered text for an unknown piece.
    func tokens(of word: String) -> [(id: Int32, text: String)] {
        var result: [(id: Int32, text: String)] = []
        for piece in bestPieces(Array(word.utf8)) {
            if let id = ids[piece] {
                result.append((id, piece))
            } else if byteFallback, let bytes = byteFallbackIds(piece) {
                for (id, byte) in zip(bytes, piece.utf8) { result.append((id, byteTokenName(byte))) }
            } else if let unkId {
                result.append((unkId, piece))
            }
        }
        return result
    }

    /// The Viterbi segmentation of `bytes` (valid UTF-8) into piece strings, unknown runs fused.
    private func bestPieces(_ bytes: [UInt8]) -> [String] {
        let size = bytes.count
        guard size > 0 else { return [] }
        var bestScore = [Double](repeating: 0, count: size + 1)
        var bestStart = [Int](repeating: -1, count: size + 1)
        var bestIsUnknown = [Bool](repeating: false, count: size + 1)
        var start = 0
        while start < size {
            let scoreHere = bestScore[start]
            let scalarLength = Self.utf8Length(bytes[start])
            var hasSingle = false
            trie.forEachPrefix(of: bytes, from: start) { end, pieceId in
                let candidate = scores[pieceId] + scoreHere
                if bestStart[end] < 0 || candidate > bestScore[end] {
                    bestScore[end] = candidate
                    bestStart[end] = start
                    bestIsUnknown[end] = unkId.map { Int($0) == pieceId } ?? false
                }
                if end - start == scalarLength { hasSingle = true }
            }
            let end = min(size, start + scalarLength)
            if !hasSingle {
                let candidate = unknownScore + scoreHere
                if bestStart[end] < 0 || candidate > bestScore[end] {
                    bestScore[end] = candidate
                    bestStart[end] = start
                    bestIsUnknown[end] = true
                }
            }
            start = end
        }
        var pieces: [String] = []
        var unknownRun: [UInt8] = []
        var end = size
        while end > 0 {
            let start = bestStart[end]
            guard start >= 0 else { break }
            let piece = bytes[start..<end]
            if bestIsUnknown[end] {
                unknownRun.insert(contentsOf: piece, at: 0)
            } else {
                if !unknownRun.isEmpty {
                    pieces.append(String(decoding: unknownRun, as: UTF8.self))
                    unknownRun.removeAll()
                }
                pieces.append(String(decoding: piece, as: UTF8.self))
            }
            end = start
        }
        if !unknownRun.isEmpty { pieces.append(String(decoding: unknownRun, as: UTF8.self)) }
        return pieces.reversed()
    }

    /// Byte count of the UTF-8 sequence a lead byte starts.
    @inline(__always)
    private static func utf8Length(_ lead: UInt8) -> Int {
        if lead < 0xC0 { return 1 }
        if lead < 0xE0 { return 2 }
        if lead < 0xF0 { return 3 }
        return 4
    }

    private func byteFallbackIds(_ piece: String) -> [Int32]? {
        var result: [Int32] = []
        for byte in piece.utf8 {
            guard let id = ids[byteTokenName(byte)] else { return nil }
            result.append(id)
        }
        return result
    }

    public func id(forToken token: String) -> Int32? { ids[token] }

    public func token(forId id: Int32) -> String? {
        id >= 0 && Int(id) < pieces.count ? pieces[Int(id)] : nil
    }

    public var vocabularySize: Int { pieces.count }
}

/// `<0xAB>`: the name of a byte-fallback token (two uppercase hex digits).
func byteTokenName(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF".unicodeScalars)
    var name = "<0x"
    name.unicodeScalars.append(digits[Int(byte >> 4)])
    name.unicodeScalars.append(digits[Int(byte & 0xF)])
    return name + ">"
}

/// A byte trie of the vocabulary pieces: node n's child for byte b is `children[n << 8 | b]`.
struct ByteTrie: Sendable {
    private var children: [Int: Int32] = [:]
    /// The piece id ending at each node (last insertion wins), or -1.
    private var terminal: [Int32] = [-1]

    mutating func insert(_ bytes: [UInt8]) {
        var node = 0
        for byte in bytes {
            let key = node << 8 | Int(byte)
            if let child = children[key] {
                node = Int(child)
            } else {
                terminal.append(-1)
                let child = terminal.count - 1
                children[key] = Int32(child)
                node = child
            }
        }
        // The id is the number of pieces inserted so far; callers insert in id order.
        if !bytes.isEmpty { terminal[node] = Int32(insertions) }
        insertions += 1
    }

    private var insertions = 0

    /// Calls `body(end, pieceId)` for every piece that is a prefix of `bytes[start...]`,
    /// shortest first.
    func forEachPrefix(of bytes: [UInt8], from start: Int, _ body: (Int, Int) -> Void) {
        var node = 0
        var index = start
        while index < bytes.count, let child = children[node << 8 | Int(bytes[index])] {
            node = Int(child)
            index += 1
            let id = terminal[node]
            if id >= 0 { body(index, Int(id)) }
        }
    }
}
