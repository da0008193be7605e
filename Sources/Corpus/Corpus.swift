import Foundation

/// One file of a folder corpus: where its (decompressed) bytes sit in the concatenated stream.
public struct CorpusFile: Sendable, Equatable {
    /// File name inside the folder.
    public var name: String
    /// Decompressed bytes.
    public var byteCount: Int
    /// SHA-256 of the decompressed bytes.
    public var sha256: String
    /// Offset of its first byte in the folder's byte stream.
    public var byteOffset: Int
}

/// One non-empty line of a corpus, trimmed, with where it came from.
public struct CorpusLine: Sendable, Equatable {
    /// The trimmed text (UTF-8 decoded with U+FFFD replacing invalid bytes).
    public var text: String
    /// Byte offset of the untrimmed line in the corpus byte stream (see ``Corpus``).
    public var byteOffset: Int
    /// Byte length of the untrimmed line, without its newline.
    public var byteLength: Int
}

/// A text corpus read as lines, the unit the packing step tokenizes.
///
/// Accepted inputs:
/// - `.txt`: UTF-8 text; `.txt.gz` / `.gz`: the same, gzip-compressed;
/// - `.jsonl` (optionally `.jsonl.gz`): one JSON object per line, its `textField` string is the text;
/// - a directory: every `.txt` / `.txt.gz` file in it, sorted by name, read one after another.
///
/// Lines are split on `"\n"` only, decoded as UTF-8 with U+FFFD replacement (as Python's
/// `errors="replace"`), trimmed with Python `str.strip()` semantics, and empty lines dropped.
/// Byte offsets refer to the decompressed byte stream; for a directory, to the concatenation of its
/// files in name order; for `.jsonl`, to the record's line in the (decompressed) file.
public struct Corpus: Sendable {
    /// The path the corpus was read from.
    public let path: String
    /// Non-empty trimmed lines in corpus order.
    public let lines: [CorpusLine]
    /// Total decompressed bytes read.
    public let byteCount: Int
    /// SHA-256 of the decompressed bytes (a folder: its files concatenated in name order).
    public let sha256: String
    /// The files of a folder corpus, in reading order (empty for a single file), so that a byte
    /// offset into the concatenated stream can be traced back to its file.
    public let files: [CorpusFile]

