import CHDF5

/// A value stored as an HDF5 attribute.
///
/// On disk: `string` is a scalar variable-length UTF-8 string (what h5py writes for `str`),
/// `int64` a scalar little-endian 64-bit integer, `double` a scalar 64-bit float, and the array
/// cases one-dimensional dataspaces of those types. When reading, any integer attribute is
/// returned as `int64`/`int64Array`, any float as `double`/`doubleArray`, and fixed-length as
/// well as variable-length strings as `string`/`stringArray`; a scalar dataspace gives the scalar
/// case, any other dataspace the array case (flattened row-major).
public enum AttributeValue: Equatable, Sendable {
    /// A scalar UTF-8 string.
    case string(String)
    /// A scalar signed 64-bit integer.
    case int64(Int64)
    /// A scalar 64-bit float.
    case double(Double)
    /// A one-dimensional array of signed 64-bit integers.
    case int64Array([Int64])
    /// A one-dimensional array of 64-bit floats.
    case doubleArray([Double])
    /// A one-dimensional array of UTF-8 strings.
    case stringArray([String])

    var typeName: String {
        switch self {
        case .string: return "String"
        case .int64: return "Int64"
        case .double: return "Double"
        case .int64Array: return "[Int64]"
        case .doubleArray: return "[Double]"
        case .stringArray: return "[String]"
        }
    }
}

/// The attributes of one file (its root group), group or dataset.
///
/// `Sendable` for the same reason as its owner: it only holds the owner's handle and every call
/// runs under the module's lock.
public struct Attributes: Sendable {
    let owner: Handle
    let site: Site

    /// Writes `value` under `name`, replacing an existing attribute of that name (even one of
    /// another type or shape).
    public func set(_ name: String, _ value: AttributeValue) throws {
        try withHDF5 {
            let location = try owner.require(site)
            let target = attributeSite(name)
            if try target.truth(H5Aexists(location, name), "H5Aexists") {
                try target.check(H5Adelete(location, name), "H5Adelete")
            }
            try AttributeCodec.write(value, name: name, on: location, target)
        }
    }

    /// Writes a string attribute (variable-length UTF-8; must not contain NUL characters).
    public func set(_ name: String, _ value: String) throws { try set(name, .string(value)) }
    /// Writes a 64-bit integer attribute.
    public func set(_ name: String, _ value: Int64) throws { try set(name, .int64(value)) }
    /// Writes a 64-bit float attribute.
    public func set(_ name: String, _ value: Double) throws { try set(name, .double(value)) }
    /// Writes a one-dimensional 64-bit integer array attribute.
    public func set(_ name: String, _ value: [Int64]) throws { try set(name, .int64Array(value)) }
    /// Writes a one-dimensional 64-bit float array attribute.
    public func set(_ name: String, _ value: [Double]) throws { try set(name, .doubleArray(value)) }
    /// Writes a one-dimensional array of variable-length UTF-8 strings.
    public func set(_ name: String, _ value: [String]) throws { try set(name, .stringArray(value)) }

    /// Reads the attribute `name`; throws `notFound` naming it if it does not exist.
    public func value(_ name: String) throws -> AttributeValue {
        try withHDF5 {
            let location = try owner.require(site)
            let target = attributeSite(name)
            guard try target.truth(H5Aexists(location, name), "H5Aexists") else {
                throw HDF5Error.notFound(kind: "attribute", file: site.file, object: target.object)
            }
            return try AttributeCodec.read(name: name, on: location, target)
        }
    }

    /// Reads a scalar string attribute.
    public func string(_ name: String) throws -> String {
        if case .string(let value) = try value(name) { return value }
        throw try mismatch(name, "String")
    }

    /// Reads a scalar integer attribute.
    public func int64(_ name: String) throws -> Int64 {
        if case .int64(let value) = try value(name) { return value }
        throw try mismatch(name, "Int64")
    }

    /// Reads a scalar float attribute.
    public func double(_ name: String) throws -> Double {
        if case .double(let value) = try value(name) { return value }
        throw try mismatch(name, "Double")
    }

    /// Reads an integer array attribute (a scalar integer reads as a one-element array).
    public func int64Array(_ name: String) throws -> [Int64] {
        switch try value(name) {
        case .int64Array(let values): return values
        case .int64(let value): return [value]
        default: throw try mismatch(name, "[Int64]")
        }
    }

    /// Reads a float array attribute (a scalar float reads as a one-element array).
    public func doubleArray(_ name: String) throws -> [Double] {
        switch try value(name) {
        case .doubleArray(let values): return values
        case .double(let value): return [value]
        default: throw try mismatch(name, "[Double]")
        }
    }

    /// Reads a string array attribute (a scalar string reads as a one-element array).
    public func stringArray(_ name: String) throws -> [String] {
        switch try value(name) {
        case .stringArray(let values): return values
        case .string(let value): return [value]
        default: throw try mismatch(name, "[String]")
        }
    }

    /// Whether an attribute called `name` exists.
    public func contains(_ name: String) throws -> Bool {
        try withHDF5 {
            try attributeSite(name).truth(H5Aexists(try owner.require(site), name), "H5Aexists")
        }
    }

    /// Deletes the attribute `name`; throws `notFound` if it does not exist.
    public func remove(_ name: String) throws {
        try withHDF5 {
            guard try contains(name) else {
                throw HDF5Error.notFound(kind: "attribute", file: site.file, object: attributeSite(name).object)
            }
            try attributeSite(name).check(H5Adelete(try owner.require(site), name), "H5Adelete")
        }
    }

    /// The attribute names, sorted by name.
    public func names() throws -> [String] {
        try withHDF5 {
            let location = try owner.require(site)
            var names: [String] = []
            var index: hsize_t = 0
            let status = withUnsafeMutablePointer(to: &names) { pointer in
                H5Aiterate2(location, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, context in
                    guard let name, let context else { return -1 }
                    context.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
                    return 0
                }, pointer)
            }
            try site.check(status, "H5Aiterate2")
            return names
        }
    }

    /// Messages name an attribute as `<object>@<name>`, e.g. `/spectrum/sigma@units`.
    private func attributeSite(_ name: String) -> Site { site.with(object: "\(site.object)@\(name)") }

    private func mismatch(_ name: String, _ expected: String) throws -> HDF5Error {
        let actual = try value(name).typeName
        return .typeMismatch(file: site.file, object: attributeSite(name).object, expected: expected, actual: actual)
    }
}
