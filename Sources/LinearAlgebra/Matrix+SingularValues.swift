/// One-off conveniences for `Float` and `Double` matrices; a loop over many matrices should keep
/// one ``SingularValueSolver``.
extension Matrix where Scalar: BLASScalar {
    /// Singular values `σ₁ ≥ … ≥ σ_min(rows, columns)` in double precision (see ``SingularValueMethod``
    /// for accuracy; ``SingularValueMethod/sgesdd`` rounds `Double` input to `Float`). Throws
    /// `.nonFiniteInput` for NaN/Inf, LAPACK failures as typed errors.
    public func singularValues(method: SingularValueMethod = .recommended) throws(LinearAlgebraError) -> [Double] {
        let solver = SingularValueSolver(maxRows: rows, maxColumns: columns, method: method)
        return try storage.withUnsafeBufferPointer { (a) throws(LinearAlgebraError) in
            try solver.singularValues(of: a, rows: rows, columns: columns)
        }
    }

    /// Thin SVD `self = U·diag(σ)·Vᵀ` in double precision (`dgesdd`, jobz = 'S'); `u` is
    /// `rows × k`, `vt` is `k × columns`, `k = min(rows, columns)`.
    public func svd() throws(LinearAlgebraError) -> (u: Matrix<Double>, sigma: [Double], vt: Matrix<Double>) {
        let solver = SingularValueSolver(maxRows: 0, maxColumns: 0, method: .gesdd)
        return try storage.withUnsafeBufferPointer { (a) throws(LinearAlgebraError) in
            try solver.svd(of: a, rows: rows, columns: columns)
        }
    }
}
