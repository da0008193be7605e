import Foundation
import XCTest
import Tokenizers
@testable import Transformer

/// Parity of ``ModernBERT`` with `transformers` eager attention on the tiny random checkpoints of
/// `scripts/make-modernbert-fixtures.py` (hidden 36, 3 heads, global and local layers, n ≥ 67 so the
/// row-local GEMMs run over two 64-row blocks and the band is narrower than n): every element of P
/// of every layer and head within 1e-5, the last hidden state (after `final_norm`) within 1e-4,
/// results bit-identical for 1–4 threads; and checks that fail when the band or the θ per layer type is wrong.
final class ModernBERTParityTests: XCTestCase {
    static let probabilityTolerance: Float = 1e-5
    static let hiddenTolerance: Float = 1e-4

    private func folder(_ name: String) -> URL { TestPaths.fixtures.appendingPathComponent(name) }

    /// P of every layer `[L·H·n·n]` and the hidden state of one forward pass.
    private func run(_ model: TransformerModel, _ ids: [Int32], threads: Int = 1) throws -> (p: [Float], hidden: [Float]) {
        var p: [Float] = []
        var seen: [Int] = []
        let hidden = try model.forward(inputIds: ids, capture: .probabilities, threads: threads) { attention in
            seen.append(attention.layer)
            p += attention.probabilities
        }
        XCTAssertEqual(seen, Array(0..<model.configuration.layerCount))
        return (p, hidden.storage)
    }

