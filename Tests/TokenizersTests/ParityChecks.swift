import XCTest
@testable import Tokenizers

/// The two parity checks every tokenizer fixture goes through.
extension XCTestCase {
    /// Exact ids, tokens and decodes of the hard strings of `fixture` (a cases file written by
    /// scripts/make-tokenizer-fixtures.py or make-tokenizer-family-fixtures.py).
    func checkHardStrings(_ tokenizer: Tokenizer, fixture: String) throws {
        let cases = try TestSupport.cases(fixture)
        XCTAssertGreaterThan(cases.count, 20, fixture)
        for item in cases {
            let label = "\(fixture): \(item.text.debugDescription)"
            XCTAssertEqual(tokenizer.encode(item.text, addSpecialTokens: false), item.ids, "ids of \(label)")
            XCTAssertEqual(tokenizer.encode(item.text, addSpecialTokens: true), item.ids_with_special, "ids with special tokens of \(label)")
            XCTAssertEqual(tokenizer.encodeTokens(item.text, addSpecialTokens: false), item.tokens, "tokens of \(label)")
            XCTAssertEqual(tokenizer.decode(item.ids_with_special, skipSpecialTokens: false), item.decoded, "decode of \(label)")
            XCTAssertEqual(tokenizer.decode(item.ids_with_special, skipSpecialTokens: true), item.decoded_skip_special, "decode (skip special) of \(label)")
        }
    }

    /// Every non-empty line of the jargon corpus, encoded without special tokens and
    /// concatenated, must give exactly the id stream of the Python library (count, FNV-1a 64,
    /// first ids, per-line counts, per-block hashes). On failure the first mismatching line is
    /// printed.
    func checkCorpus(_ tokenizer: Tokenizer, fixture: String) throws {
        let summary = try TestSupport.corpusSummary(fixture)
        let lines = try TestSupport.corpusLines()
        XCTAssertEqual(lines.count, summary.lines, "non-empty corpus lines")
        let expectedLengths = summary.lineLengths
        XCTAssertEqual(expectedLengths.count, summary.lines)

        var stream: [Int32] = []
        var hash = TestSupport.fnv1a64([Int32]())
        var blockHash = hash
        var firstMismatch: String?
        for (index, line) in lines.enumerated() {
            let ids = tokenizer.encode(line, addSpecialTokens: false)
            hash = TestSupport.fnv1a64(ids, hash: hash)
            blockHash = TestSupport.fnv1a64(ids, hash: blockHash)
            let block = index / summary.block_lines
            let blockEnds = (index + 1) % summary.block_lines == 0 || index + 1 == lines.count
            if firstMismatch == nil {
                if index < expectedLengths.count && ids.count != expectedLengths[index] {
                    firstMismatch = "line \(index) (id offset \(stream.count)) has \(ids.count) ids, Python \(expectedLengths[index]): \(line.debugDescription) → \(ids)"
                } else if blockEnds && block < summary.block_fnv1a64.count && TestSupport.hex(blockHash) != summary.block_fnv1a64[block] {
                    firstMismatch = "block \(block) (lines \(block * summary.block_lines)...\(index)) hashes differ"
                }
            }
            if blockEnds { blockHash = TestSupport.fnv1a64([Int32]()) }
            stream += ids
        }
        if let firstMismatch { XCTFail("\(fixture): first mismatch: \(firstMismatch)") }
        XCTAssertEqual(Array(stream.prefix(summary.first_ids.count)), summary.first_ids, "first ids")
        XCTAssertEqual(stream.count, summary.ids, "total id count")
        XCTAssertEqual(TestSupport.hex(hash), summary.fnv1a64, "FNV-1a 64 of the id stream")
    }
}
