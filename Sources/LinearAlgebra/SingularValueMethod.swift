/// How ``SingularValueSolver`` computes singular values (values only, no vectors).
///
/// All methods return `σ₁ ≥ … ≥ σ_k ≥ 0`, `k = min(rows, columns)`, of the input exactly as
/// given (a `Float` input is widened to `Double` without rounding). They differ in speed and in
/// how small singular values are resolved. Accuracy is stated as the absolute error relative to
/// σ₁, measured against `dgesdd` in double precision.
///
/// Measured on the project machine (AMD EPYC, OpenBLAS 0.3.21, `OPENBLAS_NUM_THREADS=1`, release
/// build, machine otherwise idle) for 512 × 512 `P = rowSoftmax(G·s)`, `G` Gaussian, float32 input, 6 matrices per scale;
/// error = max_i |σ̂_i − σ_i| / σ₁ against `gesdd`; times are medians per matrix on one core:
///
/// | method          | s = 1            | s = 3            | s = 10           |
/// |-----------------|------------------|------------------|------------------|
/// | `gesdd`         | 33 ms, reference | 34 ms, reference | 33 ms, reference |
/// | `sgesdd`        | 17 ms, 2.7e-7    | 17 ms, 1.5e-6    | 17 ms, 2.8e-6    |
/// | `gram`          | 14.5 ms, 2.3e-14 | 14.5 ms, 5.3e-12 | 14.5 ms, 5.4e-9  |
/// | `gramTwoStage`  | 24 ms, 3.5e-14   | 24 ms, 1.2e-11   | 24 ms, 4.8e-9    |
///
/// (`scipy.linalg.svdvals` on the same float32 matrices, i.e. `sgesdd`: 17 ms.) `sgesdd` misses the
/// 1e-6·σ₁ contract; `gram` meets it with a margin of > 100× and is the fastest, hence
/// ``recommended``. Breakdown of `gram`: `dsyrk` 3.2 ms, `dsytrd` 7.7 ms, `dsterf` 2.6 ms. Also
/// measured and not offered: `dgebrd` + `dbdsqr` (what `dgesdd` does for values only) 31 ms;
/// lower-triangle Gram ≈ same; `dstemr` (dqds) instead of `dsterf` 16–19 ms. Two solvers on
/// the two cores give ≈ 9.5–10.7 ms per matrix of throughput with `gram`.
public enum SingularValueMethod: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `dgesdd` (jobz = 'N') on the double-precision copy: bidiagonal reduction (`dgebrd`) then
    /// dqds. Backward stable: `|σ̂_i − σ_i| ≤ p(n)·ε_double·σ₁`; zero singular values come out at
    /// ~1e-16·σ₁. The reference all other methods are measured against.
    case gesdd
    /// `sgesdd` (jobz = 'N') in single precision. Error `p(n)·ε_float·σ₁` with
    /// ε_float ≈ 6e-8; a `Double` input is rounded to `Float` first.
    case sgesdd
    /// Gram route: `σ_i = √λ_i(G)` with `G = Pᵀ·P` (or `P·Pᵀ` when that is smaller) formed by
    /// `dsyrk` in double precision and its eigenvalues by one tridiagonal reduction `dsytrd` and
    /// `dsterf` (what `dsyevd` with jobz = 'N' does, without its scaling pass); for square float
    /// input the same calls as ``HeadSpectralKernel``, so the same bits. An eigenvalue error `δ ≈ p(n)·ε·σ₁²` becomes `|σ̂_i − σ_i| ≤ min(δ/(2σ_i), √δ)`,
    /// so at worst ≈ √ε_double·σ₁ ≈ 1e-8·σ₁, reached only for σ_i near that level; exact zero
    /// singular values come out at up to ~1e-8·σ₁, not 1e-16·σ₁. Tiny negative λ are clamped to 0.
    case gram
    /// As ``gram``, but the eigenvalues come from `dsyevd_2stage` (jobz = 'N'), whose
    /// tridiagonal reduction goes through a band matrix with BLAS-3 kernels. Same accuracy.
    case gramTwoStage

    /// The method the pipeline uses: the fastest one that meets the 1e-6·σ₁ contract with margin.
    public static let recommended: SingularValueMethod = .gram

    /// The LAPACK/BLAS routines the method calls, for logs and run-file attributes.
    public var description: String {
        switch self {
        case .gesdd: return "dgesdd(jobz=N)"
        case .sgesdd: return "sgesdd(jobz=N)"
        case .gram: return "dsyrk+dsytrd+dsterf"
        case .gramTwoStage: return "dsyrk+dsyevd_2stage(jobz=N)"
        }
    }
}
