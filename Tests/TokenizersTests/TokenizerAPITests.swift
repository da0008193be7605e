import XCTest
@testable import Tokenizers

/// The public API the packing step relies on.
final class TokenizerAPITests: XCTestCase {
    func testMiniLMSpecialTokens() throws {
        let tokenizer = try TestSupport.miniLM()
        XCTAssertEqual(tokenizer.clsOrBosId, 101)
        XCTAssertEqual(tokenizer.sepOrEosId, 102)
        XCTAssertEqual(tokenizer.padId, 0)
        XCTAssertEqual(tokenizer.specialTokensAddedToSingle, 2)
        XCTAssertEqual(tokenizer.vocabularySize, 30522)
        XCTAssertEqual(tokenizer.id(forToken: "[UNK]"), 100)
        XCTAssertEqual(tokenizer.id(forToken: "hello"), 7592)
        XCTAssertNil(tokenizer.id(forToken: "definitely-not-a-token"))
        let ids = tokenizer.encode("hello world", addSpecialTokens: false)
        XCTAssertEqual(ids, [7592, 2088])
        XCTAssertEqual(tokenizer.addingSpecialTokens(to: ids), [101, 7592, 2088, 102])
        XCTAssertEqual(tokenizer.encode("hello world", addSpecialTokens: true), [101, 7592, 2088, 102])
        XCTAssertEqual(tokenizer.decode([101, 7592, 2088, 102], skipSpecialTokens: true), "hello world")
    }

    func testRobertaSpecialTokens() throws {
        let tokenizer = try TestSupport.roberta()
        XCTAssertEqual(tokenizer.clsOrBosId, 0)
        XCTAssertEqual(tokenizer.sepOrEosId, 2)
        XCTAssertEqual(tokenizer.padId, 1)
        XCTAssertEqual(tokenizer.specialTokensAddedToSingle, 2)
        XCTAssertEqual(tokenizer.id(forToken: "<mask>"), 4)
        XCTAssertEqual(tokenizer.vocabularySize, 1000)
        XCTAssertEqual(tokenizer.addingSpecialTokens(to: [10, 11]), [0, 10, 11, 2])
        let text = "Hello world, it's a hacker's dictionary."
        XCTAssertEqual(tokenizer.decode(tokenizer.encode(text), skipSpecialTokens: true), text)
    }

    /// Merges serialized as `["a", "b"]` pairs and as `"a b"` strings load to the same model.
    func testMergeSerializationsAgree() throws {
        let pairs = try TestSupport.roberta()
        let strings = try Tokenizer(contentsOf: TestSupport.fixtures.appendingPathComponent("roberta-bpe/tokenizer-merges-as-strings.json"))
        let lines = try TestSupport.corpusLines().prefix(3000)
        XCTAssertFalse(lines.isEmpty)
        for line in lines {
            XCTAssertEqual(pairs.encode(line, addSpecialTokens: true), strings.encode(line, addSpecialTokens: true), line)
        }
    }

    /// Invalid UTF-8 becomes U+FFFD (documented): BERT's normalizer then drops it, byte-level
    /// BPE encodes its bytes `EF BF BD`.
    func testInvalidUTF8IsReplaced() throws {
        let bytes: [UInt8] = Array("ab ".utf8) + [0xFF, 0xC3] + Array(" cd".utf8)
        let miniLM = try TestSupport.miniLM()
        XCTAssertEqual(miniLM.encode(utf8: bytes, addSpecialTokens: false), miniLM.encode("ab  cd", addSpecialTokens: false))
        let roberta = try TestSupport.roberta()
        XCTAssertEqual(roberta.encode(utf8: bytes, addSpecialTokens: false),
                       roberta.encode("ab \u{FFFD}\u{FFFD} cd", addSpecialTokens: false))
    }

    func testBatchEqualsSequential() throws {
        let tokenizer = try TestSupport.miniLM()
        let lines = Array(try TestSupport.corpusLines().prefix(500))
        XCTAssertEqual(tokenizer.encodeBatch(lines, addSpecialTokens: false), lines.map { tokenizer.encode($0, addSpecialTokens: false) })
    }
}
