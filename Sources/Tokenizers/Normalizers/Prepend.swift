/// Puts `prepend` in front of a non-empty text (`Prepend` normalizer; Llama 2 and Mistral
/// files prepend `▁`). Like every normalizer it runs on each piece between added tokens.
public struct Prepend: Normalizer {
    /// The text put in front.
    public let prepend: [Unicode.Scalar]

    public init(config: ComponentConfig) throws {
        prepend = Array(try config.string("prepend").unicodeScalars)
    }

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.isEmpty ? text : prepend + text
    }
}
