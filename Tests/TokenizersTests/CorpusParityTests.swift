import XCTest
@testable import Tokenizers

/// Every non-empty line of the jargon corpus, encoded without special tokens and concatenated,
/// must give exactly the id stream of the Python library (count, FNV-1a 64, first ids, per-line
/// counts, per-block hashes). On failure the first mismatching line is printed.
final class CorpusParityTests: XCTestCase {
    func testMiniLMWholeCorpus() throws {
        try checkCorpus(try TestSupport.miniLM(), fixture: "minilm-corpus.json")
    }

    func testRobertaBPEWholeCorpus() throws {
        try checkCorpus(try TestSupport.roberta(), fixture: "roberta-bpe-corpus.json")
    }
}
