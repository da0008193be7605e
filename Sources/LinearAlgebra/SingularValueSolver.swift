import CLinearAlgebra

/// Singular values (and, through ``svd(of:rows:columns:)``, a thin SVD) of dense row-major
/// matrices, with reusable LAPACK workspaces.
///
/// Input: a row-major `rows × columns` buffer (`Float` or `Double`). Output:
/// `σ₁ ≥ σ₂ ≥ … ≥ σ_k ≥ 0`, `k = min(rows, columns)`, in double precision; the method (and so
/// the accuracy/speed trade-off) is chosen by ``SingularValueMethod``.
///
/// LAPACK is column-major; the column-major reading of a row-major `m × n` array is its transpose
/// `Aᵀ` (`n × m`, leading dimension `n`), which has the same singular values, so no transposition
/// copy is made. The input is copied (LAPACK overwrites its argument) into a double buffer owned by
/// the solver; every work array is grow-only, so repeated calls with one shape allocate nothing
/// except the returned array (use ``singularValues(of:rows:columns:into:)`` to avoid even that).
///
/// Non-finite input (NaN, ±Inf) is rejected with ``LinearAlgebraError/nonFiniteInput(_:)``
/// before LAPACK is called. A solver is single-threaded state: use one per thread (task), with
/// `BLAS.singleThreaded` when running several in parallel.
public final class SingularValueSolver {
    /// The algorithm used by ``singularValues(of:rows:columns:)``.
    public let method: SingularValueMethod

    let matrix = Workspace<Double>()
    let matrixSingle = Workspace<Float>()
    let gram = Workspace<Double>()
    let values = Workspace<Double>()
    let valuesSingle = Workspace<Float>()
    let work = Workspace<Double>()
    let workSingle = Workspace<Float>()
    let integerWork = Workspace<LAPACKInt>()
    let dummy = Workspace<Double>()
    /// Off-diagonal and reflector scales of the `gram` route's tridiagonal reduction.
    let tridiagonal = Workspace<Double>()
    let dummySingle = Workspace<Float>()

    /// Creates a solver whose buffers fit matrices up to `maxRows × maxColumns` (larger inputs
    /// still work: the buffers grow once).
    public init(maxRows: Int, maxColumns: Int, method: SingularValueMethod = .recommended) {
        self.method = method
        let elements = max(1, maxRows) * max(1, maxColumns)
        let k = max(1, min(maxRows, maxColumns))
        _ = values.reserve(k)
        switch method {
        case .gesdd:
            _ = matrix.reserve(elements)
        case .sgesdd:
            _ = matrixSingle.reserve(elements)
            _ = valuesSingle.reserve(k)
        case .gram, .gramTwoStage:
            _ = matrix.reserve(elements)
            _ = gram.reserve(k * k)
        }
        // A workspace query at the maximal shape pre-sizes `work`/`iwork` for typical calls; a
        // failing query is not fatal here because every call re-queries and throws then.
        if maxRows > 0, maxColumns > 0 {
            try? reserveWork(rows: maxRows, columns: maxColumns)
        }
    }

    /// Singular values of the row-major `rows × columns` matrix `a` (`Float` or `Double`),
    /// descending, in double precision: `[σ₁, …, σ_min(rows, columns)]`. With
    /// ``SingularValueMethod/sgesdd`` `Double` input is rounded to `Float` first.
    ///
    /// - Throws: `.shapeMismatch` when `a.count != rows * columns`, `.nonFiniteInput` (naming the
    ///   first offending element) for NaN/Inf, `.illegalArgument`/`.notConverged` from LAPACK.
    public func singularValues<S: BLASScalar>(
        of a: UnsafeBufferPointer<S>, rows: Int, columns: Int
    ) throws(LinearAlgebraError) -> [Double] {
        let k = try validatedRank(a.count, rows: rows, columns: columns)
        var result = [Double](repeating: 0, count: k)
        try result.withUnsafeMutableBufferPointer { (out) throws(LinearAlgebraError) in
            try computeValues(of: a, rows: rows, columns: columns, into: out)
        }
        return result
    }

