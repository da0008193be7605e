/// Character classes used by the Hugging Face `tokenizers` components, on Unicode scalars.
///
/// Each predicate has an ASCII fast path (the corpus is mostly ASCII) and otherwise asks the
/// standard library's Unicode tables. The Rust library uses its own (sometimes older) Unicode
/// tables, so characters assigned in recent Unicode versions may classify differently; the
/// parity fixtures cover the characters that matter in practice.
enum UnicodeClasses {
    /// Rust `char::is_whitespace`: the Unicode `White_Space` property (also Oniguruma's `\s`).
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        return scalar.properties.isWhitespace
    }

    /// BERT's control characters: general category Other (Cc, Cf, Co, Cs), except tab, LF and CR,
    /// which count as whitespace. Unassigned code points (Cn) are kept, as in the Rust library.
    @inline(__always)
    static func isBertControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            if value == 0x09 || value == 0x0A || value == 0x0D { return false }
            return value < 0x20 || value == 0x7F
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// The CJK ideograph blocks BERT surrounds with spaces (`is_chinese_char`).
    @inline(__always)
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// BERT punctuation: any ASCII punctuation or symbol (`!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~`) or
    /// a Unicode punctuation category (Pc, Pd, Pe, Pf, Pi, Po, Ps).
    @inline(__always)
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value >= 0x21 && value <= 0x2F) || (value >= 0x3A && value <= 0x40)
                || (value >= 0x5B && value <= 0x60) || (value >= 0x7B && value <= 0x7E)
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .closePunctuation, .finalPunctuation,
             .initialPunctuation, .otherPunctuation, .openPunctuation:
            return true
        default:
            return false
        }
    }

    /// `\p{L}`: any letter category.
    @inline(__always)
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return (value | 0x20) >= 0x61 && (value | 0x20) <= 0x7A }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return false
        }
    }

    /// `\p{N}`: any number category.
    @inline(__always)
    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value >= 0x30 && value <= 0x39 }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// Rust regex `\w` (Unicode): Alphabetic, marks, decimal digits, connector punctuation and
    /// join controls.
    @inline(__always)
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return (value | 0x20) >= 0x61 && (value | 0x20) <= 0x7A
                || (value >= 0x30 && value <= 0x39) || value == 0x5F
        }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return true
        default:
            return false
        }
    }

    /// Nonspacing mark (Mn), what BERT's accent stripping removes after NFD.
    @inline(__always)
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x300 && scalar.properties.generalCategory == .nonspacingMark
    }

    /// Full (unconditional) lowercase mapping of one scalar, appended to `output`.
    @inline(__always)
    static func appendLowercased(_ scalar: Unicode.Scalar, to output: inout [Unicode.Scalar]) {
        let value = scalar.value
        if value < 0x80 {
            output.append(value >= 0x41 && value <= 0x5A ? Unicode.Scalar(UInt8(value + 0x20)) : scalar)
            return
        }
        let mapping = scalar.properties.lowercaseMapping
        output.append(contentsOf: mapping.unicodeScalars)
    }
}

extension Unicode.Scalar {
    /// Calls `body` with each UTF-8 byte of the scalar, in order.
    @inline(__always)
    func forEachUTF8Byte(_ body: (UInt8) -> Void) {
        let value = self.value
        if value < 0x80 {
            body(UInt8(value))
        } else if value < 0x800 {
            body(UInt8(0xC0 | (value >> 6)))
            body(UInt8(0x80 | (value & 0x3F)))
        } else if value < 0x10000 {
            body(UInt8(0xE0 | (value >> 12)))
            body(UInt8(0x80 | ((value >> 6) & 0x3F)))
            body(UInt8(0x80 | (value & 0x3F)))
        } else {
            body(UInt8(0xF0 | (value >> 18)))
            body(UInt8(0x80 | ((value >> 12) & 0x3F)))
            body(UInt8(0x80 | ((value >> 6) & 0x3F)))
            body(UInt8(0x80 | (value & 0x3F)))
        }
    }
}

extension Array where Element == Unicode.Scalar {
    /// True when every scalar is ASCII (so Unicode normalization forms leave the text unchanged).
    var isASCII: Bool {
        for scalar in self where scalar.value >= 0x80 { return false }
        return true
    }

    /// The scalars as a `String` (built from UTF-8, much faster than appending scalars).
    var string: String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(count)
        for scalar in self { scalar.forEachUTF8Byte { utf8.append($0) } }
        return String(decoding: utf8, as: UTF8.self)
    }
}

extension ArraySlice where Element == Unicode.Scalar {
    /// The scalars as a `String` (built from UTF-8, much faster than appending scalars).
    var string: String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(count)
        for scalar in self { scalar.forEachUTF8Byte { utf8.append($0) } }
        return String(decoding: utf8, as: UTF8.self)
    }
}
