/// Removes combining marks (general categories Mn, Mc, Me) without decomposing first
/// (`StripAccents` normalizer; published files put an `NFD` before it in a `Sequence`).
public struct StripAccents: Normalizer {
    public init(config: ComponentConfig) throws {}

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.filter { scalar in
            guard scalar.value >= 0x300 else { return true }
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: return false
            default: return true
            }
        }
    }
}
