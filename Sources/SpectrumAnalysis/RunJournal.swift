import CZlib
import Foundation

/// An append-only log of committed sequences next to the partial run file, from which `--resume`
/// rebuilds the run.
///
/// HDF5 1.10 updates its metadata in place, so a process killed in the middle of a write can leave
/// the partial HDF5 file unreadable. The journal cannot be damaged that way: each record is
/// `[length u32][payload][CRC-32 u32]` appended after the sequence is complete, so a kill leaves at
/// worst a torn last record, which the reader detects and drops. The first record holds the run's
/// identity (every option that shapes the results), which a resume must match.
///
/// Payload of a sequence record (little-endian): window index i64, byte range 2 × i64, n input ids
/// i32, then with spectra σ `[L, H, n]` f64, k90/k95/k99 `[L, H]` i32, entropy and stable rank
/// `[L, H]` f64, and with projections every statistic `[L, H, K]` f64 and the fractions `[L, H, K, E]` f64.
final class RunJournal {
    let url: URL
    private let handle: FileHandle
    let metadata: RunMetadata
    /// Sequences recorded, in commit order.
    private(set) var records: [(sequence: PackedSequence, result: SequenceResult?)] = []

    /// The journal next to a partial file.
    static func url(for partial: URL) -> URL { URL(fileURLWithPath: partial.path + ".journal") }

    /// Starts a new journal (replacing a stale one).
    init(creating url: URL, metadata: RunMetadata) throws(AnalysisError) {
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
    init(resuming url: URL, metadata expected: RunMetadata, partialPath: String) throws(AnalysisError) {
        self.url = url
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .runFile(path: partialPath, reason: "has no resume journal (\(url.lastPathComponent)); start over with --force")
        }
        var offset = 0
        var payloads: [Data] = []
        while let payload = Self.nextRecord(in: data, at: &offset) { payloads.append(payload) }
        guard let header = payloads.first, header.count >= 4 else {
            throw .runFile(path: partialPath, reason: "its resume journal is empty or damaged; start over with --force")
        }
        let createdLength = Int(header.prefix(4).littleEndianUInt32)
        let identity = String(decoding: header.dropFirst(4).dropLast(createdLength), as: UTF8.self)
        guard identity == Self.identity(of: expected) else {
            throw .runFile(path: partialPath, reason: "was started with a different model, corpus or options; rerun with the original options or start over with --force")
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

    /// Appends one committed sequence.
    func append(_ sequence: PackedSequence, result: SequenceResult?) throws(AnalysisError) {
        var payload = Data()
        payload.append(values: [Int64(sequence.index), Int64(sequence.byteRange.lowerBound), Int64(sequence.byteRange.upperBound)])
        payload.append(values: sequence.inputIds)
        if metadata.spectra, let result {
            payload.append(values: result.sigma)
            payload.append(values: result.k90 + result.k95 + result.k99)
            payload.append(values: result.entropyRank + result.stableRank)
            if metadata.projection != nil {
                for name in metadata.projectionStatistics { payload.append(values: result.projection[name] ?? []) }
                payload.append(values: result.fractionBelow)
            }
        }
        var record = Data()
        Self.appendRecord(payload, to: &record)
        do {
            try handle.write(contentsOf: record)
        } catch {
            throw .runFile(path: url.path, reason: "cannot append to the resume journal: \(error.localizedDescription)")
        }
    }

    /// Deletes the journal (the run is complete).
    func remove() {
        try? handle.close()
        try? FileManager.default.removeItem(at: url)
    }

    /// The options that must match for a resume: everything but the creation time.
    static func identity(of metadata: RunMetadata) -> String {
        var m = metadata
        m.created = ""
        return String(describing: m)
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

    private static func decode(_ payload: Data, metadata m: RunMetadata) -> (sequence: PackedSequence, result: SequenceResult?)? {
        var reader = PayloadReader(data: payload)
        let (L, H, n) = (m.layers, m.heads, m.sequenceLength)
        let K = m.projection?.dims.count ?? 0, E = m.projection?.epsilons.count ?? 0
        guard let header: [Int64] = reader.read(3), let ids: [Int32] = reader.read(n) else { return nil }
        let sequence = PackedSequence(index: Int(header[0]), inputIds: ids, byteRange: Int(header[1]) ..< Int(header[2]))
        guard m.spectra else { return (sequence, nil) }
        let result = SequenceResult(layers: L, heads: H, n: n, dims: K, epsilons: E)
        guard let sigma: [Double] = reader.read(L * H * n), let ks: [Int32] = reader.read(3 * L * H),
              let ranks: [Double] = reader.read(2 * L * H) else { return nil }
        result.sigma = sigma
        let heads = L * H
        result.k90 = Array(ks[0 ..< heads])
        result.k95 = Array(ks[heads ..< 2 * heads])
        result.k99 = Array(ks[2 * heads ..< 3 * heads])
        result.entropyRank = Array(ranks[0 ..< heads])
        result.stableRank = Array(ranks[heads ..< 2 * heads])
        if m.projection != nil {
            for name in m.projectionStatistics {
                guard let values: [Double] = reader.read(L * H * K) else { return nil }
                result.projection[name] = values
            }
            guard let fractions: [Double] = reader.read(L * H * K * E) else { return nil }
            result.fractionBelow = fractions
        }
        return (sequence, result)
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
