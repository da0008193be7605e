import Foundation
import XCTest
@testable import SpectrumAnalysis
import HDF5Store

/// The optional root attribute `attention_window`: written when set, read back, absent → nil (older
/// files, models without windows), and a malformed one refused with its name.
final class AttentionWindowMetadataTests: XCTestCase {
    private func roundTrip(_ windows: [Int]?, layers: Int = 3, edit: ((File) throws -> Void)? = nil) throws -> RunMetadata {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("windows-\(UUID().uuidString).h5")
        defer { try? FileManager.default.removeItem(at: url) }
        var metadata = RunMetadata()
        (metadata.layers, metadata.heads, metadata.sequenceLength, metadata.headDimension) = (layers, 2, 8, 4)
        metadata.attentionWindows = windows
        do {
            let file = try File.create(url.path)
            try metadata.write(to: file)
            XCTAssertEqual(try file.attributes.contains("attention_window"), windows != nil)
            try edit?(file)
        }
        return try RunMetadata(reading: try File.open(url.path))
    }

    func testWindowsRoundTripAndAbsenceReadsAsNil() throws {
        XCTAssertEqual(try roundTrip([-1, 10, 10]).attentionWindows, [-1, 10, 10])
        XCTAssertEqual(try roundTrip([7], layers: 1).attentionWindows, [7])
        XCTAssertNil(try roundTrip(nil).attentionWindows)
    }

    func testMalformedWindowsAreRefused() throws {
        for bad: [Int64] in [[-1, 10], [-1, 0, 3], [-2, 3, 3]] {
            XCTAssertThrowsError(try roundTrip(nil) { try $0.attributes.set("attention_window", bad) }) { error in
                XCTAssertTrue("\(error)".contains("attention_window"), "\(error)")
            }
        }
    }
}
