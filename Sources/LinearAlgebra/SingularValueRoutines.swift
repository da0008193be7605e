import CLinearAlgebra

/// The LAPACK calls behind each ``SingularValueMethod``. The input has already been copied by
/// `load` into `matrix` (double) or `matrixSingle` (float) as `Aᵀ` column-major: `columns × rows`,
/// leading dimension `columns`.
extension SingularValueSolver {
    /// Sizes of `work` and `iwork` that the method needs for a `rows × columns` input (LAPACK
    /// workspace query, `lwork = -1`; no computation happens).
    func workSizes(rows: Int, columns: Int) throws(LinearAlgebraError) -> (work: Int, integerWork: Int) {
        let m = LAPACKInt(columns), n = LAPACKInt(rows), k = Swift.min(rows, columns)
        switch method {
        case .gesdd:
            var size = 0.0
            let info = LAPACKE_dgesdd_work(
                LAPACK_COL_MAJOR, LAPACKFlag.none, m, n, matrix.pointer, m, values.pointer,
                dummy.pointer, 1, dummy.pointer, 1, &size, -1, integerWork.pointer)
            try checkLAPACK(info, "dgesdd (workspace query)")
            return (querySize(size), 8 * k)
        case .sgesdd:
            var size: Float = 0
            let info = LAPACKE_sgesdd_work(
                LAPACK_COL_MAJOR, LAPACKFlag.none, m, n, matrixSingle.pointer, m, valuesSingle.pointer,
                dummySingle.pointer, 1, dummySingle.pointer, 1, &size, -1, integerWork.pointer)
            try checkLAPACK(info, "sgesdd (workspace query)")
            return (querySize(size), 8 * k)
        case .gram, .gramTwoStage:
            let order = LAPACKInt(k)
            var size = 0.0
            var integerSize: LAPACKInt = 0
            let routine = method == .gram ? LAPACKE_dsyevd_work : LAPACKE_dsyevd_2stage_work
            let info = routine(
                LAPACK_COL_MAJOR, LAPACKFlag.none, LAPACKFlag.upper, order, gram.pointer, order,
                values.pointer, &size, -1, &integerSize, -1)
            try checkLAPACK(info, method == .gram ? "dsyevd (workspace query)" : "dsyevd_2stage (workspace query)")
            return (querySize(size), Int(integerSize) + 1)
        }
    }

    /// Grows `work`/`iwork` to what a `rows × columns` input needs.
    func reserveWork(rows: Int, columns: Int) throws(LinearAlgebraError) {
        let sizes = try workSizes(rows: rows, columns: columns)
        if method == .sgesdd { _ = workSingle.reserve(sizes.work) } else { _ = work.reserve(sizes.work) }
        _ = integerWork.reserve(sizes.integerWork)
    }

    /// `dgesdd`, jobz = 'N', on `matrix`; σ written descending straight into `output`.
    func doubleGESDD(rows: Int, columns: Int, into output: UnsafeMutablePointer<Double>) throws(LinearAlgebraError) {
        try reserveWork(rows: rows, columns: columns)
        let m = LAPACKInt(columns), n = LAPACKInt(rows)
        let info = LAPACKE_dgesdd_work(
            LAPACK_COL_MAJOR, LAPACKFlag.none, m, n, matrix.pointer, m, output,
            dummy.pointer, 1, dummy.pointer, 1, work.pointer, LAPACKInt(work.capacity), integerWork.pointer)
        try checkLAPACK(info, "dgesdd")
    }

    /// `sgesdd`, jobz = 'N', on `matrixSingle`; σ widened to double.
    func singleGESDD(rows: Int, columns: Int, into output: UnsafeMutablePointer<Double>) throws(LinearAlgebraError) {
        try reserveWork(rows: rows, columns: columns)
        let k = Swift.min(rows, columns)
        let m = LAPACKInt(columns), n = LAPACKInt(rows)
        let sigma = valuesSingle.reserve(k)
        let info = LAPACKE_sgesdd_work(
            LAPACK_COL_MAJOR, LAPACKFlag.none, m, n, matrixSingle.pointer, m, sigma,
            dummySingle.pointer, 1, dummySingle.pointer, 1, workSingle.pointer, LAPACKInt(workSingle.capacity),
            integerWork.pointer)
        try checkLAPACK(info, "sgesdd")
        for i in 0..<k { output[i] = Double(sigma[i]) }
    }

    /// Gram route on `matrix` (`Aᵀ` column-major, `A` = the row-major input `rows × columns`):
    /// `G = A·Aᵀ` (`rows ≤ columns`) or `Aᵀ·A` via `dsyrk` (upper triangle), eigenvalues
    /// `λ₁ ≤ … ≤ λ_k` via `dsyevd` or `dsyevd_2stage`, then `σ_i = √max(λ_{k+1−i}, 0)`.
    func gramEigenvalues(
        rows: Int, columns: Int, maxAbs: Double, twoStage: Bool, into output: UnsafeMutablePointer<Double>
    ) throws(LinearAlgebraError) {
        let k = Swift.min(rows, columns)
        let a = matrix.pointer
        // Squaring can overflow or underflow double only for extreme `Double` inputs (never for
        // `Float` ones); a power-of-two scale keeps the data exact and is undone at the end.
        var unscale = 1.0
        if maxAbs > 0x1p300 || (maxAbs > 0 && maxAbs < 0x1p-300) {
            let scale = Double(sign: .plus, exponent: -maxAbs.exponent, significand: 1)
            for index in 0..<(rows * columns) { a[index] *= scale }
            unscale = 1 / scale
        }
        let g = gram.reserve(k * k)
        // In column-major terms the stored array is X = Aᵀ (columns × rows). A·Aᵀ = Xᵀ·X.
        let transpose = rows <= columns ? CblasTrans : CblasNoTrans
        let inner = rows <= columns ? columns : rows
        cblas_dsyrk(CblasColMajor, CblasUpper, transpose, blasint(k), blasint(inner),
                    1, a, blasint(columns), 0, g, blasint(k))

        try reserveWork(rows: rows, columns: columns)
        let lambda = values.reserve(k)
        let order = LAPACKInt(k)
        let routine = twoStage ? LAPACKE_dsyevd_2stage_work : LAPACKE_dsyevd_work
        let info = routine(
            LAPACK_COL_MAJOR, LAPACKFlag.none, LAPACKFlag.upper, order, g, order, lambda,
            work.pointer, LAPACKInt(work.capacity), integerWork.pointer, LAPACKInt(integerWork.capacity))
        try checkLAPACK(info, twoStage ? "dsyevd_2stage" : "dsyevd")
        // Rounding can push eigenvalues of a PSD matrix slightly below zero; those are σ = 0.
        for i in 0..<k { output[i] = (Swift.max(lambda[k - 1 - i], 0)).squareRoot() * unscale }
    }
}
