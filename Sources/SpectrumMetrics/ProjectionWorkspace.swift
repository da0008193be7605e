import Foundation
import LinearAlgebra

/// Grow-only double buffers for ``ProjectionChecker``, owned by one worker thread, so that checking
/// a head allocates nothing after the first head of a given shape.
public final class ProjectionWorkspace {
    let queries = Workspace<Double>(), keys = Workspace<Double>(), values = Workspace<Double>()
    /// `[n, d·(1 + draws)]`: V, then every `Rᵀ R V`.
    let stacked = Workspace<Double>()
    /// `[n, d·(1 + draws)]`: P times ``stacked``; its first d columns are the reference `P V`.
    let products = Workspace<Double>()
    /// `[draws, k_max, d]`: every `R V`.
    let projectedValues = Workspace<Double>()
    /// `[K, d]` squared Eckart–Young tails.
    let tails = Workspace<Double>()
    let compressedKeys = Workspace<Double>(), compressedValues = Workspace<Double>()
    let logits = Workspace<Double>(), approximation = Workspace<Double>(), rowNorms = Workspace<Double>()

    /// An empty workspace; buffers grow on first use.
    public init() {}

    /// One head's Q, K, V widened to double, row-major `[n, d]`.
    struct Head {
        let q: UnsafeMutablePointer<Double>, k: UnsafeMutablePointer<Double>, v: UnsafeMutablePointer<Double>
        let n: Int, d: Int
    }

    func load(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, n: Int, d: Int) -> Head {
        let count = n * d
        let head = Head(q: queries.reserve(count), k: keys.reserve(count), v: values.reserve(count), n: n, d: d)
        for index in 0..<count {
            head.q[index] = Double(q[index])
            head.k[index] = Double(k[index])
            head.v[index] = Double(v[index])
        }
        return head
    }

    /// The pieces Theorem 2 and pooling share for one head: `‖p_i‖`, `‖V‖₂` and the reference.
    func linformerContext(p: UnsafePointer<Double>, head: Head, reference: UnsafePointer<Double>, width: Int,
                          kernel: HeadSpectralKernel) throws(LinearAlgebraError) -> LinformerContext {
        let n = head.n
        let norms = rowNorms.reserve(n)
        for i in 0..<n {
            let row = p + i * n
            norms[i] = BLAS.dot(row, row, count: n).squareRoot()
        }
        let spectralV = try kernel.spectralNorm(of: head.v, rows: n, columns: head.d)
        return LinformerContext(workspace: self, head: head, reference: reference, width: width,
                                rowNorms: norms, spectralV: spectralV)
    }
}

/// Linformer-style approximations `softmax(Q (E K)ᵀ / √d) (F V)` of one head against `P V`:
/// Theorem 2 (`E = δR`, `F = e^{−δ}R`), mean pooling (`E = F` averages k contiguous segments of
/// positions, row s covering `⌊s·n/k⌋ ..< ⌊(s+1)·n/k⌋`), max pooling (the same segments, the
/// channel-wise maximum instead of the mean) and a given fixed linear `E = F` (the fitted projection).
struct LinformerContext {
    let workspace: ProjectionWorkspace
    let head: ProjectionWorkspace.Head
    /// `P V` in the first d columns of a row-major `[n, width]` matrix.
    let reference: UnsafePointer<Double>
    let width: Int
    let rowNorms: UnsafeMutablePointer<Double>
    let spectralV: Double

    /// Theorem 2 with the draw `r` `[k, n]`; `rv` is `R V` `[k, d]` already multiplied.
    func randomProjection(r: UnsafePointer<Double>, k: Int, rv: UnsafePointer<Double>, delta: Double) -> ApproximationError {
        let (n, d) = (head.n, head.d)
        let ek = workspace.compressedKeys.reserve(k * d), fv = workspace.compressedValues.reserve(k * d)
        BLAS.gemm(m: k, n: d, k: n, alpha: delta, a: r, lda: n, b: head.k, ldb: d, c: ek, ldc: d)   // δ R K
        let scale = exp(-delta)
        for index in 0..<(k * d) { fv[index] = scale * rv[index] }                                   // e^{−δ} R V
        return approximate(keys: ek, values: fv, k: k)
    }

