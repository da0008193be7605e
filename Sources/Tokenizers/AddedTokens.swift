/// One entry of `tokenizer.json` → `added_tokens`.
public struct AddedToken: Sendable, Equatable {
    /// The token's id.
    public let id: Int32
    /// The literal text of the token (non-empty).
    public let content: String
    /// Special tokens (`[CLS]`, `<s>`, …) are dropped by `decode(_:skipSpecialTokens: true)`.
    public let special: Bool
    /// Match only when not inside a word (no `\w` character right before or after).
    public let singleWord: Bool
    /// Swallow the whitespace on the left of a match.
    public let lstrip: Bool
    /// Swallow the whitespace on the right of a match.
    public let rstrip: Bool
    /// Match against the normalized text (true) or the raw input (false).
    public let normalized: Bool

    init(config: ComponentConfig) throws {
        guard let id = config.fields["id"]?.tokenId else { throw config.fieldError("id", "a non-negative integer id") }
        self.id = id
        content = try config.string("content")
        guard !content.isEmpty else { throw config.fieldError("content", "a non-empty string") }
        special = try config.bool("special", default: false)
        singleWord = try config.bool("single_word", default: false)
        lstrip = try config.bool("lstrip", default: false)
        rstrip = try config.bool("rstrip", default: false)
        normalized = try config.bool("normalized", default: !special)
    }
}

/// A piece of input after added-token extraction: plain text still to tokenize, or a token id.
enum Segment {
    case text([Unicode.Scalar])
    /// An added token and the text it matched (with any whitespace `lstrip`/`rstrip` took).
    case token(Int32, matched: [Unicode.Scalar])
}

/// Finds added tokens in text the way the Rust library's Aho-Corasick automaton does
/// (leftmost-longest, non-overlapping), then applies `single_word`, `lstrip` and `rstrip`.
struct AddedTokenMatcher: Sendable {
    /// Pattern scalars and token, grouped by first scalar, longest pattern first.
    private let patternsByFirst: [Unicode.Scalar: [([Unicode.Scalar], AddedToken)]]
    /// `asciiFirst[b]`: some pattern starts with ASCII scalar b (skips the dictionary lookup
    /// for the common case of ASCII text without added tokens).
    private let asciiFirst: [Bool]
    private let hasNonASCIIFirst: Bool

    init(_ patterns: [([Unicode.Scalar], AddedToken)]) {
        var grouped: [Unicode.Scalar: [([Unicode.Scalar], AddedToken)]] = [:]
        for pattern in patterns {
            guard let first = pattern.0.first else { continue }
            grouped[first, default: []].append(pattern)
        }
        patternsByFirst = grouped.mapValues { $0.sorted { $0.0.count > $1.0.count } }
        var ascii = [Bool](repeating: false, count: 128)
        for first in grouped.keys where first.value < 128 { ascii[Int(first.value)] = true }
        asciiFirst = ascii
        hasNonASCIIFirst = grouped.keys.contains { $0.value >= 128 }
    }

    var isEmpty: Bool { patternsByFirst.isEmpty }

    /// The longest pattern starting at `position`, if any.
    private func longestMatch(in text: [Unicode.Scalar], at position: Int) -> (end: Int, token: AddedToken)? {
        let first = text[position]
        if first.value < 128 ? !asciiFirst[Int(first.value)] : !hasNonASCIIFirst { return nil }
        guard let candidates = patternsByFirst[first] else { return nil }
        for (pattern, token) in candidates where position + pattern.count <= text.count {
            if text[position..<(position + pattern.count)].elementsEqual(pattern) {
                return (position + pattern.count, token)
            }
        }
        return nil
    }

    /// Splits `text` into plain pieces and added tokens. Empty plain pieces are dropped.
    func split(_ text: [Unicode.Scalar], into segments: inout [Segment]) {
        if isEmpty {
            if !text.isEmpty { segments.append(.text(text)) }
            return
        }
        var emitted = 0
        var position = 0
        while position < text.count {
            guard let match = longestMatch(in: text, at: position) else {
                position += 1
                continue
            }
            var start = position
            var stop = match.end
            let token = match.token
            position = match.end
            if token.singleWord {
                let wordBefore = start > 0 && UnicodeClasses.isWordCharacter(text[start - 1])
                let wordAfter = stop < text.count && UnicodeClasses.isWordCharacter(text[stop])
                if wordBefore || wordAfter { continue }
            }
            if token.lstrip {
                while start > emitted && UnicodeClasses.isWhitespace(text[start - 1]) { start -= 1 }
            }
            if token.rstrip {
                while stop < text.count && UnicodeClasses.isWhitespace(text[stop]) { stop += 1 }
                position = stop
            }
            if start > emitted { segments.append(.text(Array(text[emitted..<start]))) }
            segments.append(.token(token.id, matched: Array(text[start..<stop])))
            emitted = stop
        }
        if emitted < text.count { segments.append(.text(Array(text[emitted...]))) }
    }
}

/// The added vocabulary: every added token by content and id, plus the two matchers used while
/// encoding (raw-text tokens first, then normalized tokens inside the normalized pieces).
struct AddedVocabulary: Sendable {
    let tokens: [AddedToken]
    let idsByContent: [String: Int32]
    let tokensById: [Int32: AddedToken]
    let rawMatcher: AddedTokenMatcher
    let normalizedMatcher: AddedTokenMatcher

    init(tokens: [AddedToken], normalizer: (any Normalizer)?) {
        self.tokens = tokens
        var idsByContent: [String: Int32] = [:]
        var tokensById: [Int32: AddedToken] = [:]
        for token in tokens {
            idsByContent[token.content] = token.id
            tokensById[token.id] = token
        }
        self.idsByContent = idsByContent
        self.tokensById = tokensById
        rawMatcher = AddedTokenMatcher(tokens.filter { !$0.normalized }.map { (Array($0.content.unicodeScalars), $0) })
        normalizedMatcher = AddedTokenMatcher(tokens.filter(\.normalized).map { token in
            let scalars = Array(token.content.unicodeScalars)
            return (normalizer?.normalize(scalars) ?? scalars, token)
        })
    }
}
