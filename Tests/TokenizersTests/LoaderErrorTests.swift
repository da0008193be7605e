import Foundation
import XCTest
@testable import Tokenizers

/// Bad input to the loader gives a `TokenizerError` that names the file and the component.
final class LoaderErrorTests: XCTestCase {
    static let wordPieceModel = ###"{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": {"[UNK]": 0, "a": 1, "##b": 2}}"###

    func load(_ json: String, source: String = "test.json") throws -> Tokenizer {
        try Tokenizer(data: Data(json.utf8), source: source)
    }

    func expectError(_ json: String, _ check: (TokenizerError) -> Bool, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try load(json)
            XCTFail("loaded without error", file: file, line: line)
        } catch let error as TokenizerError {
            XCTAssertTrue(check(error), "unexpected error: \(error)", file: file, line: line)
            XCTAssertTrue(error.description.contains("test.json"), "message lacks the file: \(error)", file: file, line: line)
        } catch {
            XCTFail("not a TokenizerError: \(error)", file: file, line: line)
        }
    }

    func testMinimalTokenizerLoads() throws {
        let tokenizer = try load(#"{"pre_tokenizer": {"type": "WhitespaceSplit"}, "model": \#(Self.wordPieceModel)}"#)
        XCTAssertEqual(tokenizer.encode("ab a x", addSpecialTokens: true), [1, 2, 1, 0])
        XCTAssertNil(tokenizer.clsOrBosId)
        XCTAssertEqual(tokenizer.specialTokensAddedToSingle, 0)
    }

    func testMissingFile() {
        let path = "/nonexistent/dir/tokenizer.json"
        XCTAssertThrowsError(try Tokenizer(contentsOf: URL(fileURLWithPath: path))) { error in
            guard case let .unreadableFile(reported, _)? = error as? TokenizerError else {
                return XCTFail("wrong error \(error)")
            }
            XCTAssertEqual(reported, path)
            XCTAssertTrue(String(describing: error).contains(path))
        }
    }

    func testMalformedJSON() {
        expectError("{\"model\": ") { if case .malformedJSON = $0 { return true } else { return false } }
        expectError("[1, 2, 3]") { if case .malformedJSON = $0 { return true } else { return false } }
        expectError("") { if case .malformedJSON = $0 { return true } else { return false } }
    }

    func testDeeplyNestedJSONDoesNotCrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        expectError(deep) { if case .malformedJSON = $0 { return true } else { return false } }
    }

    func testMissingModel() {
        expectError(#"{"normalizer": null}"#) { error in
            if case .invalidField(_, "tokenizer", "model", _) = error { return true } else { return false }
        }
    }

    func testVocabularyWithoutUnkToken() {
        let model = #"{"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"a": 0}}"#
        expectError(#"{"model": \#(model)}"#) { error in
            guard case let .invalidConfiguration(_, component, reason) = error else { return false }
            return component == "model" && reason.contains("[UNK]")
        }
        let bpe = #"{"type": "BPE", "unk_token": "<unk>", "vocab": {"a": 0}, "merges": []}"#
        expectError(#"{"model": \#(bpe)}"#) { error in
            if case .invalidConfiguration(_, "model", _) = error { return true } else { return false }
        }
    }

    func testBadMerges() {
        let unknown = #"{"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}"#
        expectError(#"{"model": \#(unknown)}"#) { error in
            guard case let .invalidConfiguration(_, _, reason) = error else { return false }
            return reason.contains("\"ab\"")
        }
        let malformed = #"{"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b c"]}"#
        expectError(#"{"model": \#(malformed)}"#) { error in
            if case .invalidField(_, "model", "merges[0]", _) = error { return true } else { return false }
        }
    }

    func testUnsupportedTypesNameTheComponent() {
        expectError(#"{"normalizer": {"type": "ByteLevel"}, "model": \#(Self.wordPieceModel)}"#) {
            $0 == .unsupportedType(source: "test.json", component: "normalizer", type: "ByteLevel")
        }
        expectError(#"{"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Nope"}]}, "model": \#(Self.wordPieceModel)}"#) {
            $0 == .unsupportedType(source: "test.json", component: "normalizer.normalizers[1]", type: "Nope")
        }
        expectError(#"{"pre_tokenizer": {"type": "UnicodeScripts"}, "model": \#(Self.wordPieceModel)}"#) {
            $0 == .unsupportedType(source: "test.json", component: "pre_tokenizer", type: "UnicodeScripts")
        }
        expectError(#"{"model": {"type": "WordLevel", "vocab": {}}}"#) {
            $0 == .unsupportedType(source: "test.json", component: "model", type: "WordLevel")
        }
        expectError(#"{"post_processor": {"type": "Custom"}, "model": \#(Self.wordPieceModel)}"#) {
            $0 == .unsupportedType(source: "test.json", component: "post_processor", type: "Custom")
        }
        expectError(#"{"decoder": {"type": "CTC"}, "model": \#(Self.wordPieceModel)}"#) {
            $0 == .unsupportedType(source: "test.json", component: "decoder", type: "CTC")
        }
    }

    func testRandomBPEDropoutIsRefused() {
        for dropout in ["0.1", "1.5", "-1"] {
            let bpe = #"{"type": "BPE", "dropout": \#(dropout), "vocab": {"a": 0}, "merges": []}"#
            expectError(#"{"model": \#(bpe)}"#) { error in
                guard case let .invalidConfiguration(_, "model", reason) = error else { return false }
                return reason.contains("dropout")
            }
        }
    }

    func testMalformedPrecompiledCharsmap() {
        expectError(#"{"normalizer": {"type": "Precompiled"}, "model": \#(Self.wordPieceModel)}"#) {
            if case .invalidField(_, "normalizer", "precompiled_charsmap", _) = $0 { return true } else { return false }
        }
        expectError(#"{"normalizer": {"type": "Precompiled", "precompiled_charsmap": "not base64!"}, "model": \#(Self.wordPieceModel)}"#) {
            if case .invalidField(_, "normalizer", "precompiled_charsmap", _) = $0 { return true } else { return false }
        }
        // A header announcing a 4096-byte trie in a 8-byte map.
        expectError(#"{"normalizer": {"type": "Precompiled", "precompiled_charsmap": "ABAAAAAAAAA="}, "model": \#(Self.wordPieceModel)}"#) {
            if case let .invalidConfiguration(_, "normalizer", reason) = $0 { return reason.contains("4096") } else { return false }
        }
    }

    func testWrongFieldTypes() {
        expectError(#"{"normalizer": {"type": "BertNormalizer", "lowercase": "yes"}, "model": \#(Self.wordPieceModel)}"#) {
            if case .invalidField(_, "normalizer", "lowercase", _) = $0 { return true } else { return false }
        }
        expectError(#"{"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": -1}}}"#) {
            if case .invalidField(_, "model", _, _) = $0 { return true } else { return false }
        }
        expectError(#"{"added_tokens": [{"id": 0}], "model": \#(Self.wordPieceModel)}"#) {
            if case .invalidField(_, "added_tokens[0]", "content", _) = $0 { return true } else { return false }
        }
    }
}
