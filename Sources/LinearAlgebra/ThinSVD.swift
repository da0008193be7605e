import CLinearAlgebra

extension SingularValueSolver {
    /// Thin SVD in double precision: `A = U · diag(σ) · Vᵀ` for the row-major `rows × columns`
    /// matrix `A`, with `k = min(rows, columns)`:
    /// `u` is `rows × k`, `sigma` is `[σ₁ ≥ … ≥ σ_k]`, `vt` is `k × columns`, all row-major, and
    /// `Uᵀ U = Vᵀ V = I_k`.
    ///
    /// Routine: `dgesdd` (jobz = 'S') regardless of ``method``. LAPACK sees `X = Aᵀ` (the
    /// column-major reading of the row-major buffer) and returns `X = U_X Σ V_Xᵀ`; then
    /// `A = V_X Σ U_Xᵀ`, and the column-major `V_Xᵀ` (`k × rows`) *is* the row-major `U`
    /// (`rows × k`), the column-major `U_X` (`columns × k`) *is* the row-major `Vᵀ` (`k × columns`),
    /// so LAPACK writes the results in place with no transposition.
    /// Accuracy (backward stable): `‖U Σ Vᵀ − A‖ ≈ p(n)·ε_double·‖A‖`, `‖UᵀU − I‖ ≈ p(n)·ε_double`.
    ///
    /// - Throws: `.shapeMismatch`, `.nonFiniteInput` (before LAPACK), `.illegalArgument`,
    ///   `.notConverged` (from `dgesdd`).
    public func svd<S: BLASScalar>(
        of a: UnsafeBufferPointer<S>, rows: Int, columns: Int
    ) throws(LinearAlgebraError) -> (u: Matrix<Double>, sigma: [Double], vt: Matrix<Double>) {
        try thinSVD(of: a, rows: rows, columns: columns)
    }

    private func thinSVD<S: BinaryFloatingPoint>(
        of a: UnsafeBufferPointer<S>, rows: Int, columns: Int
    ) throws(LinearAlgebraError) -> (u: Matrix<Double>, sigma: [Double], vt: Matrix<Double>) {
        let k = try validatedRank(a.count, rows: rows, columns: columns)
        var u = Matrix<Double>(rows: rows, columns: k)
        var vt = Matrix<Double>(rows: k, columns: columns)
        var sigma = [Double](repeating: 0, count: k)
        if k == 0 { return (u, sigma, vt) }
        let x = matrix.reserve(rows * columns)
        try load(a, rows: rows, columns: columns, into: x)

        let m = LAPACKInt(columns), n = LAPACKInt(rows), ldk = LAPACKInt(k)
        let iwork = integerWork.reserve(8 * k)
        var size = 0.0
        let query = LAPACKE_dgesdd_work(
            LAPACK_COL_MAJOR, LAPACKFlag.singular, m, n, x, m, values.reserve(k),
            dummy.pointer, m, dummy.pointer, ldk, &size, -1, iwork)
        try checkLAPACK(query, "dgesdd (jobz=S, workspace query)")
        let w = work.reserve(querySize(size))
        let lwork = LAPACKInt(work.capacity)

        let info = sigma.withUnsafeMutableBufferPointer { s in
            vt.storage.withUnsafeMutableBufferPointer { uX in
                u.storage.withUnsafeMutableBufferPointer { vXt in
                    LAPACKE_dgesdd_work(
                        LAPACK_COL_MAJOR, LAPACKFlag.singular, m, n, x, m, s.baseAddress,
                        uX.baseAddress, m, vXt.baseAddress, ldk, w, lwork, iwork)
                }
            }
        }
        try checkLAPACK(info, "dgesdd (jobz=S)")
        return (u, sigma, vt)
    }
}
