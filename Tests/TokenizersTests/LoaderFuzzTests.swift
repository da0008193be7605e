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

    /// Split with a regex, Metaspace (first), Prepend, regex Replace, NFKD, Unigram with byte
    /// fallback, a BOS-only template and the SentencePiece decoders.
    static let familyLike = ###"""
    {"added_tokens": [{"id": 0, "content": "<unk>", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false}, {"id": 1, "content": "<s>", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false}],
     "normalizer": {"type": "Sequence", "normalizers": [{"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}, {"type": "NFKD"}, {"type": "Prepend", "prepend": "▁"}]},
     "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "(?i:'s|'t)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|\\s+(?!\\S)|\\s+"}, "behavior": "Isolated", "invert": false}, {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true}]},
     "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": true, "vocab": [["<unk>", 0.0], ["<s>", 0.0], ["▁", -1.0], ["a", -2.0], ["b", -2.5], ["ab", -3.0], ["▁a", -2.2], ["<0x41>", -9.0], ["<0xCC>", -9.0], ["<0x81>", -9.0]]},
     "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
     "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}}
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
        // Ids, tokens and decodes from the Python library.
        let family = try Tokenizer(data: Data(Self.familyLike.utf8), source: "family-like")
        XCTAssertEqual(family.encode("ab  A\u{E1}b"), [1, 2, 5, 2, 7, 3, 8, 9, 4])
        XCTAssertEqual(family.encodeTokens("ab  A\u{E1}b", addSpecialTokens: false), ["\u{2581}", "ab", "\u{2581}", "<0x41>", "a", "<0xCC>", "<0x81>", "b"])
        XCTAssertEqual(family.decode([1, 2, 5, 2, 7, 3, 8, 9, 4], skipSpecialTokens: true), "ab Aa\u{301}b")
        XCTAssertEqual(family.encode("x<s>ab"), [1, 2, 0, 1, 2, 5])
        XCTAssertEqual(family.decode([1, 2, 0, 1, 2, 5], skipSpecialTokens: true), " ab")
    }

    /// Random double-array tries in a `Precompiled` charsmap: loaded or refused, never a crash
    /// on lookup (every index into the trie is checked).
    func testRandomPrecompiledCharsmaps() {
        var generator = Generator(state: 5)
        var loaded = 0
        for _ in 0..<300 {
            let units = Int.random(in: 1...64, using: &generator)
            var bytes: [UInt8] = [UInt8(units * 4 & 0xFF), UInt8(units * 4 >> 8), 0, 0]
            for _ in 0..<(units * 4) { bytes.append(UInt8.random(in: 0...255, using: &generator)) }
            bytes += Array("a\u{0}bc\u{0}".utf8)
            let json = #"{"normalizer": {"type": "Precompiled", "precompiled_charsmap": "\#(Data(bytes).base64EncodedString())"}, "model": \#(LoaderErrorTests.wordPieceModel)}"#
            guard let tokenizer = try? Tokenizer(data: Data(json.utf8), source: "fuzz.json") else { continue }
            loaded += 1
            var text = String()
            for _ in 0..<40 { text.unicodeScalars.append(Unicode.Scalar(UInt8.random(in: 0...255, using: &generator))) }
            _ = tokenizer.encode(text + "e\u{301}\u{1F917}")
        }
        XCTAssertGreaterThan(loaded, 100)
    }

    /// Random patterns over the regex syntax: compiled or refused with a `RegexSyntaxError`,
    /// and a compiled one matches random text without crashing (bounded by the step limit).
    func testRandomRegexPatterns() {
        var generator = Generator(state: 4)
        let pieces = ["a", "b", "'", " ", "\\s", "\\S", "\\p{L}", "\\P{N}", "\\d", "\\w", "\\h", "[^a\\s]", "[a-c\\p{N}]", "(", ")",
                      "(?:", "(?i:", "(?i)", "(?=", "(?!", "(?>", "(?<n>", "|", "*", "+", "?", "{1,3}", "{2}", "{,2}", "*?", "++", "?+",
                      ".", "^", "$", "\\b", "\\A", "\\z", "\\x{1F917}", "\\", "[", "]", "{", "}", "\\u00e9", "-"]
        var compiled = 0
        for _ in 0..<600 {
            let pattern = (0..<Int.random(in: 1...10, using: &generator)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &generator)] }.joined()
            guard let regex = try? TokenizerRegex(pattern: pattern) else { continue }
            compiled += 1
            for text in ["", "ab a'b  ", "aaaaaaaaaaaaaaaaaaab", "\u{E9}1\n\u{1F917}x"] {
                let scalars = Array(text.unicodeScalars)
                let pieces = regex.findMatches(in: scalars)
                XCTAssertEqual(pieces.map(\.range.count).reduce(0, +), scalars.count, pattern)
            }
        }
        XCTAssertGreaterThan(compiled, 100)
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
        for base in [Self.bertLike, Self.bpeLike, Self.familyLike] {
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
                     "post_processor", "decoder", "single", "special_tokens", "id", "content", "ids", "pattern", "sep", "cls",
                     "Regex", "String", "behavior", "invert", "replacement", "prepend_scheme", "split", "unk_id", "byte_fallback",
                     "precompiled_charsmap", "prepend", "start", "stop"]
        let types = ["BPE", "WordPiece", "BertNormalizer", "Sequence", "ByteLevel", "TemplateProcessing", "NFC", "Replace", "Strip",
                     "Unigram", "Split", "Metaspace", "Prepend", "Precompiled", "ByteFallback", "Fuse", "Isolated", "first"]
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
