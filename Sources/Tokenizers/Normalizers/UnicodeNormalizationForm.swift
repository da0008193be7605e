import Foundation

/// The Unicode normalization forms `NFC`, `NFD`, `NFKC` and `NFKD` (UAX #15), via Foundation.
/// ASCII text is returned unchanged without conversion, since every form leaves it as it is.
public struct UnicodeNormalizationForm: Normalizer {
    /// Which of the four forms.
    public enum Form: String, Sendable { case nfc = "NFC", nfd = "NFD", nfkc = "NFKC", nfkd = "NFKD" }

    /// Which form this normalizer applies.
    public let form: Form

    public init(config: ComponentConfig) throws {
        let type = try config.type
        guard let form = Form(rawValue: type) else {
            throw TokenizerError.unsupportedType(source: config.source, component: config.component, type: type)
        }
        self.form = form
    }

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        Self.apply(form, to: text)
    }

    /// `text` in normalization form `form`.
    static func apply(_ form: Form, to text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if text.isASCII { return text }
        let string = text.string
        let normalized: String
        switch form {
        case .nfc: normalized = string.precomposedStringWithCanonicalMapping
        case .nfd: normalized = string.decomposedStringWithCanonicalMapping
        case .nfkc: normalized = string.precomposedStringWithCompatibilityMapping
        case .nfkd: normalized = string.decomposedStringWithCompatibilityMapping
        }
        return Array(normalized.unicodeScalars)
    }
}
