/// The JSON object of one tokenizer component (`normalizer`, `model`, …) with typed accessors
/// whose errors name the file, the component path and the field.
public struct ComponentConfig: Sendable {
    /// The component's fields.
    public let fields: [String: JSONValue]
    /// Where the component sits in the file, e.g. `"normalizer.normalizers[0]"`.
    public let component: String
    /// The file (or other source label) the configuration was read from.
    public let source: String

    /// Wraps `value`, which must be a JSON object.
    public init(_ value: JSONValue, component: String, source: String) throws {
        guard case let .object(fields) = value else {
            throw TokenizerError.invalidField(
                source: source, component: component, field: "(self)",
                expected: "an object, not \(value.typeName)")
        }
        self.fields = fields
        self.component = component
        self.source = source
    }

    /// The `"type"` field, which selects the implementation.
    public var type: String {
        get throws { try string("type") }
    }

    /// A nested component, e.g. one element of a `Sequence`.
    public func child(_ value: JSONValue, path: String) throws -> ComponentConfig {
        try ComponentConfig(value, component: "\(component).\(path)", source: source)
    }

    func fieldError(_ field: String, _ expected: String) -> TokenizerError {
        .invalidField(source: source, component: component, field: field, expected: expected)
    }

    func configurationError(_ reason: String) -> TokenizerError {
        .invalidConfiguration(source: source, component: component, reason: reason)
    }

    /// A required string field.
    public func string(_ field: String) throws -> String {
        guard case let .string(value)? = fields[field] else { throw fieldError(field, "a string") }
        return value
    }

    /// An optional string field: absent and `null` both give `nil`.
    public func optionalString(_ field: String) throws -> String? {
        switch fields[field] {
        case nil, .null?: return nil
        case let .string(value)?: return value
        default: throw fieldError(field, "a string or null")
        }
    }

    /// A boolean field; absent gives `defaultValue`.
    public func bool(_ field: String, default defaultValue: Bool) throws -> Bool {
        switch fields[field] {
        case nil: return defaultValue
        case let .bool(value)?: return value
        default: throw fieldError(field, "a boolean")
        }
    }

    /// An optional boolean field: absent and `null` both give `nil`.
    public func optionalBool(_ field: String) throws -> Bool? {
        switch fields[field] {
        case nil, .null?: return nil
        case let .bool(value)?: return value
        default: throw fieldError(field, "a boolean or null")
        }
    }

    /// A non-negative integer field; absent gives `defaultValue`.
    public func int(_ field: String, default defaultValue: Int) throws -> Int {
        switch fields[field] {
        case nil: return defaultValue
        case let .number(value)?:
            guard let exact = Int(exactly: value), exact >= 0 else {
                throw fieldError(field, "a non-negative integer")
            }
            return exact
        default: throw fieldError(field, "a non-negative integer")
        }
    }

    /// An optional number field: absent and `null` both give `nil`.
    public func optionalNumber(_ field: String) throws -> Double? {
        switch fields[field] {
        case nil, .null?: return nil
        case let .number(value)?: return value
        default: throw fieldError(field, "a number or null")
        }
    }

    /// A required array field.
    public func array(_ field: String) throws -> [JSONValue] {
        guard case let .array(value)? = fields[field] else { throw fieldError(field, "an array") }
        return value
    }

    /// A required object field.
    public func object(_ field: String) throws -> [String: JSONValue] {
        guard case let .object(value)? = fields[field] else { throw fieldError(field, "an object") }
        return value
    }
}

extension JSONValue {
    /// The value as a token id (an integer in the Int32 range), if it is one.
    var tokenId: Int32? {
        guard case let .number(value) = self, let id = Int32(exactly: value), id >= 0 else { return nil }
        return id
    }
}
