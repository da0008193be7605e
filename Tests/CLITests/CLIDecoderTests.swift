import Foundation
import XCTest
import SpectrumAnalysis

/// `spectrum-analyze` on decoder checkpoints: the help lists every model_type, an unknown one is
/// refused with that list, and a causal run writes its summary without Theorem 2 numbers.
final class CLIDecoderTests: CLITestCase {
    static let gpt2 = CLI.testsDirectory.appendingPathComponent("Fixtures/transformer/gpt2")

    func testHelpListsEverySupportedModelType() throws {
        let result = try succeed(["run", "--help"])
        for type in ["bert", "roberta", "xlm-roberta", "camembert", "distilbert", "electra", "modernbert", "gpt2", "llama", "mistral", "qwen2", "qwen3"] {
            XCTAssertTrue(result.stdout.contains(type), "run --help does not mention \(type):\n\(result.stdout)")
        }
    }

    func testUnknownModelTypeIsRefusedWithTheList() throws {
        let folder = directory.appendingPathComponent("t5")
        try FileManager.default.copyItem(at: Self.gpt2, to: folder)
        let config = folder.appendingPathComponent("config.json")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "\"model_type\": \"gpt2\"", with: "\"model_type\": \"t5\"")
        try Data(text.utf8).write(to: config)
        try fail(["run", "--model", folder.path, "--corpus", CLI.corpus.path, "--seq-len", "32", "-o", path("run.h5")],
                 status: 1, mentioning: [config.path, "'t5'", "bert, roberta, xlm-roberta, camembert, distilbert, electra, modernbert, gpt2, llama, mistral, qwen2, qwen3"])
    }

    func testCausalRunEndToEnd() throws {
        try CLI.requireRealData()
        let output = path("gpt2.h5")
        let result = try succeed(["run", "--model", Self.gpt2.path, "--corpus", CLI.corpus.path, "--seq-len", "32",
                                  "--sequences", "2", "--threads", "2", "--quiet", "--projection-dims", "4,8", "-o", output, "--json"])
        XCTAssertFalse(result.stdout.isEmpty)
        let file = try RunFile(contentsOf: URL(fileURLWithPath: output))
        XCTAssertTrue(file.metadata.causal)
        XCTAssertFalse(try file.contains("projection/theorem2/relative"))
        try fail(["run", "--model", Self.gpt2.path, "--corpus", CLI.corpus.path, "--seq-len", "65", "-o", path("long.h5")],
                 status: 64, mentioning: [Self.gpt2.path, "65", "64"])
    }
}
