/// Hand-written matchers for the `Split` patterns of published files, giving exactly the matches
/// `TokenizerRegex` gives for the same pattern (checked on the corpus and on random text by
/// the tests) at a few times its speed:
///
/// - GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
/// - Llama 3: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|`
///   ` ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
/// - Qwen2: the Llama 3 pattern with `\p{N}` instead of `\p{N}{1,3}`.
///
/// In all three every scalar starts some alternative, so the matches tile the text.
enum KnownSplitPattern: Sendable {
    case gpt2, llama3, qwen2

    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The matcher for `pattern`, when it is one of the known patterns verbatim.
    init?(_ pattern: String) {
        switch pattern {
        case Self.gpt2Pattern: self = .gpt2
        case Self.llama3Pattern: self = .llama3
        case Self.qwen2Pattern: self = .qwen2
        default: return nil
        }
    }

    /// `TokenizerRegex.findMatches` for this pattern.
    func findMatches(in text: [Unicode.Scalar]) -> [(range: Range<Int>, isMatch: Bool)] {
        if text.isEmpty { return [(0..<0, false)] }
        var pieces: [(range: Range<Int>, isMatch: Bool)] = []
        var start = 0
        while start < text.count {
            let end: Int
            switch self {
            case .gpt2: end = ByteLevelPreTokenizer.nextMatchEnd(text, from: start)
            case .llama3: end = Self.llamaMatchEnd(text, from: start, maxDigits: 3)
            case .qwen2: end = Self.llamaMatchEnd(text, from: start, maxDigits: 1)
            }
            pieces.append((start..<end, true))
            start = end
        }
        return pieces
    }

    /// The end of the Llama 3 / Qwen2 match at `start`, alternative by alternative.
    static func llamaMatchEnd(_ text: [Unicode.Scalar], from start: Int, maxDigits: Int) -> Int {
        let count = text.count
        let first = text[start]
        // (?i:'s|'t|'re|'ve|'m|'ll|'d), with Unicode simple case folding (so 'ſ matches 's).
        if first == "'" && start + 1 < count {
            let second = RegexCaseFold.fold(text[start + 1].value)
            if second == 0x73 || second == 0x74 || second == 0x6D || second == 0x64 { return start + 2 }
            if start + 2 < count {
                let third = RegexCaseFold.fold(text[start + 2].value)
                if (second == 0x72 && third == 0x65) || (second == 0x76 && third == 0x65) || (second == 0x6C && third == 0x6C) {
                    return start + 3
                }
            }
        }
        let firstIsLetter = UnicodeClasses.isLetter(first)
        let firstIsNumber = !firstIsLetter && UnicodeClasses.isNumber(first)
        // [^\r\n\p{L}\p{N}]?\p{L}+
        var letters = start
        if !firstIsLetter && !firstIsNumber && first != "\r" && first != "\n" { letters += 1 }
        if letters < count && UnicodeClasses.isLetter(text[letters]) {
            var end = letters + 1
            while end < count && UnicodeClasses.isLetter(text[end]) { end += 1 }
            return end
        }
        // \p{N}{1,3} (Llama 3) or \p{N} (Qwen2)
        if firstIsNumber {
            var end = start + 1
            while end < count && end - start < maxDigits && UnicodeClasses.isNumber(text[end]) { end += 1 }
            return end
        }
        //  ?[^\s\p{L}\p{N}]+[\r\n]*
        let body = first == " " ? start + 1 : start
        if body < count && isOther(text[body]) {
            var end = body + 1
            while end < count && isOther(text[end]) { end += 1 }
            while end < count && (text[end] == "\r" || text[end] == "\n") { end += 1 }
            return end
        }
        // Whitespace from here on (every other scalar matched above).
        var runEnd = start
        var lastNewline = -1
        while runEnd < count && UnicodeClasses.isWhitespace(text[runEnd]) {
            if text[runEnd] == "\r" || text[runEnd] == "\n" { lastNewline = runEnd }
            runEnd += 1
        }
        // \s*[\r\n]+: the greedy \s* gives back scalars until the last newline of the run.
        if lastNewline >= 0 { return lastNewline + 1 }
        // \s+(?!\S): the whole run at the end of the text, else all but its last scalar.
        if runEnd == count { return runEnd }
        if runEnd - start >= 2 { return runEnd - 1 }
        // \s+
        return runEnd
    }

    /// `[^\s\p{L}\p{N}]`.
    @inline(__always)
    private static func isOther(_ scalar: Unicode.Scalar) -> Bool {
        !UnicodeClasses.isWhitespace(scalar) && !UnicodeClasses.isLetter(scalar) && !UnicodeClasses.isNumber(scalar)
    }
}