    /// Mean pooling over k segments of positions (the paper's "general projections").
    func meanPooling(k: Int) -> ApproximationError {
        let (n, d) = (head.n, head.d)
        let ek = workspace.compressedKeys.reserve(k * d), fv = workspace.compressedValues.reserve(k * d)
        for s in 0..<k {
            let lower = s * n / k, upper = (s + 1) * n / k
            let weight = 1 / Double(upper - lower)
            for c in 0..<d {
                var keySum = 0.0, valueSum = 0.0
                for t in lower..<upper {
                    keySum += weight * head.k[t * d + c]
                    valueSum += weight * head.v[t * d + c]
                }
                ek[s * d + c] = keySum
                fv[s * d + c] = valueSum
            }
        }
        return approximate(keys: ek, values: fv, k: k)
    }

    /// Max pooling over the same k segments as ``meanPooling(k:)``: `(EK)_{s,c} = max_{t ∈ segment s} K_{t,c}`
    /// and likewise for V. Not a linear map, but what a pooling layer in place of E and F computes.
    func maxPooling(k: Int) -> ApproximationError {
        let (n, d) = (head.n, head.d)
        let ek = workspace.compressedKeys.reserve(k * d), fv = workspace.compressedValues.reserve(k * d)
        for s in 0..<k {
            let lower = s * n / k, upper = (s + 1) * n / k
            for c in 0..<d {
                var keyMax = -Double.infinity, valueMax = -Double.infinity
                for t in lower..<upper {
                    keyMax = max(keyMax, head.k[t * d + c])
                    valueMax = max(valueMax, head.v[t * d + c])
                }
                ek[s * d + c] = keyMax
                fv[s * d + c] = valueMax
            }
        }
        return approximate(keys: ek, values: fv, k: k)
    }

    /// A fixed linear projection `E = F` given row-major `[k, n]` (row stride `n`): `EK`, `EV`, then
    /// the attention output against `P V`.
    func linearProjection(e: UnsafePointer<Double>, k: Int) -> ApproximationError {
        let (n, d) = (head.n, head.d)
        let ek = workspace.compressedKeys.reserve(k * d), fv = workspace.compressedValues.reserve(k * d)
        BLAS.gemm(m: k, n: d, k: n, a: e, lda: n, b: head.k, ldb: d, c: ek, ldc: d)
        BLAS.gemm(m: k, n: d, k: n, a: e, lda: n, b: head.v, ldb: d, c: fv, ldc: d)
        return approximate(keys: ek, values: fv, k: k)
    }

    /// `softmax(Q ekᵀ / √d) fv` against `P V`, with `ek`, `fv` `[k, d]`.
    private func approximate(keys ek: UnsafePointer<Double>, values fv: UnsafePointer<Double>, k: Int) -> ApproximationError {
        let (n, d) = (head.n, head.d)
        let logits = workspace.logits.reserve(n * k), approximation = workspace.approximation.reserve(n * d)
        BLAS.gemm(transposeB: true, m: n, n: k, k: d, alpha: 1 / Double(d).squareRoot(), a: head.q, lda: d,
                  b: ek, ldb: d, c: logits, ldc: k)
        for i in 0..<n {
            let row = logits + i * k
            var largest = -Double.infinity
            for j in 0..<k { largest = max(largest, row[j]) }
            var total = 0.0
            for j in 0..<k {
                let value = exp(row[j] - largest)
                row[j] = value
                total += value
            }
            let inverse = 1 / total
            for j in 0..<k { row[j] *= inverse }
        }
        BLAS.gemm(m: n, n: d, k: k, a: logits, lda: k, b: fv, ldb: d, c: approximation, ldc: d)
        var squared = 0.0, referenceSquared = 0.0, rowSum = 0.0, rowMax = 0.0
        for i in 0..<n {
            var rowSquared = 0.0
            for j in 0..<d {
                let exact = reference[i * width + j]
                let difference = approximation[i * d + j] - exact
                rowSquared += difference * difference
                referenceSquared += exact * exact
            }
            squared += rowSquared
            let rowError = rowSquared.squareRoot() / (rowNorms[i] * spectralV)
            rowSum += rowError
            rowMax = max(rowMax, rowError)
        }
        return ApproximationError(relative: (squared / referenceSquared).squareRoot(),
                                  rowMean: rowSum / Double(n), rowMax: rowMax)
    }
}
