import Foundation
import XCTest
@testable import Tokenizers

/// Random bytes, random JSON shapes and random mutations of valid files: the loader must either
/// throw a `TokenizerError` or load a tokenizer that encodes and decodes without crashing.
final class LoaderFuzzTests: XCTestCase {
    /// SplitMix64: deterministic, so a failure reproduces.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let bertLike = ###"""
    {"added_tokens": [{"id": 0, "content": "[PAD]", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false},
                      {"id": 1, "content": "[UNK]", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false},
                      {"id": 2, "content": "[CLS]", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false},
                      {"id": 3, "content": "[SEP]", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false},
                      {"id": 9, "content": "xy", "special": false, "normalized": true, "single_word": true, "lstrip": true, "rstrip": true}],
     "normalizer": {"type": "Sequence", "normalizers": [{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true}, {"type": "Strip", "strip_left": true, "strip_right": true}, {"type": "Replace", "pattern": {"String": "q"}, "content": "k"}, {"type": "NFKC"}]},
     "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "Punctuation", "behavior": "Contiguous"}, {"type": "BertPreTokenizer"}, {"type": "Whitespace"}]},
     "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 8,
               "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "a": 4, "##b": 5, "ab": 6, ".": 7, "##a": 8, "xy": 9}},
     "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                        "pair": [], "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
     "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true}}
    """###

    static let bpeLike = ###"""
    {"added_tokens": [{"id": 0, "content": "<s>", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false}, {"id": 1, "content": "</s>", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false},
                      {"id": 2, "content": "<mask>", "special": true, "normalized": false, "lstrip": true, "single_word": false, "rstrip": false}],
     "normalizer": {"type": "NFC"},
     "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
     "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": true, "ignore_merges": true,
               "continuing_subword_prefix": null, "end_of_word_suffix": null,
               "vocab": {"<s>": 0, "</s>": 1, "<mask>": 2, "<unk>": 3, "Ġ": 4, "a": 5, "b": 6, "Ġa": 7, "ab": 8, "Ġab": 9, "<0x41>": 10},
               "merges": [["Ġ", "a"], ["a", "b"], ["Ġa", "b"]]},
     "post_processor": {"type": "Sequence", "processors": [{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}, {"type": "RobertaProcessing", "sep": ["</s>", 1], "cls": ["<s>", 0], "trim_offsets": true, "add_prefix_space": true}]},
     "decoder": {"type": "Sequence", "decoders": [{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}]}}
    """###

    func testBaseConfigurationsLoad() throws {
        let bert = try Tokenizer(data: Data(Self.bertLike.utf8), source: "bert-like")
        XCTAssertEqual(bert.encode("AB. a ab", addSpecialTokens: true), [2, 6, 7, 4, 6, 3])
        XCTAssertEqual(bert.encode("aaaaaaaaa", addSpecialTokens: false), [1], "longer than max_input_chars_per_word")
        // single_word + lstrip + rstrip on a normalized added token (ids from the Python library).
        XCTAssertEqual(bert.encode("xy axy  xy q", addSpecialTokens: true), [2, 9, 1, 9, 1, 3])
        let bpe = try Tokenizer(data: Data(Self.bpeLike.utf8), source: "bpe-like")
        XCTAssertEqual(bpe.encode("ab <mask>", addSpecialTokens: true), [0, 9, 2, 1])
        XCTAssertEqual(bpe.decode([0, 9, 2, 1], skipSpecialTokens: true), " ab")
        // byte_fallback, fuse_unk and ignore_merges (ids from the Python library).
        XCTAssertEqual(bpe.encode("A\u{E9} ab  a\u{E9}\u{E9}b", addSpecialTokens: false), [4, 10, 3, 9, 4, 7, 3, 6])
    }

    func testRandomBytes() {
        var generator = Generator(state: 1)
        for _ in 0..<500 {
            let count = Int.random(in: 0..<200, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if Bool.random(using: &generator) { bytes = Array("{\"model\": ".utf8) + bytes }
            exercise(Data(bytes))
        }
    }

    func testRandomJSONShapes() throws {
        var generator = Generator(state: 2)
        for _ in 0..<500 {
            exercise(Data(Self.text(randomValue(depth: 4, using: &generator)).utf8))
        }
    }

    func testMutatedConfigurations() throws {
        var generator = Generator(state: 3)
        for base in [Self.bertLike, Self.bpeLike] {
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(base.utf8))
            var loaded = 0
            for _ in 0..<400 {
                var mutated = value
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    mutated = mutate(mutated, using: &generator)
                }
                if exercise(Data(Self.text(mutated).utf8)) { loaded += 1 }
            }
            // Both outcomes must be exercised: some mutants load (and encode), some are rejected.
            XCTAssertGreaterThan(loaded, 20)
            XCTAssertLessThan(loaded, 400)
        }
    }

    /// Loads `data`; on success encodes random text and decodes random ids. True when it loaded.
    @discardableResult
    private func exercise(_ data: Data) -> Bool {
        var generator = Generator(state: UInt64(data.count))
        do {
            let tokenizer = try Tokenizer(data: data, source: "fuzz.json")
            for _ in 0..<5 {
                let scalars = (0..<Int.random(in: 0..<30, using: &generator)).compactMap { _ -> Unicode.Scalar? in
                    let pool: [ClosedRange<UInt32>] = [0...0x7F, 0x80...0x2FF, 0x300...0x36F, 0x3000...0x9FFF, 0x1F300...0x1FAFF, 0...0x10FFFF]
                    return Unicode.Scalar(UInt32.random(in: pool.randomElement(using: &generator) ?? 0...0x7F, using: &generator))
                }
                var text = String()
                text.unicodeScalars.append(contentsOf: scalars)
                let ids = tokenizer.encode(text, addSpecialTokens: Bool.random(using: &generator))
                _ = tokenizer.encodeTokens(text, addSpecialTokens: true)
                _ = tokenizer.decode(ids + [Int32.random(in: 0..<20, using: &generator), Int32.max], skipSpecialTokens: Bool.random(using: &generator))
            }
            return true
        } catch is TokenizerError {
            return false  // The documented outcome for bad input.
        } catch {
            XCTFail("not a TokenizerError: \(error)")
            return false
        }
    }

    private func randomValue(depth: Int, using generator: inout Generator) -> JSONValue {
        let names = ["type", "model", "normalizer", "pre_tokenizer", "vocab", "merges", "unk_token", "added_tokens",
                     "post_processor", "decoder", "single", "special_tokens", "id", "content", "ids", "pattern", "sep", "cls"]
        let types = ["BPE", "WordPiece", "BertNormalizer", "Sequence", "ByteLevel", "TemplateProcessing", "NFC", "Replace", "Strip"]
        switch Int.random(in: 0..<(depth > 0 ? 7 : 4), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .number([-1, 0, 1, 2, 1e10, 0.5, 4_294_967_296].randomElement(using: &generator) ?? 0)
        case 3: return .string((names + types + ["", "[UNK]", "a b", "##"]).randomElement(using: &generator) ?? "")
        case 4: return .array((0..<Int.random(in: 0..<4, using: &generator)).map { _ in randomValue(depth: depth - 1, using: &generator) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0..<5, using: &generator) {
                object[names.randomElement(using: &generator) ?? "type"] = randomValue(depth: depth - 1, using: &generator)
            }
            return .object(object)
        }
    }

    /// Replaces one random node (or deletes one random field) of `value`.
    private func mutate(_ value: JSONValue, using generator: inout Generator) -> JSONValue {
        switch value {
        case let .object(fields) where !fields.isEmpty && Int.random(in: 0..<4, using: &generator) > 0:
            var fields = fields
            let key = fields.keys.sorted()[Int.random(in: 0..<fields.count, using: &generator)]
            if Int.random(in: 0..<5, using: &generator) == 0 {
                fields[key] = nil
            } else if let child = fields[key] {
                fields[key] = mutate(child, using: &generator)
            }
            return .object(fields)
        case let .array(items) where !items.isEmpty && Int.random(in: 0..<4, using: &generator) > 0:
            var items = items
            let index = Int.random(in: 0..<items.count, using: &generator)
            items[index] = mutate(items[index], using: &generator)
            return .array(items)
        default:
            return randomValue(depth: 2, using: &generator)
        }
    }

    /// JSON text of a value.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case let .bool(flag): return flag ? "true" : "false"
        case let .number(number): return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case let .string(string):
            var escaped = "\""
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case _ where scalar.value < 0x20: escaped += String(format: "\\u%04x", scalar.value)
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return escaped + "\""
        case let .array(items): return "[" + items.map(text).joined(separator: ",") + "]"
        case let .object(fields):
            return "{" + fields.keys.sorted().map { text(.string($0)) + ":" + text(fields[$0] ?? .null) }.joined(separator: ",") + "}"
        }
    }
}
