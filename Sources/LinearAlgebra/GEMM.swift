import CLinearAlgebra

/// General matrix multiply through CBLAS, row-major: `C ← α · op(A) · op(B) + β · C`.
///
/// Shapes: `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`. `lda`, `ldb`, `ldc` are the
/// row strides (elements between consecutive rows) of the stored (not transposed) arrays.
/// Accuracy is that of the BLAS: each element has error ≤ k·ε·Σ|a||b| (ε = unit roundoff).
/// The pointer-level entry points exist for the encoder's hot loop; `Matrix` callers use
/// ``multiply(_:_:transposeA:transposeB:)``.
public enum BLAS {
    /// Single-precision `sgemm` on raw row-major buffers.
    @inline(__always)
    public static func gemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// Double-precision `dgemm` on raw row-major buffers.
    @inline(__always)
    public static func gemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Double = 1, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// `Σ_i x_i y_i` of two contiguous double vectors (`ddot`).
    public static func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int) -> Double {
        cblas_ddot(blasint(count), x, 1, y, 1)
    }

    /// Sets OpenBLAS's thread count for this process. The pipeline runs one head per core with
    /// `threads = 1` instead of one multi-threaded call (better on few cores).
    public static func setThreadCount(_ threads: Int) {
        openblas_set_num_threads(Int32(max(1, threads)))
    }
}

/// A scalar type BLAS multiplies: `Float` (`sgemm`) and `Double` (`dgemm`).
public protocol BLASScalar: BinaryFloatingPoint, Sendable {
    /// `gemm` for this precision, with the arguments of ``BLAS``'s pointer-level entry points.
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension Float: BLASScalar {
    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            c: UnsafeMutablePointer<Float>, ldc: Int) {
        BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                  a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
    }
}

extension Double: BLASScalar {
    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            c: UnsafeMutablePointer<Double>, ldc: Int) {
        BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                  a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
    }
}

extension Matrix where Scalar: BLASScalar {
    /// `op(A) · op(B)` in the matrices' precision through `sgemm` / `dgemm`; throws when the inner
    /// dimensions differ.
    public static func multiply(
        _ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false
    ) throws(LinearAlgebraError) -> Matrix {
        let (m, ka) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
        let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
        guard ka == kb else { throw .shapeMismatch("op(A) is \(m)×\(ka), op(B) is \(kb)×\(n)") }
        var c = Matrix(rows: m, columns: n)
        if m == 0 || n == 0 || ka == 0 { return c }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    Scalar.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: ka,
                                a: pa.baseAddress!, lda: a.columns, b: pb.baseAddress!, ldb: b.columns,
                                c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }
}
