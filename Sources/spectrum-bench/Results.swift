import Foundation

/// Median of a non-empty sample (the mean of the middle two for even counts); 0 when empty.
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted(), middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// Monotonic seconds.
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// Seconds `body` takes.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = now()
    let value = try body()
    return (value, now() - start)
}

/// User + system CPU seconds this process has used so far (all threads).
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// One line of the results table: a Swift number next to its Python reference.
struct Row: Codable {
    /// Table section (tokenizer, forward, svd, end-to-end, memory, profile).
    var section: String
    /// What is measured.
    var item: String
    /// Unit of `swift` and `python`.
    var unit: String
    /// The Swift measurement (median unless stated).
    var swift: Double?
    /// The Python measurement on the same input.
    var python: Double?
    /// Speed-up of Swift over Python (>1 = Swift faster), oriented by the unit.
    var ratio: Double?
    /// The target, as text.
    var target: String?
    /// Whether the target is met.
    var met: Bool?
    /// Samples and remarks.
    var note: String?
}

/// Everything `bench-results.json` holds.
struct Results: Codable {
    /// Machine and versions.
    var machine: [String: String] = [:]
    /// Table rows in print order.
    var rows: [Row] = []
    /// Raw samples by name.
    var samples: [String: [Double]] = [:]
    /// The Python peers, per torch thread count.
    var peers: [PeerMeasurement] = []
    /// The LAPACK bound on the same real heads.
    var bound: BoundMeasurement?
    /// The toolkit's whole-process runs.
    var toolkit: [ToolkitMeasurement] = []
    /// Every ratio of the summary (``computeRatios()``).
    var ratios: [Ratio] = []

    /// Adds a row comparing a Swift and a Python number; `higherIsBetter` orients the ratio.
    mutating func compare(_ section: String, _ item: String, unit: String, swift: Double, python: Double,
                          higherIsBetter: Bool, target: Double? = nil, note: String? = nil) {
        // No ratio when one side is 0 (e.g. a steady state that needs more than one sequence).
        let value = higherIsBetter ? swift / python : python / swift
        let ratio: Double? = value.isFinite && value > 0 ? value : nil
        rows.append(Row(section: section, item: item, unit: unit, swift: swift, python: python, ratio: ratio,
                        target: target.map { "≥ \(format($0))×" }, met: target.flatMap { t in ratio.map { $0 >= t } }, note: note))
    }

    /// Adds a row with a Swift number only.
    mutating func single(_ section: String, _ item: String, unit: String, swift: Double?, python: Double? = nil,
                         target: String? = nil, met: Bool? = nil, note: String? = nil) {
        rows.append(Row(section: section, item: item, unit: unit, swift: swift, python: python, ratio: nil,
                        target: target, met: met, note: note))
    }

    /// The table as printed on stdout, headed by the CPU it ran on.
    func table() -> String {
        var lines = ["spectrum-bench on \(machine["cpu"] ?? "unknown CPU") (\(machine["nproc"] ?? "?") cores)", ""]
        lines += machine.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        lines.append("")
        let header = ["section", "item", "swift", "python", "unit", "ratio", "target", "ok"]
        let body = rows.map { r in
            [r.section, r.item, r.swift.map(format) ?? "", r.python.map(format) ?? "", r.unit,
             r.ratio.map { format($0) + "×" } ?? "", r.target ?? "", r.met.map { $0 ? "yes" : "NO" } ?? ""]
        }
        let widths = header.indices.map { c in ([header] + body).map { $0[c].count }.max() ?? 0 }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                c >= 2 && c <= 3 || c == 5 ? String(repeating: " ", count: widths[c] - cell.count) + cell
                                          : cell + String(repeating: " ", count: widths[c] - cell.count)
            }.joined(separator: "  ")
        }
        lines.append(render(header))
        lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        var previous = ""
        for (row, cells) in zip(rows, body) {
            if row.section != previous, previous != "" { lines.append("") }
            previous = row.section
            lines.append(render(cells))
        }
        let notes = rows.compactMap { r in r.note.map { "- \(r.section) / \(r.item): \($0)" } }
        if !notes.isEmpty { lines += ["", "notes:"] + notes }
        return lines.joined(separator: "\n")
    }
}

/// Three significant digits, without exponent for ordinary magnitudes.
func format(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    let magnitude = abs(x)
    if magnitude == 0 { return "0" }
    if magnitude >= 100 { return String(format: "%.0f", x) }
    if magnitude >= 10 { return String(format: "%.1f", x) }
    if magnitude >= 0.01 { return String(format: "%.3g", x) }
    return String(format: "%.2e", x)
}
