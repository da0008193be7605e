import CLinearAlgebra

/// The leading eigenpairs of a real symmetric matrix, for fitting a fixed rank-k projection.
///
/// Routine: `dsyevd` (tridiagonal reduction, divide and conquer, back-transformation: NumPy's `eigh`),
/// of which the `count` largest pairs are kept; the matrix is read from its upper triangle,
/// column-major (for a symmetric matrix the row-major and column-major readings agree). All pairs
/// cost less than a subset: at n = 512, `count` = 256, `dsyevd` takes about half the time of
/// `dsyevr` with `range = 'I'` (whose subset path is bisection plus inverse iteration).
/// Accuracy (backward stable): eigenvalues within ≈ n·ε·‖A‖₂, eigenvectors orthonormal to ≈ n·ε,
/// each vector within ≈ n·ε·‖A‖₂ / gap of the exact one.
///
/// Eigenvectors are defined up to sign; so that a basis used as a projection layer (`E = U_kᵀ`,
/// whose sign changes the softmax) is reproducible, each vector is flipped so that the sum of its
/// components is positive (when the sum is 0, its first non-zero component is positive).
public struct SymmetricEigenbasis: Sendable, Equatable {
    /// Eigenvalues, largest first, `[count]`.
    public var values: [Double]
    /// Eigenvectors as rows, row-major `[count, n]`: row s belongs to `values[s]`.
    public var vectors: Matrix<Double>

    /// The `count` largest eigenpairs of the symmetric `a` (`n × n`; only its upper triangle is read).
    /// - Throws: `.shapeMismatch` for a non-square matrix or `count` outside `0...n`,
    ///   `.nonFiniteInput`, and LAPACK errors from `dsyevd`.
    public init(of a: Matrix<Double>, count: Int) throws(LinearAlgebraError) {
        let n = a.rows
        guard a.columns == n else { throw .shapeMismatch("an eigenbasis needs a square matrix, got \(a.rows)×\(a.columns)") }
        guard (0...n).contains(count) else { throw .shapeMismatch("\(count) eigenpairs asked of a \(n)×\(n) matrix") }
        if let bad = a.storage.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteInput("element (\(bad / n), \(bad % n)) of a \(n)×\(n) symmetric matrix is \(a.storage[bad])")
        }
        values = []
        vectors = Matrix(rows: count, columns: n)
        guard count > 0 else { return }
        var z = a.storage                                  // becomes the eigenvectors, column-major [n, n], ascending
        var w = [Double](repeating: 0, count: n)
        let info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), LAPACKFlag.upper, LAPACKInt(n), &z, LAPACKInt(n), &w)
        try checkLAPACK(info, "dsyevd")
        for s in 0..<count {
            // Column `n − 1 − s` of z holds the s-th largest eigenvector, contiguous.
            let column = (n - 1 - s) * n
            let sum = z[column ..< column + n].reduce(0, +)
            let firstNonZero = z[column ..< column + n].first { $0 != 0 } ?? 0
            let sign: Double = sum > 0 || (sum == 0 && firstNonZero >= 0) ? 1 : -1
            values.append(w[n - 1 - s])
            for i in 0..<n { vectors.storage[s * n + i] = sign * z[column + i] }
        }
    }
}
