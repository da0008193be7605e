/// A regular expression compiled for `RegexMatcher`: a list of instructions for a backtracking
/// machine. Look-aheads and atomic groups are separate sub-programs (each ending in `match`)
/// that the machine runs to completion at the current position.
struct RegexProgram: Sendable {
    enum Instruction: Sendable {
        /// Consume one scalar matching the atom.
        case atom(RegexAtom)
        /// Continue at `primary`; on failure, resume at `secondary` with the same position.
        case split(primary: Int, secondary: Int)
        case jump(Int)
        /// `atom{min,max}` (`max == Int.max` unbounded) without a backtracking entry per scalar.
        case repeatAtom(RegexAtom, min: Int, max: Int, kind: RegexRepetitionKind)
        case lookahead(start: Int, negated: Bool)
        case atomic(start: Int)
        case anchor(RegexAnchor)
        case match
    }

    let instructions: [Instruction]
    /// Compiled programs longer than this are refused (counted repetitions are unrolled).
    static let maxInstructions = 100_000

    init(_ root: RegexNode) throws {
        var compiler = Compiler()
        try compiler.emit(root)
        compiler.code.append(.match)
        // Sub-programs are appended after the main one; compiling one may queue more.
        while let (slot, node, negated) = compiler.pending.popLast() {
            let start = compiler.code.count
            try compiler.emit(node)
            compiler.code.append(.match)
            compiler.code[slot] = negated.map { .lookahead(start: start, negated: $0) } ?? .atomic(start: start)
        }
        instructions = compiler.code
    }

    private struct Compiler {
        var code: [Instruction] = []
        /// (placeholder index, body, look-ahead negation or nil for an atomic group).
        var pending: [(Int, RegexNode, Bool?)] = []

        mutating func append(_ instruction: Instruction) throws {
            if code.count >= RegexProgram.maxInstructions {
                throw RegexSyntaxError(message: "pattern compiles to more than \(RegexProgram.maxInstructions) instructions")
            }
            code.append(instruction)
        }

        mutating func emit(_ node: RegexNode) throws {
            switch node {
            case .empty:
                break
            case let .atom(atom):
                try append(.atom(atom))
            case let .anchor(anchor):
                try append(.anchor(anchor))
            case let .concatenation(nodes):
                for node in nodes { try emit(node) }
            case let .alternation(branches):
                var jumpsToEnd: [Int] = []
                for (index, branch) in branches.enumerated() {
                    if index == branches.count - 1 {
                        try emit(branch)
                        break
                    }
                    let split = code.count
                    try append(.split(primary: split + 1, secondary: -1))
                    try emit(branch)
                    jumpsToEnd.append(code.count)
                    try append(.jump(-1))
                    code[split] = .split(primary: split + 1, secondary: code.count)
                }
                for index in jumpsToEnd { code[index] = .jump(code.count) }
            case let .lookahead(body, negated):
                pending.append((code.count, body, negated))
                try append(.match)
            case let .atomic(body):
                pending.append((code.count, body, nil))
                try append(.match)
            case let .repetition(body, minimum, maximum, kind):
                if case let .atom(atom) = body {
                    try append(.repeatAtom(atom, min: minimum, max: maximum ?? .max, kind: kind))
                } else if kind == .possessive {
                    try emit(.atomic(.repetition(body, min: minimum, max: maximum, kind: .greedy)))
                } else {
                    try emitRepetition(body, minimum, maximum, lazy: kind == .lazy)
                }
            }
        }

        private mutating func emitRepetition(_ body: RegexNode, _ minimum: Int, _ maximum: Int?, lazy: Bool) throws {
            for _ in 0..<minimum { try emit(body) }
            if let maximum {
                // Each optional copy: try it (or, lazily, skip it first); a failure skips all the rest.
                var splits: [Int] = []
                for _ in minimum..<max(minimum, maximum) {
                    splits.append(code.count)
                    try append(.split(primary: -1, secondary: -1))
                    try emit(body)
                }
                let end = code.count
                for split in splits {
                    code[split] = lazy ? .split(primary: end, secondary: split + 1) : .split(primary: split + 1, secondary: end)
                }
            } else {
                let loop = code.count
                try append(.split(primary: -1, secondary: -1))
                try emit(body)
                try append(.jump(loop))
                let end = code.count
                code[loop] = lazy ? .split(primary: end, secondary: loop + 1) : .split(primary: loop + 1, secondary: end)
            }
        }
    }
}
