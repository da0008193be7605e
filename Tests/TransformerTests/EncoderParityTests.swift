import Foundation
import XCTest
@testable import Transformer

/// Parity with Hugging Face `transformers` eager attention (fixtures from
/// `scripts/make-encoder-fixtures.py`). Tolerances are the contract of docs/ARCHITECTURE.md: every element of
/// P within 1e-5 absolute, the last hidden state within 1e-4 absolute.
final class EncoderParityTests: XCTestCase {
    static let probabilityTolerance: Float = 1e-5
    static let hiddenTolerance: Float = 1e-4

    /// Runs `encoder` with P (and optionally Q, K, V) captured; returns the layers' captures and the hidden state.
    private func run(
        _ encoder: Encoder, _ ids: [Int32], capture: AttentionCapture = .probabilities
    ) throws -> (layers: [LayerAttention], hidden: [Float]) {
        var layers: [LayerAttention] = []
        let hidden = try encoder.forward(inputIds: ids, capture: capture) { layers.append($0) }
        return (layers, hidden.storage)
    }

    func testMiniLMShortSentenceMatchesTransformersEverywhere() throws {
        let reference = try ReferenceCase("minilm-short")
        let encoder = try Encoder(directory: TestPaths.miniLM)
        let ids = reference.inputIds
        XCTAssertEqual(ids.count, 16)
        let (layers, hidden) = try run(encoder, ids)
        let expectedP = try reference.array("probabilities")
        XCTAssertEqual(expectedP.shape, [6, 12, 16, 16])
        XCTAssertEqual(layers.map(\.layer), Array(0..<6))
        XCTAssertTrue(layers.allSatisfy { $0.heads == 12 && $0.sequenceLength == 16 && $0.headDimension == 32 })
        // P[5][11][15][3] in the reference's [L, H, n, n] layout.
        XCTAssertEqual(layers[5].probability(head: 11, row: 15, column: 3),
                       expectedP.values[((5 * 12 + 11) * 16 + 15) * 16 + 3], accuracy: Self.probabilityTolerance)
        XCTAssertEqual(maxAbsDifference(layers.flatMap(\.probabilities), expectedP.values), 0, accuracy: Self.probabilityTolerance)
        XCTAssertEqual(maxAbsDifference(hidden, try reference.array("hidden").values), 0, accuracy: Self.hiddenTolerance)
    }

