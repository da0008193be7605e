/// Failures of the dense linear-algebra layer. LAPACK's `info` codes are kept verbatim.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// Operand shapes do not fit the operation.
    case shapeMismatch(String)
    /// The input holds NaN or ±Inf; LAPACK would return garbage or loop, so it is refused up front.
    case nonFiniteInput(String)
    /// LAPACK returned `info < 0`: argument number `-info` was illegal.
    case illegalArgument(routine: String, argument: Int32)
    /// LAPACK returned `info > 0`: the iteration did not converge (`info` superdiagonals left).
    case notConverged(routine: String, info: Int32)

    public var description: String {
        switch self {
        case .shapeMismatch(let message): return "shape mismatch: \(message)"
        case .nonFiniteInput(let message): return "non-finite input: \(message)"
        case .illegalArgument(let routine, let argument):
            return "\(routine): argument \(argument) had an illegal value"
        case .notConverged(let routine, let info):
            return "\(routine): did not converge (info = \(info))"
        }
    }
}
