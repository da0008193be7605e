import Foundation
import XCTest
import Tokenizers
@testable import Transformer

/// Parity of the further encoder families with Hugging Face `transformers` eager attention, on the
/// tiny random checkpoints of `scripts/make-encoder-family-fixtures.py` (odd sizes, n = 67 so the
/// row-local GEMMs run over two 64-row blocks). Every element of P of every layer and head within
/// 1e-5, the last hidden state within 1e-4, and results bit-identical for 1–4 threads.
final class EncoderFamilyParityTests: XCTestCase {
    static let probabilityTolerance: Float = 1e-5
    static let hiddenTolerance: Float = 1e-4

    private func checkFamily(
        _ family: String, _ type: ModelType, case name: String = "reference", file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let reference = try ReferenceCase(family + "/" + name)
        let model = try TransformerModel(directory: TestPaths.fixtures.appendingPathComponent(family))
        XCTAssertEqual(model.configuration.modelType, type, file: file, line: line)
        XCTAssertFalse(model.isCausal, file: file, line: line)
        let ids = reference.inputIds
        XCTAssertEqual(ids.count, try reference.int("n"), file: file, line: line)
        let expectedP = try reference.array("probabilities")
        let expectedHidden = try reference.array("hidden")
        let layers = try reference.int("layers"), heads = try reference.int("heads")
        XCTAssertEqual(expectedP.shape, [layers, heads, ids.count, ids.count], file: file, line: line)
        var single: (p: [Float], hidden: [Float])?
        for threads in 1...4 {
            var p: [Float] = []
            var seen: [Int] = []
            let hidden = try model.forward(inputIds: ids, capture: .probabilities, threads: threads) { attention in
                seen.append(attention.layer)
                XCTAssertEqual(attention.heads, heads, file: file, line: line)
                p += attention.probabilities
            }
            XCTAssertEqual(seen, Array(0..<layers), file: file, line: line)
            if let single {
                XCTAssertTrue(p == single.p, "\(family): P differs between 1 and \(threads) threads", file: file, line: line)
                XCTAssertTrue(hidden.storage == single.hidden, "\(family): hidden state differs between 1 and \(threads) threads",
                              file: file, line: line)
            } else {
                single = (p, hidden.storage)
                let pError = maxAbsDifference(p, expectedP.values)
                let hiddenError = maxAbsDifference(hidden.storage, expectedHidden.values)
                print("\(family)/\(name): max |ΔP| = \(pError), max |Δhidden| = \(hiddenError)")
                XCTAssertLessThanOrEqual(pError, Self.probabilityTolerance, family, file: file, line: line)
                XCTAssertLessThanOrEqual(hiddenError, Self.hiddenTolerance, family, file: file, line: line)
            }
        }
    }

    func testXLMRobertaMatchesTransformers() throws { try checkFamily("xlm-roberta", .xlmRoberta) }

    /// A sentence packed the way a run packs it: the xlmr-unigram tokenizer (SentencePiece Unigram +
    /// Metaspace) and its post-processor's `<s> … </s>`, ids equal to Hugging Face `tokenizers`.
    func testXLMRobertaOnAPackedUnigramSentence() throws {
        let reference = try ReferenceCase("xlm-roberta/packed")
        let tokenizer = try Tokenizer(contentsOf: TestPaths.fixtures
            .deletingLastPathComponent().appendingPathComponent("tokenizers/xlmr-unigram/tokenizer.json"))
        let sentence = try XCTUnwrap(reference.json["sentence"] as? String)
        let ids = tokenizer.encode(sentence, addSpecialTokens: true)
        XCTAssertEqual(ids, reference.inputIds)
        XCTAssertEqual(ids.first, tokenizer.clsOrBosId)
        XCTAssertEqual(ids.last, tokenizer.sepOrEosId)
        try checkFamily("xlm-roberta", .xlmRoberta, case: "packed")
    }

    func testCamembertMatchesTransformers() throws { try checkFamily("camembert", .camembert) }

    func testDistilBERTMatchesTransformers() throws { try checkFamily("distilbert", .distilbert) }

    func testElectraMatchesTransformers() throws { try checkFamily("electra", .electra) }
}
