import CHDF5
import Foundation

/// Encodes `AttributeValue`s into HDF5 attributes and decodes them back (caller holds the lock).
enum AttributeCodec {
    static func write(_ value: AttributeValue, name: String, on location: hid_t, _ site: Site) throws {
        switch value {
        case .string(let text): try writeStrings([text], scalar: true, name, location, site)
        case .stringArray(let texts): try writeStrings(texts, scalar: false, name, location, site)
        case .int64(let number): try writeNumbers([number], scalar: true, name, location, site)
        case .int64Array(let numbers): try writeNumbers(numbers, scalar: false, name, location, site)
        case .double(let number): try writeNumbers([number], scalar: true, name, location, site)
        case .doubleArray(let numbers): try writeNumbers(numbers, scalar: false, name, location, site)
        }
    }

    static func read(name: String, on location: hid_t, _ site: Site) throws -> AttributeValue {
        let attribute = try site.own(H5Aopen(location, name, chdf5_p_default()), .attribute, "H5Aopen")
        let space = try site.own(H5Aget_space(attribute.id), .dataspace, "H5Aget_space")
        let spaceClass = H5Sget_simple_extent_type(space.id)
        let points = H5Sget_simple_extent_npoints(space.id)
        if spaceClass == H5S_NO_CLASS || points < 0 { throw site.failure("H5Sget_simple_extent_npoints") }
        let scalar = spaceClass == H5S_SCALAR
        // A null dataspace holds no values at all: read it as an empty array.
        let count = spaceClass == H5S_NULL ? 0 : Int(points)
        let type = try site.own(H5Aget_type(attribute.id), .datatype, "H5Aget_type")
        switch H5Tget_class(type.id) {
        case H5T_INTEGER:
            let values = try readNumbers(Int64.self, count, attribute, site)
            return scalar ? .int64(values[0]) : .int64Array(values)
        case H5T_FLOAT:
            let values = try readNumbers(Double.self, count, attribute, site)
            return scalar ? .double(values[0]) : .doubleArray(values)
        case H5T_STRING:
            let values = try site.truth(H5Tis_variable_str(type.id), "H5Tis_variable_str")
                ? try readVariableStrings(count, type, space, attribute, site)
                : try readFixedStrings(count, type, attribute, site)
            return scalar ? .string(values[0]) : .stringArray(values)
        default:
            throw HDF5Error.unsupportedType(file: site.file, object: site.object,
                                            detail: "attribute of datatype class \(H5Tget_class(type.id).rawValue)")
        }
    }

    // MARK: - Writing

