/// How the pieces a pattern matched join the text around them, as in the Rust library's
/// `SplitDelimiterBehavior` (used by `Split`, and by `Metaspace` with `MergedWithNext`).
public enum SplitDelimiterBehavior: String, Sendable {
    case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"

    /// Reads `config[field]`; the error lists the accepted names.
    init(config: ComponentConfig, field: String) throws {
        guard let behavior = Self(rawValue: try config.string(field)) else {
            throw config.fieldError(field, "one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous")
        }
        self = behavior
    }

    /// The ranges to keep, from the consecutive `(range, isMatch)` pieces that cover a text:
    /// `Isolated` keeps every piece, `Removed` drops the matches, `MergedWithPrevious` /
    /// `MergedWithNext` glue a match to the non-match before / after it, `Contiguous` glues
    /// consecutive matches. Empty ranges may remain; callers drop them.
    func apply(_ pieces: [(range: Range<Int>, isMatch: Bool)]) -> [Range<Int>] {
        switch self {
        case .isolated:
            return pieces.map(\.range)
        case .removed:
            return pieces.filter { !$0.isMatch }.map(\.range)
        case .contiguous, .mergedWithPrevious:
            var result: [Range<Int>] = []
            var previousMatch = false
            for piece in pieces {
                let glue = self == .contiguous ? piece.isMatch == previousMatch : piece.isMatch && !previousMatch
                if glue, let last = result.last {
                    result[result.count - 1] = last.lowerBound..<piece.range.upperBound
                } else {
                    result.append(piece.range)
                }
                previousMatch = piece.isMatch
            }
            return result
        case .mergedWithNext:
            var result: [Range<Int>] = []
            var previousMatch = false
            for piece in pieces.reversed() {
                if piece.isMatch && !previousMatch, let last = result.last {
                    result[result.count - 1] = piece.range.lowerBound..<last.upperBound
                } else {
                    result.append(piece.range)
                }
                previousMatch = piece.isMatch
            }
            return result.reversed()
        }
    }
}
