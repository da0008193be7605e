/// Hand-written matchers for the split patterns of published tokenizers (placeholder).
struct KnownSplitPattern: Sendable {
    init?(_ pattern: String) { return nil }

    func findMatches(in text: [Unicode.Scalar]) -> [(range: Range<Int>, isMatch: Bool)] { [] }
}
