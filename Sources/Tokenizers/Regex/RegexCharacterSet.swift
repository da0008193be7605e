/// One matchable unit of a regular expression: a scalar, a scalar compared case-insensitively,
/// a bracketed or escaped class, or `.`.
enum RegexAtom: Sendable {
    case scalar(UInt32)
    /// Matches any scalar whose simple case fold equals the stored (already folded) value.
    case folded(UInt32)
    case set(RegexCharacterSet)
    /// `.`: any scalar but U+000A (Oniguruma's Ruby syntax, no multi-line option).
    case anyButNewline
    /// `.` under `(?m)`: any scalar.
    case any

    @inline(__always)
    func matches(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case let .scalar(value): return scalar.value == value
        case let .folded(value): return RegexCaseFold.fold(scalar.value) == value
        case let .set(set): return set.contains(scalar)
        case .anyButNewline: return scalar.value != 0x0A
        case .any: return true
        }
    }
}

/// A character class: `[...]`, `\s`, `\p{L}`, … as a 128-bit ASCII table plus the non-ASCII
/// members (ranges, general categories, the `White_Space` property), optionally negated and
/// case-insensitive.
///
/// Classes follow Oniguruma's Unicode definitions: `\s` is `White_Space`, `\d` is `Nd`, `\w` is
/// letters, marks, numbers and connector punctuation, `\h` is a hex digit (Ruby syntax).
struct RegexCharacterSet: Sendable {
    /// Bit b of `ascii.0` (b < 64) or `ascii.1` (b ≥ 64): ASCII scalar b is in the set, with
    /// negation and case folding already applied.
    private(set) var asciiLow: UInt64 = 0
    private(set) var asciiHigh: UInt64 = 0
    /// Non-ASCII members before negation.
    var ranges: [ClosedRange<UInt32>] = []
    /// Bit i: general category `RegexCharacterSet.categories[i]` is in the set.
    var categoryMask: UInt32 = 0
    /// `\s`: the `White_Space` property.
    var whitespace = false
    /// Members that are themselves negated classes (`[^\S]`, `\P{L}` inside brackets).
    var negatedMembers: [RegexCharacterSet] = []
    var negated = false
    var caseInsensitive = false

    /// Every Unicode general category, in a fixed order (bit positions of `categoryMask`).
    static let categories: [Unicode.GeneralCategory] = [
        .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
        .nonspacingMark, .spacingMark, .enclosingMark,
        .decimalNumber, .letterNumber, .otherNumber,
        .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
        .initialPunctuation, .finalPunctuation, .otherPunctuation,
        .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
        .spaceSeparator, .lineSeparator, .paragraphSeparator,
        .control, .format, .surrogate, .privateUse, .unassigned,
    ]

