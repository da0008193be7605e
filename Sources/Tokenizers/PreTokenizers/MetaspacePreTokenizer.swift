/// `Metaspace` pre-tokenizer (SentencePiece style): every U+0020 becomes `replacement` (`▁`),
/// `prepend_scheme` may put one `replacement` in front, and with `split` the text is cut before
/// every `replacement` (`MergedWithNext`), so each word starts with `▁`.
///
/// `prepend_scheme`: `always` prepends to every piece that does not already start with the
/// replacement, `first` only to the piece at the very start of the input (not after an added
/// token), `never` never. Old files write `add_prefix_space` instead (`false` means `never`).
public struct MetaspacePreTokenizer: PreTokenizer {
    public enum PrependScheme: String, Sendable { case always, first, never }

    /// `replacement` (one scalar, usually U+2581 `▁`).
    public let replacement: Unicode.Scalar
    /// `prepend_scheme` (default `always`).
    public let prependScheme: PrependScheme
    /// `split` (default true).
    public let split: Bool

    public init(config: ComponentConfig) throws {
        replacement = try readSingleScalar(config, "replacement")
        var scheme = PrependScheme.always
        if let name = try config.optionalString("prepend_scheme") {
            guard let parsed = PrependScheme(rawValue: name) else {
                throw config.fieldError("prepend_scheme", "one of always, first, never")
            }
            scheme = parsed
        }
        if try config.optionalBool("add_prefix_space") == false {
            guard scheme == .never || config.fields["prepend_scheme"] == nil else {
                throw config.configurationError("add_prefix_space false contradicts prepend_scheme \(scheme.rawValue)")
            }
            scheme = .never
        }
        prependScheme = scheme
        split = try config.optionalBool("split") ?? true
    }

    public func preTokenize(_ text: [Unicode.Scalar], into words: inout [[Unicode.Scalar]]) {
        preTokenize(text, atTextStart: true, into: &words)
    }

    public func preTokenize(_ text: [Unicode.Scalar], atTextStart: Bool, into words: inout [[Unicode.Scalar]]) {
        var replaced = text.map { $0 == " " ? replacement : $0 }
        let prepend: Bool
        switch prependScheme {
        case .always: prepend = true
        case .first: prepend = atTextStart
        case .never: prepend = false
        }
        if prepend && replaced.first != replacement { replaced.insert(replacement, at: 0) }
        guard split else {
            if !replaced.isEmpty { words.append(replaced) }
            return
        }
        var start = 0
        for index in replaced.indices where replaced[index] == replacement && index > start {
            words.append(Array(replaced[start..<index]))
            start = index
        }
        if start < replaced.count { words.append(Array(replaced[start...])) }
    }
}

/// A string field that must hold exactly one scalar (`replacement`, `content` of `Strip`).
func readSingleScalar(_ config: ComponentConfig, _ field: String) throws -> Unicode.Scalar {
    let value = try config.string(field)
    guard value.unicodeScalars.count == 1, let scalar = value.unicodeScalars.first else {
        throw config.fieldError(field, "a single character")
    }
    return scalar
}
