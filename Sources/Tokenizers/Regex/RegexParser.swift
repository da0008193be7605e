/// The syntax tree of a regular expression in the subset of Oniguruma's Ruby syntax that
/// tokenizer files use.
indirect enum RegexNode: Sendable {
    case empty
    case atom(RegexAtom)
    case concatenation([RegexNode])
    /// Alternatives tried in order; the first that lets the rest match wins (Perl semantics).
    case alternation([RegexNode])
    /// `max == nil` is unbounded.
    case repetition(RegexNode, min: Int, max: Int?, kind: RegexRepetitionKind)
    case lookahead(RegexNode, negated: Bool)
    /// `(?>…)`, and the body of a possessive quantifier: once matched, never re-entered.
    case atomic(RegexNode)
    case anchor(RegexAnchor)

    /// True when the node can match without consuming a scalar.
    var canMatchEmpty: Bool {
        switch self {
        case .empty, .lookahead, .anchor: return true
        case .atom: return false
        case let .concatenation(nodes): return nodes.allSatisfy(\.canMatchEmpty)
        case let .alternation(nodes): return nodes.contains(where: \.canMatchEmpty)
        case let .repetition(node, min, _, _): return min == 0 || node.canMatchEmpty
        case let .atomic(node): return node.canMatchEmpty
        }
    }
}

enum RegexRepetitionKind: Sendable { case greedy, lazy, possessive }

/// Zero-width assertions; `^`/`$` are line anchors in Ruby syntax.
enum RegexAnchor: Sendable {
    case lineStart, lineEnd, textStart, textEnd, textEndBeforeFinalNewline, wordBoundary, notWordBoundary
}

/// Why a pattern cannot be used; the message names the construct.
struct RegexSyntaxError: Error {
    let message: String
}

/// Recursive-descent parser for the supported syntax: literals and escapes, `.`, classes with
/// ranges and `\p{…}` general categories, groups `(…)` `(?:…)` `(?i:…)` `(?i)` `(?=…)` `(?!…)`
/// `(?>…)`, alternation, quantifiers `* + ? {n} {n,} {n,m} {,m}` with lazy `?` and possessive
/// `+` forms, anchors `^ $ \A \z \Z \b \B`. Everything else (back-references, look-behind,
/// script properties, class intersections, …) is a `RegexSyntaxError` naming it, rather than a
/// silently different match.
struct RegexParser {
    let pattern: [Unicode.Scalar]
    var position = 0
    private var depth = 0
    /// Groups nested deeper than this are refused (keeps the matcher's recursion bounded).
    static let maxDepth = 32
    /// Counted repetitions above this bound are refused (the compiler unrolls them).
    static let maxCount = 1000

    init(_ pattern: String) {
        self.pattern = Array(pattern.unicodeScalars)
    }

    static func parse(_ pattern: String) throws -> RegexNode {
        var parser = RegexParser(pattern)
        let node = try parser.parseAlternation(caseInsensitive: false, dotAll: false)
        if parser.position < parser.pattern.count {
            throw RegexSyntaxError(message: "unbalanced ')' at offset \(parser.position)")
        }
        return node
    }

