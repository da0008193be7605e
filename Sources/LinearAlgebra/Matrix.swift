/// A dense matrix stored row-major: element (i, j) lives at `storage[i * columns + j]`.
///
/// Shape is explicit (`rows × columns`); the storage is a plain Swift array so callers can
/// hand it to BLAS/LAPACK through `withUnsafe(Mutable)BufferPointer` without copying.
public struct Matrix<Scalar: BinaryFloatingPoint & Sendable>: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Row-major elements, `rows * columns` of them.
    public var storage: [Scalar]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// Wraps existing row-major storage; throws when `storage.count != rows * columns`.
    public init(rows: Int, columns: Int, storage: [Scalar]) throws(LinearAlgebraError) {
        guard rows >= 0, columns >= 0, storage.count == rows * columns else {
            throw .shapeMismatch("storage holds \(storage.count) elements, shape is \(rows)×\(columns)")
        }
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// Element (i, j), zero-based.
    public subscript(row: Int, column: Int) -> Scalar {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// The transpose, `columns × rows`.
    public var transposed: Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for i in 0..<rows {
            for j in 0..<columns { result.storage[j * rows + i] = storage[i * columns + j] }
        }
        return result
    }

    /// The `n × n` identity.
    public static func identity(_ n: Int) -> Matrix {
        var result = Matrix(rows: n, columns: n)
        for i in 0..<n { result.storage[i * n + i] = 1 }
        return result
    }
}
