import Foundation

/// Element types of the safetensors format and their sizes in bytes.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32", f64 = "F64", i64 = "I64", u64 = "U64"

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .bool, .u8, .i8, .f8e4m3, .f8e5m2: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .f64, .i64, .u64: return 8
        }
    }
}

/// One validated header entry: where a tensor's bytes live, relative to the start of the data section.
public struct SafeTensorsEntry: Sendable, Equatable {
    /// Element type.
    public let dtype: SafeTensorsDType
    /// Dimensions, outermost first (row-major).
    public let shape: [Int]
    /// Byte range inside the data section (which starts right after the header).
    public let byteRange: Range<Int>
    /// `product(shape)`.
    public var elementCount: Int { shape.reduce(1, *) }
}

/// Parses and validates a safetensors JSON header. Nothing in the header is trusted until every
/// entry has been checked: a known dtype, non-negative shape, `begin ≤ end ≤ dataLength`,
/// `end − begin = product(shape) × dtype size` (without overflow), and no two ranges overlapping.
enum SafeTensorsHeader {
    /// Upper bound on the header length, as in the reference implementation: a larger value is
    /// corruption, not a model.
    static let maximumHeaderLength = 100_000_000

    /// Entries by tensor name and the free-form `__metadata__` strings.
    static func parse(
        _ json: Data, dataLength: Int, file: String
    ) throws(TransformerError) -> (entries: [String: SafeTensorsEntry], metadata: [String: String]) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json, options: [])
        } catch {
            throw .malformedHeader(file: file, detail: "header is not valid JSON (\(error.localizedDescription))")
        }
        guard let root = object as? [String: Any] else {
            throw .malformedHeader(file: file, detail: "header is not a JSON object")
        }
        var entries: [String: SafeTensorsEntry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in root {
            if name == "__metadata__" {
                guard let strings = value as? [String: String] else {
                    throw .malformedHeader(file: file, detail: "__metadata__ must map strings to strings")
                }
                metadata = strings
                continue
            }
            entries[name] = try entry(name: name, value: value, dataLength: dataLength, file: file)
        }
        try checkNoOverlap(entries, file: file)
        return (entries, metadata)
    }

    private static func entry(
        name: String, value: Any, dataLength: Int, file: String
    ) throws(TransformerError) -> SafeTensorsEntry {
        func fail(_ detail: String) -> TransformerError {
            .malformedHeader(file: file, detail: "tensor '\(name)': \(detail)")
        }
        guard let fields = value as? [String: Any] else { throw fail("entry is not a JSON object") }
        guard let dtypeName = fields["dtype"] as? String else { throw fail("missing string 'dtype'") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw .unknownDType(file: file, tensor: name, dtype: dtypeName)
        }
        guard let shapeValues = fields["shape"] as? [Any], let shape = integers(shapeValues),
              shape.allSatisfy({ $0 >= 0 }) else {
            throw fail("'shape' must be an array of non-negative integers")
        }
        guard let offsetValues = fields["data_offsets"] as? [Any], let offsets = integers(offsetValues),
              offsets.count == 2 else {
            throw fail("'data_offsets' must be two integers [begin, end]")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end else { throw fail("data_offsets [\(begin), \(end)] are not ordered") }
        guard end <= dataLength else {
            throw fail("data_offsets [\(begin), \(end)] reach past the data section of \(dataLength) bytes")
        }
        var bytes = dtype.byteCount
        for dimension in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw fail("shape \(shape) overflows") }
            bytes = product
        }
        guard bytes == end - begin else {
            throw fail("shape \(shape) of \(dtypeName) needs \(bytes) bytes but data_offsets [\(begin), \(end)] hold \(end - begin)")
        }
        return SafeTensorsEntry(dtype: dtype, shape: shape, byteRange: begin..<end)
    }

    /// JSON numbers that are exact non-fractional integers; `nil` otherwise. `JSONSerialization`
    /// yields `NSNumber`, whose `as? Int` bridging already refuses fractions and out-of-range values.
    private static func integers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let integer = value as? Int else { return nil }
            result.append(integer)
        }
        return result
    }

    private static func checkNoOverlap(_ entries: [String: SafeTensorsEntry], file: String) throws(TransformerError) {
        let sorted = entries.filter { !$0.value.byteRange.isEmpty }
            .sorted { ($0.value.byteRange.lowerBound, $0.key) < ($1.value.byteRange.lowerBound, $1.key) }
        for (previous, next) in zip(sorted, sorted.dropFirst())
        where next.value.byteRange.lowerBound < previous.value.byteRange.upperBound {
            throw .malformedHeader(
                file: file,
                detail: "tensors '\(previous.key)' \(previous.value.byteRange) and '\(next.key)' \(next.value.byteRange) overlap")
        }
    }
}
