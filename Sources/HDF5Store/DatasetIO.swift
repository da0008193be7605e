import CHDF5

/// Reading and writing values. All arrays are flat and row-major. The Swift element type must be
/// the dataset's (`T.elementType == elementType`), with one exception: `Float` arrays may be
/// written to and read from `float16` datasets, converted in Swift (`Float16(x)` rounds to
/// nearest even; values beyond ±65504 become ±infinity).
extension Dataset {
    /// Writes the whole dataset; `values.count` must equal the product of `shape`.
    public func write<T: HDF5Scalar>(_ values: [T]) throws {
        try withHDF5 {
            let dims = try extent().current
            try write(values, start: dims.map { _ in 0 }, count: dims)
        }
    }

    /// Reads the whole dataset, `product(shape)` values.
    public func read<T: HDF5Scalar>(as type: T.Type = T.self) throws -> [T] {
        try withHDF5 {
            let dims = try extent().current
            return try read(start: dims.map { _ in 0 }, count: dims, as: type)
        }
    }

    /// Writes slice `index` along the first dimension: for shape `[S, L, H, n]`, `values` is the
    /// `[L, H, n]` block of sequence `index` (`L·H·n` values). `index` must be `< shape[0]`.
    public func write<T: HDF5Scalar>(_ values: [T], at index: Int) throws {
        try withHDF5 {
            let (start, count) = try slice(index)
            try write(values, start: start, count: count)
        }
    }

    /// Reads slice `index` along the first dimension (see `write(_:at:)`).
    public func read<T: HDF5Scalar>(at index: Int, as type: T.Type = T.self) throws -> [T] {
        try withHDF5 {
            let (start, count) = try slice(index)
            return try read(start: start, count: count, as: type)
        }
    }

    /// Grows an extendible dataset by one slice along the first dimension and writes `values`
    /// there; returns the new slice's index. Convenient for streaming one sequence at a time.
    /// The value count is checked before growing; if HDF5 then fails to write, the new slice
    /// stays in the dataset holding the fill value 0.
    @discardableResult
    public func append<T: HDF5Scalar>(_ values: [T]) throws -> Int {
        try withHDF5 {
            let dims = try extent().current
            let index = dims[0]
            let expected = dims.dropFirst().reduce(1, *)
            guard values.count == expected else {
                throw site.invalid("append", "\(values.count) values given for a slice of \(Array(dims.dropFirst())) "
                                   + "= \(expected) elements")
            }
            try extend(firstDimension: index + 1)
            try write(values, at: index)
            return index
        }
    }

    /// Writes the hyperslab that starts at `start` and spans `count` elements per dimension;
    /// `values` holds `product(count)` values in row-major order of that block.
    public func write<T: HDF5Scalar>(_ values: [T], start: [Int], count: [Int]) throws {
        try withHDF5 {
            guard try selectionSize(start: start, count: count, values: values.count, "write") > 0 else { return }
            let (memorySpace, fileSpace) = try dataspaces(start: start, count: count)
            let id = try handle.require(site)
            if T.elementType == elementType {
                let memoryType = try elementType.makeDatatype(forFile: false, site)
                let status = values.withUnsafeBytes {
                    H5Dwrite(id, memoryType.id, memorySpace.id, fileSpace.id, chdf5_p_default(), $0.baseAddress)
                }
                return try site.check(status, "H5Dwrite")
            }
            #if !(os(macOS) && arch(x86_64))
            if elementType == .float16, let floats = values as? [Float] {
                let halves = floats.map { Float16($0) }
                let memoryType = try ElementType.float16.makeDatatype(forFile: false, site)
                let status = halves.withUnsafeBytes {
                    H5Dwrite(id, memoryType.id, memorySpace.id, fileSpace.id, chdf5_p_default(), $0.baseAddress)
                }
                return try site.check(status, "H5Dwrite")
            }
            #endif
            throw mismatch(T.self)
        }
    }