    /// Oniguruma property names (general categories, short and long forms) → category bits.
    static let propertyMasks: [String: UInt32] = {
        func bits(_ range: ClosedRange<Int>) -> UInt32 { range.reduce(0) { $0 | (1 << UInt32($1)) } }
        let short: [(String, UInt32)] = [
            ("l", bits(0...4)), ("lu", bits(0...0)), ("ll", bits(1...1)), ("lt", bits(2...2)),
            ("lm", bits(3...3)), ("lo", bits(4...4)), ("lc", bits(0...2)), ("l&", bits(0...2)),
            ("m", bits(5...7)), ("mn", bits(5...5)), ("mc", bits(6...6)), ("me", bits(7...7)),
            ("n", bits(8...10)), ("nd", bits(8...8)), ("nl", bits(9...9)), ("no", bits(10...10)),
            ("p", bits(11...17)), ("pc", bits(11...11)), ("pd", bits(12...12)), ("ps", bits(13...13)),
            ("pe", bits(14...14)), ("pi", bits(15...15)), ("pf", bits(16...16)), ("po", bits(17...17)),
            ("s", bits(18...21)), ("sm", bits(18...18)), ("sc", bits(19...19)), ("sk", bits(20...20)),
            ("so", bits(21...21)), ("z", bits(22...24)), ("zs", bits(22...22)), ("zl", bits(23...23)),
            ("zp", bits(24...24)), ("c", bits(25...29)), ("cc", bits(25...25)), ("cf", bits(26...26)),
            ("cs", bits(27...27)), ("co", bits(28...28)), ("cn", bits(29...29)),
            ("letter", bits(0...4)), ("uppercaseletter", bits(0...0)), ("lowercaseletter", bits(1...1)),
            ("titlecaseletter", bits(2...2)), ("modifierletter", bits(3...3)), ("otherletter", bits(4...4)),
            ("casedletter", bits(0...2)), ("mark", bits(5...7)), ("combiningmark", bits(5...7)),
            ("nonspacingmark", bits(5...5)), ("spacingmark", bits(6...6)), ("enclosingmark", bits(7...7)),
            ("number", bits(8...10)), ("decimalnumber", bits(8...8)), ("letternumber", bits(9...9)),
            ("othernumber", bits(10...10)), ("punctuation", bits(11...17)),
            ("connectorpunctuation", bits(11...11)), ("dashpunctuation", bits(12...12)),
            ("openpunctuation", bits(13...13)), ("closepunctuation", bits(14...14)),
            ("initialpunctuation", bits(15...15)), ("finalpunctuation", bits(16...16)),
            ("otherpunctuation", bits(17...17)), ("symbol", bits(18...21)), ("mathsymbol", bits(18...18)),
            ("currencysymbol", bits(19...19)), ("modifiersymbol", bits(20...20)), ("othersymbol", bits(21...21)),
            ("separator", bits(22...24)), ("spaceseparator", bits(22...22)), ("lineseparator", bits(23...23)),
            ("paragraphseparator", bits(24...24)), ("other", bits(25...29)), ("control", bits(25...25)),
            ("format", bits(26...26)), ("surrogate", bits(27...27)), ("privateuse", bits(28...28)),
            ("unassigned", bits(29...29)), ("any", bits(0...29)),
        ]
        return Dictionary(short, uniquingKeysWith: { first, _ in first })
    }()

