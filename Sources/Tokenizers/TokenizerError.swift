/// Everything that can go wrong while loading a `tokenizer.json`.
///
/// Every case names the file (`source`) and, where there is one, the component
/// (`"normalizer"`, `"pre_tokenizer.pretokenizers[1]"`, `"model"`, …), so a message read in a log
/// points at the exact place to fix. Encoding and decoding never throw: every input text has a
/// defined result once the tokenizer is loaded.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// The file does not exist or cannot be read.
    case unreadableFile(path: String, reason: String)
    /// The bytes are not valid JSON (or not a JSON object at the top level).
    case malformedJSON(source: String, reason: String)
    /// A required field is missing or has the wrong JSON type.
    case invalidField(source: String, component: String, field: String, expected: String)
    /// The component's `"type"` is not one this module implements.
    case unsupportedType(source: String, component: String, type: String)
    /// The component is well-formed JSON but its values are inconsistent
    /// (a vocabulary without the unk token it names, a merge of unknown tokens, …).
    case invalidConfiguration(source: String, component: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return "cannot read tokenizer file \(path): \(reason)"
        case let .malformedJSON(source, reason):
            return "\(source): malformed tokenizer JSON: \(reason)"
        case let .invalidField(source, component, field, expected):
            return "\(source): \(component).\(field) must be \(expected)"
        case let .unsupportedType(source, component, type):
            return "\(source): unsupported \(component) type \"\(type)\""
        case let .invalidConfiguration(source, component, reason):
            return "\(source): invalid \(component): \(reason)"
        }
    }
}
