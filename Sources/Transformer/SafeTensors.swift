import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A memory-mapped, read-only `.safetensors` file.
///
/// Layout: an 8-byte little-endian header length `N`, `N` bytes of JSON mapping tensor names to
/// `{dtype, shape, data_offsets}`, then the data section. The header is validated completely at
/// open (see ``SafeTensorsEntry``); tensor bytes are only read, and converted to `Float`, on request.
/// The mapping is released in `deinit`.
///
/// Sendable because the mapping is `PROT_READ` and no stored property changes after `init`.
public final class SafeTensors: @unchecked Sendable {
    /// The file this reader maps.
    public let url: URL
    /// `__metadata__` of the header (empty when absent).
    public let metadata: [String: String]
    private let entries: [String: SafeTensorsEntry]
    private let mapping: UnsafeRawBufferPointer
    private let dataOffset: Int

    /// Maps the file at `url` and validates its header.
    /// - Throws: ``TransformerError`` naming the file: unreadable, truncated, malformed header,
    ///   unknown dtype, out-of-range or overlapping offsets, size that disagrees with the shape.
    public init(contentsOf url: URL) throws(TransformerError) {
        self.url = url
        let file = url.path
        let descriptor = open(file, O_RDONLY)
        guard descriptor >= 0 else { throw .cannotRead(file: file, reason: Self.systemError()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .cannotRead(file: file, reason: Self.systemError()) }
        let fileSize = Int(status.st_size)
        guard fileSize >= 8 else {
            throw .truncatedFile(file: file, detail: "\(fileSize) bytes, shorter than the 8-byte header length")
        }
        guard let base = mmap(nil, fileSize, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED else {
            throw .cannotRead(file: file, reason: "mmap failed: \(Self.systemError())")
        }
        let mapping = UnsafeRawBufferPointer(start: base, count: fileSize)
        do throws(TransformerError) {
            let headerLength = UInt64(littleEndian: mapping.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            guard headerLength <= UInt64(SafeTensorsHeader.maximumHeaderLength) else {
                throw TransformerError.malformedHeader(
                    file: file, detail: "header length \(headerLength) exceeds the \(SafeTensorsHeader.maximumHeaderLength)-byte cap")
            }
            guard Int(headerLength) <= fileSize - 8 else {
                throw TransformerError.truncatedFile(
                    file: file, detail: "header length \(headerLength) exceeds the \(fileSize - 8) bytes after the length prefix")
            }
            let dataOffset = 8 + Int(headerLength)
            let json = Data(mapping[8..<dataOffset])
            let header = try SafeTensorsHeader.parse(json, dataLength: fileSize - dataOffset, file: file)
            self.entries = header.entries
            self.metadata = header.metadata
            self.dataOffset = dataOffset
            self.mapping = mapping
        } catch {
            munmap(base, fileSize)
            throw error
        }
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: mapping.baseAddress), mapping.count)
    }

    /// All tensor names in the file, sorted.
    public var tensorNames: [String] { entries.keys.sorted() }

    /// The shape of `name`, outermost dimension first; `nil` when the file has no such tensor.
    public func shape(of name: String) -> [Int]? { entries[name]?.shape }

    /// The validated header entry of `name`; `nil` when absent.
    public func entry(_ name: String) -> SafeTensorsEntry? { entries[name] }

    /// The elements of `name` in row-major order, converted to `Float`.
    ///
    /// F32 is copied, F16 and BF16 are widened exactly (every half value is a float), F64 is rounded
    /// to nearest. Integer and 8-bit float tensors are refused.
    /// - Throws: ``TransformerError/missingTensor(file:tensor:expectedShape:)`` or
    ///   ``TransformerError/unsupportedDType(file:tensor:dtype:)``.
    public func floats(_ name: String) throws(TransformerError) -> [Float] {
        guard let entry = entries[name] else {
            throw .missingTensor(file: url.path, tensor: name, expectedShape: [])
        }
        let count = entry.elementCount
        let source = UnsafeRawBufferPointer(
            rebasing: mapping[(dataOffset + entry.byteRange.lowerBound)..<(dataOffset + entry.byteRange.upperBound)])
        switch entry.dtype {
        case .f32:
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                // Offsets need not be 4-byte aligned, so copy bytes rather than rebinding memory.
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
                initialized = count
            }
        case .f16:
            return Self.convert(source, count: count, as: UInt16.self) { HalfPrecision.float(fromHalfBits: $0) }
        case .bf16:
            return Self.convert(source, count: count, as: UInt16.self) { HalfPrecision.float(fromBFloat16Bits: $0) }
        case .f64:
            return Self.convert(source, count: count, as: UInt64.self) { Float(Double(bitPattern: $0)) }
        default:
            throw .unsupportedDType(file: url.path, tensor: name, dtype: entry.dtype.rawValue)
        }
    }