    /// Bit position of a scalar's general category.
    @inline(__always)
    static func categoryBit(_ scalar: Unicode.Scalar) -> UInt32 {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter: return 1 << 0
        case .lowercaseLetter: return 1 << 1
        case .titlecaseLetter: return 1 << 2
        case .modifierLetter: return 1 << 3
        case .otherLetter: return 1 << 4
        case .nonspacingMark: return 1 << 5
        case .spacingMark: return 1 << 6
        case .enclosingMark: return 1 << 7
        case .decimalNumber: return 1 << 8
        case .letterNumber: return 1 << 9
        case .otherNumber: return 1 << 10
        case .connectorPunctuation: return 1 << 11
        case .dashPunctuation: return 1 << 12
        case .openPunctuation: return 1 << 13
        case .closePunctuation: return 1 << 14
        case .initialPunctuation: return 1 << 15
        case .finalPunctuation: return 1 << 16
        case .otherPunctuation: return 1 << 17
        case .mathSymbol: return 1 << 18
        case .currencySymbol: return 1 << 19
        case .modifierSymbol: return 1 << 20
        case .otherSymbol: return 1 << 21
        case .spaceSeparator: return 1 << 22
        case .lineSeparator: return 1 << 23
        case .paragraphSeparator: return 1 << 24
        case .control: return 1 << 25
        case .format: return 1 << 26
        case .surrogate: return 1 << 27
        case .privateUse: return 1 << 28
        case .unassigned: return 1 << 29
        @unknown default: return 1 << 29
        }
    }

    /// `\s`.
    static var whitespaceClass: RegexCharacterSet {
        var set = RegexCharacterSet()
        set.whitespace = true
        return set
    }

    /// `\d`: decimal numbers (Nd).
    static var digitClass: RegexCharacterSet {
        var set = RegexCharacterSet()
        set.categoryMask = 1 << 8
        return set
    }

    /// `\w`: letters, marks, numbers, connector punctuation.
    static var wordClass: RegexCharacterSet {
        var set = RegexCharacterSet()
        set.categoryMask = (propertyMasks["l"] ?? 0) | (propertyMasks["m"] ?? 0) | (propertyMasks["n"] ?? 0) | (1 << 11)
        return set
    }

    /// `\w` with its ASCII table filled (for `\b`).
    static let finishedWordClass: RegexCharacterSet = {
        var set = wordClass
        set.finish()
        return set
    }()

    /// `\h`: ASCII hex digits (Ruby syntax).
    static var hexClass: RegexCharacterSet {
        var set = RegexCharacterSet()
        set.ranges = [0x30...0x39, 0x41...0x46, 0x61...0x66]
        return set
    }

    /// Membership before negation, without the ASCII table (used to build it).
    private func rawContains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        for range in ranges where range.contains(value) { return true }
        if whitespace && UnicodeClasses.isWhitespace(scalar) { return true }
        if categoryMask != 0 && categoryMask & Self.categoryBit(scalar) != 0 { return true }
        for member in negatedMembers where member.contains(scalar) { return true }
        return false
    }

    private func rawContainsFolding(_ scalar: Unicode.Scalar) -> Bool {
        if rawContains(scalar) { return true }
        guard caseInsensitive else { return false }
        for variant in RegexCaseFold.variants(of: scalar) where rawContains(variant) { return true }
        return false
    }

    /// Fills the ASCII table; call once after the members are final.
    mutating func finish() {
        asciiLow = 0
        asciiHigh = 0
        for value in 0..<128 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if rawContainsFolding(scalar) != negated {
                if value < 64 { asciiLow |= 1 << UInt64(value) } else { asciiHigh |= 1 << UInt64(value - 64) }
            }
        }
    }

    @inline(__always)
    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 64 { return asciiLow & (1 << UInt64(value)) != 0 }
        if value < 128 { return asciiHigh & (1 << UInt64(value - 64)) != 0 }
        return rawContainsFolding(scalar) != negated
    }
}

/// Simple Unicode case folding, as Oniguruma applies it under `(?i)` for single scalars.
/// Oniguruma also folds across lengths (`(?i)ß` matches `ss`, `(?i)fi` matches `ﬁ`); that is not
/// reproduced. The published patterns only fold ASCII letters (`(?i:'s|'t|…)`), where the one
/// non-ASCII fold, `ſ` → `s`, is handled.
enum RegexCaseFold {
    /// The simple case fold of a scalar value: lowercase, with the folds that lowercase mapping
    /// misses (ſ → s, the Kelvin and Ångström signs, final sigma, …).
    static func fold(_ value: UInt32) -> UInt32 {
        if value < 0x80 { return (value >= 0x41 && value <= 0x5A) ? value + 0x20 : value }
        switch value {
        case 0x017F: return 0x73
        case 0x212A: return 0x6B
        case 0x212B: return 0xE5
        case 0x03C2: return 0x03C3
        case 0x1E9E: return 0xDF
        default: break
        }
        guard let scalar = Unicode.Scalar(value) else { return value }
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        if lower.count == 1, let first = lower.first { return first.value }
        return value
    }

    /// Scalars that fold like `scalar` (its single-scalar upper/lower/title case mappings and
    /// the special folds), for case-insensitive classes.
    static func variants(of scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        let properties = scalar.properties
        for mapping in [properties.lowercaseMapping, properties.uppercaseMapping, properties.titlecaseMapping] {
            let scalars = mapping.unicodeScalars
            if scalars.count == 1, let first = scalars.first, first != scalar { result.append(first) }
        }
        if let folded = Unicode.Scalar(fold(scalar.value)), folded != scalar { result.append(folded) }
        return result
    }
}