    /// Reads a corpus file or directory.
    /// - Parameter textField: the JSON field holding the text in `.jsonl` corpora.
    public init(contentsOf url: URL, textField: String = "text") throws(CorpusError) {
        path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .unreadable(path: url.path, reason: "no such file or directory")
        }
        let lowercased = url.lastPathComponent.lowercased()
        if !isDirectory.boolValue, lowercased.hasSuffix(".json") || lowercased.hasSuffix(".json.gz") {
            throw .unreadable(path: url.path, reason: "is a .json file; give JSON lines (one object per line) as .jsonl, or plain text as .txt")
        }
        var collected: [CorpusLine] = []
        var files: [CorpusFile] = []
        var base = 0
        let hasher = try Corpus.hasher(for: url.path)
        if isDirectory.boolValue {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: url.path)
                    .filter { $0.hasSuffix(".txt") || $0.hasSuffix(".txt.gz") }.sorted()
            } catch {
                throw .unreadable(path: url.path, reason: "cannot list directory: \(error.localizedDescription)")
            }
            guard !names.isEmpty else { throw .unreadable(path: url.path, reason: "directory holds no .txt or .txt.gz files") }
            for name in names {
                let bytes = try Corpus.readBytes(url.appendingPathComponent(name))
                hasher.update(bytes)
                let own = try Corpus.hasher(for: url.path)
                own.update(bytes)
                files.append(CorpusFile(name: name, byteCount: bytes.count, sha256: own.finalize(), byteOffset: base))
                Corpus.splitLines(bytes, base: base, into: &collected)
                base += bytes.count
            }
        } else {
            let bytes = try Corpus.readBytes(url)
            hasher.update(bytes)
            let name = url.lastPathComponent
            if name.hasSuffix(".jsonl") || name.hasSuffix(".jsonl.gz") {
                try Corpus.splitJSONLines(bytes, field: textField, path: url.path, into: &collected)
            } else {
                Corpus.splitLines(bytes, base: 0, into: &collected)
            }
            base = bytes.count
        }
        guard !collected.isEmpty else { throw .unreadable(path: url.path, reason: "the corpus holds no non-empty lines") }
        lines = collected
        byteCount = base
        sha256 = hasher.finalize()
        self.files = files
    }

    /// Wraps already split lines (for callers that have text in memory).
    public init(path: String, lines: [CorpusLine]) throws(CorpusError) {
        self.path = path
        self.lines = lines
        self.byteCount = lines.last.map { $0.byteOffset + $0.byteLength } ?? 0
        let hasher = try Corpus.hasher(for: path)
        for line in lines { hasher.update(Data(line.text.utf8)) }
        self.sha256 = hasher.finalize()
        self.files = []
    }

    /// A fresh SHA-256 state; libcrypto's failure becomes an error about the corpus at `path`.
    private static func hasher(for path: String) throws(CorpusError) -> SHA256 {
        do { return try SHA256() } catch { throw .unreadable(path: path, reason: "\(error)") }
    }

    /// The file's bytes, gunzipped when the name ends in `.gz`.
    static func readBytes(_ url: URL) throws(CorpusError) -> Data {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw .unreadable(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return url.pathExtension == "gz" ? try Gzip.decompress(data, path: url.path) : data
    }

    /// Splits on `\n`, decodes, trims and keeps non-empty lines.
    static func splitLines(_ bytes: Data, base: Int, into lines: inout [CorpusLine]) {
        bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let all = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start <= all.count {
                var end = start
                while end < all.count && all[end] != 0x0A { end += 1 }
                if end > start {
                    let text = trimmed(String(decoding: UnsafeBufferPointer(rebasing: all[start..<end]), as: UTF8.self))
                    if !text.isEmpty {
                        lines.append(CorpusLine(text: text, byteOffset: base + start, byteLength: end - start))
                    }
                }
                start = end + 1
            }
        }
    }

    /// Reads `.jsonl`: each non-blank line is an object whose `field` is a string; its text is split into lines.
    static func splitJSONLines(_ bytes: Data, field: String, path: String, into lines: inout [CorpusLine]) throws(CorpusError) {
        var records: [CorpusLine] = []
        splitLines(bytes, base: 0, into: &records)
        for (number, record) in records.enumerated() {
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(record.text.utf8))
            } catch {
                throw .unreadable(path: path, reason: "record \(number + 1) (byte \(record.byteOffset)) is not valid JSON")
            }
            guard let dictionary = object as? [String: Any] else {
                throw .unreadable(path: path, reason: "record \(number + 1) (byte \(record.byteOffset)) is not a JSON object")
            }
            guard let text = dictionary[field] as? String else {
                throw .unreadable(path: path, reason: "record \(number + 1) (byte \(record.byteOffset)) has no string field \"\(field)\"")
            }
            for piece in text.split(separator: "\n", omittingEmptySubsequences: true) {
                let line = trimmed(String(piece))
                if !line.isEmpty {
                    lines.append(CorpusLine(text: line, byteOffset: record.byteOffset, byteLength: record.byteLength))
                }
            }
        }
    }

    /// Python `str.strip()`: removes leading and trailing characters for which `str.isspace()` holds
    /// (Unicode White_Space plus the information separators U+001C…U+001F).
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isPythonSpace($0) }),
              let last = scalars.lastIndex(where: { !isPythonSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }

    @inline(__always)
    static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        (0x1C...0x1F).contains(scalar.value) || scalar.properties.isWhitespace
    }
}
