import Foundation

/// Builds an RFC 4180 CSV table: comma separated, CRLF line ends, fields quoted with `"` when
/// they contain a comma, quote, CR or LF, and inner quotes doubled.
public struct CSVWriter: Sendable {
    /// The header row.
    public let columns: [String]
    private var lines: [String]

    /// Starts a table with the given header.
    public init(columns: [String]) {
        self.columns = columns
        self.lines = [Self.line(columns)]
    }

    /// Appends one row; it must have as many fields as the header (checked in debug builds only,
    /// because rows are produced by this module, never by input data).
    public mutating func append(_ fields: [String]) {
        assert(fields.count == columns.count, "CSV row has \(fields.count) fields, header \(columns.count)")
        lines.append(Self.line(fields))
    }

    /// Number of data rows (without the header).
    public var rowCount: Int { lines.count - 1 }

    /// The whole table, each row terminated by CRLF.
    public var text: String { lines.map { $0 + "\r\n" }.joined() }

    /// Quotes one field when RFC 4180 requires it.
    public static func escape(_ field: String) -> String {
        let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",")
    }

    /// Formats a number for CSV: 6 significant digits, `NaN` for non-finite values (pandas and R
    /// both read `NaN`).
    ///
    /// Six digits are what the numbers mean (singular values are accurate to 1e-6·σ₁) and what stays
    /// the same across CPUs: the shortest round-trip form printed summation-order noise in the 9th
    /// digit, so the same run gave different reports on different machines.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "NaN" }
        let text = String(format: "%.6g", value)
        return text == "-0" ? "0" : text
    }
}

/// Parses RFC 4180 text back into rows (used by tests and by anyone checking a report).
public enum CSVReader {
    /// Splits `text` into rows of fields, honouring quotes, doubled quotes and CRLF or LF line ends.
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let after = next() {
                        if after == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = after }
                    } else { inQuotes = false }
                } else { field.unicodeScalars.append(c) }
                continue
            }
            switch c {
            case "\"": inQuotes = true
            case ",": row.append(field); field = ""
            case "\r": break
            case "\n": row.append(field); rows.append(row); row = []; field = ""
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
