import XCTest
@testable import Tokenizers

/// Exact ids, tokens and decodes of hard strings versus the Python `tokenizers` library
/// (fixtures from scripts/make-tokenizer-fixtures.py).
final class HardStringParityTests: XCTestCase {
    func testMiniLMHardStrings() throws {
        try checkHardStrings(try TestSupport.miniLM(), fixture: "minilm-cases.json")
    }

    func testRobertaBPEHardStrings() throws {
        try checkHardStrings(try TestSupport.roberta(), fixture: "roberta-bpe-cases.json")
    }
}
