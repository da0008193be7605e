import CHDF5

/// The element types a dataset can hold. On disk all are little-endian IEEE floats or two's
/// complement integers; `float16` is IEEE 754 binary16 (sign bit 15, exponent bits 10–14 with
/// bias 15, mantissa bits 0–9), which h5py and NumPy read as `float16`.
public enum ElementType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// IEEE 754 binary16 (`Float16`; `Float` converted in Swift).
    case float16
    /// IEEE 754 binary32 (`Float`).
    case float32
    /// IEEE 754 binary64 (`Double`).
    case float64
    /// Signed 32-bit integer (`Int32`).
    case int32
    /// Signed 64-bit integer (`Int64`).
    case int64

    /// Bytes per element, on disk and in memory.
    public var byteCount: Int {
        switch self {
        case .float16: return 2
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        }
    }

    public var description: String { rawValue }
}

/// A Swift type that maps one-to-one onto an `ElementType`, so `[Self]` can be written to and read
/// from a dataset of that type without conversion. `Float` values may additionally be written to and
/// read from `float16` datasets (converted in Swift, rounding to nearest even).
public protocol HDF5Scalar: Sendable {
    /// The dataset element type that stores this Swift type exactly.
    static var elementType: ElementType { get }
}

extension Float: HDF5Scalar { public static var elementType: ElementType { .float32 } }
extension Double: HDF5Scalar { public static var elementType: ElementType { .float64 } }
extension Int32: HDF5Scalar { public static var elementType: ElementType { .int32 } }
extension Int64: HDF5Scalar { public static var elementType: ElementType { .int64 } }
// Swift has no Float16 on Intel macOS.
#if !(os(macOS) && arch(x86_64))
extension Float16: HDF5Scalar { public static var elementType: ElementType { .float16 } }
#endif

extension ElementType {
    /// A new datatype for this element type: the little-endian on-disk layout when `forFile`, the
    /// host's native layout otherwise (identical on the little-endian hosts Swift runs on).
    func makeDatatype(forFile: Bool, _ site: Site) throws -> Handle {
        let base: hid_t
        switch self {
        case .float16: return try Self.makeHalf(site)
        case .float32: base = forFile ? chdf5_ieee_f32le() : chdf5_native_float()
        case .float64: base = forFile ? chdf5_ieee_f64le() : chdf5_native_double()
        case .int32: base = forFile ? chdf5_std_i32le() : chdf5_native_int32()
        case .int64: base = forFile ? chdf5_std_i64le() : chdf5_native_int64()
        }
        return try site.own(H5Tcopy(base), .datatype, "H5Tcopy")
    }

    /// IEEE binary16, built the way h5py does: a copy of the 32-bit float with the fields moved.
    /// The fields must shrink before the size does, or H5Tset_size refuses.
    private static func makeHalf(_ site: Site) throws -> Handle {
        let type = try site.own(H5Tcopy(chdf5_ieee_f32le()), .datatype, "H5Tcopy")
        try site.check(H5Tset_fields(type.id, 15, 10, 5, 0, 10), "H5Tset_fields")
        try site.check(H5Tset_size(type.id, 2), "H5Tset_size")
        try site.check(H5Tset_ebias(type.id, 15), "H5Tset_ebias")
        return type
    }

    /// Classifies a dataset's datatype, or throws `unsupportedType` (unsigned integers, other
    /// float layouts such as bfloat16, strings, compounds …).
    static func of(datatype type: hid_t, _ site: Site) throws -> ElementType {
        let typeClass = H5Tget_class(type)
        if typeClass.rawValue < 0 { throw site.failure("H5Tget_class") }
        let size = H5Tget_size(type)
        if size == 0 { throw site.failure("H5Tget_size") }
        switch typeClass {
        case H5T_FLOAT:
            if size == 4 { return .float32 }
            if size == 8 { return .float64 }
            if size == 2 {
                var sign = 0, exponentPosition = 0, exponentSize = 0, mantissaPosition = 0, mantissaSize = 0
                try site.check(H5Tget_fields(type, &sign, &exponentPosition, &exponentSize,
                                             &mantissaPosition, &mantissaSize), "H5Tget_fields")
                let bias = H5Tget_ebias(type)
                if (sign, exponentPosition, exponentSize, mantissaPosition, mantissaSize) == (15, 10, 5, 0, 10),
                   bias == 15 {
                    return .float16
                }
                throw HDF5Error.unsupportedType(
                    file: site.file, object: site.object,
                    detail: "2-byte float with fields (sign \(sign), exponent \(exponentPosition)+\(exponentSize), "
                        + "mantissa \(mantissaPosition)+\(mantissaSize), bias \(bias)) is not IEEE half")
            }
        case H5T_INTEGER:
            let sign = H5Tget_sign(type)
            if sign == H5T_SGN_2 && size == 4 { return .int32 }
            if sign == H5T_SGN_2 && size == 8 { return .int64 }
            let signedness = sign == H5T_SGN_2 ? "signed" : "unsigned"
            throw HDF5Error.unsupportedType(file: site.file, object: site.object,
                                            detail: "\(signedness) \(size)-byte integer")
        default:
            break
        }
        throw HDF5Error.unsupportedType(file: site.file, object: site.object,
                                        detail: "datatype class \(typeClass.rawValue), \(size) bytes")
    }
}
