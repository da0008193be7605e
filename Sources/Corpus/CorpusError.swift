/// What can go wrong reading or packing a corpus; each case names the file.
public enum CorpusError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The corpus could not be read or decoded.
    case unreadable(path: String, reason: String)
    /// The corpus holds too few tokens for one window of `needed` ids.
    case tooShort(path: String, tokens: Int, needed: Int)
    /// The sequence length leaves no room for corpus ids next to the special tokens.
    case sequenceLengthTooSmall(length: Int, specialTokens: Int)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "corpus \(path): \(reason)"
        case .tooShort(let path, let tokens, let needed): return "corpus \(path): has \(tokens) tokens, one window needs \(needed)"
        case .sequenceLengthTooSmall(let length, let specials):
            return "sequence length \(length) leaves no room for text next to \(specials) special tokens"
        }
    }
}
