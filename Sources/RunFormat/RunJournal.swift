import CZlib
import Foundation
import SpectrumMetrics

/// An append-only log of committed sequences next to the partial run file, from which `--resume`
/// rebuilds the run.
///
/// HDF5 1.10 updates its metadata in place, so a process killed in the middle of a write can leave
/// the partial HDF5 file unreadable. The journal cannot be damaged that way: each record is
/// `[length u32][payload][CRC-32 u32]` appended after the sequence is complete, so a kill leaves at
/// worst a torn last record, which the reader detects and drops. The first record holds the run's
/// identity (every option that shapes the results), which a resume must match.
///
/// Payload of a sequence record: the record's row of every per-sequence dataset of ``RunSchema``,
/// in schema order, each as little-endian values of the dataset's element type and row size.
package final class RunJournal {
    package let url: URL
    private let handle: FileHandle
    package let metadata: RunMetadata
    /// Sequences recorded, in commit order.
    package private(set) var records: [SequenceRecord] = []

    /// Starts a new journal (replacing a stale one).
    package init(creating url: URL, metadata: RunMetadata) throws(AnalysisError) {
        self.url = url
        self.metadata = metadata
        let header = Data(Self.identity(of: metadata).utf8) + Data(metadata.created.utf8)
        var bytes = Data()
        Self.appendRecord(Data(UInt32(metadata.created.utf8.count).littleEndianBytes) + header, to: &bytes)
        do {
            try bytes.write(to: url)
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw .runFile(path: url.path, reason: "cannot write the resume journal: \(error.localizedDescription)")
        }
    }

    /// Reads an existing journal, drops a torn last record and reopens it for appending.
    /// - Throws: when there is no journal, or it belongs to a run with other options.
    package init(resuming url: URL, metadata expected: RunMetadata, partialPath: String) throws(AnalysisError) {
        self.url = url
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .runFile(path: partialPath, reason: "has no resume journal (\(url.lastPathComponent)); start over with \(Remedy.force.marker)")
        }
        var offset = 0
        var payloads: [Data] = []
        while let payload = Self.nextRecord(in: data, at: &offset) { payloads.append(payload) }
        guard let header = payloads.first, header.count >= 4 else {
            throw .runFile(path: partialPath, reason: "its resume journal is empty or damaged; start over with \(Remedy.force.marker)")
        }
        let createdLength = Int(header.prefix(4).littleEndianUInt32)
        let identity = String(decoding: header.dropFirst(4).dropLast(createdLength), as: UTF8.self)
        guard identity == Self.identity(of: expected) else {
            let differences = Self.differences(recorded: identity, expected: Self.identity(of: expected))
            throw .runFile(path: partialPath, reason: "was started with a different model, corpus or options (\(differences)); rerun with the original options or start over with \(Remedy.force.marker)")
        }
        var metadata = expected
        metadata.created = String(decoding: header.suffix(createdLength), as: UTF8.self)
        self.metadata = metadata
        for payload in payloads.dropFirst() {
            guard let record = Self.decode(payload, metadata: metadata) else { break }
            records.append(record)
        }
        do {
            handle = try FileHandle(forUpdating: url)
            try handle.truncate(atOffset: UInt64(offset))   // drop a torn tail before appending
            try handle.seekToEnd()
        } catch {
            throw .runFile(path: url.path, reason: "cannot reopen the resume journal: \(error.localizedDescription)")
        }
    }

    deinit { try? handle.close() }

    /// Sequences a journal at `url` holds (complete records after the header), read without
    /// changing the file; 0 when there is no readable journal. The durable progress of a run: the
    /// partial HDF5 file is rebuilt from the journal on resume, so it may briefly hold fewer.
    package static func committedCount(at url: URL) -> Int {
        guard let data = try? Data(contentsOf: url) else { return 0 }
        var offset = 0, count = 0
        while nextRecord(in: data, at: &offset) != nil { count += 1 }
        return max(0, count - 1)
    }

    /// Appends one committed sequence.
    package func append(_ record: SequenceRecord) throws(AnalysisError) {
        var payload = Data()
        for dataset in RunSchema(metadata).rows {
            guard let field = dataset.field else { continue }
            switch record.values(field) {
            case .int32(let values)?: payload.append(values: values)
            case .int64(let values)?: payload.append(values: values)
            case .float64(let values)?: payload.append(values: values)
            case nil: throw .runFile(path: url.path, reason: "window \(record.windowIndex) lacks /\(dataset.path)")
            }
        }
        var bytes = Data()
        Self.appendRecord(payload, to: &bytes)
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw .runFile(path: url.path, reason: "cannot append to the resume journal: \(error.localizedDescription)")
        }
    }

    /// Deletes the journal (the run is complete).
    package func remove() {
        try? handle.close()
        try? FileManager.default.removeItem(at: url)
    }

    /// The options that must match for a resume, one `name=value` line each: the run's identity
    /// attributes plus the shard and the planned row count.
    static func identity(of metadata: RunMetadata) -> String {
        let fields = metadata.identityFields + [("shard", metadata.shard.description), ("sequences_planned", "\(metadata.sequencesPlanned)")]
        return fields.map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
    }

    /// "name: recorded vs now" for every identity line that differs (or "options differ" for a journal
    /// written in another layout).
    static func differences(recorded: String, expected: String) -> String {
        func parse(_ text: String) -> [(String, String)] {
            text.split(separator: "\n").map { line in
                let parts = line.split(separator: "=", maxSplits: 1)
                return (String(parts.first ?? ""), parts.count > 1 ? String(parts[1]) : "")
            }
        }
        let old = Dictionary(parse(recorded), uniquingKeysWith: { a, _ in a })
        let lines = parse(expected).compactMap { name, value -> String? in
            let was = old[name] ?? "(absent)"
            return was == value ? nil : "\(name): \(was) when started, \(value) now"
        }
        return lines.isEmpty ? "options differ" : lines.joined(separator: "; ")
    }

    private static func appendRecord(_ payload: Data, to data: inout Data) {
        data.append(contentsOf: UInt32(payload.count).littleEndianBytes)
        data.append(payload)
        data.append(contentsOf: UInt32(checksum(payload)).littleEndianBytes)
    }

    /// The next intact record's payload, or nil at the end or at a torn/corrupt record.
    private static func nextRecord(in data: Data, at offset: inout Int) -> Data? {
        guard data.count - offset >= 8 else { return nil }
        let length = Int(data.subdata(in: offset ..< offset + 4).littleEndianUInt32)
        guard length <= data.count - offset - 8 else { return nil }
        let payload = data.subdata(in: offset + 4 ..< offset + 4 + length)
        let stored = data.subdata(in: offset + 4 + length ..< offset + 8 + length).littleEndianUInt32
        guard stored == UInt32(checksum(payload)) else { return nil }
        offset += 8 + length
        return payload
    }

    private static func checksum(_ payload: Data) -> UInt {
        payload.withUnsafeBytes { raw in
            UInt(crc32(0, raw.bindMemory(to: Bytef.self).baseAddress, uInt(raw.count)))
        }
    }

    /// A record from its payload, or nil when it is short or malformed (a torn tail is dropped before).
    private static func decode(_ payload: Data, metadata: RunMetadata) -> SequenceRecord? {
        var reader = PayloadReader(data: payload)
        var rows: [RunField: RowValues] = [:]
        for dataset in RunSchema(metadata).rows {
            guard let field = dataset.field else { continue }
            let count = dataset.rowSize(metadata)
            switch dataset.type {
            case .int32: guard let v: [Int32] = reader.read(count) else { return nil }; rows[field] = .int32(v)
            case .int64: guard let v: [Int64] = reader.read(count) else { return nil }; rows[field] = .int64(v)
            case .float64: guard let v: [Double] = reader.read(count) else { return nil }; rows[field] = .float64(v)
            case .float32, .float16: return nil
            }
        }
        guard reader.offset == payload.count else { return nil }
        return SequenceRecord(rows: rows)
    }
}

/// Reads fixed-size little-endian arrays from a payload.
private struct PayloadReader {
    let data: Data
    var offset = 0

    mutating func read<T: FixedWidthInteger>(_ count: Int) -> [T]? {
        let size = count * MemoryLayout<T>.size
        guard data.count - offset >= size else { return nil }
        defer { offset += size }
        return data.subdata(in: offset ..< offset + size).withUnsafeBytes { raw in
            (0..<count).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
        }
    }

    mutating func read(_ count: Int) -> [Double]? {
        let bits: [UInt64]? = read(count)
        return bits?.map { Double(bitPattern: $0) }
    }
}

private extension Data {
    mutating func append<T: FixedWidthInteger>(values: [T]) {
        for value in values { append(contentsOf: value.littleEndianBytes) }
    }

    mutating func append(values: [Double]) { append(values: values.map(\.bitPattern)) }

    var littleEndianUInt32: UInt32 {
        withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
    }
}

private extension FixedWidthInteger {
    var littleEndianBytes: [UInt8] { withUnsafeBytes(of: littleEndian) { Array($0) } }
}