    /// Reads the hyperslab that starts at `start` and spans `count` elements per dimension,
    /// returning `product(count)` values in row-major order of that block.
    public func read<T: HDF5Scalar>(start: [Int], count: [Int], as type: T.Type = T.self) throws -> [T] {
        try withHDF5 {
            let total = try selectionSize(start: start, count: count, values: nil, "read")
            guard total > 0 else { return [] }
            try checkReadLimit(total, MemoryLayout<T>.stride)
            if T.elementType == elementType {
                return try readRaw(total, start: start, count: count, as: T.self)
            }
            #if !(os(macOS) && arch(x86_64))
            if elementType == .float16, T.self == Float.self {
                let halves = try readRaw(total, start: start, count: count, as: Float16.self)
                if let floats = halves.map({ Float($0) }) as? [T] { return floats }
            }
            #endif
            throw mismatch(T.self)
        }
    }

    // MARK: - Internals (caller holds the lock)

    private func readRaw<T: HDF5Scalar>(_ total: Int, start: [Int], count: [Int], as: T.Type) throws -> [T] {
        let (memorySpace, fileSpace) = try dataspaces(start: start, count: count)
        let memoryType = try T.elementType.makeDatatype(forFile: false, site)
        let id = try handle.require(site)
        return try [T](unsafeUninitializedCapacity: total) { buffer, initialized in
            guard let base = buffer.baseAddress else { throw site.invalid("read", "no buffer for \(total) values") }
            let status = H5Dread(id, memoryType.id, memorySpace.id, fileSpace.id, chdf5_p_default(), base)
            try site.check(status, "H5Dread")
            initialized = total
        }
    }

    /// `start`/`count` of slice `index` along the first dimension.
    private func slice(_ index: Int) throws -> (start: [Int], count: [Int]) {
        let dims = try extent().current
        guard index >= 0, index < dims[0] else {
            throw site.invalid("slice access", "index \(index) is outside 0..<\(dims[0]) (shape \(dims))")
        }
        return ([index] + dims.dropFirst().map { _ in 0 }, [1] + dims.dropFirst())
    }

    /// Checks the selection against the current shape and the value count; returns its size.
    private func selectionSize(start: [Int], count: [Int], values: Int?, _ operation: String) throws -> Int {
        let dims = try extent().current
        guard start.count == rank, count.count == rank else {
            throw site.invalid(operation, "start \(start) and count \(count) must both have rank \(rank)")
        }
        for axis in 0..<rank where start[axis] < 0 || count[axis] < 0 || start[axis] > dims[axis] - count[axis] {
            throw site.invalid(operation, "start \(start) + count \(count) is outside shape \(dims)")
        }
        var total = 1
        for extent in count {
            let (product, overflow) = total.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw site.invalid(operation, "a block of \(count) elements overflows Int") }
            total = product
        }
        if let values, values != total {
            throw site.invalid(operation, "\(values) values given for a block of \(count) = \(total) elements")
        }
        return total
    }

    /// Refuses, before allocating, a read of `total` values of `stride` bytes beyond
    /// ``HDF5ReadLimit/maximumBytes``: a corrupt file can claim an extent of 10¹⁵ elements.
    private func checkReadLimit(_ total: Int, _ stride: Int) throws {
        let (bytes, overflow) = total.multipliedReportingOverflow(by: stride)
        let limit = HDF5ReadLimit.maximumBytes
        guard !overflow, bytes <= limit else {
            throw site.invalid("read", "\(total) values of \(stride) bytes exceed the \(limit)-byte read limit "
                               + "(shape \((try? extent().current) ?? []); is the file corrupt?)")
        }
    }

    /// A memory dataspace of shape `count` and the file dataspace with that hyperslab selected.
    private func dataspaces(start: [Int], count: [Int]) throws -> (memory: Handle, file: Handle) {
        let counts = count.map { hsize_t($0) }
        let memory = try site.own(H5Screate_simple(Int32(rank), counts, nil), .dataspace, "H5Screate_simple")
        let file = try site.own(H5Dget_space(try handle.require(site)), .dataspace, "H5Dget_space")
        let starts = start.map { hsize_t($0) }
        try site.check(H5Sselect_hyperslab(file.id, H5S_SELECT_SET, starts, nil, counts, nil), "H5Sselect_hyperslab")
        return (memory, file)
    }

    private func mismatch<T: HDF5Scalar>(_ type: T.Type) -> HDF5Error {
        .typeMismatch(file: site.file, object: path, expected: "\(T.self) (\(T.elementType))",
                      actual: "\(elementType)")
    }
}
