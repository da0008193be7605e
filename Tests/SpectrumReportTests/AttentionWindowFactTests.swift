import XCTest
import RunFormat
@testable import SpectrumReport

/// The report's "attention window" line from a run file's `attention_window`.
final class AttentionWindowFactTests: XCTestCase {
    private func metadata(_ windows: [Int]?, causal: Bool) -> RunMetadata {
        var m = RunMetadata()
        m.layers = windows?.count ?? 2
        m.causal = causal
        m.attentionWindows = windows
        return m
    }

    func testSymmetricWindowsNameTheLocalLayersAndTheirBand() throws {
        let fact = try XCTUnwrap(ReportFact.attentionWindows(of: metadata([-1, 64, 64, -1, 64], causal: false)))
        XCTAssertEqual(fact.key, "attention window")
        XCTAssertEqual(fact.value, "layers 2, 3, 5 local, symmetric sliding window: query i sees keys i − 64 … i + 64 (half-width 64, 129 keys); "
                       + "layers 1, 4 global (full attention); local layers' P is banded and analysed as it is")
    }

    func testCausalWindowsAndMixedWidths() throws {
        let fact = try XCTUnwrap(ReportFact.attentionWindows(of: metadata([4, -1, 9], causal: true)))
        XCTAssertEqual(fact.value, "layer 1 local, causal sliding window of 4 keys (query i sees keys i − 3 … i); "
                       + "layer 3 local, causal sliding window of 9 keys (query i sees keys i − 8 … i); "
                       + "layer 2 global (full causal attention); local layers' P is banded and analysed as it is")
    }

    func testNoWindowsNoFact() {
        XCTAssertNil(ReportFact.attentionWindows(of: metadata(nil, causal: false)))
        XCTAssertNil(ReportFact.attentionWindows(of: metadata([-1, -1], causal: true)))
    }
}
