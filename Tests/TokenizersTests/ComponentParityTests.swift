import Foundation
import XCTest
@testable import Tokenizers

/// Small tokenizers trained by scripts/make-tokenizer-fixtures.py that exercise the components
/// the two real files do not use (NFD/NFC/NFKC, StripAccents, Strip, Replace, Whitespace,
/// Punctuation behaviors, BertProcessing, multi-token templates, BPE suffix/prefix/fuse_unk,
/// ByteLevel without regex, normalized / single_word / lstrip / rstrip added tokens).
final class ComponentParityTests: XCTestCase {
    struct Variant: Decodable {
        let name: String
        let tokenizer_json: String
        let cases: [TestSupport.Case]
    }

    struct Variants: Decodable { let variants: [Variant] }

    func testSmallTokenizersMatchPython() throws {
        let data = try Data(contentsOf: TestSupport.fixtures.appendingPathComponent("components-cases.json"))
        let variants = try JSONDecoder().decode(Variants.self, from: data).variants
        XCTAssertGreaterThanOrEqual(variants.count, 9)
        for variant in variants {
            let tokenizer = try Tokenizer(data: Data(variant.tokenizer_json.utf8), source: variant.name)
            for item in variant.cases {
                let label = "\(variant.name): \(item.text.debugDescription)"
                XCTAssertEqual(tokenizer.encode(item.text, addSpecialTokens: false), item.ids, "ids of \(label)")
                XCTAssertEqual(tokenizer.encode(item.text, addSpecialTokens: true), item.ids_with_special, "ids with special tokens of \(label)")
                XCTAssertEqual(tokenizer.encodeTokens(item.text, addSpecialTokens: false), item.tokens, "tokens of \(label)")
                XCTAssertEqual(tokenizer.decode(item.ids_with_special, skipSpecialTokens: false), item.decoded, "decode of \(label)")
                XCTAssertEqual(tokenizer.decode(item.ids_with_special, skipSpecialTokens: true), item.decoded_skip_special, "decode (skip special) of \(label)")
            }
        }
    }
}
