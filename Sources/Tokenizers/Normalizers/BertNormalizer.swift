/// BERT's normalizer: clean the text, space out CJK ideographs, strip accents, lowercase.
///
/// In this order, as the Rust library does:
/// 1. `clean_text`: drop U+0000, U+FFFD and control characters (Cc, Cf, Co, Cs except tab, LF,
///    CR); turn every whitespace character into U+0020;
/// 2. `handle_chinese_chars`: put U+0020 before and after every CJK ideograph;
/// 3. `strip_accents` (`null` means "same as `lowercase`"): NFD, then drop nonspacing marks (Mn);
/// 4. `lowercase`: full Unicode lowercase mapping of each scalar (no context-dependent rules,
///    so Σ → σ everywhere).
public struct BertNormalizer: Normalizer {
    /// `clean_text` (default true).
    public let cleanText: Bool
    /// `handle_chinese_chars` (default true).
    public let handleChineseChars: Bool
    /// `strip_accents`, with `null` resolved to `lowercase`.
    public let stripAccents: Bool
    /// `lowercase` (default true).
    public let lowercase: Bool

    public init(config: ComponentConfig) throws {
        cleanText = try config.bool("clean_text", default: true)
        handleChineseChars = try config.bool("handle_chinese_chars", default: true)
        lowercase = try config.bool("lowercase", default: true)
        stripAccents = try config.optionalBool("strip_accents") ?? lowercase
    }

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count + 8)
        for scalar in text {
            if cleanText {
                if scalar.value == 0 || scalar.value == 0xFFFD || UnicodeClasses.isBertControl(scalar) {
                    continue
                }
                if UnicodeClasses.isWhitespace(scalar) {
                    output.append(" ")
                    continue
                }
            }
            if handleChineseChars && UnicodeClasses.isChineseCharacter(scalar) {
                output.append(" ")
                output.append(scalar)
                output.append(" ")
            } else {
                output.append(scalar)
            }
        }
        if stripAccents && !output.isASCII {
            output = UnicodeNormalizationForm.apply(.nfd, to: output).filter {
                !UnicodeClasses.isNonspacingMark($0)
            }
        }
        if lowercase {
            var lowered: [Unicode.Scalar] = []
            lowered.reserveCapacity(output.count)
            for scalar in output { UnicodeClasses.appendLowercased(scalar, to: &lowered) }
            output = lowered
        }
        return output
    }
}