    /// Max |ΔP| and |Δhidden| of `model` against the reference `case`, after checking 1–4 threads agree bit for bit.
    @discardableResult
    private func check(_ family: String, case name: String = "reference", file: StaticString = #filePath, line: UInt = #line)
        throws -> (pError: Float, hiddenError: Float) {
        let reference = try ReferenceCase(family + "/" + name)
        let model = try TransformerModel(directory: folder(family))
        XCTAssertEqual(model.configuration.modelType, .modernbert, file: file, line: line)
        XCTAssertFalse(model.isCausal, file: file, line: line)
        let ids = reference.inputIds
        let expectedP = try reference.array("probabilities"), expectedHidden = try reference.array("hidden")
        XCTAssertEqual(expectedP.shape, [try reference.int("layers"), try reference.int("heads"), ids.count, ids.count],
                       file: file, line: line)
        let single = try run(model, ids)
        for threads in 2...4 {
            let other = try run(model, ids, threads: threads)
            XCTAssertTrue(other.p == single.p, "\(family): P differs between 1 and \(threads) threads", file: file, line: line)
            XCTAssertTrue(other.hidden == single.hidden, "\(family): hidden differs between 1 and \(threads) threads", file: file, line: line)
        }
        let pError = maxAbsDifference(single.p, expectedP.values)
        let hiddenError = maxAbsDifference(single.hidden, expectedHidden.values)
        print("\(family)/\(name): max |ΔP| = \(pError), max |Δhidden| = \(hiddenError)")
        XCTAssertLessThanOrEqual(pError, Self.probabilityTolerance, family, file: file, line: line)
        XCTAssertLessThanOrEqual(hiddenError, Self.hiddenTolerance, family, file: file, line: line)
        return (pError, hiddenError)
    }

    /// Legacy config keys (global_attn_every_n_layers, global/local_rope_theta), no biases, gelu.
    func testModernBERTMatchesTransformers() throws { try check("modernbert") }

    /// layer_types and nested rope_parameters (linear scaling on the local layers), every bias,
    /// gelu_pytorch_tanh, keys under `model.` with an MLM head.
    func testBiasedModernBERTMatchesTransformers() throws {
        let m = try XCTUnwrap(try ModelConfiguration(contentsOf: folder("modernbert-biased").appendingPathComponent("config.json")).modernBERT)
        XCTAssertEqual(m.localLayers, [false, true, false])
        XCTAssertEqual(m.localHalfWidth, 8)
        XCTAssertEqual(m.globalRotary.theta, 80_000)
        XCTAssertEqual(m.globalRotary.scaling, .none)
        XCTAssertEqual(m.localRotary.theta, 5000)
        XCTAssertEqual(m.localRotary.scaling, .linear(factor: 1.5))
        XCTAssertTrue(m.normBias && m.attentionBias && m.mlpBias)
        XCTAssertEqual(m.activation, .geluTanh)
        try check("modernbert-biased")
    }

    /// A sentence encoded by the fixture's ModernBERT-style tokenizer ([CLS] … [SEP], ids equal to
    /// Hugging Face `tokenizers`), then run through the model.
    func testModernBERTOnAPackedSentence() throws {
        let reference = try ReferenceCase("modernbert/packed")
        let tokenizer = try Tokenizer(contentsOf: folder("modernbert").appendingPathComponent("tokenizer.json"))
        let sentence = try XCTUnwrap(reference.json["sentence"] as? String)
        let ids = tokenizer.encode(sentence, addSpecialTokens: true)
        XCTAssertEqual(ids, reference.inputIds)
        XCTAssertEqual(ids.first, tokenizer.id(forToken: "[CLS]"))
        XCTAssertEqual(ids.last, tokenizer.id(forToken: "[SEP]"))
        XCTAssertEqual(tokenizer.specialTokensAddedToSingle, 2)
        try check("modernbert", case: "packed")
    }

    /// The tokenizer's ids of hard strings (spaces, NFC, bytes, emoji, the lstrip [MASK]) equal `tokenizers`'.
    func testTokenizerIdsMatchHuggingFace() throws {
        let url = folder("modernbert").appendingPathComponent("tokenizer-cases.json")
        let cases = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let strings = try XCTUnwrap(cases["strings"] as? [String]), expected = try XCTUnwrap(cases["ids"] as? [[Int]])
        XCTAssertEqual(strings.count, expected.count)
        let tokenizer = try Tokenizer(contentsOf: folder("modernbert").appendingPathComponent("tokenizer.json"))
        for (text, ids) in zip(strings, expected) {
            XCTAssertEqual(tokenizer.encode(text, addSpecialTokens: true), ids.map { Int32($0) }, "ids of \(text.debugDescription)")
        }
    }

    /// Local layers' P (ours and transformers') is exactly zero outside `|i − j| ≤ ⌊local_attention/2⌋`
    /// and positive inside; global layers have nonzero entries outside that band.
    func testLocalLayersAreBandedWithTheInclusiveHalfWidth() throws {
        let reference = try ReferenceCase("modernbert/reference")
        let model = try TransformerModel(directory: folder("modernbert"))
        let m = try XCTUnwrap(model.configuration.modernBERT)
        XCTAssertEqual(m.localLayers, [false, true, true, false])
        XCTAssertEqual(m.localAttention, 21)
        XCTAssertEqual(m.localHalfWidth, 10)
        XCTAssertEqual(try reference.int("half_window"), 10)
        XCTAssertEqual(model.configuration.attentionWindows, [nil, 10, 10, nil])
        XCTAssertEqual([m.globalRotary.theta, m.localRotary.theta], [120_000, 7000])
        let ids = reference.inputIds, n = ids.count, H = m.headCount
        let ours = try run(model, ids).p, theirs = try reference.array("probabilities").values
        for (name, p) in [("ours", ours), ("transformers", theirs)] {
            for layer in 0..<m.layerCount {
                var outsideBandNonzero = 0
                for head in 0..<H {
                    for i in 0..<n {
                        for j in 0..<n {
                            let value = p[((layer * H + head) * n + i) * n + j]
                            let inBand = abs(i - j) <= 10
                            if m.localLayers[layer] {
                                if inBand {
                                    XCTAssertGreaterThan(value, 0, "\(name) layer \(layer) head \(head) P[\(i)][\(j)] inside the band")
                                } else {
                                    XCTAssertEqual(value, 0, "\(name) layer \(layer) head \(head) P[\(i)][\(j)] outside the band")
                                }
                            } else if !inBand && value > 0 {
                                outsideBandNonzero += 1
                            }
                        }
                    }
                }
                if !m.localLayers[layer] { XCTAssertGreaterThan(outsideBandNonzero, n * n / 2, "\(name) global layer \(layer)") }
            }
        }
    }

    /// Parity breaks when the local layers get the global θ (and vice versa) or a band one wider or
    /// narrower: the fixture can tell these apart, so the parity test above proves them right.
    func testWrongThetaOrWindowBreaksParity() throws {
        let reference = try ReferenceCase("modernbert/reference")
        let expected = try reference.array("probabilities").values
        let directory = folder("modernbert")
        let right = try ModelConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        let base = try XCTUnwrap(right.modernBERT)
        var swapped = base
        (swapped.globalRotary, swapped.localRotary) = (base.localRotary, base.globalRotary)
        var wider = base, narrower = base
        wider.localAttention = 23
        narrower.localAttention = 19
        for (name, variant) in [("swapped θ", swapped), ("half-width 11", wider), ("half-width 9", narrower)] {
            let model = try ModernBERT(configuration: ModelConfiguration(modernBERT: variant), checkpoint: try Checkpoint(directory: directory))
            var p: [Float] = []
            _ = try model.forward(inputIds: reference.inputIds) { p += $0.probabilities }
            let error = maxAbsDifference(p, expected)
            XCTAssertGreaterThan(error, 100 * Self.probabilityTolerance, "\(name) still matches transformers (max |ΔP| \(error))")
        }
    }
}
