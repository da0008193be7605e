/// The decoders of SentencePiece-style files (Llama 2, Mistral, XLM-R), each as in the Rust
/// library.

/// `Metaspace` decoder: every `replacement` becomes a space, except in the first token when
/// `prepend_scheme` is not `never` (there it is dropped: it stood for the prepended space).
public struct MetaspaceDecoder: TokenDecoder {
    public let replacement: Unicode.Scalar
    public let dropsInFirstToken: Bool

    public init(config: ComponentConfig) throws {
        let preTokenizer = try MetaspacePreTokenizer(config: config)
        replacement = preTokenizer.replacement
        dropsInFirstToken = preTokenizer.prependScheme != .never
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { index, token in
            var output = String.UnicodeScalarView()
            for scalar in token.unicodeScalars {
                if scalar != replacement {
                    output.append(scalar)
                } else if !(index == 0 && dropsInFirstToken) {
                    output.append(" ")
                }
            }
            return String(output)
        }
    }
}

/// `Replace` decoder: in each token, every match of `pattern` becomes `content`.
public struct ReplaceDecoder: TokenDecoder {
    let regex: TokenizerRegex
    public let content: String

    public init(config: ComponentConfig) throws {
        regex = try readPattern(config).regex
        content = try config.string("content")
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        let replacement = Array(content.unicodeScalars)
        return tokens.map { regex.replacingMatches(in: Array($0.unicodeScalars), with: replacement).string }
    }
}

/// `ByteFallback` decoder: runs of `<0xXX>` tokens become the text of their bytes; a run that
/// is not valid UTF-8 becomes one U+FFFD per byte.
public struct ByteFallbackDecoder: TokenDecoder {
    public init(config: ComponentConfig) throws {}

    public func decodeChain(_ tokens: [String]) -> [String] {
        var output: [String] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                output.append(text)
            } else {
                output.append(contentsOf: Array(repeating: "\u{FFFD}", count: pending.count))
            }
            pending.removeAll()
        }
        for token in tokens {
            if let byte = Self.byteValue(token) {
                pending.append(byte)
            } else {
                flush()
                output.append(token)
            }
        }
        flush()
        return output
    }

    /// The byte of a 6-byte `<0xXX>` token (Rust's `u8::from_str_radix` on the two digits,
    /// which also accepts a leading `+`).
    static func byteValue(_ token: String) -> UInt8? {
        let bytes = Array(token.utf8)
        guard bytes.count == 6, bytes[0] == 0x3C, bytes[1] == 0x30, bytes[2] == 0x78, bytes[5] == 0x3E else { return nil }
        let digits = String(decoding: bytes[3..<5], as: UTF8.self)
        if digits.hasPrefix("+") { return UInt8(digits.dropFirst(), radix: 16) }
        return UInt8(digits, radix: 16)
    }
}

/// `Fuse` decoder: all tokens joined into one.
public struct FuseDecoder: TokenDecoder {
    public init(config: ComponentConfig) throws {}

    public func decodeChain(_ tokens: [String]) -> [String] { [tokens.joined()] }
}

/// `Strip` decoder: removes up to `start` leading and `stop` trailing `content` scalars from
/// each token.
public struct StripDecoder: TokenDecoder {
    public let content: Unicode.Scalar
    public let start: Int
    public let stop: Int

    public init(config: ComponentConfig) throws {
        content = try readSingleScalar(config, "content")
        start = try config.int("start", default: 0)
        stop = try config.int("stop", default: 0)
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.map { token in
            let scalars = Array(token.unicodeScalars)
            var lower = 0
            while lower < min(start, scalars.count) && scalars[lower] == content { lower += 1 }
            var upper = scalars.count
            while scalars.count - upper < stop && upper > lower && scalars[upper - 1] == content { upper -= 1 }
            return scalars[lower..<upper].string
        }
    }
}
