/// A normalizer rewrites the text before it is split into words (`tokenizer.json` → `normalizer`).
///
/// Normalizers work on Unicode scalars, like the Rust library works on `char`s. They are applied
/// to each piece of text left between added tokens, never across an added token.
public protocol Normalizer: Sendable {
    /// Reads the component's fields; throws `TokenizerError` on a missing or malformed field.
    init(config: ComponentConfig) throws
    /// The normalized form of `text`.
    func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar]
}

/// Builds the normalizer named by `config.type`; an unknown type is a thrown
/// `TokenizerError.unsupportedType` naming the component and the file.
func makeNormalizer(_ config: ComponentConfig) throws -> any Normalizer {
    switch try config.type {
    case "BertNormalizer": return try BertNormalizer(config: config)
    case "NFC": return try UnicodeNormalizationForm(config: config)
    case "NFD": return try UnicodeNormalizationForm(config: config)
    case "NFKC": return try UnicodeNormalizationForm(config: config)
    case "NFKD": return try UnicodeNormalizationForm(config: config)
    case "Lowercase": return try Lowercase(config: config)
    case "StripAccents": return try StripAccents(config: config)
    case "Strip": return try Strip(config: config)
    case "Replace": return try Replace(config: config)
    case "Sequence": return try NormalizerSequence(config: config)
    case "Prepend": return try Prepend(config: config)
    case "Precompiled": return try PrecompiledNormalizer(config: config)
    case let other:
        throw TokenizerError.unsupportedType(source: config.source, component: config.component, type: other)
    }
}
