/// `Split` pre-tokenizer: find the matches of `pattern` (`{"String": …}` literal or
/// `{"Regex": …}` in Oniguruma syntax), flip them with `invert`, then cut the text according to
/// `behavior`. GPT-2, Llama 3 and Qwen2 files use it with `Isolated` ahead of
/// `ByteLevel(use_regex: false)`.
///
/// Known patterns get a hand-written matcher with identical results (see `KnownSplitPattern`);
/// any other pattern runs on `TokenizerRegex`, and one it cannot express is a load error naming
/// the pattern.
public struct SplitPreTokenizer: PreTokenizer {
    /// The pattern text as written in the file.
    public let pattern: String
    /// Whether `pattern` is a regular expression (`Regex`) or a literal (`String`).
    public let isRegex: Bool
    /// `behavior`.
    public let behavior: SplitDelimiterBehavior
    /// `invert`: the matches are the kept words and the rest are the delimiters.
    public let invert: Bool
    let regex: TokenizerRegex
    let known: KnownSplitPattern?

    public init(config: ComponentConfig) throws {
        (pattern, isRegex, regex) = try readPattern(config)
        behavior = try SplitDelimiterBehavior(config: config, field: "behavior")
        invert = try config.bool("invert", default: false)
        known = isRegex ? KnownSplitPattern(pattern) : nil
    }

    public func preTokenize(_ text: [Unicode.Scalar], into words: inout [[Unicode.Scalar]]) {
        var pieces = known.map { $0.findMatches(in: text) } ?? regex.findMatches(in: text)
        if invert {
            for index in pieces.indices { pieces[index].isMatch.toggle() }
        }
        for range in behavior.apply(pieces) where !range.isEmpty {
            words.append(Array(text[range]))
        }
    }
}

/// Reads a `pattern` object, `{"String": literal}` or `{"Regex": pattern}`, into a compiled
/// regular expression; an unsupported regex is an `invalidConfiguration` naming it.
func readPattern(_ config: ComponentConfig) throws -> (text: String, isRegex: Bool, regex: TokenizerRegex) {
    let object = try config.object("pattern")
    if case let .string(literal)? = object["String"] {
        return (literal, false, TokenizerRegex(literal: literal))
    }
    guard case let .string(source)? = object["Regex"] else {
        throw config.fieldError("pattern", "{\"String\": …} or {\"Regex\": …}")
    }
    do {
        return (source, true, try TokenizerRegex(pattern: source))
    } catch let error as RegexSyntaxError {
        throw config.configurationError("the regular expression \(source.debugDescription) cannot be used: \(error.message)")
    }
}
