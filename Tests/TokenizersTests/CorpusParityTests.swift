import XCTest
@testable import Tokenizers

/// Every non-empty line of the jargon corpus, encoded without special tokens and concatenated,
/// must give exactly the id stream of the Python library (count, FNV-1a 64, first ids, per-line
/// counts, per-block hashes). On failure the first mismatching line is printed.
final class CorpusParityTests: XCTestCase {
    func testMiniLMWholeCorpus() throws {
        try check(try TestSupport.miniLM(), fixture: "minilm-corpus.json")
    }

    func testRobertaBPEWholeCorpus() throws {
        try check(try TestSupport.roberta(), fixture: "roberta-bpe-corpus.json")
    }

    private func check(_ tokenizer: Tokenizer, fixture: String) throws {
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
        if let firstMismatch { XCTFail("first mismatch: \(firstMismatch)") }
        XCTAssertEqual(Array(stream.prefix(summary.first_ids.count)), summary.first_ids, "first ids")
        XCTAssertEqual(stream.count, summary.ids, "total id count")
        XCTAssertEqual(TestSupport.hex(hash), summary.fnv1a64, "FNV-1a 64 of the id stream")
    }
}