    private static func space(scalar: Bool, count: Int, _ site: Site) throws -> Handle {
        let id = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, [hsize_t(count)], nil)
        return try site.own(id, .dataspace, "H5Screate")
    }

    private static func writeNumbers<T: HDF5Scalar>(_ values: [T], scalar: Bool, _ name: String,
                                                    _ location: hid_t, _ site: Site) throws {
        let space = try space(scalar: scalar, count: values.count, site)
        let fileType = try T.elementType.makeDatatype(forFile: true, site)
        let memoryType = try T.elementType.makeDatatype(forFile: false, site)
        let attribute = try site.own(H5Acreate2(location, name, fileType.id, space.id, chdf5_p_default(),
                                                chdf5_p_default()), .attribute, "H5Acreate2")
        // An empty array attribute has nothing to write (and H5Awrite rejects a null buffer).
        guard !values.isEmpty else { return }
        let status = values.withUnsafeBytes { H5Awrite(attribute.id, memoryType.id, $0.baseAddress) }
        try site.check(status, "H5Awrite")
    }

    private static func writeStrings(_ texts: [String], scalar: Bool, _ name: String,
                                     _ location: hid_t, _ site: Site) throws {
        if texts.contains(where: { $0.utf8.contains(0) }) {
            throw site.invalid("write attribute", "HDF5 strings cannot contain NUL characters")
        }
        let space = try space(scalar: scalar, count: texts.count, site)
        let type = try variableUTF8(site)
        let attribute = try site.own(H5Acreate2(location, name, type.id, space.id, chdf5_p_default(),
                                                chdf5_p_default()), .attribute, "H5Acreate2")
        guard !texts.isEmpty else { return }
        // Variable-length strings are written as an array of C string pointers.
        var pointers: [UnsafeMutablePointer<CChar>?] = texts.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        if pointers.contains(where: { $0 == nil }) {
            throw site.invalid("write attribute", "out of memory copying \(texts.count) strings")
        }
        try site.check(H5Awrite(attribute.id, type.id, &pointers), "H5Awrite")
    }

    /// The variable-length UTF-8 string type h5py uses for Python `str`.
    private static func variableUTF8(_ site: Site) throws -> Handle {
        let type = try site.own(H5Tcopy(chdf5_c_s1()), .datatype, "H5Tcopy")
        try site.check(H5Tset_size(type.id, chdf5_variable()), "H5Tset_size")
        try site.check(H5Tset_cset(type.id, H5T_CSET_UTF8), "H5Tset_cset")
        return type
    }

    // MARK: - Reading

    private static func readNumbers<T: HDF5Scalar>(_ type: T.Type, _ count: Int, _ attribute: Handle,
                                                   _ site: Site) throws -> [T] {
        guard count > 0 else { return [] }
        // HDF5 converts any integer (float) width to the native Int64 (Double) memory type.
        let memoryType = try T.elementType.makeDatatype(forFile: false, site)
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { throw site.invalid("read attribute", "no buffer") }
            try site.check(H5Aread(attribute.id, memoryType.id, base), "H5Aread")
            initialized = count
        }
    }

    private static func readVariableStrings(_ count: Int, _ fileType: Handle, _ space: Handle,
                                            _ attribute: Handle, _ site: Site) throws -> [String] {
        guard count > 0 else { return [] }
        let memoryType = try site.own(H5Tcopy(chdf5_c_s1()), .datatype, "H5Tcopy")
        try site.check(H5Tset_size(memoryType.id, chdf5_variable()), "H5Tset_size")
        // Same character set as on disk, so HDF5 does not attempt an ASCII/UTF-8 conversion.
        let characterSet = H5Tget_cset(fileType.id)
        if characterSet.rawValue < 0 { throw site.failure("H5Tget_cset") }
        try site.check(H5Tset_cset(memoryType.id, characterSet), "H5Tset_cset")
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        try site.check(H5Aread(attribute.id, memoryType.id, &pointers), "H5Aread")
        let texts = pointers.map { $0.map { String(cString: $0) } ?? "" }
        // HDF5 allocated the strings; give them back.
        try site.check(H5Dvlen_reclaim(memoryType.id, space.id, chdf5_p_default(), &pointers), "H5Dvlen_reclaim")
        return texts
    }

    private static func readFixedStrings(_ count: Int, _ fileType: Handle, _ attribute: Handle,
                                         _ site: Site) throws -> [String] {
        guard count > 0 else { return [] }
        let size = H5Tget_size(fileType.id)
        if size == 0 { throw site.failure("H5Tget_size") }
        let memoryType = try site.own(H5Tcopy(fileType.id), .datatype, "H5Tcopy")
        var bytes = [UInt8](repeating: 0, count: size * count)
        try site.check(H5Aread(attribute.id, memoryType.id, &bytes), "H5Aread")
        let spacePadded = H5Tget_strpad(fileType.id) == H5T_STR_SPACEPAD
        return (0..<count).map { index in
            var field = bytes[(index * size)..<((index + 1) * size)]
            if spacePadded {
                while field.last == 0x20 { field = field.dropLast() }
            } else if let end = field.firstIndex(of: 0) {
                field = field[..<end]
            }
            return String(decoding: field, as: UTF8.self)
        }
    }
}
