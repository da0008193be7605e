import Foundation
import XCTest
import SpectrumAnalysis

/// `spectrum-analyze run` on the further encoder families' tiny checkpoints: the model_type reaches
/// the run file and the tokenizer's post-processor specials wrap each window.
final class CLIEncoderFamilyTests: CLITestCase {
    private static let fixtures = CLI.testsDirectory.appendingPathComponent("Fixtures")

    /// The XLM-R fixture with the xlmr-unigram tokenizer (whose vocabulary it was built for).
    func testXLMRobertaRunEndToEnd() throws {
        let folder = directory.appendingPathComponent("xlm-roberta")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("transformer/xlm-roberta"), to: folder)
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("tokenizers/xlmr-unigram/tokenizer.json"),
                                         to: folder.appendingPathComponent("tokenizer.json"))
        let output = path("xlmr.h5")
        try succeed(["run", "--model", folder.path, "--corpus", CLI.corpus.path, "--seq-len", "48",
                     "--sequences", "2", "--threads", "2", "--quiet", "-o", output])
        let run = try RunFile(contentsOf: URL(fileURLWithPath: output))
        XCTAssertTrue(run.isComplete)
        XCTAssertEqual(run.metadata.modelType, "xlm-roberta")
        XCTAssertFalse(run.metadata.causal)
        XCTAssertEqual([run.metadata.layers, run.metadata.heads, run.metadata.hiddenSize, run.metadata.sequenceLength], [2, 5, 30, 48])
        // max_position_embeddings 70 minus pad_token_id + 1 leaves 68 positions.
        try fail(["run", "--model", folder.path, "--corpus", CLI.corpus.path, "--seq-len", "69", "-o", path("long.h5")],
                 status: 64, mentioning: [folder.path, "69", "68"])
    }
}
