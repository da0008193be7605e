/// Every failure of the HDF5 layer. Each case names the file and the object inside it
/// (an absolute HDF5 path such as `/spectrum/sigma`, or `/` for the file itself), so a message
/// read in a log says which run file and which dataset went wrong.
public enum HDF5Error: Error, Equatable, Sendable, CustomStringConvertible {
    /// An HDF5 C call returned a negative status. `stack` is HDF5's own error stack, outermost
    /// call first (e.g. `H5Fopen(): unable to open file; H5F__super_read(): file signature not found`).
    case library(operation: String, file: String, object: String, stack: String)
    /// `File.create(_:overwrite:)` refused to replace an existing file.
    case fileExists(file: String)
    /// The group, dataset or attribute does not exist.
    case notFound(kind: String, file: String, object: String)
    /// A group, dataset or attribute of that name already exists where a new one was requested.
    case alreadyExists(kind: String, file: String, object: String)
    /// The object exists but is not of the requested kind (e.g. a group where a dataset was expected).
    case wrongKind(file: String, object: String, expected: String, actual: String)
    /// The element type on disk does not match the Swift type used to read or write it.
    case typeMismatch(file: String, object: String, expected: String, actual: String)
    /// The object's datatype is not one this module reads (e.g. an unsigned or compound type).
    case unsupportedType(file: String, object: String, detail: String)
    /// A shape, index, count or option is invalid for the operation.
    case invalidArgument(operation: String, file: String, object: String, reason: String)
    /// The object was used after `File.close()`.
    case closed(file: String, object: String)

    public var description: String {
        switch self {
        case .library(let operation, let file, let object, let stack):
            return "HDF5 \(operation) failed on '\(object)' in file '\(file)': \(stack)"
        case .fileExists(let file):
            return "HDF5 file '\(file)' already exists; pass overwrite: true to replace it"
        case .notFound(let kind, let file, let object):
            return "HDF5 \(kind) '\(object)' not found in file '\(file)'"
        case .alreadyExists(let kind, let file, let object):
            return "HDF5 \(kind) '\(object)' already exists in file '\(file)'"
        case .wrongKind(let file, let object, let expected, let actual):
            return "HDF5 object '\(object)' in file '\(file)' is a \(actual), not a \(expected)"
        case .typeMismatch(let file, let object, let expected, let actual):
            return "HDF5 object '\(object)' in file '\(file)' holds \(actual), requested \(expected)"
        case .unsupportedType(let file, let object, let detail):
            return "HDF5 object '\(object)' in file '\(file)' has an unsupported datatype: \(detail)"
        case .invalidArgument(let operation, let file, let object, let reason):
            return "HDF5 \(operation) on '\(object)' in file '\(file)': \(reason)"
        case .closed(let file, let object):
            return "HDF5 object '\(object)' in file '\(file)' was used after its file was closed"
        }
    }
}
