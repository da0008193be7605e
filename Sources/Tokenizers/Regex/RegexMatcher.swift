/// A regular expression as the Hugging Face `tokenizers` library uses them (`Split`
/// pre-tokenizer, `Replace` normalizer and decoder), with Oniguruma's semantics: leftmost match,
/// alternatives and quantifiers tried in Perl order (backtracking), Ruby syntax, Unicode classes.
///
/// Matching works on Unicode scalars (Oniguruma works on the UTF-8 bytes of the same scalars, so
/// the positions correspond one to one). A match attempt that needs more than `stepLimit` machine
/// steps counts as no match at that start, so a pathological pattern cannot hang encoding
/// (Oniguruma also gives up, at its retry limit; the patterns of published tokenizers need a few
/// steps per scalar, far below the limit).
struct TokenizerRegex: Sendable {
    /// The pattern as written in the file.
    let pattern: String
    let program: RegexProgram
    static let stepLimit = 1_000_000

    /// Compiles `pattern`; throws `RegexSyntaxError` naming the unsupported construct.
    init(pattern: String) throws {
        self.pattern = pattern
        program = try RegexProgram(RegexParser.parse(pattern))
    }

    /// A pattern matching `literal` exactly (HF escapes `String` patterns into a regex): one
    /// instruction per scalar, then `match`.
    init(literal: String) {
        pattern = literal
        program = RegexProgram(unchecked: literal.unicodeScalars.map { .atom(.scalar($0.value)) } + [.match])
    }

    /// The matches of `text`, as Oniguruma's `find_iter` in the `onig` crate yields them:
    /// leftmost-first, non-overlapping; an empty match right where the previous match ended is
    /// skipped by advancing one scalar.
    func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        var machine = RegexMachine(program: program, text: text)
        var result: [Range<Int>] = []
        var lastEnd = 0
        var lastMatchEnd: Int?
        while lastEnd <= text.count {
            guard let found = machine.search(from: lastEnd) else { break }
            if found.isEmpty && lastMatchEnd == found.upperBound {
                lastEnd += 1
                continue
            }
            lastEnd = found.upperBound
            lastMatchEnd = found.upperBound
            result.append(found)
        }
        return result
    }

    /// HF's `Pattern::find_matches`: the whole text as consecutive pieces, each flagged as a
    /// match or not; the empty text is one empty non-match.
    func findMatches(in text: [Unicode.Scalar]) -> [(range: Range<Int>, isMatch: Bool)] {
        if text.isEmpty { return [(0..<0, false)] }
        var pieces: [(range: Range<Int>, isMatch: Bool)] = []
        var previous = 0
        for found in matches(in: text) {
            if previous != found.lowerBound { pieces.append((previous..<found.lowerBound, false)) }
            pieces.append((found, true))
            previous = found.upperBound
        }
        if previous != text.count { pieces.append((previous..<text.count, false)) }
        return pieces
    }
}

extension RegexProgram {
    /// A program given directly (a literal needs no compilation or size limit).
    init(unchecked instructions: [Instruction]) { self.instructions = instructions }
}

/// The backtracking machine running a `RegexProgram` over one text.
struct RegexMachine {
    private struct Backtrack {
        enum Kind { case resume, greedyRepeat, lazyRepeat }
        var kind: Kind
        /// `resume`: where to continue; `greedyRepeat`: the instruction after the repeat;
        /// `lazyRepeat`: the repeat instruction itself.
        var pc: Int
        /// The position to continue at (repeat: the current end of the repeated run).
        var position: Int
        /// `greedyRepeat`: the lowest end allowed (start + min); `lazyRepeat`: the highest.
        var bound: Int
    }

    let instructions: [RegexProgram.Instruction]
    let text: [Unicode.Scalar]
    private var stack: [Backtrack] = []
    private var steps = 0

    init(program: RegexProgram, text: [Unicode.Scalar]) {
        instructions = program.instructions
        self.text = text
    }

