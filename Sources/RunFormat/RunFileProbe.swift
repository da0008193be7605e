import Foundation
import SpectrumMetrics

/// Checks on a file's bytes made before libhdf5 sees it.
///
/// libhdf5 1.10 does not survive every damaged file: on a file cut short (a partial copy, a full disk)
/// some of its read paths crash. The superblock records the end-of-file address, the first byte past
/// all HDF5 data; a file shorter than that has been truncated, and it is refused here with a message.
enum RunFileProbe {
    /// `\x89HDF\r\n\x1a\n`, at offset 0 or at 512, 1024, 2048, … after a user block.
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Whether the file starts with the HDF5 signature (no user block: this toolkit never writes one).
    static func hasHDF5Signature(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 8)).map { Array($0) == signature } ?? false
    }

    /// Refuses a file that is not HDF5 or is shorter than the end-of-file address in its superblock.
    ///
    /// Superblock layout (HDF5 file format specification, section II.A), after the 8-byte signature
    /// and the version byte: versions 0 and 1 hold 15 (version 1: 19) more bytes of fixed fields,
    /// then the base address, the free-space address, the end-of-file address, each `O` bytes
    /// (`O` = "size of offsets" at byte 13); versions 2 and 3 hold size of offsets at byte 9 and the
    /// base, extension and end-of-file addresses from byte 12. Addresses are relative to the base.
    static func checkLength(_ path: String) throws(AnalysisError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .runFile(path: path, reason: "cannot be opened for reading")
        }
        defer { try? handle.close() }
        let head = Array((try? handle.read(upToCount: 96)) ?? Data())
        let length = (try? handle.seekToEnd()).map { Int($0) } ?? 0
        guard head.count >= 9, Array(head[0..<8]) == signature else {
            throw .runFile(path: path, reason: "is not an HDF5 file (no HDF5 signature at its start)")
        }
        let version = head[8]
        let offsetSize: Int, baseAt: Int
        switch version {
        case 0, 1:
            guard head.count > 13 else { throw truncated(path, length) }
            offsetSize = Int(head[13])
            baseAt = version == 0 ? 24 : 28
        case 2, 3:
            guard head.count > 9 else { throw truncated(path, length) }
            offsetSize = Int(head[9])
            baseAt = 12
        default:
            throw .runFile(path: path, reason: "has HDF5 superblock version \(version), which this build does not know")
        }
        guard [2, 4, 8].contains(offsetSize) else {
            throw .runFile(path: path, reason: "has a damaged HDF5 superblock (size of offsets \(offsetSize))")
        }
        let endAt = baseAt + 2 * offsetSize
        guard head.count >= endAt + offsetSize else { throw truncated(path, length) }
        func address(at start: Int) -> UInt64 {
            (0..<offsetSize).reduce(UInt64(0)) { $0 | UInt64(head[start + $1]) << (8 * UInt64($1)) }
        }
        let (base, end) = (address(at: baseAt), address(at: endAt))
        let (required, overflow) = base.addingReportingOverflow(end)
        guard !overflow, required <= UInt64(length) else {
            throw .runFile(path: path, reason: "is truncated: its HDF5 superblock says it ends at byte \(overflow ? UInt64.max : required), the file has \(length) bytes")
        }
    }

    private static func truncated(_ path: String, _ length: Int) -> AnalysisError {
        .runFile(path: path, reason: "is truncated: \(length) bytes do not hold an HDF5 superblock")
    }
}
