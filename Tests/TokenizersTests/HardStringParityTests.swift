import XCTest
@testable import Tokenizers

/// Exact ids, tokens and decodes of hard strings versus the Python `tokenizers` library
/// (fixtures from scripts/make-tokenizer-fixtures.py).
final class HardStringParityTests: XCTestCase {
    func testMiniLMHardStrings() throws {
        try check(try TestSupport.miniLM(), fixture: "minilm-cases.json")
    }

    func testRobertaBPEHardStrings() throws {
        try check(try TestSupport.roberta(), fixture: "roberta-bpe-cases.json")
    }

    private func check(_ tokenizer: Tokenizer, fixture: String) throws {
        let cases = try TestSupport.cases(fixture)
        XCTAssertGreaterThan(cases.count, 20)
        for item in cases {
            let label = item.text.debugDescription
            XCTAssertEqual(tokenizer.encode(item.text, addSpecialTokens: false), item.ids, "ids of \(label)")
            XCTAssertEqual(tokenizer.encode(item.text, addSpecialTokens: true), item.ids_with_special, "ids with special tokens of \(label)")
            XCTAssertEqual(tokenizer.encodeTokens(item.text, addSpecialTokens: false), item.tokens, "tokens of \(label)")
            XCTAssertEqual(tokenizer.decode(item.ids_with_special, skipSpecialTokens: false), item.decoded, "decode of \(label)")
            XCTAssertEqual(tokenizer.decode(item.ids_with_special, skipSpecialTokens: true), item.decoded_skip_special, "decode (skip special) of \(label)")
        }
    }
}
