import CLinearAlgebra

/// The exact LAPACK routes for one head's spectrum and SVD floor, timed routine by routine on one
/// thread: the yardstick the toolkit's per-head kernel is measured against.
///
/// For a row-major float P `[n, n]` widened to double (outside the timings): the row-major matrix
/// read column-major is Pᵀ, so `dsyrk` without transposition forms `G = PᵀP` (upper triangle);
/// `dsytrd` reduces it to `G = Q T Qᵀ`; `dsterf` gives the eigenvalues λ of T, `σ_i = √max(λ, 0)`
/// descending. The SVD floor's extra work on the same reduction: `dstedc` (compz = I) for all
/// eigenvectors Z of T, `dormtr` applying Qᵀ to the d columns of V (`Y = Vᵀ Q`, d × n), and one
/// `dgemm` `C = Y Z` (the coefficients `v_iᵀ w_j`). For the record, `dsyevd` (jobz = N) on a fresh
/// G. Every call is column-major through the `_work` entry points, so LAPACKE makes no transposed
/// copies; workspaces are queried once and allocated before any timing.
final class LAPACKRoutes {
    /// The routines timed, in the order of ``time(p:v:sigma:)``'s result.
    static let routines = ["dsyrk", "dsytrd", "dsterf", "dstedc(I)", "dormtr", "dgemm", "dsyevd(N)"]

    let n: Int
    let d: Int
    private let a, g, diagonal, offDiagonal, tau, lambda, sterfE, stedcD, stedcE, z, y, c, w: UnsafeMutablePointer<Double>
    private let work: UnsafeMutablePointer<Double>
    private let lwork: Int
    private let iwork: UnsafeMutablePointer<Int32>
    private let liwork: Int
    private var owned: [UnsafeMutablePointer<Double>] = []

    /// Buffers and LAPACK workspaces for n × n heads with d value columns.
    init(n: Int, d: Int) throws(BenchError) {
        self.n = n
        self.d = d
        func buffer(_ count: Int) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            return p
        }
        a = buffer(n * n); g = buffer(n * n); z = buffer(n * n)
        diagonal = buffer(n); offDiagonal = buffer(n); tau = buffer(n); lambda = buffer(n)
        sterfE = buffer(n); stedcD = buffer(n); stedcE = buffer(n); w = buffer(n)
        y = buffer(d * n); c = buffer(d * n)
        // Workspace queries (lwork = liwork = −1): the largest any routine asks for.
        let N = Int32(n), D = Int32(d)
        var query = 0.0, integerQuery: Int32 = 0, sizes: [Int] = [], integerSizes: [Int] = []
        var info = LAPACKE_dsytrd_work(LAPACK_COL_MAJOR, Self.flag("U"), N, g, N, diagonal, offDiagonal, tau, &query, -1)
        sizes.append(Int(query))
        info |= LAPACKE_dstedc_work(LAPACK_COL_MAJOR, Self.flag("I"), N, stedcD, stedcE, z, N, &query, -1, &integerQuery, -1)
        sizes.append(Int(query)); integerSizes.append(Int(integerQuery))
        info |= LAPACKE_dormtr_work(LAPACK_COL_MAJOR, Self.flag("R"), Self.flag("U"), Self.flag("N"), D, N, g, N, tau, y, D, &query, -1)
        sizes.append(Int(query))
        info |= LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, Self.flag("N"), Self.flag("U"), N, g, N, w, &query, -1, &integerQuery, -1)
        sizes.append(Int(query)); integerSizes.append(Int(integerQuery))
        lwork = max(sizes.max() ?? 1, 1)
        liwork = max(integerSizes.max() ?? 1, 1)
        work = buffer(lwork)
        iwork = UnsafeMutablePointer<Int32>.allocate(capacity: liwork)
        iwork.initialize(repeating: 0, count: liwork)
        owned = [a, g, z, diagonal, offDiagonal, tau, lambda, sterfE, stedcD, stedcE, w, y, c, work]
        guard info == 0 else { throw .output("LAPACK workspace query", "info \(info)") }
    }

    deinit {
        for p in owned { p.deallocate() }
        iwork.deallocate()
    }

    private static func flag(_ c: Unicode.Scalar) -> CChar { CChar(UInt8(ascii: c)) }

    /// Times every routine once on the head `p` (row-major float `[n, n]`) with value matrix `v`
    /// (row-major float `[n, d]`), and writes the σ of the route (descending) into `sigma[0..<n]`.
    /// - Returns: seconds per routine, in ``routines`` order.
    func time(p: UnsafePointer<Float>, v: UnsafePointer<Float>, sigma: UnsafeMutablePointer<Double>) throws(BenchError) -> [Double] {
        let N = Int32(n), D = Int32(d), count = n * n
        var seconds = [Double](repeating: 0, count: Self.routines.count)
        func check(_ info: Int32, _ routine: String) throws(BenchError) {
            guard info == 0 else { throw .output(routine, "LAPACK info \(info) on a real \(n)×\(n) head") }
        }
        for i in 0..<count { a[i] = Double(p[i]) }

        var t = now()
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, N, N, 1, a, N, 0, g, N)
        seconds[0] = now() - t
        t = now()
        let reduced = LAPACKE_dsytrd_work(LAPACK_COL_MAJOR, Self.flag("U"), N, g, N, diagonal, offDiagonal, tau, work, Int32(lwork))
        seconds[1] = now() - t
        try check(reduced, "dsytrd")
        // dsterf and dstedc overwrite T; each gets its own copy.
        lambda.update(from: diagonal, count: n)
        sterfE.update(from: offDiagonal, count: n - 1)
        stedcD.update(from: diagonal, count: n)
        stedcE.update(from: offDiagonal, count: n - 1)
        t = now()
        let sterf = LAPACKE_dsterf_work(N, lambda, sterfE)
        seconds[2] = now() - t
        try check(sterf, "dsterf")
        for i in 0..<n { sigma[i] = max(lambda[n - 1 - i], 0).squareRoot() }

        t = now()
        let stedc = LAPACKE_dstedc_work(LAPACK_COL_MAJOR, Self.flag("I"), N, stedcD, stedcE, z, N, work, Int32(lwork), iwork, Int32(liwork))
        seconds[3] = now() - t
        try check(stedc, "dstedc")
        // Row-major V [n, d] read column-major is Vᵀ [d, n]; Vᵀ Q = (Qᵀ V)ᵀ.
        for i in 0..<(n * d) { y[i] = Double(v[i]) }
        t = now()
        let ormtr = LAPACKE_dormtr_work(LAPACK_COL_MAJOR, Self.flag("R"), Self.flag("U"), Self.flag("N"), D, N, g, N, tau, y, D, work, Int32(lwork))
        seconds[4] = now() - t
        try check(ormtr, "dormtr")
        t = now()
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, D, N, N, 1, y, D, z, N, 0, c, D)
        seconds[5] = now() - t

        cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, N, N, 1, a, N, 0, g, N)
        t = now()
        let syevd = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, Self.flag("N"), Self.flag("U"), N, g, N, w, work, Int32(lwork), iwork, Int32(liwork))
        seconds[6] = now() - t
        try check(syevd, "dsyevd")
        return seconds
    }
}