    private var atEnd: Bool { position >= pattern.count }
    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < pattern.count ? pattern[position + offset] : nil
    }

    mutating func next() throws -> Unicode.Scalar {
        guard let scalar = peek() else { throw RegexSyntaxError(message: "pattern ends unexpectedly") }
        position += 1
        return scalar
    }

    private mutating func parseAlternation(caseInsensitive: Bool, dotAll: Bool) throws -> RegexNode {
        let flags = (caseInsensitive, dotAll)
        var branches = [try parseSequence(flags)]
        while peek() == "|" {
            position += 1
            branches.append(try parseSequence(flags))
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    /// A sequence of quantified atoms up to `|`, `)` or the end. As in Oniguruma, an inline
    /// `(?i)` applies to the rest of the enclosing group, later alternatives included:
    /// `a(?i)b|c` is `a(?i:b|c)`.
    private mutating func parseSequence(_ flags: (Bool, Bool)) throws -> RegexNode {
        var items: [RegexNode] = []
        while let scalar = peek(), scalar != "|", scalar != ")" {
            if scalar == "(" && peek(1) == "?", let newFlags = try parseInlineFlags(flags) {
                items.append(try parseAlternation(caseInsensitive: newFlags.0, dotAll: newFlags.1))
                break
            }
            let atom = try parseAtom(flags)
            items.append(try parseQuantifiers(atom))
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concatenation(items)
        }
    }

    /// `(?i)`, `(?-i)`, `(?m)` … standing alone: returns the new flags, or nil (position
    /// unchanged) when the group is something else.
    private mutating func parseInlineFlags(_ flags: (Bool, Bool)) throws -> (Bool, Bool)? {
        var index = position + 2
        var result = flags
        var on = true
        while index < pattern.count {
            switch pattern[index] {
            case "i": result.0 = on
            case "m": result.1 = on
            case "-": on = false
            case ")":
                position = index + 1
                return result
            default: return nil
            }
            index += 1
        }
        return nil
    }

    private mutating func parseQuantifiers(_ atom: RegexNode) throws -> RegexNode {
        var node = atom
        var quantified = false
        while let scalar = peek() {
            var bounds: (Int, Int?)
            var isInterval = false
            switch scalar {
            case "*": bounds = (0, nil); position += 1
            case "+": bounds = (1, nil); position += 1
            case "?": bounds = (0, 1); position += 1
            case "{":
                guard let interval = try parseInterval() else { return node }
                bounds = interval
                isInterval = true
            default: return node
            }
            if quantified { throw RegexSyntaxError(message: "nested quantifier at offset \(position - 1)") }
            quantified = true
            var kind = RegexRepetitionKind.greedy
            if peek() == "?" {
                kind = .lazy
                position += 1
            } else if peek() == "+" {
                if isInterval { throw RegexSyntaxError(message: "'+' after an interval {n,m} (not possessive in Ruby syntax)") }
                kind = .possessive
                position += 1
            }
            if case .anchor = node { throw RegexSyntaxError(message: "quantified anchor at offset \(position - 1)") }
            if case .lookahead = node { throw RegexSyntaxError(message: "quantified look-ahead at offset \(position - 1)") }
            if bounds.1 == nil && node.canMatchEmpty {
                throw RegexSyntaxError(message: "unbounded quantifier over a group that can match the empty string")
            }
            node = .repetition(node, min: bounds.0, max: bounds.1, kind: kind)
        }
        return node
    }

    /// `{n}`, `{n,}`, `{n,m}`, `{,m}`; nil (nothing consumed) when `{` is a literal.
    private mutating func parseInterval() throws -> (Int, Int?)? {
        var index = position + 1
        func number() -> Int? {
            var value: Int?
            while index < pattern.count, pattern[index].value >= 0x30, pattern[index].value <= 0x39 {
                value = min((value ?? 0) * 10 + Int(pattern[index].value - 0x30), RegexParser.maxCount + 1)
                index += 1
            }
            return value
        }
        let low = number()
        var high: Int?
        var hasComma = false
        if index < pattern.count && pattern[index] == "," {
            hasComma = true
            index += 1
            high = number()
        }
        guard index < pattern.count, pattern[index] == "}", low != nil || high != nil else { return nil }
        position = index + 1
        let minimum = low ?? 0
        let maximum = hasComma ? high : minimum
        if minimum > Self.maxCount || (maximum ?? 0) > Self.maxCount {
            throw RegexSyntaxError(message: "repetition count above \(Self.maxCount)")
        }
        if let maximum, maximum < minimum { throw RegexSyntaxError(message: "interval {\(minimum),\(maximum)} with max < min") }
        return (minimum, maximum)
    }

    private mutating func parseAtom(_ flags: (Bool, Bool)) throws -> RegexNode {
        let scalar = try next()
        switch scalar {
        case "(": return try parseGroup(flags)
        case "[": return .atom(.set(try parseClass(caseInsensitive: flags.0)))
        case ".": return .atom(flags.1 ? .any : .anyButNewline)
        case "^": return .anchor(.lineStart)
        case "$": return .anchor(.lineEnd)
        case "\\": return try parseEscape(caseInsensitive: flags.0)
        case "*", "+", "?":
            throw RegexSyntaxError(message: "quantifier '\(scalar)' with nothing to repeat at offset \(position - 1)")
        default: return .atom(literal(scalar.value, caseInsensitive: flags.0))
        }
    }

    private func literal(_ value: UInt32, caseInsensitive: Bool) -> RegexAtom {
        guard caseInsensitive else { return .scalar(value) }
        return .folded(RegexCaseFold.fold(value))
    }

    private mutating func parseGroup(_ flags: (Bool, Bool)) throws -> RegexNode {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maxDepth { throw RegexSyntaxError(message: "groups nested deeper than \(Self.maxDepth)") }
        var inner = flags
        var wrap: (RegexNode) -> RegexNode = { $0 }
        if peek() == "?" {
            position += 1
            let kind = try next()
            switch kind {
            case ":": break
            case "=": wrap = { .lookahead($0, negated: false) }
            case "!": wrap = { .lookahead($0, negated: true) }
            case ">": wrap = { .atomic($0) }
            case "<":
                if peek() == "=" || peek() == "!" { throw RegexSyntaxError(message: "look-behind (?<\(peek().map(String.init) ?? "")…) is not supported") }
                // A named group: matched like any group (names are only for back-references).
                while let name = peek(), name != ">" { position += 1 }
                guard peek() == ">" else { throw RegexSyntaxError(message: "unterminated group name") }
                position += 1
            case "i", "m", "-":
                position -= 1
                var on = true
                while let flag = peek(), flag != ":" {
                    switch flag {
                    case "i": inner.0 = on
                    case "m": inner.1 = on
                    case "-": on = false
                    default: throw RegexSyntaxError(message: "unsupported group option '\(flag)'")
                    }
                    position += 1
                }
                guard peek() == ":" else { throw RegexSyntaxError(message: "unterminated group options") }
                position += 1
            default:
                throw RegexSyntaxError(message: "unsupported group syntax (?\(kind)…)")
            }
        }
        let body = try parseAlternation(caseInsensitive: inner.0, dotAll: inner.1)
        guard peek() == ")" else { throw RegexSyntaxError(message: "missing ')'") }
        position += 1
        return wrap(body)
    }

    private mutating func parseEscape(caseInsensitive: Bool) throws -> RegexNode {
        let scalar = try next()
        switch scalar {
        case "A": return .anchor(.textStart)
        case "z": return .anchor(.textEnd)
        case "Z": return .anchor(.textEndBeforeFinalNewline)
        case "b": return .anchor(.wordBoundary)
        case "B": return .anchor(.notWordBoundary)
        default:
            position -= 1
            switch try parseClassEscape(inClass: false) {
            case let .scalar(value): return .atom(literal(value, caseInsensitive: caseInsensitive))
            case var .set(set):
                set.caseInsensitive = caseInsensitive
                set.finish()
                return .atom(.set(set))
            }
        }
    }
}
