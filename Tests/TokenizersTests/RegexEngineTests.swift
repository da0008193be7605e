import XCTest
@testable import Tokenizers

/// The regular-expression engine behind `Split` and `Replace`: semantics that the Python
/// fixtures rely on, the hand-written matchers against the engine, and clear refusals.
final class RegexEngineTests: XCTestCase {
    private func matches(_ pattern: String, _ text: String) throws -> [String] {
        let scalars = Array(text.unicodeScalars)
        return try TokenizerRegex(pattern: pattern).matches(in: scalars).map { scalars[$0].string }
    }

    func testBacktrackingSemantics() throws {
        XCTAssertEqual(try matches(#"\s+(?!\S)|\s+"#, "a   b  "), ["  ", " ", "  "])
        XCTAssertEqual(try matches(#"a|ab"#, "ab"), ["a"], "first alternative wins, not the longest")
        XCTAssertEqual(try matches(#"a+?"#, "aaa"), ["a", "a", "a"])
        XCTAssertEqual(try matches(#"a++a"#, "aaaa"), [], "possessive never gives back")
        XCTAssertEqual(try matches(#"(?>a+)b|a"#, "aab"), ["aab"])
        XCTAssertEqual(try matches(#"\p{N}{1,3}"#, "12345"), ["123", "45"])
        XCTAssertEqual(try matches(#"(?i:'s|'ll)"#, "'S 'Ll '\u{17F}"), ["'S", "'Ll", "'\u{17F}"])
        XCTAssertEqual(try matches(#"^\w+$"#, "ab\ncd"), ["ab", "cd"], "^ and $ are line anchors (Ruby syntax)")
        XCTAssertEqual(try matches(#"a(?i)b|c"#, "aB C ac"), ["aB", "ac"], "a(?i)b|c is a(?i:b|c), as in Oniguruma")
        // Empty matches: each once, and none right after a non-empty match (onig's find_iter).
        XCTAssertEqual(try TokenizerRegex(pattern: "x*").matches(in: Array("axxb".unicodeScalars)), [0..<0, 1..<3, 4..<4])
    }

    func testUnsupportedPatternsAreRefusedByName() {
        for pattern in [#"(?<=a)b"#, #"\p{Han}"#, #"(a)\1"#, #"[a&&b]"#, #"(a*)*"#, "[[:alpha:]]", #"a{2}+"#, "(", "a)", #"\k<x>"#] {
            XCTAssertThrowsError(try TokenizerRegex(pattern: pattern), pattern) { error in
                XCTAssertTrue(error is RegexSyntaxError, "\(pattern): \(error)")
            }
        }
        let json = #"{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "\\p{Han}+"}, "behavior": "Isolated", "invert": false}, "model": \#(LoaderErrorTests.wordPieceModel)}"#
        XCTAssertThrowsError(try Tokenizer(data: Data(json.utf8), source: "test.json")) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("test.json") && message.contains(#"\p{Han}+"#) && message.contains("pre_tokenizer"), message)
        }
    }

    /// Pathological patterns stop at the step limit instead of hanging.
    func testCatastrophicBacktrackingIsBounded() throws {
        let regex = try TokenizerRegex(pattern: #"(?:a|aa)+b"#)
        let text = Array(String(repeating: "a", count: 30).unicodeScalars)
        let start = Date()
        XCTAssertEqual(regex.matches(in: text), [])
        XCTAssertLessThan(Date().timeIntervalSince(start), 60)
    }

    /// The hand-written GPT-2, Llama 3 and Qwen2 matchers must give the engine's matches.
    func testKnownPatternsEqualTheEngine() throws {
        let patterns: [(KnownSplitPattern, String)] = [
            (.gpt2, KnownSplitPattern.gpt2Pattern), (.llama3, KnownSplitPattern.llama3Pattern), (.qwen2, KnownSplitPattern.qwen2Pattern),
        ]
        var texts = Array(try TestSupport.corpusLines().prefix(4000))
        texts += try TestSupport.cases("gpt2-bytelevel/cases.json").map(\.text)
        var generator = LoaderFuzzTests.Generator(state: 7)
        let pool: [Unicode.Scalar] = ["a", "Z", "'", "s", "S", "l", "L", "\u{17F}", "1", "٣", " ", " ", "\t", "\n", "\r", "\u{3000}", "!", ".", "é", "日", "🤗", "\u{301}", "_"]
        for _ in 0..<3000 {
            let length = Int.random(in: 0..<24, using: &generator)
            var text = String()
            for _ in 0..<length { text.unicodeScalars.append(pool[Int.random(in: 0..<pool.count, using: &generator)]) }
            texts.append(text)
        }
        for (known, pattern) in patterns {
            XCTAssertNotNil(KnownSplitPattern(pattern))
            let regex = try TokenizerRegex(pattern: pattern)
            var failures = 0
            for text in texts {
                let scalars = Array(text.unicodeScalars)
                let fast = known.findMatches(in: scalars)
                let slow = regex.findMatches(in: scalars)
                if fast.map(\.range) != slow.map(\.range) || fast.map(\.isMatch) != slow.map(\.isMatch) {
                    failures += 1
                    if failures < 4 { XCTFail("\(known) differs on \(text.debugDescription)") }
                }
            }
            XCTAssertEqual(failures, 0, "\(known)")
        }
    }
}
