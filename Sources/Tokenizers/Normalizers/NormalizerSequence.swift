/// Applies the normalizers of `normalizers` in order (`Sequence` normalizer).
public struct NormalizerSequence: Normalizer {
    /// The normalizers, applied first to last.
    public let normalizers: [any Normalizer]

    public init(config: ComponentConfig) throws {
        normalizers = try config.array("normalizers").enumerated().map { index, value in
            try makeNormalizer(config.child(value, path: "normalizers[\(index)]"))
        }
    }

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        normalizers.reduce(text) { $1.normalize($0) }
    }
}
