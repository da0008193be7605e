import Foundation
import XCTest
import SpectrumAnalysis

/// `spectrum-analyze recommend` end to end: the JSON it writes against the k computed here from the
/// run file's raw σ (not its aggregate), and its usage errors.
final class CLIRecommendTests: CLITestCase {
    func testRecommendationMatchesTheSmallestJFromRawSigma() throws {
        let run = path("run.h5"), json = path("k.json")
        try succeed(CLI.tinyRun(sequences: 3, output: run, ["--no-projection"]))
        let result = try succeed(["recommend", run, "--energy", "0.8", "--output", json])
        XCTAssertTrue(result.stderr.contains("uniform k"), result.stderr)

        let file = try RunFile(contentsOf: URL(fileURLWithPath: run))
        let (L, H, n, S) = (file.metadata.layers, file.metadata.heads, file.metadata.sequenceLength, file.sequenceCount)
        let sigma: [Double] = try file.read("spectrum/sigma")
        var expected: [[Int]] = []
        for layer in 0..<L {
            expected.append((0..<H).map { head in
                // Mean over sequences of c_j = Σ_{i≤j} σ_i / Σ σ_i, then the first j reaching 0.8.
                var mean = [Double](repeating: 0, count: n)
                for s in 0..<S {
                    let base = ((s * L + layer) * H + head) * n
                    let total = sigma[base ..< base + n].reduce(0, +)
                    var running = 0.0
                    for j in 0..<n { running += sigma[base + j]; mean[j] += running / total / Double(S) }
                }
                return (mean.firstIndex { $0 >= 0.8 } ?? (n - 1)) + 1
            })
        }
        let decoded = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        let layers = try XCTUnwrap(decoded?["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.map { $0["layer"] as? Int }, (1...L).map { $0 })
        XCTAssertEqual(layers.map { $0["heads"] as? [Int] ?? [] }, expected)
        XCTAssertEqual(layers.map { $0["k"] as? Int }, expected.map { $0.max() })
        let uniform = try XCTUnwrap(decoded?["uniform_k"] as? Int)
        XCTAssertEqual(uniform, expected.map { $0.max() ?? 0 }.max())
        XCTAssertEqual(try XCTUnwrap(decoded?["compression"] as? Double),
                       Double(expected.map { $0.max() ?? 0 }.reduce(0, +)) / Double(L * uniform), accuracy: 1e-12)
        XCTAssertEqual((decoded?["criterion"] as? [String: Any])?["energy"] as? Double, 0.8)
        // The same JSON goes to stdout.
        XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? NSDictionary, decoded as NSDictionary?)
    }

    func testUsageAndInputErrors() throws {
        let run = path("run.h5")
        try succeed(CLI.tinyRun(sequences: 2, output: run, ["--no-projection"]))
        try fail(["recommend", run, "--energy", "1.5"], status: 64, mentioning: ["--energy"])
        try fail(["recommend", run, "--error", "0"], status: 64, mentioning: ["--error"])
        try fail(["recommend", path("missing.h5")], status: 1, mentioning: ["missing.h5"])
        try fail(["recommend", run, "--error", "0.1"], status: 1, mentioning: [run, "fitted"])
    }
}
