import CLinearAlgebra

/// The one place where a LAPACK `info` code becomes a Swift error.
///
/// `info < 0`: argument `-info` was illegal (LAPACKE also uses `-1011` for a failed allocation,
/// reported the same way); `info > 0`: the routine's iteration did not converge.
@inline(__always)
func checkLAPACK(_ info: LAPACKInt, _ routine: String) throws(LinearAlgebraError) {
    if info < 0 { throw .illegalArgument(routine: routine, argument: -info) }
    if info > 0 { throw .notConverged(routine: routine, info: info) }
}

/// LAPACK character flags as C `char`.
enum LAPACKFlag {
    static let none = CChar(UInt8(ascii: "N"))
    static let singular = CChar(UInt8(ascii: "S"))
    static let upper = CChar(UInt8(ascii: "U"))
}

/// The optimal size LAPACK reports in `work[0]` after a workspace query (`lwork = -1`).
@inline(__always)
func querySize<T: BinaryFloatingPoint>(_ value: T) -> Int {
    // LAPACK rounds the size into a float; a little slack covers the rounding in single precision.
    Int(value.rounded(.up)) + 8
}

/// LAPACKE's `lapack_int` (a macro, so not imported): 32-bit on this LP64 build of LAPACKE.
typealias LAPACKInt = Int32
