/// Full Unicode lowercase mapping of every scalar (`Lowercase` normalizer).
public struct Lowercase: Normalizer {
    public init(config: ComponentConfig) throws {}

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        for scalar in text { UnicodeClasses.appendLowercased(scalar, to: &output) }
        return output
    }
}