    /// Converts elements `elements` of `name` (row-major order) to `Float` into `target`, as
    /// ``floats(_:)`` does, without allocating: the decoder converts one layer at a time into a
    /// reused buffer and embedding rows on demand.
    /// - Precondition: `elements` lies inside the tensor and `target` holds `elements.count` floats.
    /// - Throws: ``TransformerError/missingTensor(file:tensor:expectedShape:)`` or
    ///   ``TransformerError/unsupportedDType(file:tensor:dtype:)``.
    public func read(_ name: String, elements: Range<Int>? = nil, into target: UnsafeMutablePointer<Float>) throws(TransformerError) {
        guard let entry = entries[name] else {
            throw .missingTensor(file: url.path, tensor: name, expectedShape: [])
        }
        let range = elements ?? 0..<entry.elementCount
        precondition(range.lowerBound >= 0 && range.upperBound <= entry.elementCount, "element range outside \(name)")
        let start = dataOffset + entry.byteRange.lowerBound + range.lowerBound * entry.dtype.byteCount
        let source = UnsafeRawBufferPointer(rebasing: mapping[start..<(start + range.count * entry.dtype.byteCount)])
        let count = range.count
        switch entry.dtype {
        case .f32:
            UnsafeMutableRawBufferPointer(start: target, count: count * 4).copyMemory(from: source)
        case .f16:
            for index in 0..<count {
                target[index] = HalfPrecision.float(fromHalfBits: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
            }
        case .bf16:
            for index in 0..<count {
                target[index] = HalfPrecision.float(fromBFloat16Bits: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
            }
        case .f64:
            for index in 0..<count {
                target[index] = Float(Double(bitPattern: UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))))
            }
        default:
            throw .unsupportedDType(file: url.path, tensor: name, dtype: entry.dtype.rawValue)
        }
    }

    /// Tells the kernel the mapped pages of `name` are not needed for now (`MADV_DONTNEED`), so they
    /// leave the process's resident set; a later read maps them in again from the file (the mapping
    /// is private and never written, so nothing is lost). The decoder calls this after converting a
    /// layer of a large checkpoint, keeping its RSS near one layer instead of the whole file.
    public func releasePages(of name: String) {
        guard let entry = entries[name], let base = mapping.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = dataOffset + entry.byteRange.lowerBound, end = dataOffset + entry.byteRange.upperBound
        let first = start / page * page, last = min(mapping.count, (end + page - 1) / page * page)
        guard page > 0, last > first else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + first), last - first, Int32(MADV_DONTNEED))
    }

    /// Reads `count` little-endian words of type `Word` (possibly unaligned) and maps each to a Float.
    private static func convert<Word: FixedWidthInteger>(
        _ source: UnsafeRawBufferPointer, count: Int, as _: Word.Type, _ transform: (Word) -> Float
    ) -> [Float] {
        let stride = MemoryLayout<Word>.size
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                let word = Word(littleEndian: source.loadUnaligned(fromByteOffset: index * stride, as: Word.self))
                buffer[index] = transform(word)
            }
            initialized = count
        }
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }
}