    /// The leftmost match starting at or after `start`.
    mutating func search(from start: Int) -> Range<Int>? {
        var position = start
        while position <= text.count {
            steps = 0
            if let end = run(0, position) { return position..<end }
            position += 1
        }
        return nil
    }

    /// Runs the program from instruction `start` at `position`; the end of the first match.
    private mutating func run(_ start: Int, _ position: Int) -> Int? {
        let base = stack.count
        defer { stack.removeSubrange(base...) }
        var pc = start
        var position = position
        let count = text.count
        var failed = false
        while true {
            steps += 1
            if steps > TokenizerRegex.stepLimit { return nil }
            if failed {
                guard stack.count > base, let entry = stack.popLast() else { return nil }
                failed = false
                switch entry.kind {
                case .resume:
                    pc = entry.pc
                    position = entry.position
                case .greedyRepeat:
                    position = entry.position - 1
                    if position > entry.bound { stack.append(Backtrack(kind: .greedyRepeat, pc: entry.pc, position: position, bound: entry.bound)) }
                    pc = entry.pc
                case .lazyRepeat:
                    position = entry.position
                    guard case let .repeatAtom(atom, _, _, _) = instructions[entry.pc], position < entry.bound,
                          position < count, atom.matches(text[position]) else {
                        failed = true
                        continue
                    }
                    position += 1
                    if position < entry.bound { stack.append(Backtrack(kind: .lazyRepeat, pc: entry.pc, position: position, bound: entry.bound)) }
                    pc = entry.pc + 1
                }
                continue
            }
            switch instructions[pc] {
            case let .atom(atom):
                if position < count && atom.matches(text[position]) {
                    position += 1
                    pc += 1
                } else {
                    failed = true
                }
            case let .split(primary, secondary):
                stack.append(Backtrack(kind: .resume, pc: secondary, position: position, bound: 0))
                pc = primary
            case let .jump(target):
                pc = target
            case let .repeatAtom(atom, minimum, maximum, kind):
                if kind == .lazy {
                    var taken = 0
                    while taken < minimum && position + taken < count && atom.matches(text[position + taken]) { taken += 1 }
                    if taken < minimum {
                        failed = true
                        continue
                    }
                    let limit = maximum == .max ? count + 1 : position + maximum
                    position += minimum
                    if position < limit { stack.append(Backtrack(kind: .lazyRepeat, pc: pc, position: position, bound: limit)) }
                    pc += 1
                    continue
                }
                var taken = 0
                while taken < maximum && position + taken < count && atom.matches(text[position + taken]) { taken += 1 }
                if taken < minimum {
                    failed = true
                    continue
                }
                if kind == .greedy && taken > minimum {
                    stack.append(Backtrack(kind: .greedyRepeat, pc: pc + 1, position: position + taken, bound: position + minimum))
                }
                position += taken
                pc += 1
            case let .lookahead(subStart, negated):
                let found = run(subStart, position) != nil
                if steps > TokenizerRegex.stepLimit { return nil }
                if found != negated { pc += 1 } else { failed = true }
            case let .atomic(subStart):
                if let end = run(subStart, position) {
                    position = end
                    pc += 1
                } else {
                    if steps > TokenizerRegex.stepLimit { return nil }
                    failed = true
                }
            case let .anchor(anchor):
                if holds(anchor, at: position) { pc += 1 } else { failed = true }
            case .match:
                return position
            }
        }
    }

    private func holds(_ anchor: RegexAnchor, at position: Int) -> Bool {
        let count = text.count
        switch anchor {
        case .lineStart: return position == 0 || text[position - 1] == "\n"
        case .lineEnd: return position == count || text[position] == "\n"
        case .textStart: return position == 0
        case .textEnd: return position == count
        case .textEndBeforeFinalNewline: return position == count || (position == count - 1 && text[position] == "\n")
        case .wordBoundary, .notWordBoundary:
            let word = RegexCharacterSet.finishedWordClass
            let before = position > 0 && word.contains(text[position - 1])
            let after = position < count && word.contains(text[position])
            return (before != after) == (anchor == .wordBoundary)
        }
    }
}
