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
        case .gram:
            // dsytrd's optimal size; dsterf needs no workspace.
            let order = LAPACKInt(k)
            var size = 0.0
            let info = LAPACKE_dsytrd_work(
                LAPACK_COL_MAJOR, LAPACKFlag.upper, order, gram.pointer, order, values.pointer, values.pointer,
                values.pointer, &size, -1)
            try checkLAPACK(info, "dsytrd (workspace query)")
            return (querySize(size), 1)
        case .gramTwoStage:
            let order = LAPACKInt(k)
            var size = 0.0
            var integerSize: LAPACKInt = 0
            let info = LAPACKE_dsyevd_2stage_work(
                LAPACK_COL_MAJOR, LAPACKFlag.none, LAPACKFlag.upper, order, gram.pointer, order,
                values.pointer, &size, -1, &integerSize, -1)
            try checkLAPACK(info, "dsyevd_2stage (workspace query)")
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
    /// the smaller Gram matrix, `G = AᵀA` (`columns ≤ rows`, as ``HeadSpectralKernel`` forms it for
    /// square P, so both give the same bits) or `A·Aᵀ`, via `dsyrk` (upper triangle); then one
    /// tridiagonal reduction `dsytrd` + `dsterf` (or `dsyevd_2stage`, jobz = 'N'), and
    /// `σ_i = √max(λ_{k+1−i}, 0)`.
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
        // In column-major terms the stored array is X = Aᵀ (columns × rows): AᵀA = X·Xᵀ, A·Aᵀ = Xᵀ·X.
        let transpose = columns <= rows ? CblasNoTrans : CblasTrans
        let inner = columns <= rows ? rows : columns
        cblas_dsyrk(CblasColMajor, CblasUpper, transpose, blasint(k), blasint(inner),
                    1, a, blasint(columns), 0, g, blasint(k))

        try reserveWork(rows: rows, columns: columns)
        let lambda = values.reserve(k)
        let order = LAPACKInt(k)
        if twoStage {
            let info = LAPACKE_dsyevd_2stage_work(
                LAPACK_COL_MAJOR, LAPACKFlag.none, LAPACKFlag.upper, order, g, order, lambda,
                work.pointer, LAPACKInt(work.capacity), integerWork.pointer, LAPACKInt(integerWork.capacity))
            try checkLAPACK(info, "dsyevd_2stage")
        } else {
            let offDiagonal = tridiagonal.reserve(2 * k)
            let info = LAPACKE_dsytrd_work(
                LAPACK_COL_MAJOR, LAPACKFlag.upper, order, g, order, lambda, offDiagonal, offDiagonal + k,
                work.pointer, LAPACKInt(work.capacity))
            try checkLAPACK(info, "dsytrd")
            try checkLAPACK(LAPACKE_dsterf_work(order, lambda, offDiagonal), "dsterf")
        }
        // Rounding can push eigenvalues of a PSD matrix slightly below zero; those are σ = 0.
        for i in 0..<k { output[i] = (Swift.max(lambda[k - 1 - i], 0)).squareRoot() * unscale }
    }
}
