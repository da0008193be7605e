import CLinearAlgebra

extension BLAS {
    /// `G = PᵀP` of a row-major square double matrix `p` `[n, n]`, written as the upper triangle of
    /// a column-major `[n, n]` buffer `g` (element (i, j), i ≤ j, at `g[i + j·n]`; the strict lower
    /// triangle is left untouched). One `dsyrk`: the row-major P read column-major is Pᵀ, and
    /// `PᵀP = (Pᵀ)(Pᵀ)ᵀ`. Each element has error ≤ n·ε·Σ_t |P_ti||P_tj|.
    public static func upperGram(ofRowMajorSquare p: UnsafePointer<Double>, order n: Int, into g: UnsafeMutablePointer<Double>) {
        guard n > 0 else { return }
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, blasint(n), blasint(n), 1, p, blasint(n), 0, g, blasint(n))
    }
}
