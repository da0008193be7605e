/// Escapes and bracketed classes of `RegexParser`.
extension RegexParser {
    enum EscapeResult { case scalar(UInt32), set(RegexCharacterSet) }

    /// An escape after `\` (position at the scalar after the backslash).
    mutating func parseClassEscape(inClass: Bool) throws -> EscapeResult {
        let scalar = try next()
        switch scalar {
        case "t": return .scalar(0x09)
        case "n": return .scalar(0x0A)
        case "r": return .scalar(0x0D)
        case "f": return .scalar(0x0C)
        case "v": return .scalar(0x0B)
        case "a": return .scalar(0x07)
        case "e": return .scalar(0x1B)
        case "b" where inClass: return .scalar(0x08)
        case "s", "S", "d", "D", "w", "W", "h", "H":
            var set: RegexCharacterSet
            switch scalar {
            case "s", "S": set = .whitespaceClass
            case "d", "D": set = .digitClass
            case "w", "W": set = .wordClass
            default: set = .hexClass
            }
            set.negated = scalar.properties.isUppercase
            return .set(set)
        case "p", "P":
            guard peek() == "{" else { throw RegexSyntaxError(message: "\\\(scalar) without {…}") }
            position += 1
            var name = ""
            while let next = peek(), next != "}" {
                name.unicodeScalars.append(next)
                position += 1
            }
            guard peek() == "}" else { throw RegexSyntaxError(message: "unterminated \\\(scalar){") }
            position += 1
            var negated = scalar == "P"
            if name.hasPrefix("^") {
                negated.toggle()
                name.removeFirst()
            }
            let key = name.lowercased().replacingOccurrences(of: "_", with: "").replacingOccurrences(of: " ", with: "")
            var set = RegexCharacterSet()
            if key == "space" || key == "whitespace" {
                set.whitespace = true
            } else if let mask = RegexCharacterSet.propertyMasks[key] {
                set.categoryMask = mask
            } else {
                throw RegexSyntaxError(message: "Unicode property \\p{\(name)} (only general categories are supported)")
            }
            set.negated = negated
            return .set(set)
        case "x":
            if peek() == "{" {
                position += 1
                return .scalar(try hexNumber(maxDigits: 8, terminator: "}"))
            }
            return .scalar(try hexNumber(maxDigits: 2, terminator: nil))
        case "u": return .scalar(try hexNumber(maxDigits: 4, terminator: nil, exact: true))
        default:
            if scalar.isASCII && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil) {
                throw RegexSyntaxError(message: "escape \\\(scalar) is not supported")
            }
            return .scalar(scalar.value)
        }
    }

    private mutating func hexNumber(maxDigits: Int, terminator: Unicode.Scalar?, exact: Bool = false) throws -> UInt32 {
        var value: UInt32 = 0
        var digits = 0
        while digits < maxDigits, let scalar = peek(), let digit = UInt32(String(scalar), radix: 16), scalar.isASCII {
            value = value * 16 + digit
            digits += 1
            position += 1
        }
        if digits == 0 || (exact && digits != maxDigits) { throw RegexSyntaxError(message: "malformed hexadecimal escape") }
        if let terminator {
            guard peek() == terminator else { throw RegexSyntaxError(message: "malformed \\x{…} escape") }
            position += 1
        }
        guard Unicode.Scalar(value) != nil else { throw RegexSyntaxError(message: "escape of an invalid code point \(value)") }
        return value
    }

    /// A bracketed class after `[`.
    mutating func parseClass(caseInsensitive: Bool) throws -> RegexCharacterSet {
        var set = RegexCharacterSet()
        set.caseInsensitive = caseInsensitive
        if peek() == "^" {
            set.negated = true
            position += 1
        }
        if peek() == "]" { throw RegexSyntaxError(message: "empty character class or leading ']'") }
        while true {
            let scalar = try next()
            if scalar == "]" { break }
            if scalar == "[" { throw RegexSyntaxError(message: "nested class or POSIX bracket inside [...] ") }
            if scalar == "&" && peek() == "&" { throw RegexSyntaxError(message: "class intersection && is not supported") }
            var low: UInt32
            if scalar == "\\" {
                switch try parseClassEscape(inClass: true) {
                case let .scalar(value): low = value
                case let .set(member):
                    add(member, to: &set)
                    continue
                }
            } else {
                low = scalar.value
            }
            if peek() == "-", let after = peek(1), after != "]" {
                position += 1
                var high: UInt32
                let end = try next()
                if end == "\\" {
                    guard case let .scalar(value) = try parseClassEscape(inClass: true) else {
                        throw RegexSyntaxError(message: "class escape as a range bound")
                    }
                    high = value
                } else {
                    high = end.value
                }
                guard low <= high else { throw RegexSyntaxError(message: "empty range in character class") }
                set.ranges.append(low...high)
            } else {
                set.ranges.append(low...low)
            }
        }
        set.finish()
        return set
    }

    /// Merges an escaped class (`\s`, `\p{L}`, `\S`, …) into a bracketed class.
    private func add(_ member: RegexCharacterSet, to set: inout RegexCharacterSet) {
        if member.negated {
            var copy = member
            copy.finish()
            set.negatedMembers.append(copy)
        } else {
            set.ranges += member.ranges
            set.categoryMask |= member.categoryMask
            set.whitespace = set.whitespace || member.whitespace
        }
    }
}
