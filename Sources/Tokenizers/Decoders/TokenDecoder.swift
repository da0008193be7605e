/// A decoder turns token strings back into text (`tokenizer.json` → `decoder`).
///
/// As in the Rust library, decoders transform the list of tokens (`decodeChain`) and the
/// results are concatenated.
public protocol TokenDecoder: Sendable {
    /// Reads the component's fields; throws `TokenizerError` on a missing or malformed field.
    init(config: ComponentConfig) throws
    /// The transformed tokens.
    func decodeChain(_ tokens: [String]) -> [String]
}

/// Builds the decoder named by `config.type`; an unknown type is a thrown
/// `TokenizerError.unsupportedType` naming the component and the file.
func makeDecoder(_ config: ComponentConfig) throws -> any TokenDecoder {
    switch try config.type {
    case "WordPiece": return try WordPieceDecoder(config: config)
    case "ByteLevel": return try ByteLevelDecoder(config: config)
    case "Sequence": return try DecoderSequence(config: config)
    case "Metaspace": return try MetaspaceDecoder(config: config)
    case "Replace": return try ReplaceDecoder(config: config)
    case "ByteFallback": return try ByteFallbackDecoder(config: config)
    case "Fuse": return try FuseDecoder(config: config)
    case "Strip": return try StripDecoder(config: config)
    case let other:
        throw TokenizerError.unsupportedType(source: config.source, component: config.component, type: other)
    }
}

/// Applies the decoders of `decoders` in order (`Sequence` decoder).
public struct DecoderSequence: TokenDecoder {
    public let decoders: [any TokenDecoder]

    public init(config: ComponentConfig) throws {
        decoders = try config.array("decoders").enumerated().map { index, value in
            try makeDecoder(config.child(value, path: "decoders[\(index)]"))
        }
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        decoders.reduce(tokens) { $1.decodeChain($0) }
    }
}
