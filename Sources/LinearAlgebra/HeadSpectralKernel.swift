import CLinearAlgebra

/// The per-head spectral work of the pipeline, each piece done once, on grow-only workspaces.
///
/// For a row-major float attention matrix `P` `[n, n]`:
/// 1. ``spectrum(of:into:)`` widens P to double (checking finiteness in the same pass), forms the
///    Gram matrix `G = PᵀP` with `dsyrk`, reduces it once to tridiagonal form `G = Q T Qᵀ` with
///    `dsytrd` and takes the eigenvalues `λ` of `T` with `dsterf`: `σ_i = √max(λ_i, 0)`, descending.
/// 2. ``truncationTails(columns:count:ranks:into:)`` reuses that reduction for the SVD floor of
///    Eckart–Young: with `v_i` the right singular vectors of P (eigenvectors of G),
///    `‖(P − P_k) w‖² = Σ_{i>k} σ_i² (v_iᵀ w)²`. Since `v_i = Q z_i` (`z_i` eigenvectors of T,
///    `dstedc`), `v_iᵀ w = z_iᵀ (Qᵀ w)`: `Qᵀ` is applied to the d columns only (`dormtr`, n·n·d work)
///    instead of forming the n × n eigenvectors of G, and the coefficients are one `dgemm`.
///    Tails are summed from the smallest eigenvalue up, so a tail is never a difference of large
///    numbers and is exactly 0 at k = n.
///
/// Accuracy (double precision throughout, float input exact in double): the eigenvalues of G carry
/// absolute error ≈ ε·σ₁², so `σ_i` is within ≈ √ε·σ₁ ≈ 1e-8·σ₁ of double `gesdd` (contract
/// 1e-6·σ₁); the tails inherit the same absolute error ε·σ₁²‖w‖², far inside the floor's 1e-6
/// relative contract for the floors attention heads have.
///
/// LAPACK is called column-major with no transposition copies: the row-major P read column-major
/// is Pᵀ, and `PᵀP = (Pᵀ)(Pᵀ)ᵀ` is `dsyrk` without transposition. A kernel is single-threaded
/// state: one per worker thread, with single-threaded BLAS.
public final class HeadSpectralKernel {
    /// n of the last successful ``spectrum(of:into:gram:)`` call (0 before it, or after a failed one).
    public private(set) var order = 0

    private let wide = Workspace<Double>()          // P in double, row-major [n, n]
    private let gram = Workspace<Double>()          // G, then dsytrd's reflectors
    private let diagonal = Workspace<Double>()      // T's diagonal [n]
    private let offDiagonal = Workspace<Double>()   // T's off-diagonal [n − 1]
    private let reflectorScales = Workspace<Double>() // dsytrd's tau [n − 1]
    private let eigenvalues = Workspace<Double>()   // scratch diagonal for dsterf / dstedc
    private let scratchOffDiagonal = Workspace<Double>()
    private let eigenvectors = Workspace<Double>()  // Z of T, column-major [n, n]
    private let rotated = Workspace<Double>()       // (Qᵀ W)ᵀ, column-major [d, n]
    private let coefficients = Workspace<Double>()  // (Zᵀ Qᵀ W)ᵀ, column-major [d, n]
    private let work = Workspace<Double>()
    private let integerWork = Workspace<LAPACKInt>()

    /// A kernel whose buffers fit n × n matrices (larger ones grow them once).
    public init(order n: Int = 0) {
        if n > 0 { reserve(n) }
    }

    /// P of the last ``spectrum(of:into:)`` call in double precision, row-major `[n, n]`; valid until
    /// the next call.
    public var matrix: UnsafePointer<Double> { UnsafePointer(wide.pointer) }

