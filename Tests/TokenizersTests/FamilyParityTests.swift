import Foundation
import XCTest
@testable import Tokenizers

/// One tokenizer per model family's `tokenizer.json` style, trained by
/// scripts/make-tokenizer-family-fixtures.py: ids, tokens and decodes of the hard strings and
/// the id stream of the whole corpus must equal the Python library's.
final class FamilyParityTests: XCTestCase {
    static let styles = ["gpt2-bytelevel", "llama3-regex", "qwen2-regex", "llama2-spbpe", "mistral-spbpe", "xlmr-unigram", "xlmr-spm-precompiled"]

    static func load(_ style: String) throws -> Tokenizer {
        try Tokenizer(contentsOf: TestSupport.fixtures.appendingPathComponent("\(style)/tokenizer.json"))
    }

    func testGPT2ByteLevel() throws { try checkStyle("gpt2-bytelevel") }
    func testLlama3Regex() throws { try checkStyle("llama3-regex") }
    func testQwen2Regex() throws { try checkStyle("qwen2-regex") }
    func testLlama2SentencePieceBPE() throws { try checkStyle("llama2-spbpe") }
    func testMistralSentencePieceBPE() throws { try checkStyle("mistral-spbpe") }
    func testXLMRUnigram() throws { try checkStyle("xlmr-unigram") }
    func testXLMRSentencePiecePrecompiled() throws { try checkStyle("xlmr-spm-precompiled") }

    private func checkStyle(_ style: String) throws {
        let tokenizer = try Self.load(style)
        try checkHardStrings(tokenizer, fixture: "\(style)/cases.json")
        try checkCorpus(tokenizer, fixture: "\(style)/corpus.json")
    }

    /// What packing needs from each style: how many ids the post-processor adds, and which.
    func testSpecialTokensPerStyle() throws {
        let expected: [String: (bos: String?, eos: String?, added: Int)] = [
            "gpt2-bytelevel": (nil, nil, 0), "llama3-regex": ("<|begin_of_text|>", nil, 1),
            "qwen2-regex": (nil, nil, 0), "llama2-spbpe": ("<s>", nil, 1), "mistral-spbpe": ("<s>", nil, 1),
            "xlmr-unigram": ("<s>", "</s>", 2), "xlmr-spm-precompiled": ("<s>", "</s>", 2),
        ]
        for style in Self.styles {
            let tokenizer = try Self.load(style)
            guard let want = expected[style] else { return XCTFail("no expectation for \(style)") }
            XCTAssertEqual(tokenizer.specialTokensAddedToSingle, want.added, style)
            XCTAssertEqual(tokenizer.clsOrBosId, want.bos.flatMap(tokenizer.id(forToken:)), style)
            XCTAssertEqual(tokenizer.sepOrEosId, want.eos.flatMap(tokenizer.id(forToken:)), style)
            let ids = tokenizer.encode("hacker", addSpecialTokens: false)
            XCTAssertEqual(tokenizer.encode("hacker", addSpecialTokens: true).count, ids.count + want.added, style)
        }
    }

    /// The GPT-2 pattern run by the regex engine as a `Split` must cut exactly as the
    /// hand-written `ByteLevel(use_regex: true)` matcher, on every corpus line.
    func testGPT2PatternAsSplitEqualsByteLevelRegex() throws {
        let url = TestSupport.fixtures.appendingPathComponent("gpt2-bytelevel/tokenizer.json")
        var text = try String(contentsOf: url, encoding: .utf8)
        let pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"#
        let split = #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\#(pattern)"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}"#
        guard let start = text.range(of: #""pre_tokenizer": {"#), let end = text.range(of: #""post_processor""#) else {
            return XCTFail("unexpected layout of \(url.path)")
        }
        text.replaceSubrange(start.lowerBound..<end.lowerBound, with: #""pre_tokenizer": \#(split), "#)
        let native = try Tokenizer(contentsOf: url)
        let viaSplit = try Tokenizer(data: Data(text.utf8), source: "gpt2 as Split")
        XCTAssertTrue(viaSplit.preTokenizer is PreTokenizerSequence)
        let lines = try TestSupport.corpusLines()
        XCTAssertGreaterThan(lines.count, 1000)
        var mismatches = 0
        for line in lines + FamilyComponentParityTests.extraStrings where native.encode(line, addSpecialTokens: false) != viaSplit.encode(line, addSpecialTokens: false) {
            mismatches += 1
            if mismatches < 5 { XCTFail("differs on \(line.debugDescription)") }
        }
        XCTAssertEqual(mismatches, 0)
    }
}

/// Smaller tokenizers for the options the family styles do not use: every `Split` behavior and
/// `invert`, literal and regex patterns, the GPT-2 pattern as a `Split`, `Metaspace` prepend
/// schemes with and without `split`, Unigram byte fallback with NFKD and a regex `Replace`.
final class FamilyComponentParityTests: XCTestCase {
    static let extraStrings = [
        "a" + String(repeating: " ", count: 20) + "b", "  x", "x  ", " \t \t ", "a\r\n\r\nb \n\n  c  \n\t\n d",
        "IT'S it'S It'\u{17F} '\u{17F} 'K", "1234567 123456789",
    ]

    func testSmallTokenizersMatchPython() throws {
        let data = try TestSupport.gunzip(TestSupport.fixtures.appendingPathComponent("family-components-cases.json.gz"))
        let variants = try JSONDecoder().decode(ComponentParityTests.Variants.self, from: data).variants
        XCTAssertGreaterThanOrEqual(variants.count, 25)
        for variant in variants {
            let tokenizer = try Tokenizer(data: Data(variant.tokenizer_json.utf8), source: variant.name)
            XCTAssertGreaterThan(variant.cases.count, 20, variant.name)
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