    func testMiniLM512WindowMatchesTransformers() throws {
        let reference = try ReferenceCase("minilm-512")
        let encoder = try Encoder(directory: TestPaths.miniLM)
        let ids = reference.inputIds
        XCTAssertEqual(ids.count, 512)
        XCTAssertEqual(ids.first, 101)
        XCTAssertEqual(ids.last, 102)
        let rows = try XCTUnwrap(reference.json["rows"] as? [Int])
        let sums = try XCTUnwrap(reference.json["probability_sum"] as? [[Double]])
        let squares = try XCTUnwrap(reference.json["probability_sum_of_squares"] as? [[Double]])
        let expectedRows = try reference.array("probability_rows")
        XCTAssertEqual(expectedRows.shape, [6, 12, rows.count, 512])
        let n = 512
        var worstRow: Float = 0, worstSquares = 0.0, worstSum = 0.0, squaresBound = 0.0
        var layerCount = 0
        let hidden = try encoder.forward(inputIds: ids, capture: .probabilities) { attention in
            layerCount += 1
            let l = attention.layer
            for head in 0..<attention.heads {
                let base = head * n * n
                for (r, row) in rows.enumerated() {
                    let expected = expectedRows.values[(((l * 12 + head) * rows.count + r) * n)...].prefix(n)
                    let actual = attention.probabilities[(base + row * n)..<(base + row * n + n)]
                    worstRow = nanMax(worstRow, maxAbsDifference(Array(actual), Array(expected)))
                }
                var sum = 0.0, sumOfSquares = 0.0
                for value in attention.probabilities[base..<(base + n * n)] {
                    sum += Double(value)
                    sumOfSquares += Double(value) * Double(value)
                }
                worstSum = nanMax(worstSum, abs(sum - sums[l][head]))
                worstSquares = nanMax(worstSquares, abs(sumOfSquares - squares[l][head]))
                // If every |p − p̂| ≤ δ then |Σp² − Σp̂²| = |Σ(p − p̂)(p + p̂)| ≤ δ(2Σp̂ + n²δ).
                let delta = Double(Self.probabilityTolerance)
                squaresBound = 2 * delta * sums[l][head] + Double(n * n) * delta * delta
            }
        }
        XCTAssertEqual(layerCount, 6)
        XCTAssertLessThanOrEqual(worstRow, Self.probabilityTolerance)
        XCTAssertLessThanOrEqual(worstSquares, squaresBound)
        // Each row sums to 1 up to float rounding: n rows, each off by at most ~n·ε.
        XCTAssertLessThanOrEqual(worstSum, 1e-3)

        let hiddenRows = try reference.array("hidden_rows")
        var actualRows: [Float] = []
        for row in rows { actualRows += hidden.storage[(row * 384)..<(row * 384 + 384)] }
        XCTAssertLessThanOrEqual(maxAbsDifference(actualRows, hiddenRows.values), Self.hiddenTolerance)
        let expectedSum = try XCTUnwrap(reference.json["hidden_sum"] as? Double)
        let expectedSquares = try XCTUnwrap(reference.json["hidden_sum_of_squares"] as? Double)
        let sum = hidden.storage.reduce(0.0) { $0 + Double($1) }
        let squaresTotal = hidden.storage.reduce(0.0) { $0 + Double($1) * Double($1) }
        // Worst case from the element tolerance: |ΔΣ| ≤ n·h·1e-4.
        XCTAssertEqual(sum, expectedSum, accuracy: Double(n * 384) * Double(Self.hiddenTolerance))
        XCTAssertEqual(squaresTotal, expectedSquares, accuracy: expectedSquares * 1e-4)
    }

    func testTinyRobertaMatchesTransformersIncludingQKV() throws {
        let reference = try ReferenceCase("tiny-roberta")
        let encoder = try Encoder(directory: TestPaths.tinyRoberta)
        XCTAssertEqual(encoder.configuration.modelType, .roberta)
        let ids = reference.inputIds
        XCTAssertEqual(ids.count, 128)
        let (layers, hidden) = try run(encoder, ids, capture: .probabilitiesAndQKV)
        XCTAssertEqual(layers.count, 2)
        XCTAssertEqual(maxAbsDifference(layers.flatMap(\.probabilities), try reference.array("probabilities").values),
                       0, accuracy: Self.probabilityTolerance)
        XCTAssertEqual(maxAbsDifference(hidden, try reference.array("hidden").values), 0, accuracy: Self.hiddenTolerance)
        // Q, K, V are pre-softmax activations of order 1–10, so they get the hidden-state tolerance.
        for (name, path) in [("queries", \LayerAttention.queries), ("keys", \.keys), ("values", \.values)] {
            let actual = layers.flatMap { $0[keyPath: path] ?? [] }
            XCTAssertEqual(maxAbsDifference(actual, try reference.array(name).values), 0,
                           accuracy: Self.hiddenTolerance, name)
        }
    }

    func testConvenienceForwardEqualsCapturingForward() throws {
        let reference = try ReferenceCase("tiny-roberta")
        let encoder = try Encoder(directory: TestPaths.tinyRoberta)
        let plain = try encoder.forward(inputIds: reference.inputIds)
        var calls = 0
        let captured = try encoder.forward(inputIds: reference.inputIds, capture: .probabilities) { _ in calls += 1 }
        XCTAssertEqual(calls, 2)
        XCTAssertEqual(plain, captured)
        XCTAssertEqual(plain.rows, 128)
        XCTAssertEqual(plain.columns, 32)
        var silentCalls = 0
        _ = try encoder.forward(inputIds: reference.inputIds, capture: .none) { _ in silentCalls += 1 }
        XCTAssertEqual(silentCalls, 0)
    }
}