    /// Allocation-free form: writes `σ₁ ≥ … ≥ σ_k` into `output[0..<k]`, `k = min(rows, columns)`;
    /// `output` must hold at least `k` elements.
    public func singularValues<S: BLASScalar>(
        of a: UnsafeBufferPointer<S>, rows: Int, columns: Int, into output: UnsafeMutableBufferPointer<Double>
    ) throws(LinearAlgebraError) {
        try computeValues(of: a, rows: rows, columns: columns, into: output)
    }

    private func computeValues<S: BinaryFloatingPoint>(
        of a: UnsafeBufferPointer<S>, rows: Int, columns: Int, into output: UnsafeMutableBufferPointer<Double>
    ) throws(LinearAlgebraError) {
        let k = try validatedRank(a.count, rows: rows, columns: columns)
        guard output.count >= k, let out = output.baseAddress else {
            if k == 0 { return }
            throw .shapeMismatch("output holds \(output.count) values, \(rows)×\(columns) has \(k)")
        }
        if k == 0 { return }
        switch method {
        case .gesdd:
            try load(a, rows: rows, columns: columns, into: matrix.reserve(rows * columns))
            try doubleGESDD(rows: rows, columns: columns, into: out)
        case .sgesdd:
            try load(a, rows: rows, columns: columns, into: matrixSingle.reserve(rows * columns))
            try singleGESDD(rows: rows, columns: columns, into: out)
        case .gram, .gramTwoStage:
            try load(a, rows: rows, columns: columns, into: matrix.reserve(rows * columns))
            try gramEigenvalues(rows: rows, columns: columns, maxAbs: largestMagnitude(a),
                                twoStage: method == .gramTwoStage, into: out)
        }
    }

    /// `min(rows, columns)` after checking that the buffer matches the shape.
    func validatedRank(_ count: Int, rows: Int, columns: Int) throws(LinearAlgebraError) -> Int {
        guard rows >= 0, columns >= 0, count == rows * columns else {
            throw .shapeMismatch("input holds \(count) elements, shape is \(rows)×\(columns)")
        }
        return min(rows, columns)
    }

    /// Copies `a` element by element (same order, so the destination is `Aᵀ` column-major),
    /// converting to `D`. Throws before anything reaches LAPACK if an element is NaN or ±Inf.
    func load<S: BinaryFloatingPoint, D: BinaryFloatingPoint>(
        _ a: UnsafeBufferPointer<S>, rows: Int, columns: Int, into destination: UnsafeMutablePointer<D>
    ) throws(LinearAlgebraError) {
        // An integer OR-reduction (not a branch or a serial float sum) keeps this loop vectorized.
        var nonFinite: UInt8 = 0
        for index in 0..<a.count {
            let x = a[index]
            destination[index] = D(x)
            nonFinite |= x.isFinite ? 0 : 1
        }
        if nonFinite != 0 {
            let index = a.firstIndex { !$0.isFinite } ?? 0
            throw .nonFiniteInput(
                "singular values of a \(rows)×\(columns) matrix: element (\(index / columns), \(index % columns)) is \(a[index])")
        }
    }

    /// `max |a_ij|` of a double input; a `Float` input can never overflow or underflow when
    /// squared in double, so the Gram route skips this pass for it.
    func largestMagnitude<S: BinaryFloatingPoint>(_ a: UnsafeBufferPointer<S>) -> Double {
        guard S.self == Double.self else { return 1 }
        var largest = 0.0
        for x in a { largest = Swift.max(largest, Double(x.magnitude)) }
        return largest
    }
}

@available(*, unavailable, message: "a solver owns mutable LAPACK workspaces; create one per thread")
extension SingularValueSolver: Sendable {}