    /// Singular values of the row-major n × n matrix `p` (`p.count == n²`), descending, into
    /// `sigma[0..<n]`; keeps the reduction for ``truncationTails(columns:count:ranks:into:)``.
    /// `gram`, when given, sees `G = PᵀP` (upper triangle of a column-major `[n, n]` buffer, element
    /// (i, j), i ≤ j, at `[i + j·n]`) before the reduction overwrites it, so a caller that needs the
    /// Gram matrix (the fitted projection's sums) does not form it a second time.
    /// - Throws: `.shapeMismatch` when `p` is not square or `sigma` too short, `.nonFiniteInput`
    ///   naming the first NaN/±Inf element, `.illegalArgument`/`.notConverged` from LAPACK.
    public func spectrum(of p: UnsafeBufferPointer<Float>, into sigma: UnsafeMutableBufferPointer<Double>,
                         gram observe: ((UnsafePointer<Double>) -> Void)? = nil) throws(LinearAlgebraError) {
        let n = Int(Double(p.count).squareRoot().rounded())
        guard n * n == p.count else { throw .shapeMismatch("\(p.count) elements are not a square matrix") }
        guard sigma.count >= n else { throw .shapeMismatch("output holds \(sigma.count) values, the matrix has \(n)") }
        // Until this call succeeds, no reduction is valid for ``truncationTails(columns:count:ranks:into:)``.
        order = 0
        guard n > 0, let input = p.baseAddress, let out = sigma.baseAddress else { return }
        reserve(n)
        let a = wide.pointer
        // An integer OR-reduction (no branch, no float sum) keeps the widening loop vectorized.
        var nonFinite: UInt8 = 0
        for index in 0..<(n * n) {
            let x = input[index]
            a[index] = Double(x)
            nonFinite |= x.isFinite ? 0 : 1
        }
        if nonFinite != 0 {
            let index = p.firstIndex { !$0.isFinite } ?? 0
            throw .nonFiniteInput("element (\(index / n), \(index % n)) of a \(n)×\(n) matrix is \(p[index])")
        }
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, blasint(n), blasint(n), 1, a, blasint(n), 0,
                    gram.pointer, blasint(n))
        observe?(UnsafePointer(gram.pointer))
        let info = LAPACKE_dsytrd_work(
            LAPACK_COL_MAJOR, LAPACKFlag.upper, LAPACKInt(n), gram.pointer, LAPACKInt(n), diagonal.pointer,
            offDiagonal.pointer, reflectorScales.pointer, work.pointer, LAPACKInt(work.capacity))
        try checkLAPACK(info, "dsytrd")
        let lambda = eigenvalues.pointer, e = scratchOffDiagonal.pointer
        lambda.update(from: diagonal.pointer, count: n)
        e.update(from: offDiagonal.pointer, count: max(n - 1, 0))
        try checkLAPACK(LAPACKE_dsterf_work(LAPACKInt(n), lambda, e), "dsterf")
        // dsterf sorts ascending; rounding can push eigenvalues of a PSD matrix below 0 (σ = 0).
        for i in 0..<n { out[i] = Swift.max(lambda[n - 1 - i], 0).squareRoot() }
        order = n
    }

    /// Squared Eckart–Young tails of the last ``spectrum(of:into:)`` matrix: for each rank `ranks[r]`
    /// (0 ≤ k; k ≥ n gives 0) and column `w_j` of `columns` (row-major `[n, d]`, double),
    /// `tails[r·d + j] = ‖(P − P_k) w_j‖² = Σ_{i>k} σ_i² (v_iᵀ w_j)²` (σ descending, i 1-based).
    /// - Throws: `.shapeMismatch` before any spectrum was computed, LAPACK errors from `dstedc`/`dormtr`.
    public func truncationTails(columns w: UnsafePointer<Double>, count d: Int, ranks: [Int],
                                into tails: UnsafeMutablePointer<Double>) throws(LinearAlgebraError) {
        let n = order
        guard n > 0 else { throw .shapeMismatch("no spectrum computed yet") }
        guard d > 0 else { return }
        // All eigenpairs of T: λ ascending in `lambda`, z_a in column a of `z`.
        let lambda = eigenvalues.pointer, e = scratchOffDiagonal.pointer, z = eigenvectors.reserve(n * n)
        lambda.update(from: diagonal.pointer, count: n)
        e.update(from: offDiagonal.pointer, count: max(n - 1, 0))
        try reserveTridiagonalWork(n)
        let solved = LAPACKE_dstedc_work(
            LAPACK_COL_MAJOR, CChar(UInt8(ascii: "I")), LAPACKInt(n), lambda, e, z, LAPACKInt(n),
            work.pointer, LAPACKInt(work.capacity), integerWork.pointer, LAPACKInt(integerWork.capacity))
        try checkLAPACK(solved, "dstedc")
        // Row-major W [n, d] read column-major is Wᵀ [d, n]; Wᵀ Q = (Qᵀ W)ᵀ.
        let y = rotated.reserve(d * n)
        y.update(from: w, count: d * n)
        try reserveRotationWork(n: n, d: d)
        let applied = LAPACKE_dormtr_work(
            LAPACK_COL_MAJOR, CChar(UInt8(ascii: "R")), LAPACKFlag.upper, LAPACKFlag.none, LAPACKInt(d),
            LAPACKInt(n), gram.pointer, LAPACKInt(n), reflectorScales.pointer, y, LAPACKInt(d),
            work.pointer, LAPACKInt(work.capacity))
        try checkLAPACK(applied, "dormtr")
        // c[a·d + j] = z_aᵀ (Qᵀ w_j) = v_aᵀ w_j.
        let c = coefficients.reserve(d * n)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, blasint(d), blasint(n), blasint(n), 1,
                    y, blasint(d), z, blasint(n), 0, c, blasint(d))
        // Tail of rank k = Σ over the n − k smallest eigenvalues (ascending indices a < n − k).
        let cuts = ranks.map { Swift.max(0, n - Swift.max($0, 0)) }
        let order = cuts.indices.sorted { cuts[$0] < cuts[$1] }
        for j in 0..<d {
            var sum = 0.0, a = 0
            for r in order {
                while a < cuts[r] {
                    let coefficient = c[a * d + j]
                    sum += Swift.max(lambda[a], 0) * coefficient * coefficient
                    a += 1
                }
                tails[r * d + j] = sum
            }
        }
    }

    /// Largest singular value ‖A‖₂ of a row-major `[rows, columns]` double matrix with
    /// `rows ≥ columns` (the value matrix V of a head), through its `columns × columns` Gram matrix:
    /// relative error ≈ ε. Uses buffers separate from P's reduction.
    public func spectralNorm(of a: UnsafePointer<Double>, rows: Int, columns: Int) throws(LinearAlgebraError) -> Double {
        guard rows > 0, columns > 0 else { return 0 }
        let g = smallGram.reserve(columns * columns)
        // Row-major A read column-major is Aᵀ [columns, rows]; AᵀA = (Aᵀ)(Aᵀ)ᵀ.
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, blasint(columns), blasint(rows), 1, a,
                    blasint(columns), 0, g, blasint(columns))
        let d = smallDiagonal.reserve(columns), e = smallOffDiagonal.reserve(columns), tau = smallScales.reserve(columns)
        let lwork = 64 * columns
        let info = LAPACKE_dsytrd_work(LAPACK_COL_MAJOR, LAPACKFlag.upper, LAPACKInt(columns), g, LAPACKInt(columns),
                                       d, e, tau, smallWork.reserve(lwork), LAPACKInt(lwork))
        try checkLAPACK(info, "dsytrd")
        try checkLAPACK(LAPACKE_dsterf_work(LAPACKInt(columns), d, e), "dsterf")
        return Swift.max(d[columns - 1], 0).squareRoot()
    }

    private let smallGram = Workspace<Double>()
    private let smallDiagonal = Workspace<Double>()
    private let smallOffDiagonal = Workspace<Double>()
    private let smallScales = Workspace<Double>()
    private let smallWork = Workspace<Double>()

    private var reservedOrder = 0
    private var reservedRotation = (n: 0, d: 0)

    /// Grows the n-sized buffers and `work` to what `dsytrd` needs (once per new n).
    private func reserve(_ n: Int) {
        guard n != reservedOrder else { return }
        reservedOrder = n
        _ = wide.reserve(n * n)
        _ = gram.reserve(n * n)
        for buffer in [diagonal, offDiagonal, reflectorScales, eigenvalues, scratchOffDiagonal] { _ = buffer.reserve(n) }
        var size = 0.0
        let info = LAPACKE_dsytrd_work(LAPACK_COL_MAJOR, LAPACKFlag.upper, LAPACKInt(n), gram.pointer, LAPACKInt(n),
                                       diagonal.pointer, offDiagonal.pointer, reflectorScales.pointer, &size, -1)
        // A failed query only leaves `work` small; dsytrd itself then reports the problem.
        _ = work.reserve(info == 0 ? querySize(size) : 64 * n)
    }

    /// `work`/`iwork` for `dstedc` with compz = 'I' (LAPACK's documented minimum).
    private func reserveTridiagonalWork(_ n: Int) throws(LinearAlgebraError) {
        _ = work.reserve(1 + 4 * n + n * n)
        _ = integerWork.reserve(3 + 5 * n)
    }

    /// `work` for `dormtr` applying Q from the right to a d × n matrix (workspace query).
    private func reserveRotationWork(n: Int, d: Int) throws(LinearAlgebraError) {
        guard reservedRotation != (n, d) else { return }
        var size = 0.0
        let info = LAPACKE_dormtr_work(
            LAPACK_COL_MAJOR, CChar(UInt8(ascii: "R")), LAPACKFlag.upper, LAPACKFlag.none, LAPACKInt(d), LAPACKInt(n),
            gram.pointer, LAPACKInt(n), reflectorScales.pointer, rotated.pointer, LAPACKInt(d), &size, -1)
        try checkLAPACK(info, "dormtr (workspace query)")
        _ = work.reserve(querySize(size))
        reservedRotation = (n, d)
    }
}

@available(*, unavailable, message: "a kernel owns mutable LAPACK workspaces; create one per thread")
extension HeadSpectralKernel: Sendable {}
