import Foundation
import XCTest
import SpectrumAnalysis

/// `spectrum-analyze sweep` end to end: one run file per n covering the same text, a second
/// invocation that skips complete files, and `spectrum-report` turning the files into k_vs_n,
/// checked against the per-sequence k90/k95 of the run files recomputed here.
final class CLISweepTests: CLITestCase {
    /// The `spectrum-report` binary next to `spectrum-analyze`.
    func reportBinary() throws -> URL { try CLI.binary().deletingLastPathComponent().appendingPathComponent("spectrum-report") }

    func testSweepWritesOneRunPerNSkipsCompleteOnesAndFeedsKVersusN() throws {
        let folder = path("sweep")
        let arguments = ["sweep", "--model", CLI.tinyModel.path, "--corpus", CLI.corpus.path, "--seq-lens", "64,16,32",
                         "--sequences", "4", "--output-dir", folder, "--no-projection", "--quiet"]
        try succeed(arguments)
        let lengths = [16, 32, 64]
        let files = try lengths.map { try RunFile(contentsOf: URL(fileURLWithPath: "\(folder)/n\($0).h5")) }
        XCTAssertEqual(files.map(\.metadata.sequenceLength), lengths)
        // The same text: 4 windows of 62 ids at n = 64, ⌊4·62/(n − 2)⌋ windows at smaller n.
        XCTAssertEqual(files.map(\.sequenceCount), [17, 8, 4])
        let first16: [Int32] = try files[0].read("tokens/input_ids"), first64: [Int32] = try files[2].read("tokens/input_ids")
        XCTAssertEqual(Array(first16[1 ..< 15]), Array(first64[1 ..< 15]), "windows start at the same text")

        let before = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/n32.h5"))
        let again = try succeed(arguments.filter { $0 != "--quiet" })
        XCTAssertEqual(again.stderr.components(separatedBy: "skipped").count - 1, 3, again.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/n32.h5")), before)
        try fail(["sweep", "--model", CLI.tinyModel.path, "--corpus", CLI.corpus.path, "--seq-lens", "64,x", "--output-dir", folder],
                 status: 64, mentioning: ["--seq-lens"])

        let report = path("report")
        let result = try CLI.start(try reportBinary(), lengths.map { "\(folder)/n\($0).h5" } + ["-o", report, "--k", "8"], in: directory).wait(timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        let csv = try String(contentsOf: URL(fileURLWithPath: "\(report)/k_vs_n.csv"), encoding: .utf8)
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(report)/k_vs_n.svg"))
        let rows = csv.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(rows.count, 2 * lengths.count, csv)
        for (index, file) in files.enumerated() {
            let (L, H, S) = (file.metadata.layers, file.metadata.heads, file.sequenceCount)
            let k90: [Int32] = try file.read("spectrum/k90")
            for layer in 0..<L {
                let perHead = (0..<H).map { head in Self.median((0..<S).map { Double(k90[($0 * L + layer) * H + head]) }) }
                let row = try XCTUnwrap(rows.first { $0[1] == "\(layer + 1)" && $0[2] == "\(lengths[index])" })
                XCTAssertEqual(try XCTUnwrap(Double(row[3])), Self.median(perHead), accuracy: 1e-9, "layer \(layer + 1), n = \(lengths[index])")
            }
        }
        // α for layer 1 from the medians, by an explicit least-squares fit on log–log.
        let layer1 = rows.filter { $0[1] == "1" }.map { (log(Double($0[2]) ?? 0), log(Double($0[3]) ?? 0)) }
        let mx = layer1.map(\.0).reduce(0, +) / 3, my = layer1.map(\.1).reduce(0, +) / 3
        let alpha = layer1.reduce(0.0) { $0 + ($1.0 - mx) * ($1.1 - my) } / layer1.reduce(0.0) { $0 + ($1.0 - mx) * ($1.0 - mx) }
        XCTAssertEqual(try XCTUnwrap(Double(rows[0][11])), alpha, accuracy: 1e-5)
        let html = try String(contentsOf: URL(fileURLWithPath: "\(report)/index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("α(k90)"), "caption computed from the data")
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
