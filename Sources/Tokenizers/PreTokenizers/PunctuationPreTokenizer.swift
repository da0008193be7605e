/// `Punctuation` pre-tokenizer: split around punctuation characters (as in `BertPreTokenizer`)
/// with the configured `behavior`.
///
/// Behaviors, for a punctuation character p between words: `Isolated` (default) makes p its own
/// word; `Removed` drops it; `MergedWithPrevious` appends it to the preceding word;
/// `MergedWithNext` prepends it to the following word; `Contiguous` groups runs of punctuation.
public struct PunctuationPreTokenizer: PreTokenizer {
    /// How a delimiter joins the surrounding words.
    public enum Behavior: String, Sendable {
        case removed = "Removed", isolated = "Isolated", mergedWithPrevious = "MergedWithPrevious"
        case mergedWithNext = "MergedWithNext", contiguous = "Contiguous"
    }

    /// `behavior` (default `Isolated`).
    public let behavior: Behavior

    public init(config: ComponentConfig) throws {
        let name = try config.optionalString("behavior") ?? "Isolated"
        guard let behavior = Behavior(rawValue: name) else {
            throw config.fieldError("behavior", "one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous")
        }
        self.behavior = behavior
    }

    public func preTokenize(_ text: [Unicode.Scalar], into words: inout [[Unicode.Scalar]]) {
        var start = 0
        var index = 0
        while index < text.count {
            guard UnicodeClasses.isPunctuation(text[index]) else {
                index += 1
                continue
            }
            var end = index + 1
            if behavior == .contiguous {
                while end < text.count && UnicodeClasses.isPunctuation(text[end]) { end += 1 }
            }
            switch behavior {
            case .removed:
                words.appendWord(text, start, index)
                start = end
            case .isolated, .contiguous:
                words.appendWord(text, start, index)
                words.appendWord(text, index, end)
                start = end
            case .mergedWithPrevious:
                words.appendWord(text, start, end)
                start = end
            case .mergedWithNext:
                words.appendWord(text, start, index)
                start = index
            }
            index = end
        }
        words.appendWord(text, start, text.count)
    }
}
